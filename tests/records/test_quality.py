"""Data-quality conflicts: each kind found in planted records, counted, with opaque examples; clean
records raise nothing; the sex- and age-specific rules read as their sources define them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from icp.records import quality
from icp.records.engine import open_tables
from icp.records.warehouse import Warehouse
from tests.stratify.builders import Records

TODAY = dt.date(2025, 6, 1)


def planted() -> Records:
    r = Records()
    r.person("woman", born=dt.date(1950, 1, 1), sex="female")
    r.person("man", born=dt.date(1950, 1, 1), sex="male")
    r.person("child", born=dt.date(2020, 1, 1), sex="male")
    r.person("dead", born=dt.date(1930, 1, 1), died=dt.date(2020, 1, 1))
    r.person("unborn", born=dt.date(2030, 1, 1))
    r.person("ancient", born=dt.date(1890, 1, 1))
    # Sex: a prostate diagnosis for a woman (hospital diagnosis, N40), a hysterectomy (OPCS-4 Q07) and
    # an ovarian cancer (C56) for a man; the same codes for the other sex are fine.
    r.encounter("woman", "inpatient", dt.date(2024, 3, 1), method="elective", diagnoses=("N40",))
    r.encounter("man", "inpatient", dt.date(2024, 3, 1), method="elective", diagnoses=("N40",))
    r.code("man", "Q07.4", dt.date(2024, 3, 1), system="opcs4", table="procedure")
    r.code("man", "C56", dt.date(2024, 3, 1), system="icd10")
    r.code("woman", "C56", dt.date(2024, 3, 1), system="icd10")
    # Age: a pregnancy code at 74, and a senile cataract at 4.
    r.code("woman", "O24.4", dt.date(2024, 3, 1), system="icd10")
    r.encounter("child", "inpatient", dt.date(2024, 3, 1), method="elective", diagnoses=("H25.9",))
    # Dates: an entry after death, one before birth.
    r.code("dead", "38341003", dt.date(2021, 5, 1))
    r.code("man", "38341003", dt.date(1949, 5, 1))
    # A systolic blood pressure of 1,200 mmHg (a keying error), beside a plausible one.
    r.measure("man", "271649006", dt.date(2024, 1, 1), 1200.0)
    r.measure("woman", "271649006", dt.date(2024, 1, 1), 120.0)
    return r


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, quality.Finding]:
    warehouse = planted().write(Warehouse(tmp_path_factory.mktemp("quality")))
    return {f.kind: f for f in quality.check(open_tables(warehouse), today=TODAY)}


def test_every_kind_is_reported_in_order(findings: dict[str, quality.Finding]) -> None:
    assert list(findings) == list(quality.KINDS)


@pytest.mark.parametrize(
    ("kind", "count", "tables"),
    [
        ("sex_specific_code", 3, {"encounter", "procedure", "condition"}),
        ("age_specific_code", 2, {"condition", "encounter"}),
        ("after_death", 1, {"condition"}),
        ("before_birth", 1, {"condition"}),
        ("impossible_age", 2, {"patient"}),
        ("impossible_value", 1, {"observation"}),
    ],
)
def test_planted_conflicts_are_found_and_counted(
    findings: dict[str, quality.Finding], kind: str, count: int, tables: set[str]
) -> None:
    finding = findings[kind]
    assert finding.count == count
    assert {example.split("/")[0] for example in finding.examples} == tables


def test_examples_name_opaque_ids_only(findings: dict[str, quality.Finding]) -> None:
    sex = findings["sex_specific_code"].examples
    assert any(example.endswith(" of woman") for example in sex)
    assert all(" of " in example and "/" in example for f in findings.values() for example in f.examples)


def test_a_clean_population_has_no_conflicts(tmp_path: Path) -> None:
    r = Records()
    r.person("p1", born=dt.date(1950, 1, 1), sex="male")
    r.encounter("p1", "inpatient", dt.date(2024, 3, 1), method="elective", diagnoses=("N40",))
    r.measure("p1", "271649006", dt.date(2024, 1, 1), 135.0)
    warehouse = r.write(Warehouse(tmp_path / "clean"))
    assert all(f.count == 0 for f in quality.check(open_tables(warehouse), today=TODAY))


@pytest.mark.parametrize(
    ("system", "code", "sex", "age", "allowed"),
    [
        ("icd10", "N40", "female", 70, False),
        ("icd10", "N40.0", "male", 70, True),
        ("icd10", "N40", "male", 10, False),  # an adult diagnosis
        ("icd10", "N48.1", "female", 40, False),  # inside the block N40-N51
        ("icd10", "N52", "female", 40, True),  # outside it
        ("icd10", "C50.9", "male", 60, True),  # breast cancer is not sex-specific
        ("icd10", "D07.1", "male", 50, False),  # vulva
        ("icd10", "D07.5", "female", 50, False),  # prostate
        ("icd10", "D07", "female", 50, True),  # the category alone names both
        ("icd10", "O80", "female", 8, False),
        ("icd10", "O80", "female", 30, True),
        ("icd10", "O80", "unknown", 30, True),  # unknown sex: no sex conflict
        ("opcs4", "Q07.4", "male", 50, False),
        ("snomed", "266569009", "female", 50, True),  # SNOMED CT is not checked (SOURCE.md)
    ],
)
def test_code_rules_follow_their_sources(system: str, code: str, sex: str, age: int, allowed: bool) -> None:
    assert quality.code_allowed(system, code, sex=sex, age=age) is allowed


def test_every_rule_cites_a_described_source() -> None:
    described = (quality.REFERENCE / "SOURCE.md").read_text(encoding="utf-8")
    sources: set[Any] = {s for rule in quality.code_rules() for s in rule.source.split(";")}
    assert sources and all(f"`{source}`" in described for source in sources)
