"""The business-case lifecycle as data: which verb moves a case from which statuses to which, and
who may use it.

    draft ──submit──► submitted ──start_review──► under_review ──approve──► approved
      ▲                   ▲                            │ ├─decline──► not_approved ──close──► closed
      │                   └──────resubmit──── returned ◄┘ return_for_changes
    approved ──start_implementation──► in_implementation ──record_evaluation──► evaluated ──close──► closed

The ICP's managers submit, resubmit, implement, evaluate and close; only reviewers of the
commissioning body (the ICP's LCG area in NI, its ICB in England) start a review, approve, decline
or return a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from icp.governance.vocab import CaseStatus


class Actor(StrEnum):
    ICP_MANAGER = "icp_manager"
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    verb: str
    label: str
    sources: tuple[CaseStatus, ...]
    target: CaseStatus
    actor: Actor
    comment_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.verb: t
    for t in (
        Transition(
            "submit",
            "Submit to the commissioning body",
            (CaseStatus.DRAFT,),
            CaseStatus.SUBMITTED,
            Actor.ICP_MANAGER,
        ),
        Transition(
            "resubmit",
            "Resubmit with the changes asked for",
            (CaseStatus.RETURNED,),
            CaseStatus.SUBMITTED,
            Actor.ICP_MANAGER,
            comment_required=True,
        ),
        Transition(
            "start_review",
            "Start the review",
            (CaseStatus.SUBMITTED,),
            CaseStatus.UNDER_REVIEW,
            Actor.REVIEWER,
        ),
        Transition("approve", "Approve", (CaseStatus.UNDER_REVIEW,), CaseStatus.APPROVED, Actor.REVIEWER),
        Transition(
            "decline",
            "Do not approve",
            (CaseStatus.UNDER_REVIEW,),
            CaseStatus.NOT_APPROVED,
            Actor.REVIEWER,
            comment_required=True,
        ),
        Transition(
            "return_for_changes",
            "Return for changes",
            (CaseStatus.UNDER_REVIEW,),
            CaseStatus.RETURNED,
            Actor.REVIEWER,
            comment_required=True,
        ),
        Transition(
            "start_implementation",
            "Start implementation",
            (CaseStatus.APPROVED,),
            CaseStatus.IN_IMPLEMENTATION,
            Actor.ICP_MANAGER,
        ),
        Transition(
            "record_evaluation",
            "Record the evaluation",
            (CaseStatus.IN_IMPLEMENTATION,),
            CaseStatus.EVALUATED,
            Actor.ICP_MANAGER,
            comment_required=True,
        ),
        Transition(
            "close",
            "Close the case",
            (CaseStatus.EVALUATED, CaseStatus.NOT_APPROVED),
            CaseStatus.CLOSED,
            Actor.ICP_MANAGER,
        ),
    )
}

# A case's content (problem, proposal, resources, benefits) may be edited only in these statuses.
EDITABLE_STATUSES = (CaseStatus.DRAFT, CaseStatus.RETURNED)


def verbs_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
