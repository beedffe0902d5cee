"""Forms of the sharing pages: search, break glass, choices, agreements, audit filters, reviews."""

from __future__ import annotations

from typing import Any

from django import forms

from icp.partnership.models import Area, Organisation
from icp.sharing.actions import BREAK_GLASS_MINIMUM_REASON
from icp.sharing.models import ReviewOutcome
from icp.sharing.templates_data import agreement_templates
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, LegalBasis, Purpose
from icp.webforms import NhsDateInput

_DATE = NhsDateInput()
_TEXT = {"class": "nhsuk-input"}


class SearchForm(forms.Form):
    name = forms.CharField(required=False, max_length=100, widget=forms.TextInput(attrs=_TEXT))
    birth_date = forms.DateField(required=False, label="Date of birth", widget=_DATE)
    national_id = forms.CharField(
        required=False,
        max_length=16,
        label="H&C or NHS number",
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-10", "inputmode": "numeric"}),
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        min_length=BREAK_GLASS_MINIMUM_REASON,
        max_length=1000,
        widget=forms.Textarea(
            attrs={"class": "nhsuk-textarea", "rows": 3, "aria-describedby": "id_reason-hint"}
        ),
        help_text="Why this is an emergency. The IG lead reviews every break glass.",
    )


class ChoiceForm(forms.Form):
    kind = forms.ChoiceField(choices=ChoiceKind.choices, widget=forms.Select(attrs={"class": "nhsuk-select"}))
    value = forms.ChoiceField(
        choices=ChoiceValue.choices, widget=forms.Select(attrs={"class": "nhsuk-select"})
    )
    categories = forms.MultipleChoiceField(
        required=False,
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for sensitive records withheld (blank: safeguarding and social care).",
    )
    effective_date = forms.DateField(required=False, widget=_DATE, help_text="Blank: today")
    note = forms.CharField(required=False, max_length=300, widget=forms.TextInput(attrs=_TEXT))


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (t.code, t.title.replace("{icp}", "the ICP")) for t in agreement_templates().values()
        ]


class AgreementForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs=_TEXT))
    parties = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    purposes = forms.MultipleChoiceField(choices=Purpose.choices, widget=forms.CheckboxSelectMultiple)
    categories = forms.MultipleChoiceField(choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple)
    legal_basis = forms.ChoiceField(
        choices=LegalBasis.choices, widget=forms.Select(attrs={"class": "nhsuk-select"})
    )
    start_date = forms.DateField(widget=_DATE)
    end_date = forms.DateField(required=False, widget=_DATE)
    template = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, icp: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parties"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            (Organisation.objects.filter(icp=icp) | Organisation.objects.filter(areas_served=icp))
            .distinct()
            .order_by("type", "name")
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs=_TEXT))


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=_DATE)
    date_to = forms.DateField(required=False, label="To", widget=_DATE)
    actor = forms.CharField(
        required=False, label="User name", max_length=150, widget=forms.TextInput(attrs=_TEXT)
    )
    organisation = forms.CharField(
        required=False, label="Organisation code", max_length=64, widget=forms.TextInput(attrs=_TEXT)
    )
    patient = forms.CharField(
        required=False, label="Patient id (opaque)", max_length=64, widget=forms.TextInput(attrs=_TEXT)
    )
    action = forms.CharField(required=False, max_length=64, widget=forms.TextInput(attrs=_TEXT))
    outcome = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any"),
            ("allowed", "Allowed"),
            ("denied", "Denied"),
            ("break-glass", "Break glass"),
            ("success", "Success"),
        ],
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    purpose = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *Purpose.choices],
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (ReviewOutcome.APPROPRIATE, "Appropriate"),
            (ReviewOutcome.INAPPROPRIATE, "Inappropriate: follow up"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(required=False, max_length=1000, widget=forms.TextInput(attrs=_TEXT))
