"""Pathway definitions: the seven ship, fit the schema, cite their sources, and bad files are named."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import icp
from icp.care import pathways
from icp.care.pathways import PATHWAY_IDS, PathwayError, load_all, parse
from icp.stratify import codelists

SRC = Path(icp.__file__).parent


def test_the_seven_pathways_load_in_order() -> None:
    assert (
        tuple(load_all())
        == PATHWAY_IDS
        == (
            "frailty",
            "falls",
            "copd",
            "diabetes-foot",
            "stroke",
            "end-of-life",
            "smi",
        )
    )


@pytest.mark.parametrize("pathway_id", PATHWAY_IDS)
def test_each_cites_a_national_source_and_has_steps_owners_reviews_and_outcomes(pathway_id: str) -> None:
    pathway = pathways.get(pathway_id)
    assert any(s.publisher in ("NICE", "NHS England") for s in pathway.sources)
    assert all(s.url.startswith("https://") for s in pathway.sources)
    assert pathway.steps and pathway.outcome_measures and pathway.review_interval_days > 0
    assert all(step.owner_roles for step in pathway.steps)


@pytest.mark.parametrize("pathway_id", PATHWAY_IDS)
def test_every_code_said_to_be_verified_is_in_that_code_list_with_that_term(pathway_id: str) -> None:
    for step in pathways.get(pathway_id).steps:
        coding = step.intervention
        if coding.verified_in is None:
            assert coding.note.startswith("Unverified"), step.id
            continue
        with (SRC / coding.verified_in).open(encoding="utf-8") as handle:
            rows = {(row["code"], row["term"]) for row in csv.DictReader(handle)}
        assert (coding.code, coding.display) in rows, (step.id, coding.code)


@pytest.mark.parametrize("pathway_id", PATHWAY_IDS)
def test_registers_named_are_registers_the_stratification_computes(pathway_id: str) -> None:
    assert pathways.get(pathway_id).registers_named() <= set(codelists.registers())


def test_the_social_prescribing_codes_are_the_national_ones() -> None:
    with (SRC / "care/pathways/national_codes.csv").open(encoding="utf-8") as handle:
        codes = {row["code"]: row["term"] for row in csv.DictReader(handle)}
    assert codes == {
        "871731000000106": "Referral to social prescribing service",
        "871711000000103": "Social prescribing declined",
    }


def test_entry_criteria_read_registers_scores_flags_and_age() -> None:
    frail_faller = {"age": 82, "efi_category": "severe", "falls_12m": True, "registers": ["copd"]}
    assert pathways.eligible(frail_faller) == {
        "frailty": ["aged 65 or over", "efi category moderate or severe"],
        "falls": ["aged 65 or over", "falls in the last 12 months"],
        "copd": ["on the copd register"],
    }
    assert pathways.eligible({"age": 50, "efi_category": "severe", "registers": []}) == {}


def test_a_step_that_applies_only_to_some_people() -> None:
    stroke = pathways.get("stroke")
    assert [s.id for s in stroke.steps_for({"registers": ["stroke_tia"]})] == ["secondary-prevention-review"]
    with_af = stroke.steps_for({"registers": ["stroke_tia", "atrial_fibrillation"]})
    assert [s.id for s in with_af] == ["secondary-prevention-review", "af-anticoagulation"]


GOOD = (Path(pathways.definitions_folder()) / "copd.yaml").read_text(encoding="utf-8")


def test_a_bad_field_is_named_with_its_file_and_line() -> None:
    bad = GOOD.replace("review_interval_days: 365", "review_interval_days: often")
    with pytest.raises(PathwayError) as error:
        parse(bad, "copd.yaml")
    line = next(i for i, text in enumerate(bad.splitlines(), 1) if text.startswith("review_interval_days"))
    assert f"copd.yaml line {line}: review_interval_days:" in str(error.value)


def test_an_invented_role_or_unknown_field_is_refused() -> None:
    with pytest.raises(PathwayError, match=r"steps\.0\.owner_roles.*unknown owner role"):
        parse(GOOD.replace("owner_roles: [gp, practice_nurse]", "owner_roles: [wizard]", 1), "copd.yaml")
    with pytest.raises(PathwayError, match="Extra inputs are not permitted"):
        parse(GOOD + "colour: blue\n", "copd.yaml")


def test_a_code_without_verification_or_note_is_refused() -> None:
    bad = GOOD.replace("      verified_in: stratify/codelists/efi_codes.csv\n", "", 1)
    with pytest.raises(PathwayError, match="unverified"):
        parse(bad, "copd.yaml")


def test_broken_yaml_names_the_line() -> None:
    with pytest.raises(PathwayError, match=r"x\.yaml line 2: not valid YAML"):
        parse("id: x\ntitle: a: b\n", "x.yaml")
