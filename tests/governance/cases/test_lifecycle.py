"""Every business-case transition: legal and illegal, permitted and not, with comments and audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from icp.audit.models import AuditEvent
from icp.governance.access import commissioning_body_for
from icp.governance.cases.actions import IllegalTransition, transition_case
from icp.governance.cases.lifecycle import TRANSITIONS, Actor
from icp.governance.models import BusinessCase
from icp.governance.vocab import CaseStatus
from icp.partnership.models import Area, User
from icp.partnership.roles import AreaLevel

# The steps that bring a new draft to each status, through the real transitions.
PATH_TO: dict[str, list[str]] = {
    CaseStatus.DRAFT: [],
    CaseStatus.SUBMITTED: ["submit"],
    CaseStatus.UNDER_REVIEW: ["submit", "start_review"],
    CaseStatus.APPROVED: ["submit", "start_review", "approve"],
    CaseStatus.NOT_APPROVED: ["submit", "start_review", "decline"],
    CaseStatus.RETURNED: ["submit", "start_review", "return_for_changes"],
    CaseStatus.IN_IMPLEMENTATION: ["submit", "start_review", "approve", "start_implementation"],
    CaseStatus.EVALUATED: ["submit", "start_review", "approve", "start_implementation", "record_evaluation"],
    CaseStatus.CLOSED: [
        "submit",
        "start_review",
        "approve",
        "start_implementation",
        "record_evaluation",
        "close",
    ],
}


@pytest.fixture
def actors(demo_manager: User, demo_reviewer: User) -> dict[Actor, User]:
    return {Actor.ICP_MANAGER: demo_manager, Actor.REVIEWER: demo_reviewer}


def _bring_to(case: BusinessCase, status: str, actors: dict[Actor, User]) -> BusinessCase:
    for verb in PATH_TO[status]:
        transition_case(case=case, verb=verb, by=actors[TRANSITIONS[verb].actor], comment="Reason given.")
    assert case.status == status
    return case


def test_every_status_is_reachable_and_every_transition_is_listed() -> None:
    assert set(PATH_TO) == set(CaseStatus.values)
    targets = {t.target for t in TRANSITIONS.values()}
    assert targets == set(CaseStatus.values) - {CaseStatus.DRAFT}


@pytest.mark.parametrize("status", CaseStatus.values)
@pytest.mark.parametrize("verb", list(TRANSITIONS))
def test_transition_is_legal_only_from_its_source_statuses(
    verb: str, status: str, draft_case: BusinessCase, actors: dict[Actor, User]
) -> None:
    case = _bring_to(draft_case, status, actors)
    transition = TRANSITIONS[verb]
    acting = actors[transition.actor]
    if status in transition.sources:
        transition_case(case=case, verb=verb, by=acting, comment="Reason given.")
        case.refresh_from_db()
        assert case.status == transition.target
        step = case.transitions.order_by("-at", "-id").first()
        assert step is not None and (step.verb, step.from_status, step.by) == (verb, status, acting)
        assert AuditEvent.objects.filter(
            action=f"business_case.{verb}", target_id=str(case.pk), outcome="success"
        ).exists()
    else:
        with pytest.raises(IllegalTransition) as refused:
            transition_case(case=case, verb=verb, by=acting, comment="Reason given.")
        assert f"this case is {CaseStatus(status).label.lower()}" in refused.value.messages[0]
        case.refresh_from_db()
        assert case.status == status


@pytest.mark.parametrize("verb", list(TRANSITIONS))
def test_only_the_permitted_actor_may_make_each_transition(
    verb: str,
    draft_case: BusinessCase,
    actors: dict[Actor, User],
    demo_member: User,
    other_manager: User,
    other_reviewer: User,
) -> None:
    transition = TRANSITIONS[verb]
    case = _bring_to(draft_case, transition.sources[0], actors)
    wrong = [demo_member]
    if transition.actor == Actor.REVIEWER:
        wrong += [actors[Actor.ICP_MANAGER], other_reviewer]  # the ICP's manager; another LCG's reviewer
    else:
        wrong += [actors[Actor.REVIEWER], other_manager]  # the reviewer; another ICP's manager
    for user in wrong:
        with pytest.raises(PermissionDenied):
            transition_case(case=case, verb=verb, by=user, comment="Reason given.")
        assert AuditEvent.objects.filter(
            action=f"business_case.{verb}", actor_id=user.pk, outcome="denied"
        ).exists()
    case.refresh_from_db()
    assert case.status == transition.sources[0]


@pytest.mark.parametrize("verb", [v for v, t in TRANSITIONS.items() if t.comment_required])
def test_declining_returning_resubmitting_and_evaluating_need_a_comment(
    verb: str, draft_case: BusinessCase, actors: dict[Actor, User]
) -> None:
    transition = TRANSITIONS[verb]
    case = _bring_to(draft_case, transition.sources[0], actors)
    with pytest.raises(ValidationError, match="a comment is required"):
        transition_case(case=case, verb=verb, by=actors[transition.actor], comment="  ")


def test_an_unknown_verb_is_refused_with_the_list_of_verbs(
    draft_case: BusinessCase, demo_manager: User
) -> None:
    with pytest.raises(IllegalTransition, match="expected one of submit"):
        transition_case(case=draft_case, verb="fast_track", by=demo_manager)


def test_submission_sends_the_case_to_the_icps_lcg(
    draft_case: BusinessCase, actors: dict[Actor, User]
) -> None:
    _bring_to(draft_case, CaseStatus.SUBMITTED, actors)
    assert draft_case.commissioning_body is not None
    assert draft_case.commissioning_body.level == AreaLevel.LCG_AREA
    assert draft_case.commissioning_body.code == "NI-NOR"


def test_in_england_the_commissioning_body_is_the_icb(db: None) -> None:
    england_icp = Area.objects.filter(level=AreaLevel.ICP, parent__level=AreaLevel.ICB).first()
    assert england_icp is not None
    body = commissioning_body_for(england_icp)
    assert body is not None and body.level == AreaLevel.ICB


def test_a_case_without_resources_or_benefits_cannot_be_submitted(
    demo_manager: User, draft_case: BusinessCase
) -> None:
    draft_case.benefits.all().delete()
    with pytest.raises(ValidationError, match="expected benefit"):
        transition_case(case=draft_case, verb="submit", by=demo_manager)
    draft_case.funding_requests.all().delete()
    draft_case.staff_requests.all().delete()
    with pytest.raises(ValidationError, match="resources requested"):
        transition_case(case=draft_case, verb="submit", by=demo_manager)


def test_approval_records_the_money_approved(draft_case: BusinessCase, actors: dict[Actor, User]) -> None:
    _bring_to(draft_case, CaseStatus.UNDER_REVIEW, actors)
    transition_case(
        case=draft_case, verb="approve", by=actors[Actor.REVIEWER], money_approved=Decimal("90000")
    )
    draft_case.refresh_from_db()
    assert draft_case.money_approved == Decimal("90000")
    assert draft_case.money_requested == Decimal("120000")
