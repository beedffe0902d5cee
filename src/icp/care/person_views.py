"""A person's care page: their pathways (and which they are eligible for), care plans with goals
and activities (overdue shown), and the referrals the user's organisation is party to. The GP
enrols, plans, refers and lists for an MDT from here.

The page is shown only when the access decision allows the user to see the person's demographics
and care plans for care coordination or direct care (both decisions audited); its referrals are
decided on the referral basis as one list (audited as `referral.list`, box "person").
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.care import actions as care_actions
from icp.care import pathways
from icp.care.access import care_purpose
from icp.care.models import CareTeamMember, MdtList
from icp.care.pathways.actions import facts_for
from icp.care.pathways.models import LeaveReason
from icp.care.plans import actions as plan_actions
from icp.care.plans.models import ActivityStatus, CarePlan
from icp.care.referrals import queries
from icp.care.referrals.clocks import clock
from icp.care.teams import actions as team_actions
from icp.inputs import InputError, posted_date, whole_number
from icp.partnership.models import Organisation, User
from icp.partnership.roles import CLINICAL_ROLES
from icp.patients.models import PatientIndex
from icp.sharing.banner import patient_banner
from icp.sharing.policy import decide_many
from icp.sharing.vocabulary import DataCategory


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def person(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = _user(request)
    purpose = care_purpose(user)
    if purpose is None:
        raise PermissionDenied("Your role does not do care work with people's records.")
    decisions = decide_many(
        user,
        patient_id[:64],
        purpose,
        [DataCategory.DEMOGRAPHICS, DataCategory.CARE_PLANS],
        action=EventType.CARE_PERSON_VIEW,
    )
    if not decisions[DataCategory.DEMOGRAPHICS].allowed:
        raise PermissionDenied(decisions[DataCategory.DEMOGRAPHICS].reason)
    patient = get_object_or_404(PatientIndex.objects.select_related("practice"), patient_id=patient_id[:64])
    today = timezone.localdate()
    plans_allowed = decisions[DataCategory.CARE_PLANS].allowed
    care_plans = (
        list(
            CarePlan.objects.filter(patient=patient)
            .select_related("organisation", "enrolment")
            .prefetch_related("goals", "activities__owner_organisation")
        )
        if plans_allowed
        else []
    )
    enrolments = list(patient.enrolments.select_related("organisation").order_by("ended_on", "-started_on"))
    open_ids = {e.pathway for e in enrolments if e.open}
    eligible = {
        pid: reasons for pid, reasons in pathways.eligible(facts_for(patient)).items() if pid not in open_ids
    }
    # The person's referrals the user's organisation is party to, each passed by the referral basis.
    referrals = queries.shown(
        user,
        list(queries.visible_to(user).filter(patient=patient)),
        EventType.REFERRAL_LIST,
        purpose,
        box="person",
    )
    now = timezone.now()
    return render(
        request,
        "care/person.html",
        {
            "patient": patient,
            "banner": patient_banner(user, patient, decisions.values(), page="care:person"),
            "enrolments": [(e, pathways.get(e.pathway)) for e in enrolments],
            "eligible": [(pathways.get(pid), reasons) for pid, reasons in eligible.items()],
            "all_pathways": pathways.load_all(),
            "leave_reasons": LeaveReason.choices,
            "care_plans": care_plans,
            "plans_allowed": plans_allowed,
            "plans_reason": decisions[DataCategory.CARE_PLANS].reason,
            "referrals": [(r, clock(r, now)) for r in referrals],
            "today": today,
            "is_clinician": user.role in CLINICAL_ROLES,
            "activity_statuses": ActivityStatus.choices,
            "organisations": Organisation.objects.filter(areas_served=patient.icp).order_by("name")[:300]
            if plans_allowed
            else [],
            "default_due": today + timedelta(days=28),
            "team": list(
                CareTeamMember.objects.filter(patient=patient, end_date__isnull=True).select_related(
                    "organisation", "user"
                )
            )
            if plans_allowed
            else [],
            "carers": list(patient.carers.filter(end_date__isnull=True).select_related("carer_patient"))
            if plans_allowed
            else [],
            "mdt_lists": MdtList.objects.filter(members=user.organisation_id).order_by("name")
            if user.organisation_id
            else [],
        },
    )


@login_required
@require_POST
def new_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = _user(request)
    patient = get_object_or_404(PatientIndex, patient_id=patient_id[:64])
    enrolment = patient.enrolments.filter(public_id=request.POST.get("enrolment", "")[:32]).first()
    try:
        plan_actions.create_care_plan(
            patient=patient,
            by=user,
            title=request.POST.get("title", ""),
            enrolment=enrolment,
            goals=[request.POST.get("goal", "")],
        )
        messages.success(request, "Care plan started.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("care:person", patient_id=patient.patient_id)


def _plan(patient_id: str, plan_id: str) -> CarePlan:
    return get_object_or_404(
        CarePlan.objects.select_related("patient"),
        public_id=plan_id[:32],
        patient__patient_id=patient_id[:64],
    )


@login_required
@require_POST
def plan_change(request: HttpRequest, patient_id: str, plan_id: str) -> HttpResponse:
    """Add a goal, add an activity, update an activity, or review the plan."""
    user = _user(request)
    care_plan = _plan(patient_id, plan_id)
    what = request.POST.get("what", "")
    try:
        if what == "goal":
            plan_actions.add_goal(
                care_plan=care_plan, description=request.POST.get("description", ""), by=user
            )
        elif what == "activity":
            owner = get_object_or_404(Organisation, code=request.POST.get("owner", "")[:32])
            due_on = posted_date(request.POST, "due_on", "The due date")
            plan_actions.add_activity(
                care_plan=care_plan,
                description=request.POST.get("description", ""),
                owner_organisation=owner,
                due_on=due_on,
                by=user,
            )
        elif what == "activity-status":
            activity = get_object_or_404(
                care_plan.activities, public_id=request.POST.get("activity", "")[:32]
            )
            plan_actions.update_activity(
                activity=activity,
                status=request.POST.get("status", ""),
                outcome=request.POST.get("outcome", ""),
                by=user,
            )
        elif what == "review":
            next_review = posted_date(request.POST, "next_review_on", "The next review date")
            plan_actions.review_care_plan(care_plan=care_plan, next_review_on=next_review, by=user)
        else:
            raise ValidationError({"what": "Unknown change."})
        messages.success(request, "Care plan updated.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except InputError as error:
        messages.error(request, str(error))
    return redirect("care:person", patient_id=care_plan.patient.patient_id)


def _member_key(text: str) -> int:
    """The care-team member chosen, as a key; anything else finds no member (a 404, not a 500)."""
    try:
        return whole_number(text, "member", minimum=1)
    except InputError:
        raise Http404("No such member of the care team.") from None


@login_required
@require_POST
def team_change(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Add a partner organisation to the care team, name the coordinator, or link a carer."""
    user = _user(request)
    patient = get_object_or_404(PatientIndex, patient_id=patient_id[:64])
    what = request.POST.get("what", "")
    try:
        if what == "member":
            care_actions.add_care_team_member(
                patient=patient,
                organisation=get_object_or_404(Organisation, code=request.POST.get("organisation", "")[:32]),
                role=request.POST.get("role", ""),
                by=user,
            )
        elif what == "coordinator":
            member = get_object_or_404(
                CareTeamMember, patient=patient, pk=_member_key(request.POST.get("member", ""))
            )
            team_actions.set_care_coordinator(member=member, by=user)
        elif what == "carer":
            team_actions.add_carer(
                patient=patient,
                name=request.POST.get("name", ""),
                relationship=request.POST.get("relationship", ""),
                contact=request.POST.get("contact", ""),
                by=user,
            )
        else:
            raise ValidationError({"what": "Unknown change."})
        messages.success(request, "Care team updated.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("care:person", patient_id=patient.patient_id)
