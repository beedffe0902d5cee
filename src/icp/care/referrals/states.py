"""The referral Task's states and the moves between them, as one table.

A referral is a FHIR `ServiceRequest` (what is asked for) with a `Task` (who must act, and how far
they have got). The Task's statuses are FHIR R4's `TaskStatus` values as the HL7 SDOH Clinical Care
implementation guide's referral Task uses them, and NHS England's Booking and Referral Standard
(BaRS) follows the same pattern. `MOVES` below is the only statement of who may move a Task from
which status to which; the model's state machine (django-fsm-2) is built from it, the actions, the
JSON API and FHIR all go through that machine, and docs/care-pathways.md prints the same table
(a test compares them).

| from | to | who |
|---|---|---|
| draft | requested, cancelled, entered-in-error | requester |
| requested | accepted, rejected (reason required) | owner |
| requested | cancelled, entered-in-error | requester |
| accepted | in-progress, on-hold, completed, failed | owner |
| accepted | cancelled | requester |
| in-progress | on-hold, completed, failed | owner |
| on-hold | in-progress, completed, failed | owner |
| in-progress, on-hold | cancelled | requester |
"""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    """FHIR R4 TaskStatus codes used by a referral Task (http://hl7.org/fhir/task-status)."""

    DRAFT = "draft"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class Party(StrEnum):
    """Which side of a referral a user acts for: the requester's organisation or the owner's."""

    REQUESTER = "requester"
    OWNER = "owner"


S = TaskStatus
# (from, to, who): one row per allowed move. Nothing else is allowed.
MOVES: tuple[tuple[TaskStatus, TaskStatus, Party], ...] = (
    (S.DRAFT, S.REQUESTED, Party.REQUESTER),
    (S.DRAFT, S.CANCELLED, Party.REQUESTER),
    (S.DRAFT, S.ENTERED_IN_ERROR, Party.REQUESTER),
    (S.REQUESTED, S.ACCEPTED, Party.OWNER),
    (S.REQUESTED, S.REJECTED, Party.OWNER),
    (S.REQUESTED, S.CANCELLED, Party.REQUESTER),
    (S.REQUESTED, S.ENTERED_IN_ERROR, Party.REQUESTER),
    (S.ACCEPTED, S.IN_PROGRESS, Party.OWNER),
    (S.ACCEPTED, S.ON_HOLD, Party.OWNER),
    (S.ACCEPTED, S.COMPLETED, Party.OWNER),
    (S.ACCEPTED, S.FAILED, Party.OWNER),
    (S.ACCEPTED, S.CANCELLED, Party.REQUESTER),
    (S.IN_PROGRESS, S.ON_HOLD, Party.OWNER),
    (S.IN_PROGRESS, S.COMPLETED, Party.OWNER),
    (S.IN_PROGRESS, S.FAILED, Party.OWNER),
    (S.ON_HOLD, S.IN_PROGRESS, Party.OWNER),
    (S.ON_HOLD, S.COMPLETED, Party.OWNER),
    (S.ON_HOLD, S.FAILED, Party.OWNER),
    (S.IN_PROGRESS, S.CANCELLED, Party.REQUESTER),
    (S.ON_HOLD, S.CANCELLED, Party.REQUESTER),
)

# Moves that need a reason (`Task.statusReason`).
REASON_REQUIRED = frozenset({S.REJECTED})
# Statuses a Task ends in: nothing moves out of them.
FINAL = frozenset({S.REJECTED, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR})
# Statuses in which the referral is open work for the owner (the relationship it creates lasts).
ACTIVE = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD})
# Statuses in which the owner's organisation may see the referral (the requester sees drafts too).
VISIBLE_TO_OWNER = frozenset(set(TaskStatus) - {S.DRAFT})


def party_for(target: TaskStatus) -> Party:
    """Who may move a Task to `target` (every target belongs to exactly one party)."""
    parties = {who for _from, to, who in MOVES if to == target}
    if len(parties) != 1:
        raise ValueError(f"No move leads to {target}.")
    return parties.pop()


def sources_of(target: TaskStatus) -> list[TaskStatus]:
    return [source for source, to, _who in MOVES if to == target]


def targets(source: TaskStatus, party: Party | None = None) -> list[TaskStatus]:
    """Where a Task in `source` may go, for one party or for both (in the table's order)."""
    return [to for frm, to, who in MOVES if frm == source and (party is None or who == party)]


def is_allowed(source: TaskStatus, target: TaskStatus, party: Party) -> bool:
    return (source, target, party) in MOVES


def why_not(source: TaskStatus, target: TaskStatus, party: Party) -> str:
    """A refusal a user can act on: what the table says about this move and what is possible."""
    if source in FINAL:
        return f"This referral is {source.value}: it cannot move any more."
    other = Party.OWNER if party == Party.REQUESTER else Party.REQUESTER
    mine = ", ".join(t.value for t in targets(source, party)) or "nowhere"
    if is_allowed(source, target, other):
        return (
            f"Only the {other.value}'s organisation may move a {source.value} referral to "
            f"{target.value}; as the {party.value} you may move it to: {mine}."
        )
    return (
        f"A referral cannot move from {source.value} to {target.value}; "
        f"as the {party.value} you may move it to: {mine}."
    )


def table_markdown() -> str:
    """The table of moves as docs/care-pathways.md prints it (grouped as the issue states it)."""
    rows: list[tuple[str, str, str]] = []
    for source in TaskStatus:
        for party in (Party.OWNER, Party.REQUESTER):
            ends = [
                t.value + (" (reason required)" if t in REASON_REQUIRED else "")
                for t in targets(source, party)
            ]
            if ends:
                rows.append((source.value, ", ".join(ends), party.value))
    lines = ["| from | to | who |", "|---|---|---|"]
    lines += [f"| {frm} | {to} | {who} |" for frm, to, who in rows]
    return "\n".join(lines) + "\n"
