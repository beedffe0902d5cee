"""Page forms. They only collect input: every save goes through an action function."""

from __future__ import annotations

from django import forms

from icp.governance.models import BusinessCase, Indicator
from icp.governance.vocab import (
    ActionStatus,
    AgendaPurpose,
    AttendanceStatus,
    DecisionOutcome,
    MeetingMode,
    Rag,
)
from icp.partnership.models import Organisation, Person
from icp.partnership.priorities import PriorityGroup
from icp.webforms import NhsDateInput

# The design system's date input (day, month, year): icp.webforms.
_DATE = NhsDateInput()

_WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.ClearableFileInput: "nhsuk-file-upload",
    forms.FileInput: "nhsuk-file-upload",
}


class NhsForm(forms.Form):
    """A form whose widgets carry the nhsuk-frontend classes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, field in self.fields.items():
            widget = field.widget
            widget.attrs["class"] = _WIDGET_CLASSES.get(type(widget), "nhsuk-input")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-hint"


class MeetingForm(NhsForm):
    title = forms.CharField(max_length=200, required=False, help_text="Leave blank for “<committee> meeting”")
    date = forms.DateField(widget=_DATE)
    start_time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    mode = forms.ChoiceField(choices=MeetingMode.choices, label="How the meeting is held")
    location = forms.CharField(max_length=200, required=False, help_text="Needed for an in-person meeting")
    video_link = forms.URLField(
        required=False, assume_scheme="https", help_text="Needed for a virtual or hybrid meeting"
    )


class AgendaItemForm(NhsForm):
    title = forms.CharField(max_length=200)
    purpose = forms.ChoiceField(choices=AgendaPurpose.choices)
    presenter = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PaperForm(NhsForm):
    title = forms.CharField(max_length=200, required=False, help_text="Leave blank to use the file name")
    file = forms.FileField(help_text="PDF, Word, Excel, PowerPoint, OpenDocument, text or CSV; up to 10 MB")


class AttendanceForm(NhsForm):
    person = forms.ModelChoiceField(queryset=Person.objects.none())
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    deputy_for = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        help_text="If this person attended in a member's place",
    )
    note = forms.CharField(max_length=200, required=False)

    def __init__(
        self, *args: object, people: object = None, members: object = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["deputy_for"].queryset = members  # type: ignore[attr-defined]


class MinutesForm(NhsForm):
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}))


class DecisionForm(NhsForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was decided")
    outcome = forms.ChoiceField(choices=DecisionOutcome.choices)
    proposed_by = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    seconded_by = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)

    def __init__(self, *args: object, members: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposed_by"].queryset = members  # type: ignore[attr-defined]
        self.fields["seconded_by"].queryset = members  # type: ignore[attr-defined]


class ActionItemForm(NhsForm):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=Person.objects.none())
    due_date = forms.DateField(widget=_DATE)

    def __init__(self, *args: object, people: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]


class ActionUpdateForm(NhsForm):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    progress_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CaseForm(NhsForm):
    title = forms.CharField(max_length=200)
    priority_group = forms.ChoiceField(choices=PriorityGroup.choices)
    problem = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    proposal = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    risks = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FundingForm(NhsForm):
    financial_year = forms.RegexField(regex=r"^\d{4}/\d{2}$", max_length=7, help_text="e.g. 2026/27")
    amount = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, label="Amount (£)")
    recurrent = forms.BooleanField(required=False)
    description = forms.CharField(max_length=200, required=False)


class StaffForm(NhsForm):
    financial_year = forms.RegexField(regex=r"^\d{4}/\d{2}$", max_length=7, help_text="e.g. 2026/27")
    role = forms.CharField(max_length=120)
    wte = forms.DecimalField(
        min_value=0, max_digits=6, decimal_places=2, label="Whole-time equivalents (WTE)"
    )


class BenefitForm(NhsForm):
    description = forms.CharField(max_length=300)
    indicator = forms.ModelChoiceField(queryset=Indicator.objects.all())
    baseline = forms.DecimalField(max_digits=14, decimal_places=3)
    baseline_period = forms.CharField(max_length=60, required=False)
    target = forms.DecimalField(max_digits=14, decimal_places=3)
    target_date = forms.DateField(widget=_DATE, required=False)


class TransitionForm(NhsForm):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    money_approved = forms.DecimalField(
        min_value=0, max_digits=12, decimal_places=2, required=False, label="Money approved (£)"
    )


class MeasurementForm(NhsForm):
    measured_on = forms.DateField(widget=_DATE)
    value = forms.DecimalField(max_digits=14, decimal_places=3)
    note = forms.CharField(max_length=300, required=False)


class MilestoneUpdateForm(NhsForm):
    rag = forms.ChoiceField(choices=Rag.choices, label="Status")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Progress note")


class AdoptionForm(NhsForm):
    started_on = forms.DateField(widget=_DATE)
    note = forms.CharField(max_length=300, required=False)


class PeriodForm(NhsForm):
    start = forms.DateField(widget=_DATE, required=False, label="From")
    end = forms.DateField(widget=_DATE, required=False, label="To")


class PlanForm(NhsForm):
    year_starting = forms.IntegerField(min_value=2000, max_value=2100, label="Plan year starting April of")
    title = forms.CharField(max_length=200)
    agreed_on = forms.DateField(widget=_DATE, required=False, help_text="When the committee agreed the plan")


class ObjectiveForm(NhsForm):
    title = forms.CharField(max_length=200)
    priority_group = forms.ChoiceField(choices=[("", "—"), *PriorityGroup.choices], required=False)


class MilestoneForm(NhsForm):
    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(queryset=Person.objects.order_by("name"))
    due_date = forms.DateField(widget=_DATE)
    rag = forms.ChoiceField(choices=Rag.choices, label="Status")


class ProjectForm(NhsForm):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lead_organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    start_date = forms.DateField(widget=_DATE)
    business_case = forms.ModelChoiceField(
        queryset=BusinessCase.objects.none(),
        required=False,
        help_text="Leave blank for a project that stands alone",
    )

    def __init__(
        self, *args: object, organisations: object = None, cases: object = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["business_case"].queryset = cases  # type: ignore[attr-defined]


class QuorumRuleForm(NhsForm):
    share_of_filled_seats = forms.DecimalField(
        min_value=0,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        label="Share of the members in post who must be present",
        help_text="0.50 for half; the number needed is rounded up",
    )
    minimum_present = forms.IntegerField(min_value=0, initial=0, label="And never fewer than")
    chair_or_vice_chair_required = forms.BooleanField(
        required=False, label="The chair or vice chair must be present"
    )
    deputies_count = forms.BooleanField(required=False, label="A deputy counts for the member they replace")
    source = forms.CharField(max_length=300, required=False, help_text="e.g. standing orders, section 4")


class ApologiesForm(NhsForm):
    note = forms.CharField(
        max_length=200,
        required=False,
        label="A note for the committee",
        help_text="For example, who will come in your place. Up to 200 characters.",
    )


class EchoNetworkForm(NhsForm):
    name = forms.CharField(max_length=200, help_text="For example, “Causeway care homes ECHO”")
    topic = forms.CharField(max_length=200, required=False)
    hub = forms.CharField(
        max_length=200, required=False, help_text="Who runs it, for example Project ECHO NI"
    )
    audience = forms.CharField(max_length=300, required=False, help_text="For example, care home staff")


class EchoSessionForm(NhsForm):
    date = forms.DateField(widget=_DATE)
    topic = forms.CharField(max_length=200)
    presenters = forms.CharField(max_length=300, required=False)
    case_presentations = forms.IntegerField(
        min_value=0,
        max_value=50,
        initial=0,
        label="Cases presented",
        help_text="How many cases were discussed",
    )
