"""Every change to the partnership registry, one function per verb.

Each action takes keyword-only arguments and the acting user (`by`), checks permission, writes in
one transaction and records an audit event. Views, the API, the CLI and tests all call these.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.partnership.models import (
    Area,
    ChairElection,
    Committee,
    Membership,
    Organisation,
    Person,
    SeatRule,
    User,
)
from icp.partnership.roles import Office, ProfessionalRole


def require_icp_manager(by: User, committee: Committee) -> None:
    """Only an ICP manager of the committee's own ICP (or a superuser) may change it."""
    if not by.is_icp_manager_for(committee.area):
        raise deny(
            action=EventType.COMMITTEE_CHANGE,
            by=by,
            target=committee,
            reason="not an ICP manager of this committee's ICP",
            message="Only an ICP manager of this committee's ICP can change its membership.",
        )


def add_person(
    *,
    name: str,
    professional_role: str,
    icp: Area,
    by: User,
    organisation: Organisation | None = None,
    email: str = "",
) -> Person:
    """Add a person (a member or member of staff, never a patient) so that they can take a seat.

    Only an ICP manager of `icp` may, and the organisation, if given, must be one of that ICP's
    partners: a manager adds people to their own partnership only.
    """
    if not by.is_icp_manager_for(icp):
        raise deny(
            action=EventType.PERSON_CREATE,
            by=by,
            target=icp,
            reason="not an ICP manager of this ICP",
            message=f"Only an ICP manager of {icp} can add people to its partnership.",
        )
    if organisation is not None and not partners_of(icp).filter(pk=organisation.pk).exists():
        raise ValidationError(
            {"organisation": f"{organisation} is not one of {icp}'s partner organisations."}
        )
    if professional_role not in ProfessionalRole.values:
        raise ValidationError({"professional_role": f"{professional_role!r} is not a professional role."})
    person = Person(
        name=name.strip(), professional_role=professional_role, organisation=organisation, email=email
    )
    person.full_clean()
    with transaction.atomic():
        person.save()
        record(
            action=EventType.PERSON_CREATE,
            actor=by,
            target=person,
            detail={
                "icp": icp.code,
                "professional_role": professional_role,
                "organisation": organisation and organisation.pk,
            },
        )
    return person


def partners_of(icp: Area) -> QuerySet[Organisation]:
    """The organisations of an ICP: its practices and the organisations that serve it."""
    return Organisation.objects.filter(Q(icp=icp) | Q(areas_served=icp)).distinct()


def _membership_detail(membership: Membership) -> dict[str, Any]:
    return {
        "committee": membership.committee_id,
        "seat": membership.seat.code,
        "person": membership.person_id,
        "organisation": membership.organisation_id,
        "start_date": membership.start_date.isoformat(),
        "end_date": membership.end_date.isoformat() if membership.end_date else None,
        "office": membership.office,
    }


def add_membership(
    *,
    committee: Committee,
    seat: SeatRule,
    person: Person,
    start_date: date,
    by: User,
    end_date: date | None = None,
    office: str = Office.MEMBER,
    organisation: Organisation | None = None,
) -> Membership:
    """Seat `person` on `committee` from `start_date`."""
    require_icp_manager(by, committee)
    membership = Membership(
        committee=committee,
        seat=seat,
        person=person,
        organisation=organisation or person.organisation,
        start_date=start_date,
        end_date=end_date,
        office=office,
    )
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        record(
            action=EventType.MEMBERSHIP_CREATE,
            actor=by,
            target=membership,
            detail=_membership_detail(membership),
        )
    return membership


_EDITABLE = frozenset({"seat", "organisation", "start_date", "end_date", "office"})


def update_membership(*, membership: Membership, by: User, **changes: Any) -> Membership:
    """Change the seat, organisation, dates or office of a membership."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValidationError(
            f"Cannot change {', '.join(sorted(unknown))}; editable: {', '.join(sorted(_EDITABLE))}"
        )
    require_icp_manager(by, membership.committee)
    before = _membership_detail(membership)
    for name, value in changes.items():
        setattr(membership, name, value)
    membership.full_clean()
    with transaction.atomic():
        membership.save()
        record(
            action=EventType.MEMBERSHIP_UPDATE,
            actor=by,
            target=membership,
            detail={"before": before, "after": _membership_detail(membership)},
        )
    return membership


def end_membership(*, membership: Membership, end_date: date, by: User) -> Membership:
    """End a member's term on `end_date`."""
    return update_membership(membership=membership, end_date=end_date, by=by)


def record_chair_election(
    *,
    committee: Committee,
    person: Person,
    elected_on: date,
    by: User,
    office: str = Office.CHAIR,
    term_ends: date | None = None,
    method: str = "",
    votes_for: int | None = None,
    votes_cast: int | None = None,
) -> ChairElection:
    """Record the election (or appointment) of a chair or vice chair and give them the office."""
    require_icp_manager(by, committee)
    seat_holding = committee.memberships.filter(person=person, start_date__lte=elected_on).order_by(
        "-start_date"
    )
    membership = seat_holding.first()
    if membership is None or not membership.is_current(elected_on):
        raise ValidationError(f"{person} holds no seat on {committee} on {elected_on}; seat them first.")
    if votes_for is not None and votes_cast is not None and votes_for > votes_cast:
        raise ValidationError("votes_for cannot exceed votes_cast")
    with transaction.atomic():
        # Whoever held the office before stands down the day before.
        for previous in committee.memberships.filter(office=office).exclude(pk=membership.pk):
            if previous.is_current(elected_on):
                previous.office = Office.MEMBER
                previous.save(update_fields=["office"])
        membership.office = office
        membership.save(update_fields=["office"])
        election = ChairElection.objects.create(
            committee=committee,
            person=person,
            office=office,
            elected_on=elected_on,
            term_ends=term_ends,
            method=method,
            votes_for=votes_for,
            votes_cast=votes_cast,
        )
        record(
            action=EventType.COMMITTEE_CHAIR_ELECTED,
            actor=by,
            target=election,
            detail={
                "committee": committee.pk,
                "person": person.pk,
                "office": office,
                "elected_on": str(elected_on),
            },
        )
    return election
