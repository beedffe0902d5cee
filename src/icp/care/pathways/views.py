"""Pathway pages: enrol from a person's page or a selection from the worklist, leave a pathway,
a practice's caseload (identifiable, through the access decision) and an ICP's caseloads with
referral times (aggregate only)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care import pathways
from icp.care.access import refuse
from icp.care.needs import carers_recorded, needs_found
from icp.care.pathways import actions
from icp.care.pathways.caseload import icp_caseloads, practice_caseload
from icp.care.pathways.models import Enrolment
from icp.care.referrals.clocks import Times, times
from icp.care.referrals.models import Referral
from icp.measure.disclosure import SUPPRESS_TO, shown
from icp.partnership.models import Area, Organisation, User
from icp.partnership.roles import CLINICAL_ROLES, AreaLevel, OrganisationType, UserRole
from icp.patients.models import PatientIndex
from icp.sharing.policy import readable
from icp.sharing.vocabulary import DataCategory, Purpose


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_POST
def enrol(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = _user(request)
    patient = get_object_or_404(PatientIndex, patient_id=patient_id[:64])
    try:
        enrolment = actions.enrol(
            patient=patient,
            pathway_id=request.POST.get("pathway", ""),
            reason=request.POST.get("reason", ""),
            by=user,
        )
        messages.success(request, f"Enrolled in {pathways.get(enrolment.pathway).title}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("care:person", patient_id=patient.patient_id)


@login_required
@require_POST
def enrol_selection(request: HttpRequest, code: str) -> HttpResponse:
    """Enrol the people ticked on the practice's worklist."""
    user = _user(request)
    practice = get_object_or_404(Organisation, code=code, type=OrganisationType.GP_PRACTICE)
    if user.organisation_id != practice.pk:
        raise refuse(
            user, EventType.ENROLMENT_CREATE, "Only the practice's own clinicians enrol from its worklist."
        )
    ids = [i[:64] for i in request.POST.getlist("patient")][:200]
    patients = list(PatientIndex.objects.filter(patient_id__in=ids, practice=practice))
    if not patients:
        messages.error(request, "Tick the people to enrol first.")
        return redirect("care:worklist", code=code)
    result = actions.enrol_selection(
        patients=patients,
        pathway_id=request.POST.get("pathway", ""),
        reason=request.POST.get("reason", ""),
        by=user,
    )
    if result.enrolled:
        messages.success(
            request, f"Enrolled {len(result.enrolled)} {'person' if len(result.enrolled) == 1 else 'people'}."
        )
    for _patient_id, why in result.refused:
        messages.error(request, f"Not enrolled: {why}")
    return redirect(f"{request.POST.get('next') or '/care/practice/' + code + '/worklist/'}")


@login_required
@require_POST
def leave(request: HttpRequest, enrolment_id: str) -> HttpResponse:
    user = _user(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("patient"), public_id=enrolment_id[:32])
    try:
        actions.leave_pathway(
            enrolment=enrolment,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            by=user,
        )
        messages.success(request, "The person has left the pathway.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("care:person", patient_id=enrolment.patient.patient_id)


@login_required
def practice_caseload_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    practice = get_object_or_404(Organisation, code=code, type=OrganisationType.GP_PRACTICE)
    if user.organisation_id != practice.pk or user.role not in CLINICAL_ROLES:
        raise refuse(
            user, EventType.CASELOAD_VIEW, "A practice's caseload is for its own clinicians.", target=practice
        )
    pathway_id = request.GET.get("pathway", "")
    if pathway_id not in pathways.load_all():
        pathway_id = ""
    enrolments = list(practice_caseload(practice, pathway_id)[:500])
    rows, hidden = readable(
        user, enrolments, lambda enrolment: enrolment.patient, Purpose.DIRECT_CARE, DataCategory.DEMOGRAPHICS
    )
    record(
        action=EventType.CASELOAD_VIEW,
        actor=user,
        target=practice,
        purpose=Purpose.DIRECT_CARE,
        detail={"pathway": pathway_id, "shown": [e.patient.patient_id for e in rows], "hidden": hidden},
        subjects=[e.patient.patient_id for e in rows],
    )
    return render(
        request,
        "care/pathways/practice_caseload.html",
        {
            "practice": practice,
            "rows": rows,
            "hidden": hidden,
            "pathways": pathways.load_all(),
            "pathway": pathway_id,
            "today": timezone.localdate(),
        },
    )


def _shown(found: Times) -> dict[str, str]:
    """Referral times as they may leave the platform: counts under 8, and medians over them, suppressed."""
    small = found.referrals <= SUPPRESS_TO

    def median(value: float | None) -> str:
        return "suppressed" if small else ("—" if value is None else f"{value:.1f} days")

    return {
        "referrals": shown(found.referrals),
        "median_to_accept": median(found.median_days_to_accept),
        "median_to_complete": median(found.median_days_to_complete),
        "breaching_now": shown(found.breaching_now),
    }


@login_required
def icp_caseload_page(request: HttpRequest, code: str) -> HttpResponse:
    """Pathway caseloads and referral times across an ICP: aggregate, for the ICP's managers and analysts."""
    user = _user(request)
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    home = user.home_area.icp() if user.home_area_id and user.home_area else None
    if not (
        user.is_superuser
        or (home is not None and home.pk == icp.pk and user.role in (UserRole.ICP_MANAGER, UserRole.ANALYST))
    ):
        raise refuse(
            user,
            EventType.CASELOAD_ICP_VIEW,
            "ICP caseloads are for the ICP's managers and analysts.",
            target=icp,
        )
    now = timezone.now()
    table, totals = icp_caseloads(icp, timezone.localdate())
    referrals = list(
        Referral.objects.filter(patient__icp=icp).exclude(status="draft").select_related("service")
    )
    by_service: dict[str, list[Referral]] = {}
    for referral in referrals:
        by_service.setdefault(referral.service_name or "Other", []).append(referral)
    service_times = [(name, _shown(times(rows, now))) for name, rows in sorted(by_service.items())]
    today = timezone.localdate()
    needs = [(n.label, n.code, shown(n.people)) for n in needs_found(icp, today - timedelta(days=365))]
    carers = carers_recorded(icp, today)
    record(
        action=EventType.CASELOAD_ICP_VIEW,
        actor=user,
        target=icp,
        purpose=Purpose.PLANNING,
        detail={"practices": len(table)},
    )
    return render(
        request,
        "care/pathways/icp_caseload.html",
        {
            "icp": icp,
            "table": table,
            "totals": totals,
            "pathways": pathways.load_all(),
            "service_times": service_times,
            "overall": _shown(times(referrals, now)),
            "needs": needs,
            "carers": {
                "carers": shown(carers.carers),
                "in_index": shown(carers.carers_in_index),
                "cared_for": shown(carers.cared_for),
            },
        },
    )
