"""The jobs pages: an ICP's background jobs with their progress, starting one, a job's file.

The ICP's managers and analysts see its refreshes and reports; its IG lead sees the exports they
started themselves, and only they download an export's file (`actions.may_see_job`, and for a
subject-access export the access decision asked again). A refusal is audited and answers 403.
A running job's page updates its progress from `progress.json` (a static script, no inline code)
and says the same in words for anyone without scripts: reload to see the latest step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.inputs import InputError, posted_date
from icp.jobs import actions
from icp.jobs.kinds import results_dir
from icp.jobs.models import Job, JobKind
from icp.partnership.models import Area, User
from icp.partnership.roles import AreaLevel
from icp.webforms import date_field

RECENT = 50
QUARTER_HELP = "Leave empty for the latest complete quarter, or give one such as 2025-Q4."


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _icp_or_refuse(request: HttpRequest, code: str) -> tuple[User, Area]:
    user = _user(request)
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    if not actions.may_see_jobs(user, icp):
        raise deny(
            action=EventType.JOB_VIEW,
            by=user,
            target=icp,
            reason="An ICP's background jobs are for its managers, analysts and IG lead.",
        )
    return user, icp


def _job_or_refuse(request: HttpRequest, job_id: int) -> tuple[User, Job]:
    user = _user(request)
    job = get_object_or_404(Job.objects.select_related("icp", "started_by"), pk=job_id)
    if not actions.may_see_job(user, job):
        raise deny(
            action=EventType.JOB_VIEW,
            by=user,
            target=job,
            reason=(
                "An export is for the person who started it."
                if job.kind in actions.PERSONAL
                else "An ICP's background jobs are for its managers and analysts."
            ),
        )
    return user, job


@login_required
def icp_jobs(request: HttpRequest, code: str) -> HttpResponse:
    user, icp = _icp_or_refuse(request, code)
    jobs = list(actions.visible_jobs(user, icp).select_related("started_by")[:RECENT])
    # A subject-access export starts from the person's own page, not from here.
    kinds = [
        {"kind": kind, "label": label, "active": actions.active(icp, kind)}
        for kind, label in JobKind.choices
        if kind != JobKind.SUBJECT_ACCESS and actions.may_start(user, kind, icp)
    ]
    period = {
        "date_from": date_field("date_from", "From", id_prefix="audit", hint="For example, 1 4 2026"),
        "date_to": date_field("date_to", "To (inclusive)", id_prefix="audit", hint="For example, 30 6 2026"),
    }
    return render(
        request,
        "jobs/icp_jobs.html",
        {"icp": icp, "jobs": jobs, "kinds": kinds, "quarter_help": QUARTER_HELP, "period": period},
    )


def _options(kind: str, data: Any) -> dict[str, str]:
    """The options a kind takes from the form; InputError (a ValueError) names a bad field."""
    if kind == JobKind.REPORT and (quarter := str(data.get("quarter", "")).strip()):
        from icp.evaluation.summary import quarter_bounds

        try:
            quarter_bounds(quarter)
        except ValueError:
            raise InputError(f"Quarter {quarter[:20]!r}: expected a quarter such as 2025-Q4.") from None
        return {"quarter": quarter}
    if kind == JobKind.AUDIT_EXPORT:
        date_from = posted_date(data, "date_from", "From")
        date_to = posted_date(data, "date_to", "To")
        if date_from > date_to:
            raise InputError("To: the period ends before it starts.")
        return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    if kind == JobKind.SUBJECT_ACCESS:
        return {"patient_id": str(data.get("patient_id", "")).strip()[:64]}
    return {}


@login_required
@require_POST
def start_job(request: HttpRequest, code: str) -> HttpResponse:
    user, icp = _icp_or_refuse(request, code)
    kind = request.POST.get("kind", "")
    if kind not in JobKind.values:
        return HttpResponse(
            f"kind: expected one of {', '.join(JobKind.values)}", status=400, content_type="text/plain"
        )
    try:
        options = _options(kind, request.POST)
    except InputError as error:
        messages.error(request, str(error))
        return redirect("jobs:icp", code=icp.code)
    # Only someone who may start the kind hears that one is running (start() refuses the others).
    running = actions.active(icp, kind) if actions.may_start(user, kind, icp) else None
    if running is not None:
        messages.info(
            request, f"{running.get_kind_display()} is already {running.get_status_display().lower()}."
        )
        return redirect("jobs:job", job_id=running.pk)
    try:
        # A refusal raises PermissionDenied (audited): the site's 403 page answers.
        job = actions.start(kind=kind, icp=icp, by=user, options=options)
    except ValueError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain")
    messages.info(request, f"{job.get_kind_display()} started: this page shows its progress.")
    return redirect("jobs:job", job_id=job.pk)


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_refuse(request, job_id)[1]
    return render(request, "jobs/job.html", {"job": job, "icp": job.icp})


@login_required
def job_progress(request: HttpRequest, job_id: int) -> JsonResponse:
    job = _job_or_refuse(request, job_id)[1]
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "step": job.step,
            "outcome": job.outcome,
            "finished": job.finished,
        }
    )


@login_required
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    user, job = _job_or_refuse(request, job_id)
    if not job.result_file:
        raise Http404("This job made no file.")
    path = Path(job.result_file)
    # Only files the jobs wrote, in their own folder: a tampered row cannot serve another file.
    if path.resolve().parent != results_dir().resolve() or not path.is_file():
        raise Http404("The job's file is no longer kept.")
    patient_ref = ""
    if job.kind == JobKind.SUBJECT_ACCESS:
        from icp.sharing.subject_access import check

        # Asked again at download: the person may have moved ICP, the IG lead their post.
        patient_ref = check(patient_id=str(job.options.get("patient_id", "")), by=user)[0].patient_id
    record(
        action=EventType.JOB_DOWNLOAD,
        actor=user,
        target=job,
        patient_ref=patient_ref,
        detail={"kind": job.kind, "file": path.name},
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name.split("-", 1)[1])
