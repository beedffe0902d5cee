"""The care demo: the whole story of the C of RICE with synthetic people (idempotent).

- The services directory: the demo volunteers' befriending and social prescribing, the community
  support hub's food and medicines service, the trust's falls service.
- The story: the highest-risk frail person on demo-gp's worklist is enrolled in the frailty
  pathway, given a care plan in their own words, discussed at the frailty MDT (with an action
  carried forward), referred to demo-voluntary's organisation, and the referral is completed with
  an outcome the GP sees.
- Referrals from demo-gp's practice to demo-voluntary's organisation in every Task status,
  including requested ones for demo-voluntary to accept; demo-pharmacist's organisation is party
  to none of them (the pharmacist refers one person to the hub instead).
- An emergency-response list given to the hub, with an outreach contact and a referral from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from icp.care.actions import add_care_team_member, create_mdt_list
from icp.care.emergency.actions import build_emergency_list, record_outreach, refer_from_contact
from icp.care.emergency.models import EmergencyList
from icp.care.mdt.actions import (
    add_action,
    add_case,
    complete_action,
    record_attendance,
    record_discussion,
    schedule_meeting,
)
from icp.care.mdt.models import CaseSource
from icp.care.models import CareTeamMember, MdtList
from icp.care.pathways.actions import enrol
from icp.care.pathways.models import Enrolment
from icp.care.plans.actions import add_activity, create_care_plan
from icp.care.plans.models import Activity, CarePlan
from icp.care.referrals.actions import create_referral, move_referral
from icp.care.referrals.models import Referral, Service, ServiceType
from icp.care.referrals.states import TaskStatus
from icp.partnership.models import Area, Organisation, User
from icp.partnership.roles import AreaLevel
from icp.patients.models import PatientIndex, RiskResult
from icp.sharing.policy import evaluate_many
from icp.sharing.vocabulary import DataCategory, Purpose

MDT_NAME = "Frailty MDT (synthetic)"
EVERY_STATE_MARK = "(synthetic; shown "  # marks the referrals made to show every status
STORY_GOAL = "I want to stay in my own home and get to the lunch club on Thursdays (synthetic)"
# The path from requested to each status, for the referrals shown in every state.
PATHS: dict[str, list[tuple[str, str]]] = {
    TaskStatus.DRAFT: [],
    TaskStatus.REQUESTED: [],
    TaskStatus.ACCEPTED: [("accepted", "owner")],
    TaskStatus.IN_PROGRESS: [("accepted", "owner"), ("in-progress", "owner")],
    TaskStatus.ON_HOLD: [("accepted", "owner"), ("on-hold", "owner")],
    TaskStatus.COMPLETED: [("accepted", "owner"), ("in-progress", "owner"), ("completed", "owner")],
    TaskStatus.FAILED: [("accepted", "owner"), ("failed", "owner")],
    TaskStatus.REJECTED: [("rejected", "owner")],
    TaskStatus.CANCELLED: [("cancelled", "requester")],
    TaskStatus.ENTERED_IN_ERROR: [("entered-in-error", "requester")],
}


@dataclass
class CareDemoSummary:
    story_patient: str = ""
    referrals: dict[str, int] = field(default_factory=dict)
    emergency_list: str = ""
    note: str = ""


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def _service(organisation: Organisation, icp: Area, name: str, **values: object) -> Service:
    service, created = Service.objects.get_or_create(
        organisation=organisation, name=name, defaults={**values, "synthetic": True}
    )
    if created:
        service.areas.add(icp)
    return service


def _directory(
    icp: Area, voluntary: Organisation, hub: Organisation, trust: Organisation
) -> dict[str, Service]:
    return {
        "befriending": _service(
            voluntary,
            icp,
            "Befriending and practical support (synthetic)",
            type=ServiceType.VOLUNTARY_SUPPORT,
            eligibility="Adults in the ICP who are lonely, isolated or need practical help at home",
            needs=["loneliness", "food", "medicines", "carer_support"],
            capacity_per_week=15,
            hours="Monday to Friday 9:00 to 17:00",
            contact="Referral line 028 9000 0000 (synthetic)",
            response_days=3,
            completion_days=42,
        ),
        "social_prescribing": _service(
            voluntary,
            icp,
            "Social prescribing link workers (synthetic)",
            type=ServiceType.SOCIAL_PRESCRIBING,
            eligibility="Adults whose health is affected by loneliness, money, housing or inactivity",
            needs=["loneliness", "money", "housing", "physical_activity"],
            capacity_per_week=20,
            hours="Monday to Friday",
            response_days=5,
            completion_days=84,
        ),
        "hub": _service(
            hub,
            icp,
            "Community support hub: food, medicines and digital help (synthetic)",
            type=ServiceType.COMMUNITY_SUPPORT_HUB,
            eligibility="People who are shielding, housebound or without support",
            needs=["food", "medicines", "digital_access", "loneliness"],
            capacity_per_week=60,
            hours="Every day 8:00 to 20:00",
            response_days=1,
            completion_days=7,
        ),
        "falls": _service(
            trust,
            icp,
            "Community falls service (synthetic)",
            type=ServiceType.FALLS,
            eligibility="People aged 65 or over who have fallen or fear falling",
            needs=["mobility"],
            referral_code="247541000000106",
            referral_display="Referral to falls service (procedure)",
            response_days=10,
            completion_days=90,
        ),
    }


def _worklist(icp: Area, practice: Organisation) -> list[PatientIndex]:
    rows = RiskResult.objects.filter(icp=icp, practice=practice, patient__death_date__isnull=True).order_by(
        "risk_rank"
    )
    return [row.patient for row in rows.select_related("patient")[:40]]


def _refer(patient: PatientIndex, service: Service, gp: User, voluntary: User, status: str) -> Referral:
    referral = create_referral(
        patient=patient,
        service=service,
        reason=f"Lives alone and struggling at home {EVERY_STATE_MARK}{status})",
        needs=["loneliness", "food"],
        by=gp,
        submit=status != TaskStatus.DRAFT,
    )
    for target, party in PATHS[status]:
        move_referral(
            referral=referral,
            to_status=target,
            by=voluntary if party == "owner" else gp,
            reason="No capacity this month (synthetic)" if target == "rejected" else "",
            output="Weekly befriending visits and a shopping volunteer arranged (synthetic)"
            if target == "completed"
            else "",
        )
    return referral


def create_demo_care(*, icp_code: str) -> CareDemoSummary:
    """Make (or find) the care demo for `icp_code` (after sharing and stratification)."""
    summary = CareDemoSummary()
    icp = Area.objects.get(code=icp_code, level=AreaLevel.ICP)
    gp, nurse, voluntary, hub_user = (
        _user("demo-gp"),
        _user("demo-nurse"),
        _user("demo-voluntary"),
        _user("demo-hub"),
    )
    pharmacist, trust_user, manager = (
        _user("demo-pharmacist"),
        _user("demo-trustclinician"),
        _user("demo-manager"),
    )
    assert gp.organisation and voluntary.organisation and hub_user.organisation and trust_user.organisation
    services = _directory(icp, voluntary.organisation, hub_user.organisation, trust_user.organisation)
    people = _worklist(icp, gp.organisation)
    if len(people) < 12:
        summary.note = "Too few people on demo-gp's worklist: run `icp demo` after stratification."
        return summary
    story = next(
        (
            p
            for p in people
            if RiskResult.objects.filter(
                patient=p, age__gte=65, efi_category__in=["moderate", "severe"]
            ).exists()
        ),
        people[0],
    )
    summary.story_patient = story.patient_id
    with transaction.atomic():
        if not Enrolment.objects.filter(patient=story, pathway="frailty").exists():
            _story(icp, story, services, gp, nurse, voluntary, trust_user, manager)
        if not Referral.objects.filter(
            requester_organisation=gp.organisation, reason__contains=EVERY_STATE_MARK
        ).exists():
            # Two requested ones, for demo-voluntary to accept from the inbox.
            statuses = [*PATHS, TaskStatus.REQUESTED]
            others = [p for p in people if p.pk != story.pk][: len(statuses)]
            for status, patient in zip(statuses, others, strict=False):
                _refer(patient, services["befriending"], gp, voluntary, status)
        pharmacy = pharmacist.organisation
        if pharmacy is not None and not Activity.objects.filter(owner_organisation=pharmacy).exists():
            _medication_review(story, gp, pharmacy)
        # The pharmacist refers a person in the pharmacy's care to the hub, for the hub to accept.
        member = next(
            (
                m
                for m in CareTeamMember.objects.filter(
                    organisation=pharmacist.organisation, end_date__isnull=True
                )
                # Someone whose choices let the pharmacy share (the sharing demo has one who withdrew).
                if evaluate_many(
                    pharmacist, m.patient, Purpose.CARE_COORDINATION, [DataCategory.DEMOGRAPHICS]
                )[1][DataCategory.DEMOGRAPHICS].allowed
            ),
            None,
        )
        if member and not Referral.objects.filter(requester_organisation=pharmacist.organisation).exists():
            create_referral(
                patient=member.patient,
                service=services["hub"],
                reason="Cannot collect prescriptions while unwell; no family nearby (synthetic)",
                needs=["medicines", "food"],
                by=pharmacist,
            )
        if not EmergencyList.objects.filter(icp=icp).exists():
            emergency = build_emergency_list(
                icp=icp,
                name="Vulnerable people: outreach (synthetic)",
                criteria=["lives_alone", "housebound", "severe_frailty", "end_of_life"],
                hub=hub_user.organisation,
                by=manager,
            )
            entry = emergency.entries.first()
            if entry is not None:
                contact = record_outreach(
                    entry=entry,
                    reached=True,
                    needs=["food", "digital_access"],
                    note="Phoned; no food in (synthetic)",
                    by=hub_user,
                )
                refer_from_contact(contact=contact, service=services["befriending"], by=hub_user)
    summary.referrals = {
        status: Referral.objects.filter(
            requester_organisation=gp.organisation, owner_organisation=voluntary.organisation, status=status
        ).count()
        for status in PATHS
    }
    summary.emergency_list = (
        EmergencyList.objects.filter(icp=icp).values_list("name", flat=True).first() or ""
    )
    return summary


def _medication_review(story: PatientIndex, gp: User, pharmacy: Organisation) -> None:
    """The story's care plan asks the community pharmacy for a medication review (falls risk): the
    pharmacist's "people to review". The pharmacy joins the care team, which lets it see the plan."""
    plan = CarePlan.objects.filter(patient=story).order_by("id").first()
    if plan is None:
        return
    team = CareTeamMember.objects.filter(patient=story, organisation=pharmacy, end_date__isnull=True)
    if not team.exists():
        add_care_team_member(patient=story, organisation=pharmacy, role="Community pharmacist", by=gp)
    add_activity(
        care_plan=plan,
        description="Structured medication review: medicines that raise the risk of falls (synthetic)",
        owner_organisation=pharmacy,
        due_on=timezone.localdate() + timedelta(days=7),
        by=gp,
    )


