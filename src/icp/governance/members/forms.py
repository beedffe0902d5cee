"""Forms for filling a seat and changing a membership. They collect input; the actions decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet

from icp.governance.forms import _DATE, NhsForm
from icp.partnership.models import Organisation, Person, SeatRule
from icp.partnership.roles import ProfessionalRole


class FillSeatForm(NhsForm):
    """Someone already in the registry, or someone new (name and, where the seat allows more than
    one, their role); then the organisation they represent and the term."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Someone already recorded",
        empty_label="Choose a person",
        help_text="People whose role fits this seat",
    )
    new_name = forms.CharField(
        max_length=200,
        required=False,
        label="Or someone new: their name",
        help_text="Leave blank if you chose someone above",
    )
    new_role = forms.ChoiceField(choices=(), required=False, label="Their role")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="The organisation they represent",
        empty_label="None",
    )
    start_date = forms.DateField(widget=_DATE, label="Term starts")
    end_date = forms.DateField(
        widget=_DATE, required=False, label="Term ends", help_text="Leave blank if open-ended"
    )

    def __init__(
        self,
        *args: Any,
        seat: SeatRule,
        people: QuerySet[Person],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.seat = seat
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        roles = seat.professional_roles or list(ProfessionalRole.values)
        role_field: Any = self.fields["new_role"]
        role_field.choices = [(role, ProfessionalRole(role).label) for role in roles]
        if len(roles) == 1:
            self.fields["new_role"].initial = roles[0]
        if seat.organisation_types:
            self.fields["organisation"].required = True
            self.fields["organisation"].empty_label = "Choose an organisation"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        person, new_name = cleaned.get("person"), (cleaned.get("new_name") or "").strip()
        if person is None and not new_name:
            self.add_error("person", "Choose who takes the seat, or give the name of someone new.")
        if person is not None and new_name:
            self.add_error("new_name", "Choose someone already recorded or give a new name, not both.")
        if new_name and not cleaned.get("new_role"):
            self.add_error("new_role", "Choose the new person's role.")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end_date", "The term must end after it starts.")
        return cleaned


class MembershipForm(NhsForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="The organisation they represent",
        empty_label="None",
    )
    start_date = forms.DateField(widget=_DATE, label="Term starts")
    end_date = forms.DateField(
        widget=_DATE,
        required=False,
        label="Term ends",
        help_text="To end the membership, give the last day of the term",
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
