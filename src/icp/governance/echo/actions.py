"""Actions on ECHO learning networks: create a network, record a session and its attendance.

Networks are often regional (facilitated by the ICPs together), so an ICP manager may change a
network that has no area, or whose area contains their ICP; one tied to another ICP stays with
that ICP's managers.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.governance.models import EchoAttendance, EchoNetwork, EchoSession
from icp.partnership.models import Area, Person, User, home_icp
from icp.partnership.roles import UserRole


def can_edit_network_area(user: User, area: Area | None) -> bool:
    if user.is_superuser:
        return True
    icp = home_icp(user)
    if user.role != UserRole.ICP_MANAGER or icp is None:
        return False
    return area is None or area.pk in {a.pk for a in [icp, *icp.ancestors()]}


def _require(by: User, area: Area | None, action: EventType, target: object) -> None:
    if not can_edit_network_area(by, area):
        raise deny(
            action=action,
            by=by,
            target=target,
            reason="not an ICP manager within the network's area",
            message=f"Only an ICP manager within {area or 'the region'} can change this ECHO network.",
        )


def create_network(
    *, name: str, by: User, topic: str = "", hub: str = "", audience: str = "", area: Area | None = None
) -> EchoNetwork:
    _require(by, area, EventType.ECHO_NETWORK_CREATE, area)
    network = EchoNetwork(name=name, topic=topic, hub=hub, audience=audience, area=area)
    network.full_clean()
    with transaction.atomic():
        network.save()
        record(action=EventType.ECHO_NETWORK_CREATE, actor=by, target=network, detail={"name": name})
    return network


def record_session(
    *,
    network: EchoNetwork,
    date: date,
    topic: str,
    by: User,
    presenters: str = "",
    case_presentations: int = 0,
) -> EchoSession:
    _require(by, network.area, EventType.ECHO_SESSION, network)
    session = EchoSession(
        network=network, date=date, topic=topic, presenters=presenters, case_presentations=case_presentations
    )
    session.full_clean()
    with transaction.atomic():
        session.save()
        record(
            action=EventType.ECHO_SESSION,
            actor=by,
            target=session,
            detail={"network": network.pk, "date": str(date)},
        )
    return session


def record_echo_attendance(
    *,
    session: EchoSession,
    by: User,
    person: Person | None = None,
    count: int = 1,
    organisation_type: str = "",
    role: str = "",
) -> EchoAttendance:
    """Record a named attendee, or a count of attendees of one organisation type and role."""
    _require(by, session.network.area, EventType.ECHO_ATTENDANCE, session)
    if person is None and not (organisation_type or role):
        raise ValidationError("A count of attendees needs their organisation type or role.")
    attendance = EchoAttendance(
        session=session, person=person, count=count, organisation_type=organisation_type, role=role
    )
    attendance.full_clean()
    with transaction.atomic():
        attendance.save()
        record(
            action=EventType.ECHO_ATTENDANCE,
            actor=by,
            target=session,
            detail={"count": count, "named": person is not None},
        )
    return attendance