def _story(
    icp: Area,
    story: PatientIndex,
    services: dict[str, Service],
    gp: User,
    nurse: User,
    voluntary: User,
    trust_user: User,
    manager: User,
) -> None:
    """Found on the worklist → enrolled in frailty → care plan → MDT → referred → completed."""
    assert gp.organisation and voluntary.organisation and trust_user.organisation
    today = timezone.localdate()
    enrolment = enrol(
        patient=story,
        pathway_id="frailty",
        reason="Top of the worklist: frailty and recent falls (synthetic)",
        by=gp,
    )
    plan = create_care_plan(patient=story, by=gp, enrolment=enrolment, goals=[STORY_GOAL])
    add_activity(
        care_plan=plan,
        description="Weekly befriending visit and help with shopping",
        owner_organisation=voluntary.organisation,
        due_on=today + timedelta(days=14),
        by=gp,
    )
    mdt = MdtList.objects.filter(icp=icp, name=MDT_NAME).first()
    if mdt is None:
        mdt = create_mdt_list(
            icp=icp, name=MDT_NAME, members=[gp.organisation, trust_user.organisation], by=manager
        )
    for member in (gp.organisation, trust_user.organisation, voluntary.organisation):
        mdt.members.add(member)
    meeting = schedule_meeting(
        mdt_list=mdt,
        starts_at=timezone.now() - timedelta(days=7),
        by=gp,
        location="Health centre",
        virtual_link="https://video.example.org/frailty-mdt",
    )
    case = add_case(meeting=meeting, patient=story, by=gp, source=CaseSource.WORKLIST)
    record_attendance(
        meeting=meeting, name="Demo GP (synthetic)", organisation=gp.organisation, role="GP", by=gp
    )
    record_attendance(
        meeting=meeting,
        name="Demo trust clinician (synthetic)",
        organisation=trust_user.organisation,
        role="community frailty nurse",
        virtual=True,
        by=gp,
    )
    record_attendance(
        meeting=meeting,
        name="Demo volunteer coordinator (synthetic)",
        organisation=voluntary.organisation,
        role="volunteer coordinator",
        virtual=True,
        by=gp,
    )
    record_discussion(
        case=case,
        discussion="Two falls this year, lives alone, lonely since a bereavement (synthetic).",
        outcome="Falls assessment; befriending referral; review in a month.",
        by=gp,
    )
    done = add_action(
        case=case,
        description="Falls risk assessment at home",
        owner_organisation=trust_user.organisation,
        due_on=today,
        by=gp,
    )
    complete_action(action=done, by=trust_user)
    add_action(
        case=case,
        description="Check the befriending referral has started",
        owner_organisation=gp.organisation,
        due_on=today + timedelta(days=21),
        by=gp,
    )
    schedule_meeting(
        mdt_list=mdt,
        starts_at=timezone.now() + timedelta(days=21),
        by=gp,
        location="Health centre",
        virtual_link="https://video.example.org/frailty-mdt",
    )
    referral = create_referral(
        patient=story,
        service=services["befriending"],
        reason="Lonely since a bereavement; two falls; agreed at the frailty MDT (synthetic)",
        needs=["loneliness", "food"],
        by=gp,
    )
    move_referral(referral=referral, to_status="accepted", by=voluntary)
    move_referral(referral=referral, to_status="in-progress", by=voluntary)
    move_referral(
        referral=referral,
        to_status="completed",
        by=voluntary,
        output="Befriender visits every Tuesday; lunch club on Thursdays; shopping delivered (synthetic)",
    )


def print_demo_care(console: Any, summary: CareDemoSummary) -> None:
    if summary.note:
        console.print(f"Care: {summary.note}")
        return
    states = ", ".join(f"{status} {count}" for status, count in summary.referrals.items())
    console.print(
        f"Care: the story of {summary.story_patient} (frailty pathway, care plan, MDT, a completed "
        f"referral) at /care/person/{summary.story_patient}/ (demo-gp); referrals from demo-gp's "
        f"practice to demo-voluntary's organisation: {states}; inbox /care/referrals/inbox/ "
        f"(demo-voluntary); emergency list: {summary.emergency_list} (demo-hub)."
    )
