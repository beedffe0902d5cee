"""Where each role lands after logging in, and the home pages that summarise a role's day.

`landing(user)` answers "which page is this user's home?" in one place; the `/` view follows it.
Some roles' homes are pages that already exist (an analyst's is the indicators, a voluntary-sector
worker's the referral inbox); the others are summaries built here from the same queries the pages
behind their links use. A summary shows counts and links, never a person's record: the pages it
links to make the access decision and audit the read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from icp.care.pathways.caseload import practice_caseload
from icp.care.pathways.models import Enrolment
from icp.care.plans.models import DONE, Activity, CarePlan, PlanStatus
from icp.care.referrals.queries import box
from icp.care.referrals.states import ACTIVE, TaskStatus
from icp.care.worklist import WorklistFilter, worklist_queryset
from icp.governance.access import reviewer_body
from icp.governance.meetings.models import ActionItem, Meeting
from icp.governance.meetings.quorum import forecast_quorum
from icp.governance.models import AnnualPlan, BusinessCase
from icp.governance.plans.progress import current_plan_year, progress
from icp.governance.vocab import OPEN_ACTION_STATUSES, CaseStatus, MeetingStatus, Rag
from icp.measure.disclosure import shown
from icp.partnership.composition import check_composition
from icp.partnership.models import Area, Committee, Organisation, User, home_icp
from icp.partnership.roles import CLINICAL_ROLES, OrganisationType, UserRole
from icp.sharing.gaps import agreement_gaps
from icp.sharing.models import BreakGlass, ReviewOutcome

# Roles whose home is their practice: the worklist, referrals and overdue reviews.
PRACTICE_ROLES = frozenset({UserRole.GP, UserRole.PRACTICE_NURSE})
INBOX_ROLES = frozenset({UserRole.VOLUNTARY_WORKER, UserRole.HUB_WORKER})


def landing(user: User) -> str | None:
    """The URL of a page that already is this user's home, or None when the home is a summary here."""
    icp = home_icp(user)
    if user.role == UserRole.ICP_MANAGER and icp is not None:
        return reverse("icp-home", args=[icp.code])
    if user.role == UserRole.ANALYST and icp is not None:
        return reverse("evaluation:indicators", args=[icp.code])
    if user.role in INBOX_ROLES and user.organisation_id is not None:
        return reverse("care:inbox")
    if user.role == UserRole.REVIEWER:
        body = reviewer_body(user)
        if body is not None:
            return reverse("governance:body-cases", args=[body.code])
    return None


def home_kind(user: User) -> str:
    """Which summary a user's home shows (when `landing` names no page)."""
    if user.role in PRACTICE_ROLES and _practice(user) is not None:
        return "practice"
    if user.role in CLINICAL_ROLES and user.organisation_id is not None:
        return "clinical"
    if user.role == UserRole.IG_LEAD and home_icp(user) is not None:
        return "ig_lead"
    if user.person_id is not None or (user.role == UserRole.COMMITTEE_MEMBER and home_icp(user) is not None):
        return "member"
    return "other"


@dataclass(frozen=True)
class Card:
    """One summary on a home page: what it is, the page it opens, and the counts in words."""

    heading: str
    href: str
    lines: tuple[str, ...]


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def _practice(user: User) -> Organisation | None:
    organisation = user.organisation
    if organisation is not None and organisation.type == OrganisationType.GP_PRACTICE:
        return organisation
    return None


def referral_cards(user: User) -> list[Card]:
    """The user's organisation's referrals, counted by what each side is waiting for."""
    inbox, outbox = box(user, "inbox"), box(user, "outbox")
    received = Card(
        "Referrals received",
        reverse("care:inbox"),
        (
            _count(inbox.filter(status=TaskStatus.REQUESTED).count(), "referral") + " waiting to be accepted",
            _count(inbox.filter(status__in=ACTIVE).count(), "referral") + " accepted or in progress",
        ),
    )
    made = Card(
        "Referrals made",
        reverse("care:outbox"),
        (
            _count(outbox.filter(status=TaskStatus.REQUESTED).count(), "referral") + " not yet answered",
            _count(outbox.filter(status__in=ACTIVE).count(), "referral") + " accepted or in progress",
        ),
    )
    return [received, made]


