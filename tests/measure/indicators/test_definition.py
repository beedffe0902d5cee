"""Indicator definitions are data: every file loads, names its sources, and bad files are refused
with the file and field at fault."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from icp.measure.indicators.definition import DEFINITIONS, DefinitionError, indicator, indicators, load, parse

IDS = {
    "emergency_admissions_65",
    "emergency_admissions_75",
    "acsc_chronic",
    "readmissions_30d",
    "falls_admissions_65",
    "diabetes_major_amputations",
    "copd_admissions",
    "ae_attendances",
    "bed_days",
    "deaths_usual_residence",
    "frail_with_care_plan",
    "eol_with_acp",
    "referral_days_to_accept",
    "referral_days_to_complete",
}


def test_every_indicator_the_issue_names_is_defined() -> None:
    assert {i.id for i in indicators()} == IDS


def test_every_code_list_names_its_source_version_and_address() -> None:
    for definition in indicators():
        assert definition.code_lists or definition.source, definition.id
        for code_list in definition.code_lists.values():
            assert code_list.source and code_list.version and code_list.url.startswith("https://"), (
                code_list.name
            )


def test_the_chronic_acsc_list_holds_the_nhs_outcomes_framework_conditions() -> None:
    codes = set(indicator("acsc_chronic").codes("acsc_chronic"))
    # One code of each 2.3.i condition: hepatitis B, iron deficiency anaemia, diabetes, dementia,
    # epilepsy, heart failure, angina, hypertension, AF, COPD, asthma.
    assert {"B181", "D509", "E116", "F03", "G40", "I50", "I20", "I10", "I48", "J44", "J45"} <= codes
    assert "J18" not in codes  # pneumonia is an acute ACSC, not chronic


def test_falls_are_injuries_with_a_fall_cause_and_major_amputations_are_above_the_ankle() -> None:
    falls = indicator("falls_admissions_65")
    assert len(falls.codes("injury")) == 199 and falls.codes("injury")[0] == "S00"
    assert set(falls.codes("fall")) == {f"W{n:02d}" for n in range(20)}
    major = indicator("diabetes_major_amputations").codes("major_amputation")
    assert "X095" in major and not any(code.startswith(("X10", "X11")) for code in major)


def test_a_definition_without_a_field_is_refused_naming_file_and_field() -> None:
    data = yaml.safe_load((DEFINITIONS / "bed_days.yaml").read_text(encoding="utf-8"))
    del data["period"]
    with pytest.raises(DefinitionError, match=r"bad\.yaml: missing field 'period'"):
        parse(data, "bad.yaml")


def test_a_wrong_choice_is_refused_with_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        "id: odd\ntitle: t\ndescription: d\nmeasure: population_rate\nnumerator: {}\n"
        "denominator: {}\nscope: {}\nmultiplier: 1\nunit: u\nperiod: weekly\nimprovement: up\n"
        "interval: byar\nstandardisation: none\nsource: {name: x}\n"
    )
    with pytest.raises(
        DefinitionError, match=r"odd\.yaml: field 'period' is 'weekly'; expected one of month"
    ):
        load(path)
