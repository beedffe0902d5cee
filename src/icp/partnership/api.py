"""JSON API for the partnership registry: areas, organisations, practices, committees, memberships."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from icp.partnership import actions
from icp.partnership.composition import check_composition
from icp.partnership.dates import IsoDate
from icp.partnership.models import Area, Committee, Membership, Organisation, Person, SeatRule, User
from icp.partnership.roles import AreaLevel, Office, OrganisationType

router = Router(tags=["partnership"])


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(None, alias="parent.code")
    name_is_published: bool
    status: str


class OrganisationOut(Schema):
    code: str
    name: str
    type: str
    town: str
    postcode: str
    icp: str | None = Field(None, alias="icp.code")
    list_size: int | None
    list_size_date: date | None


class SeatOut(Schema):
    code: str
    label: str
    min_count: int
    max_count: int | None


class MembershipOut(Schema):
    id: int
    committee: int = Field(..., alias="committee_id")
    seat: str = Field(..., alias="seat.code")
    person: str = Field(..., alias="person.name")
    organisation: str | None = Field(None, alias="organisation.code")
    start_date: date
    end_date: date | None
    office: str


class CommitteeOut(Schema):
    id: int
    name: str
    area: str = Field(..., alias="area.code")
    template: str = Field(..., alias="template.code")


class SeatCheckOut(Schema):
    seat_code: str
    label: str
    min_count: int
    max_count: int | None
    holders: list[str]
    status: str
    message: str


class ChairCheckOut(Schema):
    chair: str | None
    elected_on: date | None
    ok: bool
    message: str


class CompositionOut(Schema):
    committee: str
    on: date
    complete: bool
    vacancies: int
    seats: list[SeatCheckOut]
    chair: ChairCheckOut | None


class MembershipIn(Schema):
    seat: str
    person_id: int
    organisation: str | None = None
    start_date: date
    end_date: date | None = None
    office: Office = Office.MEMBER


class MembershipPatch(Schema):
    seat: str | None = None
    organisation: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    office: Office | None = None


@router.get("/areas", response=list[AreaOut], summary="List areas (filter by level and by an ancestor)")
def list_areas(request: HttpRequest, level: AreaLevel | None = None, within: str | None = None) -> list[Area]:
    areas = list(Area.objects.select_related("parent").order_by("code"))
    if within:
        get_object_or_404(Area, code=within)
        parent_of = {a.code: (a.parent.code if a.parent else None) for a in areas}

        def lies_within(code: str) -> bool:
            node = parent_of.get(code)
            while node is not None:
                if node == within:
                    return True
                node = parent_of.get(node)
            return False

        areas = [a for a in areas if lies_within(a.code)]
    if level:
        areas = [a for a in areas if a.level == level]
    return areas


@router.get("/areas/{code}", response=AreaOut)
def get_area(request: HttpRequest, code: str) -> Area:
    return get_object_or_404(Area.objects.select_related("parent"), code=code)


@router.get("/organisations", response=list[OrganisationOut])
def list_organisations(
    request: HttpRequest, type: OrganisationType | None = None, icp: str | None = None
) -> list[Organisation]:
    queryset = Organisation.objects.select_related("icp")
    if type:
        queryset = queryset.filter(type=type)
    if icp:
        queryset = queryset.filter(Q(areas_served__code=icp) | Q(icp__code=icp))
    return list(queryset.distinct().order_by("code"))


@router.get("/practices", response=list[OrganisationOut], summary="GP practices with list sizes")
def list_practices(request: HttpRequest, icp: str | None = None) -> list[Organisation]:
    queryset = Organisation.objects.select_related("icp").filter(type=OrganisationType.GP_PRACTICE)
    if icp:
        queryset = queryset.filter(icp__code=icp)
    return list(queryset.order_by("code"))


@router.get("/committees", response=list[CommitteeOut])
def list_committees(request: HttpRequest, area: str | None = None) -> list[Committee]:
    queryset = Committee.objects.select_related("area", "template")
    if area:
        queryset = queryset.filter(area__code=area)
    return list(queryset)


@router.get("/committees/{committee_id}/seats", response=list[SeatOut])
def list_seats(request: HttpRequest, committee_id: int) -> list[SeatRule]:
    committee = get_object_or_404(Committee, pk=committee_id)
    return list(committee.template.seats.all())


@router.get("/committees/{committee_id}/memberships", response=list[MembershipOut])
def list_memberships(request: HttpRequest, committee_id: int) -> list[Membership]:
    committee = get_object_or_404(Committee, pk=committee_id)
    return list(committee.memberships.select_related("seat", "person", "organisation"))


@router.get("/committees/{committee_id}/composition", response=CompositionOut)
def composition(request: HttpRequest, committee_id: int, on: IsoDate | None = None) -> dict[str, object]:
    committee = get_object_or_404(Committee.objects.select_related("template"), pk=committee_id)
    check = check_composition(committee, on=on)
    return {
        "committee": check.committee,
        "on": check.on,
        "complete": check.complete,
        "vacancies": check.vacancies,
        "seats": check.seats,
        "chair": check.chair,
    }


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@router.post("/committees/{committee_id}/memberships", response={201: MembershipOut})
def create_membership(request: HttpRequest, committee_id: int, payload: MembershipIn) -> Status[Membership]:
    committee = get_object_or_404(Committee, pk=committee_id)
    membership = actions.add_membership(
        committee=committee,
        seat=get_object_or_404(SeatRule, template=committee.template, code=payload.seat),
        person=get_object_or_404(Person, pk=payload.person_id),
        organisation=get_object_or_404(Organisation, code=payload.organisation)
        if payload.organisation
        else None,
        start_date=payload.start_date,
        end_date=payload.end_date,
        office=payload.office,
        by=_user(request),
    )
    return Status(201, membership)


@router.patch("/memberships/{membership_id}", response=MembershipOut)
def update_membership(request: HttpRequest, membership_id: int, payload: MembershipPatch) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("committee"), pk=membership_id)
    changes: dict[str, object] = {}
    data = payload.dict(exclude_unset=True)
    if "seat" in data:
        changes["seat"] = get_object_or_404(
            SeatRule, template=membership.committee.template, code=data.pop("seat")
        )
    if "organisation" in data:
        code = data.pop("organisation")
        changes["organisation"] = get_object_or_404(Organisation, code=code) if code else None
    changes.update(data)
    return actions.update_membership(membership=membership, by=_user(request), **changes)
