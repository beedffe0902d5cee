"""Check a committee against its composition rules on a given date.

Each seat comes out as filled, vacant, over-filled or expired (held once, but every holder's term
has ended), and the chair's standing is checked against the template's chair rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from icp.partnership.models import ChairElection, Committee, Membership, SeatRule
from icp.partnership.roles import Office


class SeatStatus(StrEnum):
    FILLED = "filled"
    VACANT = "vacant"
    OVER_FILLED = "over-filled"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SeatCheck:
    seat_code: str
    label: str
    min_count: int
    max_count: int | None
    holders: list[str]
    status: SeatStatus
    message: str


@dataclass(frozen=True)
class ChairCheck:
    chair: str | None
    elected_on: date | None
    ok: bool
    message: str


@dataclass(frozen=True)
class CompositionCheck:
    committee: str
    on: date
    seats: list[SeatCheck] = field(default_factory=list)
    chair: ChairCheck | None = None

    @property
    def complete(self) -> bool:
        return all(s.status == SeatStatus.FILLED for s in self.seats) and bool(self.chair and self.chair.ok)

    @property
    def vacancies(self) -> int:
        return sum(1 for s in self.seats if s.status in (SeatStatus.VACANT, SeatStatus.EXPIRED))


def _seat_check(seat: SeatRule, memberships: list[Membership], on: date) -> SeatCheck:
    current = [m for m in memberships if m.is_current(on)]
    ever = [m for m in memberships if m.start_date <= on]
    holders = [m.person.name for m in current]
    needed = seat.min_count
    if len(current) > (seat.max_count if seat.max_count is not None else len(current)):
        status = SeatStatus.OVER_FILLED
        message = f"{len(current)} members hold a seat for {seat.max_count}"
    elif len(current) >= needed:
        status = SeatStatus.FILLED
        message = f"{len(current)} of {needed} filled"
    elif ever:
        status = SeatStatus.EXPIRED
        last_end = max(m.end_date for m in ever if m.end_date)
        message = f"{len(current)} of {needed} filled: the last term ended {last_end:%d %B %Y}"
    else:
        status = SeatStatus.VACANT
        message = f"{len(current)} of {needed} filled"
    return SeatCheck(seat.code, seat.label, seat.min_count, seat.max_count, holders, status, message)


def _chair_check(committee: Committee, memberships: list[Membership], on: date) -> ChairCheck:
    chairs = [m for m in memberships if m.office == Office.CHAIR and m.is_current(on)]
    if not chairs:
        return ChairCheck(None, None, False, "No chair in office")
    if len(chairs) > 1:
        return ChairCheck(
            ", ".join(m.person.name for m in chairs), None, False, "More than one chair in office"
        )
    chair = chairs[0]
    election = (
        ChairElection.objects.filter(
            committee=committee, person=chair.person, office=Office.CHAIR, elected_on__lte=on
        )
        .order_by("-elected_on")
        .first()
    )
    rule = committee.template.chair_rule
    if election is None:
        word = "election" if rule == "elected" else "appointment"
        return ChairCheck(chair.person.name, None, False, f"No record of the chair's {word}")
    if election.term_ends is not None and election.term_ends < on:
        return ChairCheck(
            chair.person.name, election.elected_on, False, f"Chair's term ended {election.term_ends}"
        )
    verb = "Elected" if rule == "elected" else "Appointed"
    return ChairCheck(chair.person.name, election.elected_on, True, f"{verb} {election.elected_on:%d %B %Y}")


def check_composition(committee: Committee, on: date | None = None) -> CompositionCheck:
    """Return each seat of `committee` as filled / vacant / over-filled / expired on `on` (today)."""
    on = on or date.today()
    memberships = list(
        committee.memberships.select_related("person", "seat")
        .filter(start_date__lte=on)
        .order_by("start_date")
    )
    by_seat: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_seat.setdefault(membership.seat_id, []).append(membership)
    seats = [_seat_check(seat, by_seat.get(seat.pk, []), on) for seat in committee.template.seats.all()]
    return CompositionCheck(committee.name, on, seats, _chair_check(committee, memberships, on))
