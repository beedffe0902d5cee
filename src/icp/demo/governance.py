"""Synthetic governance for the demo ICP: a year of committee meetings (one inquorate), actions
(some overdue), business cases in several stages, projects (one adopted by every other ICP),
an annual plan with milestones in every RAG state, an area strategy, and the seed's ECHO table.

Everything is made through the action functions, as the demo ICP's manager and the LCG's
reviewer would make it. Dates are relative to today, so "the last 12 months" stays true. The
business-case history is then backdated, so that time-in-stage reads like a real year; that is the
one place the demo writes around the actions, and it touches synthetic rows only.

Idempotent: each part is skipped when its first record already exists.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from icp.demo.governance_data import AGENDA, CASES, COMMENTS, INDICATORS, MEETINGS, MILESTONES
from icp.governance.cases import actions as case_actions
from icp.governance.echo.attendance_import import load_seed_table
from icp.governance.meetings import actions as meeting_actions
from icp.governance.models import (
    AnnualPlan,
    BusinessCase,
    CaseTransition,
    Indicator,
    Project,
    Strategy,
)
from icp.governance.plans import actions as plan_actions
from icp.governance.plans.progress import current_plan_year
from icp.governance.vocab import (
    ActionStatus,
    AgendaPurpose,
    AttendanceStatus,
    DecisionOutcome,
    MeetingMode,
    Rag,
)
from icp.partnership.accounts import create_user
from icp.partnership.models import Area, Committee, Organisation, Person, User
from icp.partnership.priorities import PriorityGroup
from icp.partnership.roles import AreaLevel, Office, UserRole

SYNTHETIC = "(synthetic)"
# Apologies already received for the coming meeting: the committee of 13 needs 7 (half, rounded up),
# so with 6 away it is just quorate and one more apology makes it not.
COMING_APOLOGIES = 6


@dataclass(frozen=True)
class GovernanceDemoSummary:
    meetings: int
    inquorate: int
    overdue_actions: int
    business_cases: int
    projects: int
    icps_running_falls_prevention: int
    milestones: int
    echo_networks: int


def _indicators() -> dict[str, Indicator]:
    found = {}
    for code, name, unit, direction in INDICATORS:
        indicator, _ = Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "source": "Demo indicator: entered by hand until the evaluation capability computes it",
            },
        )
        found[code] = indicator
    return found


def _paper(title: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    page.drawString(72, 770, title)
    page.drawString(72, 750, "Synthetic demonstration paper: no real data.")
    page.save()
    return SimpleUploadedFile(f"{title.lower().replace(' ', '-')}.pdf", buffer.getvalue())


def _meetings(committee: Committee, manager: User, today: date) -> None:
    if committee.meetings.exists():
        return
    meeting_actions.set_quorum_rule(
        committee=committee,
        share_of_filled_seats=Decimal("0.50"),
        source="Standing orders of the Partnership Committee (synthetic)",
        by=manager,
    )
    members = [m for m in committee.memberships.select_related("person") if m.is_current(today)]
    chair = next(m.person for m in members if m.office == Office.CHAIR)
    others = [m.person for m in members if m.office != Office.CHAIR]
    deputy, _ = Person.objects.get_or_create(
        name=f"Nora Deputy {SYNTHETIC}", defaults={"professional_role": "nurse"}
    )
    for number, (days_ago, mode, quorate) in enumerate(MEETINGS, start=1):
        held_on = today - timedelta(days=days_ago)
        meeting = meeting_actions.schedule_meeting(
            committee=committee,
            date=held_on,
            start_time=time(14, 0),
            mode=mode,
            location="" if mode == MeetingMode.VIRTUAL else f"Council chamber {SYNTHETIC}",
            video_link="" if mode == MeetingMode.IN_PERSON else "https://video.example.invalid/causeway-icp",
            title=f"{committee.name} meeting {number}",
            by=manager,
        )
        for title, purpose in AGENDA:
            item = meeting_actions.add_agenda_item(
                meeting=meeting, title=title, purpose=purpose, presenter="ICP manager", by=manager
            )
            meeting_actions.upload_paper(
                agenda_item=item,
                upload=_paper(f"{title} {held_on:%B %Y}"),
                title=f"Paper: {title}",
                by=manager,
            )
        present = [chair, *others[:7]] if quorate else others[:4]
        for person in present:
            meeting_actions.record_attendance(
                meeting=meeting, person=person, status=AttendanceStatus.PRESENT, by=manager
            )
        if not quorate:
            meeting_actions.record_attendance(
                meeting=meeting, person=chair, status=AttendanceStatus.APOLOGIES, by=manager
            )
        for person in others[7:9] if quorate else others[4:6]:
            meeting_actions.record_attendance(
                meeting=meeting, person=person, status=AttendanceStatus.APOLOGIES, by=manager
            )
        if quorate:
            meeting_actions.record_attendance(
                meeting=meeting,
                person=deputy,
                status=AttendanceStatus.PRESENT,
                deputy_for=others[8],
                by=manager,
            )
        meeting_actions.save_minutes(
            meeting=meeting,
            text=(
                "Synthetic minutes for the demonstration.\n"
                "1. The committee reviewed progress on the frailty pathway.\n"
                "2. Business cases for the LCG were discussed.\n"
                "3. Practice worklists from risk stratification were noted."
            ),
            by=manager,
        )
        meeting_actions.record_decision(
            meeting=meeting,
            text="Support the rapid access respiratory business case going to the LCG."
            if number == 2
            else "Note the frailty pathway progress report.",
            outcome=DecisionOutcome.AGREED if number != 3 else DecisionOutcome.DEFERRED,
            proposed_by=others[0],
            seconded_by=others[1],
            by=manager,
        )
        meeting_actions.approve_minutes(meeting=meeting, on=held_on + timedelta(days=14), by=manager)
        # Two actions per meeting, due 30 and 90 days after it: early ones done, some later ones late.
        for offset, owner in ((30, others[number % len(others)]), (90, others[(number + 3) % len(others)])):
            action = meeting_actions.add_action_item(
                committee=committee,
                meeting=meeting,
                description=f"Meeting {number}: report back on the frailty pathway ({offset}-day item)",
                owner=owner,
                due_date=held_on + timedelta(days=offset),
                by=manager,
            )
            if number == 1 or (number == 2 and offset == 30):
                meeting_actions.update_action_item(action_item=action, status=ActionStatus.DONE, by=manager)
            elif number == 3 and offset == 30:
                meeting_actions.update_action_item(
                    action_item=action,
                    status=ActionStatus.IN_PROGRESS,
                    progress_note="Draft circulated.",
                    by=manager,
                )
    coming = meeting_actions.schedule_meeting(
        committee=committee,
        date=today + timedelta(days=21),
        start_time=time(14, 0),
        mode=MeetingMode.VIRTUAL,
        video_link="https://video.example.invalid/causeway-icp",
        title=f"{committee.name} meeting 5",
        by=manager,
    )
    # The coming meeting has one item of business so far (the manager adds the standard items), and
    # the apologies received: enough that one more (from the lay member, say) tips the forecast.
    meeting_actions.add_agenda_item(
        meeting=coming,
        title="Frailty pathway: progress report",
        purpose=AgendaPurpose.DISCUSSION,
        presenter="ICP manager",
        by=manager,
    )
    lay_member = User.objects.filter(username="demo-member").values_list("person_id", flat=True).first()
    absent = [p for p in others if p.pk != lay_member][-COMING_APOLOGIES:]
    for person in absent:
        meeting_actions.record_attendance(
            meeting=coming,
            person=person,
            status=AttendanceStatus.APOLOGIES,
            note="Sent by e-mail (synthetic)",
            by=manager,
        )


def _cases(
    icp: Area,
    manager: User,
    reviewer: User,
    partners: list[Organisation],
    sponsors: list[Person],
    indicators: dict[str, Indicator],
) -> list[BusinessCase]:
    made = []
    for title, group, steps, days_ago, indicator, baseline, target in CASES:
        existing = BusinessCase.objects.filter(icp=icp, title=f"{title} {SYNTHETIC}").first()
        if existing:
            made.append(existing)
            continue
        case = case_actions.create_case(
            icp=icp,
            title=f"{title} {SYNTHETIC}",
            priority_group=group,
            problem="Synthetic demonstration case: people wait too long and are admitted as emergencies.",
            proposal="A joined-up community team across the partner organisations (synthetic).",
            risks="Recruitment of specialist staff; demand higher than modelled.",
            sponsors=sponsors,
            partner_organisations=partners,
            by=manager,
        )
        year = current_plan_year() + 1
        for offset, amount in ((0, 85000), (1, 90000)):
            case_actions.add_funding_request(
                case=case,
                financial_year=f"{year + offset}/{(year + offset + 1) % 100:02d}",
                amount=Decimal(amount),
                recurrent=True,
                by=manager,
            )
        case_actions.add_staff_request(
            case=case,
            financial_year=f"{year}/{(year + 1) % 100:02d}",
            role="Band 6 specialist nurse",
            wte=Decimal("2.0"),
            by=manager,
        )
        case_actions.add_benefit(
            case=case,
            description="Fewer emergency admissions in the priority group",
            indicator=indicators[indicator],
            baseline=Decimal(str(baseline)),
            baseline_period="baseline year (synthetic)",
            target=Decimal(str(target)),
            by=manager,
        )
        for verb in steps:
            actor = (
                reviewer if verb in ("start_review", "approve", "decline", "return_for_changes") else manager
            )
            case_actions.transition_case(case=case, verb=verb, comment=COMMENTS.get(verb, ""), by=actor)
        _backdate(case, days_ago)
        made.append(case)
    return made


def _backdate(case: BusinessCase, days_ago: int) -> None:
    """Spread the synthetic history over `days_ago` days so time-in-stage is illustrative."""
    start = timezone.now() - timedelta(days=days_ago)
    steps = list(case.transitions.order_by("at", "id"))
    gap = timedelta(days=days_ago) / (len(steps) + 1)
    BusinessCase.objects.filter(pk=case.pk).update(created_at=start)
    moment: datetime = start
    for step in steps:
        moment += gap
        CaseTransition.objects.filter(pk=step.pk).update(at=moment)
    BusinessCase.objects.filter(pk=case.pk).update(status_since=moment)


def _other_icp_manager(icp: Area) -> User:
    """A login-less manager account for another ICP, so its adoption is recorded by its own manager."""
    username = f"demo-manager-{icp.code.lower()}"
    return User.objects.filter(username=username).first() or create_user(
        username=username,
        password=None,
        role=UserRole.ICP_MANAGER,
        by=None,
        home_area=icp,
        last_name="(synthetic demo, no login)",
        demo_account=True,
    )


def _projects(
    icp: Area, manager: User, cases: list[BusinessCase], lead: Organisation, today: date
) -> list[Project]:
    if Project.objects.filter(origin_icp=icp).exists():
        return list(Project.objects.filter(origin_icp=icp))
    falls = plan_actions.create_project(
        title=f"Falls prevention: strength and balance {SYNTHETIC}",
        summary="Started in one ICP, taken up by every other: the seed's example of spread (synthetic).",
        origin_icp=icp,
        lead_organisation=lead,
        start_date=date(2017, 4, 1),
        priority_group=PriorityGroup.FRAIL_ELDERLY,
        by=manager,
    )
    others = (
        Area.objects.filter(level=AreaLevel.ICP, parent__parent__code="NI")
        .exclude(pk=icp.pk)
        .order_by("code")
    )
    for n, other in enumerate(others):
        plan_actions.record_adoption(
            project=falls,
            icp=other,
            started_on=date(2018 + n // 5, 1 + (n * 3) % 12, 1),
            note="Adopted after the ICP chairs' network (synthetic)",
            by=_other_icp_manager(other),
        )
    in_reach = next(c for c in cases if c.title.startswith("Nurse home in-reach"))
    nursing = plan_actions.create_project(
        title=f"Nurse home in-reach {SYNTHETIC}",
        summary="Community nurses visit care homes to prevent avoidable admissions.",
        origin_icp=icp,
        lead_organisation=lead,
        start_date=today - timedelta(days=200),
        business_case=in_reach,
        by=manager,
    )
    benefit = in_reach.benefits.get()
    for days, value in ((120, "50.5"), (30, "48.2")):
        case_actions.record_benefit_measurement(
            benefit=benefit,
            measured_on=today - timedelta(days=days),
            value=Decimal(value),
            note="synthetic",
            by=manager,
        )
    return [falls, nursing]


def _plan(icp: Area, manager: User, owners: list[Person], today: date) -> AnnualPlan:
    year = current_plan_year(today)
    existing = AnnualPlan.objects.filter(icp=icp, year_starting=year).first()
    if existing:
        return existing
    plan = plan_actions.create_plan(
        icp=icp,
        year_starting=year,
        title=f"{icp.name} annual plan {SYNTHETIC}",
        agreed_on=date(year, 4, 20),
        by=manager,
    )
    objectives = {}
    for number, (objective_number, objective_title, title, due_in, rag) in enumerate(MILESTONES):
        if objective_number not in objectives:
            objectives[objective_number] = plan_actions.add_objective(
                plan=plan, title=objective_title, by=manager
            )
        milestone = plan_actions.add_milestone(
            objective=objectives[objective_number],
            title=title,
            owner=owners[number % len(owners)],
            due_date=today + timedelta(days=due_in),
            by=manager,
        )
        plan_actions.update_milestone(
            milestone=milestone,
            rag=rag,
            note=f"Progress reported to the committee (synthetic): {Rag(rag).label}.",
            by=manager,
        )
    return plan


def _strategy(
    icp: Area,
    manager: User,
    projects: list[Project],
    cases: list[BusinessCase],
    indicators: dict[str, Indicator],
    today: date,
) -> None:
    area = icp.parent
    if area is None or Strategy.objects.filter(area=area).exists():
        return
    strategy = plan_actions.create_strategy(
        area=area,
        title=f"{area.name} integrated care strategy {SYNTHETIC}",
        period_start=date(today.year, 4, 1) - timedelta(days=365),
        period_end=date(today.year + 4, 3, 31),
        by=manager,
    )
    frailty = plan_actions.add_strategy_priority(
        strategy=strategy, title="Older people live well at home for longer", by=manager
    )
    plan_actions.add_strategy_outcome(
        priority=frailty,
        description="Fewer emergency admissions of frail older people",
        indicators=[indicators["emergency-admissions-75"], indicators["falls-admissions"]],
        projects=projects,
        business_cases=[c for c in cases if c.priority_group == PriorityGroup.FRAIL_ELDERLY],
        by=manager,
    )
    conditions = plan_actions.add_strategy_priority(
        strategy=strategy, title="Joined-up care for long-term conditions", by=manager
    )
    plan_actions.add_strategy_outcome(
        priority=conditions,
        description="Timely specialist care in the community for COPD and diabetes",
        indicators=[indicators["copd-admissions"], indicators["diabetes-amputations"]],
        business_cases=[
            c for c in cases if c.priority_group in (PriorityGroup.RESPIRATORY, PriorityGroup.DIABETES)
        ],
        by=manager,
    )


def create_demo_governance(*, icp_code: str) -> GovernanceDemoSummary:
    """Make (or find) the demo ICP's governance records; return what now exists."""
    today = date.today()
    icp = Area.objects.get(code=icp_code, level=AreaLevel.ICP)
    manager = User.objects.get(username="demo-manager")
    reviewer = User.objects.get(username="demo-reviewer")
    committee = Committee.objects.get(area=icp)
    with transaction.atomic():
        indicators = _indicators()
        _meetings(committee, manager, today)
        people = [m.person for m in committee.memberships.select_related("person").order_by("pk")]
        partner_types = ["trust", "council", "voluntary_organisation", "community_organisation"]
        partners = list(
            Organisation.objects.filter(areas_served=icp, type__in=partner_types).order_by("type")
        )
        cases = _cases(icp, manager, reviewer, partners, people[:2], indicators)
        lead = Organisation.objects.filter(areas_served=icp, type="trust").first() or partners[0]
        projects = _projects(icp, manager, cases, lead, today)
        plan = _plan(icp, manager, people, today)
        _strategy(icp, manager, projects, cases, indicators, today)
    echo = load_seed_table()
    falls = next(p for p in projects if p.title.startswith("Falls prevention"))
    return GovernanceDemoSummary(
        meetings=committee.meetings.count(),
        inquorate=committee.meetings.filter(quorate=False).count(),
        overdue_actions=sum(1 for a in committee.action_items.all() if a.is_overdue(today)),
        business_cases=BusinessCase.objects.filter(icp=icp).count(),
        projects=len(projects),
        icps_running_falls_prevention=falls.sites.count(),
        milestones=sum(o.milestones.count() for o in plan.objectives.all()),
        echo_networks=len(echo.rows),
    )