def practice_summary(user: User, today: date) -> dict[str, Any]:
    """A GP's or practice nurse's day: who to review, referrals, and reviews that are overdue."""
    practice = _practice(user)
    assert practice is not None
    worklist = worklist_queryset(practice, WorklistFilter())
    not_reviewed = worklist.filter(patient__worklist_reviews__isnull=True).distinct().count()
    caseload = practice_caseload(practice)
    plans = CarePlan.objects.filter(patient__practice=practice, status=PlanStatus.ACTIVE)
    cards = [
        Card(
            "Case-finding worklist",
            reverse("care:worklist", args=[practice.code]),
            (
                _count(worklist.count(), "person", "people") + " at moderate, high or very high risk",
                _count(not_reviewed, "person", "people") + " not yet reviewed",
            ),
        ),
        Card(
            "Overdue reviews",
            reverse("care:practice-caseload", args=[practice.code]),
            (
                _count(caseload.filter(next_review_on__lt=today).count(), "pathway review")
                + f" overdue, of {_count(caseload.count(), 'person', 'people')} on a pathway",
                _count(plans.filter(review_on__lt=today).count(), "care plan") + " past its review date",
            ),
        ),
        *referral_cards(user),
    ]
    return {"caption": "Your practice", "title": practice.name, "cards": cards}


def clinical_summary(user: User, today: date) -> dict[str, Any]:
    """A pharmacist's (or any other clinician's) day: the people their organisation has care-plan
    activities for, and the referrals it made and received."""
    organisation = user.organisation
    assert organisation is not None
    activities = Activity.objects.filter(
        owner_organisation=organisation, care_plan__status=PlanStatus.ACTIVE
    ).exclude(status__in=DONE)
    people = activities.values("care_plan__patient_id").distinct().count()
    cards = [
        Card(
            "People to review",
            reverse("care:people-to-review"),
            (
                _count(people, "person", "people") + f" with care-plan activities for {organisation.name}",
                _count(activities.filter(due_on__lt=today).count(), "activity", "activities") + " overdue",
                _count(
                    activities.filter(due_on__gte=today, due_on__lte=today + timedelta(days=14)).count(),
                    "activity",
                    "activities",
                )
                + " due in the next 14 days",
            ),
        ),
        *reversed(referral_cards(user)),
        Card("Find a person", reverse("sharing:search"), ("By name, date of birth or H&C/NHS number",)),
    ]
    return {"caption": organisation.name, "title": "Your work today", "cards": cards}


def ig_lead_summary(user: User, today: date) -> dict[str, Any]:
    """An IG lead's day: break glasses awaiting review, and partners sharing with no agreement."""
    icp = home_icp(user)
    assert icp is not None
    pending = BreakGlass.objects.filter(patient__icp=icp, review_outcome=ReviewOutcome.PENDING)
    oldest = pending.order_by("started_at").values_list("started_at", flat=True).first()
    gaps = agreement_gaps(icp, today)
    waiting = _count(pending.count(), "break glass", "break glasses") + " awaiting review"
    cards = [
        Card(
            "Break glass to review",
            reverse("sharing:break-glass-review"),
            (waiting, f"The oldest since {oldest:%-d %B %Y}" if oldest else "None waiting"),
        ),
        Card(
            "Agreement gaps",
            reverse("sharing:register"),
            (_count(len(gaps), "pair") + " of partners working together with no agreement in force",),
        ),
        Card(
            "Audit trail",
            reverse("sharing:audit"),
            (f"Every access to the records of {icp.name}'s people, filtered and exported as CSV",),
        ),
    ]
    return {"caption": "Information governance", "title": icp.name, "cards": cards, "gaps": gaps[:5]}


def member_summary(user: User, today: date) -> dict[str, Any]:
    """A committee member's own meetings (with their papers) and the actions they own."""
    committees = _committees_of(user, today)
    meetings = (
        Meeting.objects.filter(committee__in=committees, status=MeetingStatus.SCHEDULED, date__gte=today)
        .select_related("committee")
        .prefetch_related("agenda_items__papers")
        .order_by("date")[:5]
    )
    actions = (
        ActionItem.objects.filter(owner_id=user.person_id, status__in=OPEN_ACTION_STATUSES)
        .select_related("committee", "meeting")
        .order_by("due_date")
        if user.person_id is not None
        else ActionItem.objects.none()
    )
    return {
        "caption": "Your committees",
        "title": ", ".join(c.name for c in committees) or "No committee",
        "cards": [
            Card(c.name, reverse("governance:committee", args=[c.pk]), ("Members, meetings and actions",))
            for c in committees
        ],
        "upcoming": [
            (meeting, [p for item in meeting.agenda_items.all() for p in item.papers.all()])
            for meeting in meetings
        ],
        "actions": actions,
        "today": today,
    }


