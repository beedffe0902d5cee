"""The table of Task moves: the one statement of who may move a referral where."""

from __future__ import annotations

from pathlib import Path

from icp.care.referrals.models import Referral
from icp.care.referrals.states import (
    FINAL,
    MOVES,
    Party,
    TaskStatus,
    is_allowed,
    party_for,
    table_markdown,
    targets,
    why_not,
)

S = TaskStatus
ISSUE_TABLE = """| from | to | who |
|---|---|---|
| draft | requested, cancelled, entered-in-error | requester |
| requested | accepted, rejected (reason required) | owner |
| requested | cancelled, entered-in-error | requester |
| accepted | in-progress, on-hold, completed, failed | owner |
| accepted | cancelled | requester |
| in-progress | on-hold, completed, failed | owner |
| in-progress | cancelled | requester |
| on-hold | in-progress, completed, failed | owner |
| on-hold | cancelled | requester |
"""


def test_the_table_is_the_issues_table_one_row_per_status_and_party() -> None:
    assert table_markdown() == ISSUE_TABLE
    assert len(MOVES) == len(set(MOVES)) == 20


def test_docs_print_the_same_table() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "care-pathways.md").read_text(encoding="utf-8")
    assert table_markdown() in docs


def test_every_target_belongs_to_one_party() -> None:
    assert party_for(S.ACCEPTED) == Party.OWNER
    assert party_for(S.CANCELLED) == Party.REQUESTER
    assert party_for(S.COMPLETED) == Party.OWNER


def test_nothing_leaves_a_final_status() -> None:
    for status in FINAL:
        assert targets(status) == []


def test_the_models_state_machine_is_the_table() -> None:
    machine = {
        (S(transition.source), S(transition.target))
        for transition in Referral._meta.get_field("status").get_all_transitions(Referral)  # type: ignore[attr-defined]
    }
    assert machine == {(source, target) for source, target, _who in MOVES}


def test_refusals_say_who_may_and_what_is_possible() -> None:
    assert not is_allowed(S.REQUESTED, S.ACCEPTED, Party.REQUESTER)
    message = why_not(S.REQUESTED, S.ACCEPTED, Party.REQUESTER)
    assert "Only the owner's organisation" in message and "cancelled, entered-in-error" in message
    assert "cannot move from draft to completed" in why_not(S.DRAFT, S.COMPLETED, Party.REQUESTER)
    assert "cannot move any more" in why_not(S.COMPLETED, S.IN_PROGRESS, Party.OWNER)
