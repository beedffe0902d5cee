"""JSON API for emergency-response lists (mounted under /api/care/): the lists of the user's ICP,
one list with the people the access decision lets the user see (with their reasons and outreach
contacts), and logging an outreach contact with, optionally, a referral from it.

Reads go through `queries` (each person through the access decision for the purpose the user works
the list for, the view audited with that purpose); changes are the `actions`.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from icp.care.emergency import actions, queries
from icp.care.emergency.models import EmergencyList, EmergencyListEntry, OutreachContact
from icp.care.referrals.models import Service
from icp.partnership.models import User

router = Router(tags=["care: emergency-response lists"])


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise HttpError(401, "Log in first.")
    return user


class EmergencyListOut(Schema):
    id: str
    name: str
    icp: str
    hub: str | None
    criteria: list[str]
    built_at: datetime


def _list_out(emergency_list: EmergencyList) -> EmergencyListOut:
    return EmergencyListOut(
        id=emergency_list.public_id,
        name=emergency_list.name,
        icp=emergency_list.icp.code,
        hub=emergency_list.hub.code if emergency_list.hub else None,
        criteria=list(emergency_list.criteria),
        built_at=emergency_list.built_at,
    )


@router.get(
    "/emergency-lists", response=list[EmergencyListOut], summary="Emergency-response lists of your ICP"
)
def emergency_lists(request: HttpRequest) -> list[EmergencyListOut]:
    return [_list_out(e) for e in queries.lists_for(_user(request)).lists.select_related("icp")]


class ContactOut(Schema):
    id: str
    contacted_at: datetime
    reached: bool
    needs: list[str]
    note: str
    referral: str | None


class PersonOut(Schema):
    entry_id: int
    patient_id: str
    name: str
    reasons: list[str]
    contacts: list[ContactOut]


class EmergencyListPeopleOut(EmergencyListOut):
    purpose: str
    people: list[PersonOut]
    hidden_by_access_decision: int


def _contact_out(contact: OutreachContact) -> ContactOut:
    return ContactOut(
        id=contact.public_id,
        contacted_at=contact.contacted_at,
        reached=contact.reached,
        needs=list(contact.needs),
        note=contact.note,
        referral=contact.referral.public_id if contact.referral else None,
    )


@router.get(
    "/emergency-lists/{list_id}",
    response=EmergencyListPeopleOut,
    summary="One emergency-response list: the people you may see, their reasons and contacts",
)
def emergency_list(request: HttpRequest, list_id: str) -> EmergencyListPeopleOut:
    user = _user(request)
    found = get_object_or_404(EmergencyList.objects.select_related("icp", "hub"), public_id=list_id[:32])
    seen = queries.readable_entries(user, found)
    people = [
        PersonOut(
            entry_id=entry.pk,
            patient_id=entry.patient.patient_id,
            name=f"{entry.patient.given_name} {entry.patient.family_name}".strip(),
            reasons=list(entry.reasons),
            contacts=[_contact_out(c) for c in entry.contacts.select_related("referral")],
        )
        for entry in seen.shown
    ]
    return EmergencyListPeopleOut(
        **_list_out(found).dict(),
        purpose=seen.purpose,
        people=people,
        hidden_by_access_decision=seen.hidden,
    )


class ContactIn(Schema):
    reached: bool
    needs: list[str] = []
    note: str = ""
    refer_to_service: str | None = None


@router.post(
    "/emergency-lists/{list_id}/people/{entry_id}/contacts",
    response={201: ContactOut},
    summary="Log an outreach contact (and refer to a hub or voluntary service from it)",
)
def log_contact(request: HttpRequest, list_id: str, entry_id: int, payload: ContactIn) -> Status[ContactOut]:
    user = _user(request)
    entry = get_object_or_404(
        EmergencyListEntry.objects.select_related("patient", "emergency_list"),
        pk=entry_id,
        emergency_list__public_id=list_id[:32],
    )
    # The service is found first, so an unknown one stops before anything is logged; a referral
    # refused after the contact is logged leaves the contact (it happened) and says why.
    service = None
    if payload.refer_to_service:
        service = get_object_or_404(Service, public_id=payload.refer_to_service[:32])
    contact = actions.record_outreach(
        entry=entry, reached=payload.reached, needs=payload.needs, note=payload.note, by=user
    )
    if service is not None:
        actions.refer_from_contact(contact=contact, service=service, by=user)
        contact.refresh_from_db()
    return Status(201, _contact_out(contact))