def _committees_of(user: User, today: date) -> list[Committee]:
    """Committees the user sits on (by their person's seat), or their home ICP's when they hold none."""
    seats = Q(memberships__person_id=user.person_id, memberships__start_date__lte=today) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)
    )
    held = list(Committee.objects.filter(seats).distinct()) if user.person_id is not None else []
    if held:
        return held
    icp = home_icp(user)
    return list(icp.committees.all()) if icp is not None else []


def _shown_in_words(count: int) -> str:
    """A count as disclosure control shows it, in a sentence: "fewer than 8", "0", "1,235"."""
    figure = shown(count)
    return "Fewer than 8" if figure == "<8" else figure


def manager_cards(icp: Area, today: date) -> list[Card]:
    """An ICP manager's partnership at a glance, on their ICP's page: the committee's seats, the next
    meeting and its quorum forecast, overdue actions, the year's plan, business cases and the pathway
    caseloads. Counts of people are aggregate and suppressed as every figure leaving the platform is."""
    cards: list[Card] = []
    committees = list(icp.committees.all())
    for committee in committees:
        check = check_composition(committee)
        cards.append(
            Card(
                "Seats and members",
                reverse("governance:members", args=[committee.pk]),
                (
                    f"{committee.name}: "
                    + (_count(check.vacancies, "vacant seat") if check.vacancies else "every seat filled"),
                ),
            )
        )
    meeting = (
        Meeting.objects.filter(committee__in=committees, status=MeetingStatus.SCHEDULED, date__gte=today)
        .select_related("committee")
        .order_by("date")
        .first()
    )
    if meeting is not None:
        forecast = forecast_quorum(meeting)
        cards.append(
            Card(
                "Next meeting",
                reverse("governance:meeting", args=[meeting.pk]),
                (
                    f"{meeting.date:%A} {meeting.date.day} {meeting.date:%B %Y}",
                    "Expected to be quorate" if forecast.expected_quorate else "Not expected to be quorate",
                ),
            )
        )
    overdue = ActionItem.objects.filter(
        committee__in=committees, status__in=OPEN_ACTION_STATUSES, due_date__lt=today
    ).count()
    cards.append(
        Card(
            "Overdue actions",
            reverse("governance:icp-overdue", args=[icp.code]),
            (_count(overdue, "action") + " past " + ("its due date" if overdue == 1 else "their due dates"),),
        )
    )
    year = current_plan_year(today)
    plan = AnnualPlan.objects.filter(icp=icp, year_starting=year).first()
    if plan is not None:
        done = progress(plan, today)
        cards.append(
            Card(
                "Annual plan",
                reverse("governance:plan", args=[plan.pk]),
                (
                    f"{plan.financial_year}: " + _count(done.total, "milestone"),
                    f"{done.by_rag[Rag.RED]} off track, {done.by_rag[Rag.AMBER]} at risk, "
                    f"{done.overdue} overdue",
                ),
            )
        )
    else:
        cards.append(
            Card("Annual plan", reverse("governance:icp", args=[icp.code]), ("No plan for this year yet",))
        )
    open_cases = (
        BusinessCase.objects.filter(icp=icp)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.NOT_APPROVED])
        .count()
    )
    cards.append(
        Card(
            "Business cases",
            reverse("governance:icp-cases", args=[icp.code]),
            (_count(open_cases, "open case"),),
        )
    )
    enrolments = Enrolment.objects.filter(patient__icp=icp, ended_on__isnull=True)
    overdue_reviews = enrolments.filter(next_review_on__lt=today).count()
    cards.append(
        Card(
            "Caseloads",
            reverse("care:icp-caseload", args=[icp.code]),
            (
                f"{_shown_in_words(enrolments.count())} people on care pathways",
                f"{_shown_in_words(overdue_reviews)} pathway reviews overdue",
            ),
        )
    )
    return cards


def other_summary(user: User, today: date) -> dict[str, Any]:
    """A role with no daily list of its own: the partnership's pages it may read."""
    icp = home_icp(user)
    cards = [
        Card("Governance", reverse("governance:home"), ("Meetings, business cases, plans and projects",))
    ]
    if icp is not None:
        cards.insert(0, Card(icp.name, reverse("icp-home", args=[icp.code]), ("Practices and committee",)))
    return {"caption": user.get_role_display(), "title": "Your pages", "cards": cards}


SUMMARIES = {
    "practice": practice_summary,
    "clinical": clinical_summary,
    "ig_lead": ig_lead_summary,
    "member": member_summary,
    "other": other_summary,
}


def home_context(user: User, kind: str) -> dict[str, Any]:
    context = SUMMARIES[kind](user, timezone.localdate())
    context["kind"] = kind
    return context
