"""Every form is drawn with the NHS design system: its date input (day, month, year) instead of the
browser's date picker, its checkboxes and radios, and a form group with label, hint and error."""

from __future__ import annotations

from datetime import date

from django import forms

from icp.webforms import NhsDateField, NhsDateInput


class Example(forms.Form):
    born = NhsDateField(label="Date of birth", help_text="For example, 27 3 1950")
    reviewed = forms.DateField(widget=NhsDateInput(), required=False, label="Reviewed on")
    purposes = forms.MultipleChoiceField(
        choices=[("care", "Direct care"), ("plan", "Planning")], widget=forms.CheckboxSelectMultiple
    )
    verdict = forms.ChoiceField(
        choices=[("ok", "Appropriate"), ("bad", "Inappropriate")], widget=forms.RadioSelect
    )
    urgent = forms.BooleanField(required=False, label="Urgent")
    note = forms.CharField(required=False)


def test_a_date_is_typed_as_day_month_and_year() -> None:
    form = Example(
        {"born_day": "7", "born_month": "3", "born_year": "1950", "purposes": ["care"], "verdict": "ok"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(1950, 3, 7)
    assert form.cleaned_data["reviewed"] is None


def test_a_date_that_is_not_real_is_refused_saying_what_a_real_one_looks_like() -> None:
    form = Example(
        {"born_day": "31", "born_month": "2", "born_year": "1950", "purposes": ["care"], "verdict": "ok"}
    )
    assert not form.is_valid()
    assert form.errors["born"] == ["Enter a real date, for example 27 3 2026."]


def test_one_iso_date_is_still_understood() -> None:
    form = Example({"born": "1950-03-07", "purposes": ["care"], "verdict": "ok"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(1950, 3, 7)


def test_the_date_input_is_the_design_systems_in_a_fieldset_with_a_legend() -> None:
    html = Example(initial={"born": date(1950, 3, 7)})["born"].as_field_group()
    assert '<fieldset class="nhsuk-fieldset" aria-describedby="id_born-hint">' in html
    assert "Date of birth</legend>" in html
    assert 'class="nhsuk-date-input"' in html
    for part, value in (("day", "7"), ("month", "3"), ("year", "1950")):
        assert f'name="born_{part}" value="{value}"' in html
        assert f'for="id_born_{part}">{part.capitalize()}</label>' in html
    assert 'type="date"' not in html


def test_checkboxes_radios_and_a_single_box_are_the_design_systems() -> None:
    form = Example()
    checkboxes = form["purposes"].as_field_group()
    assert '<div class="nhsuk-checkboxes">' in checkboxes and "nhsuk-checkboxes__input" in checkboxes
    assert (
        '<label class="nhsuk-label nhsuk-checkboxes__label" for="id_purposes_0">Direct care</label>'
        in checkboxes
    )
    radios = form["verdict"].as_field_group()
    assert '<div class="nhsuk-radios">' in radios and 'class="nhsuk-radios__input" type="radio"' in radios
    single = form["urgent"].as_field_group()
    assert 'class="nhsuk-checkboxes__input"' in single and ">Urgent</label>" in single
    assert single.count("<label") == 1


def test_an_error_is_shown_in_the_form_group_and_text_inputs_have_the_design_systems_class() -> None:
    form = Example({})
    form.is_valid()
    html = form["verdict"].as_field_group()
    assert "nhsuk-form-group--error" in html and "nhsuk-error-message" in html
    assert 'class="nhsuk-input"' in form["note"].as_field_group()
