"""A person's risk detail is stored as one JSON array in its fields' order and read back whole."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from icp.patients.models import RiskResult
from icp.patients.risk_detail import FIELDS, RiskDetail, RiskDetailField


def test_a_detail_round_trips_through_its_stored_text() -> None:
    detail = RiskDetail(
        efi_score=11 / 36,
        efi_deficits=11,
        efi_deficit_list=["falls", "polypharmacy"],
        hfrs_score=7.1,
        registers=["copd"],
        lives_alone=None,
        housebound=True,
        risk_factors=['say "why"'],
    )
    text = detail.to_json()
    assert text.startswith("[") and len(json.loads(text)) == len(FIELDS)
    assert RiskDetail.from_json(text) == detail


def test_flags_written_as_0_and_1_by_sqlite_json_read_back_as_booleans() -> None:
    # A row migrated on SQLite (patients 0008) has its flags as 0 and 1.
    values = [0.25, 9, 1, [], 5.5, 0, [], 3, 3, 4, [], ["copd"], 2, 0, 1, 0, 0, None, 1, 1, 0, []]
    detail = RiskDetail.from_json(json.dumps(values))
    assert (detail.efi_in_range, detail.hfrs_in_range, detail.housebound, detail.falls_12m) == (
        True,
        False,
        True,
        True,
    )
    assert detail.lives_alone is None and detail.medicines_12m == 2 and detail.registers == ["copd"]


def test_text_that_is_not_a_detail_is_refused_with_what_was_expected() -> None:
    with pytest.raises(ValueError, match="a JSON array of 22 values"):
        RiskDetail.from_json("[1, 2]")
    with pytest.raises(ValidationError):
        RiskDetailField().to_python('{"efi_score": 1}')


def test_the_field_writes_what_dumpdata_reads_back() -> None:
    result = RiskResult(detail=RiskDetail(efi_score=0.5, registers=["smi"]))
    field = RiskResult._meta.get_field("detail")
    assert isinstance(field, RiskDetailField)
    assert field.to_python(field.value_to_string(result)) == result.detail
