"""How every form on every page is drawn: the NHS design system's fields, once.

A module of its own, beside the apps rather than in `icp.site`, so that every app's forms may use it
(the apps' floors never import `icp.site`, which sits on top); its templates live with the site's.

- `NhsFormRenderer` (settings.FORM_RENDERER) draws each field as an NHS form group: a label (or a
  fieldset and legend for a group of inputs), the hint, the error message and the input, from
  `nhsuk/forms/field.html`. Templates write `{{ field.as_field_group }}` and get all of it.
- The widget templates under `icp/site/templates/django/forms/widgets/` give every input, select, textarea,
  checkbox and radio its design-system classes, so no form has to set them.
- `NhsDateInput` is the design system's date input (day, month and year boxes), in place of the
  browser's date picker, which shows dates in the American order and cannot be typed into
  consistently: https://service-manual.nhs.uk/design-system/components/date-input
- `date_field` draws one such date as a whole form group for a page whose form is written by hand
  (several small forms per person, say); the view reads it back with `icp.inputs.posted_date`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString


class NhsFormRenderer(TemplatesSetting):
    """Django's template-based renderer, drawing fields as NHS form groups."""

    field_template_name = "nhsuk/forms/field.html"


class NhsDateInput(forms.MultiWidget):
    """Day, month and year in three boxes. Gives the form field "YYYY-M-D" (or what was typed, for
    the field to reject with its own message), and "" when all three are empty."""

    template_name = "nhsuk/forms/date_input.html"
    use_fieldset = True
    PARTS = ("day", "month", "year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "class": "nhsuk-input nhsuk-date-input__input"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={**numeric, "class": numeric["class"] + " nhsuk-input--width-2"}),
            "month": forms.TextInput(attrs={**numeric, "class": numeric["class"] + " nhsuk-input--width-2"}),
            "year": forms.TextInput(attrs={**numeric, "class": numeric["class"] + " nhsuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def build_attrs(
        self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        # Each box keeps its own classes (its width); a class given to the whole field is not theirs.
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.pop("class", None)
        return attrs

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # Boxes named by their part (id_born_day, not id_born_0), as their names are.
        for part, subwidget in zip(self.PARTS, context["widget"]["subwidgets"], strict=True):
            if subwidget["attrs"].get("id"):
                subwidget["attrs"]["id"] = f"{context['widget']['attrs']['id']}_{part}"
            subwidget["label"] = part.capitalize()
        return context

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            return [day, month, year]
        return [None, None, None]

    # One string, not MultiWidget's list: the form field is a plain DateField, which parses it.
    def value_from_datadict(self, data: Any, files: Any, name: str) -> str | None:  # type: ignore[override]
        day, month, year = (str(data.get(f"{name}_{part}", "") or "").strip() for part in self.PARTS)
        if not (day or month or year):
            # A form may still send one ISO date (a link, an API client or an older page).
            single = data.get(name)
            return str(single) if single else None
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}_{part}" in data for part in self.PARTS)

    def id_for_label(self, id_: str) -> str:
        # The field's label is the fieldset's legend; an error summary links to the day box.
        return f"{id_}_day" if id_ else id_


class NhsDateField(forms.DateField):
    """A date typed as day, month and year; says what a real date looks like when it is not one."""

    widget = NhsDateInput
    default_error_messages = {"invalid": "Enter a real date, for example 27 3 2026."}


def date_field(
    name: str, label: str, *, id_prefix: str, value: date | None = None, hint: str = ""
) -> SafeString:
    """One NHS date input as a form group (fieldset, legend, hint, day, month and year), its boxes
    named `name_day`, `name_month` and `name_year`; `id_prefix` keeps ids unique on a page that draws
    the same field for several records."""
    form = forms.Form(auto_id=f"{id_prefix}-%s", initial={name: value})
    form.fields[name] = forms.DateField(label=label, widget=NhsDateInput, help_text=hint)
    return form[name].as_field_group()
