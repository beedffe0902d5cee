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


def test_the_chronic_acsc_list_is_nhs_digitals_specification_appendix_2() -> None:
    # CCG OIS 2.6 indicator specification (I00757), version 1.15, Appendix 2, X-filled codes as
    # their 3-character form; checked code by code.
    acsc = indicator("acsc_chronic")
    assert set(acsc.codes("acsc_chronic")) == {
        "B180", "B181", "E10", "E11", "E12", "E13", "E14", "D501", "D508", "D509", "D51", "D52",
        "F00", "F01", "F02", "F03", "G40", "G41", "I10", "I110", "I119", "I130", "I20", "I25",
        "I50", "I48", "J81", "J20", "J41", "J42", "J43", "J44", "J45", "J46", "J47",
    }  # fmt: skip
    rules = {(rule.primary, rule.condition, rule.list_name) for rule in acsc.rules}
    assert rules == {
        (("B180", "B181"), "unless_any", "sickle_cell"),
        (("I50", "I110", "I130", "J81"), "unless_procedure", "cardiac_procedures"),
        (("J20",), "only_with_any", "copd_secondary"),
        (("I20", "I25"), "unless_procedure", "operative_procedures"),
        (("I10", "I119"), "unless_procedure", "cardiac_procedures"),
    }
    assert acsc.codes("copd_secondary") == ("J41", "J42", "J43", "J44", "J47")
    assert "K60" in acsc.codes("cardiac_procedures") and "K51" not in acsc.codes("cardiac_procedures")
    assert "X3" not in acsc.codes("operative_procedures") and "U" not in acsc.codes("operative_procedures")
    copd = indicator("copd_admissions")
    assert set(copd.codes("copd")) == {"J20", "J41", "J42", "J43", "J44", "J47"}
    assert copd.codes("copd_secondary") == acsc.codes("copd_secondary")


def test_a_rule_must_name_its_codes_and_one_of_the_definitions_lists() -> None:
    data = yaml.safe_load((DEFINITIONS / "acsc_chronic.yaml").read_text(encoding="utf-8"))
    data["numerator"]["rules"] = [{"primary": ["J20"], "only_with_any": "nowhere"}]
    with pytest.raises(DefinitionError, match=r"rules\[1\]: only_with_any names 'nowhere'"):
        parse(data, "bad.yaml")
    data["numerator"]["rules"] = [{"primary": ["K29"], "unless_any": "sickle_cell"}]
    with pytest.raises(DefinitionError, match=r"rules\[1\]: primary K29 not in code list 'acsc_chronic'"):
        parse(data, "bad.yaml")
    data["numerator"]["rules"] = [{"primary": ["I50"], "unless_procedure": "sickle_cell"}]
    with pytest.raises(DefinitionError, match=r"unless_procedure needs an opcs4 list"):
        parse(data, "bad.yaml")
    data["numerator"]["rules"] = [{"primary": ["I50"], "unless_any": "sickle_cell", "only_with_any": "x"}]
    with pytest.raises(DefinitionError, match=r"needs primary and one of"):
        parse(data, "bad.yaml")


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
