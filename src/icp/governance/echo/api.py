"""JSON API for ECHO learning networks: networks with their totals, new networks and sessions.

Mounted into the governance router (`api.py`), so its paths are under /api/governance/echo/.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from icp.governance.echo import actions as echo_actions
from icp.governance.echo.totals import echo_totals
from icp.governance.models import EchoNetwork
from icp.governance.web import acting_user as _user
from icp.partnership.dates import IsoDate
from icp.partnership.models import Area, Person

router = Router(tags=["governance"])


class NetworkOut(Schema):
    id: int
    name: str
    topic: str
    hub: str
    audience: str
    sessions: int
    participants: int
    partial_aggregates: int


class EchoTotalsOut(Schema):
    start: date | None
    end: date | None
    sessions: int
    participants: int
    networks: list[NetworkOut]


class NetworkIn(Schema):
    name: str
    topic: str = ""
    hub: str = ""
    audience: str = ""
    area: str | None = Field(None, description="Area code, if the network belongs to one")


@router.get(
    "/echo/networks", response=EchoTotalsOut, summary="ECHO networks with session and participant totals"
)
def list_networks(
    request: HttpRequest, start: IsoDate | None = None, end: IsoDate | None = None
) -> dict[str, object]:
    totals = echo_totals(start, end)
    return {
        "start": start,
        "end": end,
        "sessions": totals.sessions,
        "participants": totals.participants,
        "networks": [
            {
                "id": row.network.pk,
                "name": row.network.name,
                "topic": row.network.topic,
                "hub": row.network.hub,
                "audience": row.network.audience,
                "sessions": row.sessions,
                "participants": row.participants,
                "partial_aggregates": row.partial_aggregates,
            }
            for row in totals.networks
        ],
    }


@router.post("/echo/networks", response={201: NetworkOut}, summary="Create an ECHO network")
def create_network(request: HttpRequest, payload: NetworkIn) -> Status[dict[str, object]]:
    area = get_object_or_404(Area, code=payload.area) if payload.area else None
    network = echo_actions.create_network(
        name=payload.name,
        topic=payload.topic,
        hub=payload.hub,
        audience=payload.audience,
        area=area,
        by=_user(request),
    )
    out = {f: getattr(network, f) for f in ("name", "topic", "hub", "audience")}
    return Status(201, {"id": network.pk, **out, "sessions": 0, "participants": 0, "partial_aggregates": 0})


class AttendanceLine(Schema):
    person_id: int | None = None
    count: int = Field(1, ge=1)
    organisation_type: str = ""
    role: str = ""


class SessionIn(Schema):
    date: date
    topic: str
    presenters: str = ""
    case_presentations: int = Field(0, ge=0)
    attendance: list[AttendanceLine] = []


class SessionOut(Schema):
    id: int
    network: int
    date: date
    topic: str
    presenters: str
    case_presentations: int
    participants: int


@router.post(
    "/echo/networks/{network_id}/sessions",
    response={201: SessionOut},
    summary="Record an ECHO session and its attendance (people, or counts by organisation type/role)",
)
def create_session(request: HttpRequest, network_id: int, payload: SessionIn) -> Status[dict[str, object]]:
    user = _user(request)
    network = get_object_or_404(EchoNetwork.objects.select_related("area"), pk=network_id)
    with transaction.atomic():
        session = echo_actions.record_session(
            network=network,
            date=payload.date,
            topic=payload.topic,
            presenters=payload.presenters,
            case_presentations=payload.case_presentations,
            by=user,
        )
        participants = 0
        for line in payload.attendance:
            person = get_object_or_404(Person, pk=line.person_id) if line.person_id else None
            row = echo_actions.record_echo_attendance(
                session=session,
                person=person,
                count=line.count,
                organisation_type=line.organisation_type,
                role=line.role,
                by=user,
            )
            participants += row.count
    out = {
        "id": session.pk,
        "network": network.pk,
        "date": session.date,
        "topic": session.topic,
        "presenters": session.presenters,
        "case_presentations": session.case_presentations,
        "participants": participants,
    }
    return Status(201, out)
