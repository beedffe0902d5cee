"""The seats-and-members page of a committee, and the ICP manager's pages to fill a seat and to
change or end a membership.

Members and the ICP's managers see the page; only a manager of the committee's own ICP reaches the
forms (403 for anyone else, another ICP's manager included), and the actions check again and
audit every change and refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from icp.governance.access import can_edit_committee, can_view_committee
from icp.governance.members.forms import FillSeatForm, MembershipForm
from icp.governance.web import acting_user, add_action_errors, done, form_page, require
from icp.partnership import actions
from icp.partnership.composition import SeatCheck, check_composition
from icp.partnership.models import Committee, Membership, Organisation, Person, SeatRule


@dataclass(frozen=True)
class SeatRow:
    seat: SeatRule
    check: SeatCheck
    members: list[Membership]  # current and future terms, in order
    has_room: bool


def _committee(request: HttpRequest, committee_id: int, *, edit: bool = False) -> Committee:
    committee = get_object_or_404(Committee.objects.select_related("area", "template"), pk=committee_id)
    user = acting_user(request)
    require(
        can_view_committee(user, committee),
        "Only this committee's members and its ICP's managers can see it.",
    )
    if edit:
        require(
            can_edit_committee(user, committee),
            f"Only an ICP manager of {committee.area} can change the members of {committee}.",
        )
    return committee


def seat_rows(committee: Committee, on: date | None = None) -> list[SeatRow]:
    on = on or date.today()
    checks = {check.seat_code: check for check in check_composition(committee, on).seats}
    holding = committee.memberships.select_related("person", "organisation").filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    rows = []
    for seat in committee.template.seats.all():
        members = sorted(
            (m for m in holding if m.seat_id == seat.pk), key=lambda m: (m.start_date, m.person.name)
        )
        current = [m for m in members if m.is_current(on)]
        rows.append(
            SeatRow(seat, checks[seat.code], members, seat.max_count is None or len(current) < seat.max_count)
        )
    return rows


def _organisations(committee: Committee, seat: SeatRule | None = None) -> QuerySet[Organisation]:
    icp = committee.area.icp() or committee.area
    found = actions.partners_of(icp)
    if seat is not None and seat.organisation_types:
        found = found.filter(type__in=seat.organisation_types)
    return found.order_by("name")


def _eligible_people(committee: Committee, seat: SeatRule) -> QuerySet[Person]:
    """People of this partnership whose role fits the seat: from its organisations, or who have
    held a seat on the committee before."""
    people = Person.objects.filter(
        Q(organisation__in=_organisations(committee)) | Q(memberships__committee=committee)
    ).distinct()
    if seat.professional_roles:
        people = people.filter(professional_role__in=seat.professional_roles)
    return people.order_by("name")


@login_required
def members(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = _committee(request, committee_id)
    composition = check_composition(committee)
    context = {
        "committee": committee,
        "rows": seat_rows(committee),
        "composition": composition,
        "can_edit": can_edit_committee(acting_user(request), committee),
        "today": date.today(),
    }
    return render(request, "governance/members.html", context)


@login_required
def fill_seat(request: HttpRequest, committee_id: int, seat_code: str) -> HttpResponse:
    committee = _committee(request, committee_id, edit=True)
    seat = get_object_or_404(SeatRule, template=committee.template, code=seat_code)
    user = acting_user(request)
    form = FillSeatForm(
        request.POST or None,
        seat=seat,
        people=_eligible_people(committee, seat),
        organisations=_organisations(committee, seat),
        initial={"start_date": date.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a new person is kept only if they take the seat
                person = data["person"] or actions.add_person(
                    name=data["new_name"],
                    professional_role=data["new_role"],
                    organisation=data["organisation"],
                    icp=committee.area.icp() or committee.area,
                    by=user,
                )
                actions.add_membership(
                    committee=committee,
                    seat=seat,
                    person=person,
                    organisation=data["organisation"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    by=user,
                )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(
                request,
                f"{person.name} now holds the seat “{seat.label}” from {data['start_date']:%-d %B %Y}.",
            )
            return redirect(reverse("governance:members", args=[committee.pk]) + f"#seat-{seat.code}")
    return form_page(
        request,
        form,
        heading=f"Fill the seat: {seat.label}",
        intro=f"{committee.name}. Choose someone already recorded, or add someone new.",
        back_url=reverse("governance:members", args=[committee.pk]),
        submit_label="Fill the seat",
    )


@login_required
def change_membership(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("person", "seat"), pk=membership_id)
    committee = _committee(request, membership.committee_id, edit=True)
    initial = {
        "organisation": membership.organisation,
        "start_date": membership.start_date,
        "end_date": membership.end_date,
    }
    form = MembershipForm(
        request.POST or None, organisations=_organisations(committee, membership.seat), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_membership(membership=membership, by=acting_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            done(request, f"{membership.person.name}'s membership saved.")
            return redirect(
                reverse("governance:members", args=[committee.pk]) + f"#seat-{membership.seat.code}"
            )
    return form_page(
        request,
        form,
        heading=f"Change {membership.person.name}'s membership",
        intro=f"Seat: {membership.seat.label}. To end the membership, give the last day of the term.",
        back_url=reverse("governance:members", args=[committee.pk]),
    )
