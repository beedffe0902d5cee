"""Starting a job: who may start which kind for which ICP, the audit event, the hand-off to the queue.

`start()` is the one way a job begins, from a page, the command line or the schedule. Refreshes and
reports are for the people who run the ICP's figures: its ICP managers and analysts (an analyst of an
area above the ICP too), never a clinical role; the schedule starts them with no person.

Exports (the audit trail over a period, a person's subject-access export) are the IG lead's, and
each export job is its starter's alone: only they see it and download its file, and only while
they still may (`may_see_job`). The schedule and the command line never start one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.jobs.models import Job, JobKind, JobStatus
from icp.partnership.models import Area
from icp.partnership.roles import AreaLevel, UserRole

# Who may start each kind (and see the ICP's jobs).
STARTERS: dict[str, frozenset[str]] = {
    JobKind.STRATIFY: frozenset({UserRole.ICP_MANAGER, UserRole.ANALYST}),
    JobKind.INDICATORS: frozenset({UserRole.ICP_MANAGER, UserRole.ANALYST}),
    JobKind.REPORT: frozenset({UserRole.ICP_MANAGER, UserRole.ANALYST}),
    JobKind.AUDIT_EXPORT: frozenset({UserRole.IG_LEAD}),
    JobKind.SUBJECT_ACCESS: frozenset({UserRole.IG_LEAD}),
}
# Jobs whose file holds identifiable or staff data: seen and downloaded by the person who started them.
PERSONAL = frozenset({JobKind.AUDIT_EXPORT, JobKind.SUBJECT_ACCESS})
VIEWERS = frozenset({UserRole.ICP_MANAGER, UserRole.ANALYST, UserRole.IG_LEAD})
SHARED_VIEWERS = frozenset({UserRole.ICP_MANAGER, UserRole.ANALYST})
TASK = "icp.jobs.runner.run"


def works_for(user: Any, icp: Area) -> bool:
    """The user's home is the ICP or an area above it (superusers work for every ICP)."""
    if user.is_superuser:
        return True
    home = getattr(user, "home_area", None)
    return home is not None and (home.pk == icp.pk or home.pk in {a.pk for a in icp.ancestors()})


def may_see_jobs(user: Any, icp: Area) -> bool:
    """May open the ICP's jobs page (what it lists is `visible_jobs`)."""
    return bool(user.is_superuser or (user.role in VIEWERS and works_for(user, icp)))


def may_see_job(user: Any, job: Job) -> bool:
    """An export job is its starter's, while they may still start one for the ICP (an IG lead who
    moved on loses it); a refresh or report is for the ICP's managers and analysts."""
    if job.kind in PERSONAL:
        return job.started_by_id == user.pk and may_start(user, job.kind, job.icp)
    return bool(user.is_superuser or (user.role in SHARED_VIEWERS and works_for(user, job.icp)))


def visible_jobs(user: Any, icp: Area) -> QuerySet[Job]:
    """The ICP's jobs the user may see (`may_see_job`, as a query)."""
    condition = Q(pk__in=[])
    if any(may_start(user, kind, icp) for kind in PERSONAL):
        condition |= Q(kind__in=PERSONAL, started_by=user)
    if user.is_superuser or (user.role in SHARED_VIEWERS and works_for(user, icp)):
        condition |= ~Q(kind__in=PERSONAL)
    return Job.objects.filter(icp=icp).filter(condition)


def may_start(user: Any, kind: str, icp: Area) -> bool:
    return bool(user.is_superuser or (user.role in STARTERS.get(kind, ()) and works_for(user, icp)))


def start(*, kind: str, icp: Area, by: Any, options: dict[str, Any] | None = None) -> Job:
    """Queue one job of `kind` for `icp`, started by `by` (None: the schedule). Audited."""
    if kind not in JobKind.values:
        raise ValueError(f"kind {kind!r}: expected one of {', '.join(JobKind.values)}")
    if icp.level != AreaLevel.ICP:
        raise ValueError(f"{icp.code} is not an ICP")
    if by is None and kind in PERSONAL:
        raise ValueError(
            f"{JobKind(kind).label} is started by the IG lead from the web, never by the schedule"
        )
    if by is not None and not may_start(by, kind, icp):
        raise deny(
            action=EventType.JOB_START,
            by=by,
            target=icp,
            reason=f"{JobKind(kind).label} is for the ICP's "
            + ("information-governance lead." if kind in PERSONAL else "managers and analysts."),
            detail={"kind": kind},
        )
    patient_ref = ""
    if kind == JobKind.SUBJECT_ACCESS:
        from icp.sharing.subject_access import check

        person, _ = check(patient_id=str((options or {}).get("patient_id", "")), by=by)
        if person.icp_id != icp.pk:
            raise ValueError("patient_id: this person is not in that ICP")
        patient_ref = person.patient_id
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, icp=icp, started_by=by, scheduled=by is None, options=options or {}
        )
        record(
            action=EventType.JOB_START,
            actor=by,
            target=job,
            patient_ref=patient_ref,
            detail={"kind": kind, "icp": icp.code, "scheduled": by is None, **(options or {})},
        )
        # Hand the job to the queue once the row is committed, so a worker never looks for it too soon.
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    from django_q.tasks import async_task

    queue_id = async_task(TASK, job.pk, task_name=f"job-{job.pk}-{job.kind}", group=f"icp-{job.icp.code}")
    Job.objects.filter(pk=job.pk).update(queue_id=str(queue_id or ""))


def active(icp: Area, kind: str) -> Job | None:
    """A job of this kind for this ICP still waiting or running (the page offers no second one).
    Never an export: each is its own request, and another person's is not theirs to see."""
    if kind in PERSONAL:
        return None
    return (
        Job.objects.filter(icp=icp, kind=kind, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
        .order_by("-created_at")
        .first()
    )
