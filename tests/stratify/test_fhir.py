"""Each score maps to a valid FHIR R4 RiskAssessment carrying its method, value and contributors."""

from __future__ import annotations

from fhir.resources.riskassessment import RiskAssessment

from icp.stratify.fhir import risk_assessments
from tests.care.risk_rows import result_row


def test_one_valid_risk_assessment_per_score() -> None:
    resources = risk_assessments(result_row("pt-alice-0001", "Z00001"), "Patient/pt-alice-0001")
    assert [r["method"]["coding"][0]["code"] for r in resources] == [
        "efi",
        "hfrs",
        "charlson",
        "emergency_admission",
    ]
    for resource in resources:
        parsed = RiskAssessment.model_validate(resource)
        assert parsed.subject.reference == "Patient/pt-alice-0001"
        assert parsed.meta.tag[0].code == "synthetic"
    efi, hfrs, charlson, model = resources
    assert efi["prediction"][0]["qualitativeRisk"]["text"] == "moderate frailty (eFI 0.31)"
    assert "falls, polypharmacy, heart failure, diabetes" in efi["note"][0]["text"]
    assert "F00" in hfrs["note"][0]["text"]
    assert "Congestive heart failure" in charlson["note"][0]["text"]
    assert model["prediction"][0]["probabilityDecimal"] == 0.41


def test_out_of_range_ages_are_noted() -> None:
    row = result_row("pt-young", "Z00001", age=50, efi_in_range=False, hfrs_in_range=False)
    efi, hfrs, *_rest = risk_assessments(row, "Patient/pt-young")
    assert "Under 65" in efi["note"][1]["text"] and "Under 75" in hfrs["note"][1]["text"]
