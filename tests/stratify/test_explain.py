"""Each worklist row says why, in plain words."""

from __future__ import annotations

from icp.stratify.explain import reasons, sentence


def test_frailty_admissions_and_model_reasons() -> None:
    row = {
        "efi_category": "moderate",
        "efi_score": 11 / 36,
        "efi_in_range": True,
        "efi_deficit_list": ["falls", "polypharmacy", "heart_failure", "diabetes", "arthritis"],
        "emergency_admissions_12m": 2,
        "ae_attendances_12m": 1,
        "hfrs_category": "high",
        "hfrs_score": 16.2,
        "falls_12m": True,
        "polypharmacy_review": True,
        "medicines_12m": 11,
        "charlson_score": 4,
        "charlson_categories": ["chf", "diabwc"],
        "housebound": True,
        "lives_alone": None,
        "model_risk": 0.384,
        "tier": "very_high",
        "risk_factors": ["emergency_admissions_12m=+0.81", "age=+0.40"],
    }
    assert reasons(row) == [
        "moderate frailty (eFI 0.31: falls, polypharmacy, heart failure, diabetes, …)",
        "2 emergency admissions in 12 months",
        "1 A&E attendance in 12 months",
        "high hospital frailty risk (HFRS 16.2)",
        "a fall in the last 12 months",
        "11 medicines (polypharmacy review)",
        "Charlson index 4 (Congestive heart failure, Diabetes with chronic complication)",
        "housebound",
        "model risk 38% (very high tier): emergency admissions in the last year, age",
    ]


def test_under_65_efi_is_marked_out_of_range_and_fit_says_nothing() -> None:
    young = {
        "efi_category": "mild",
        "efi_score": 5 / 36,
        "efi_in_range": False,
        "efi_deficit_list": ["falls"],
    }
    assert reasons(young) == ["mild frailty (eFI 0.14: falls, under 65: outside the range eFI was built for)"]
    assert sentence({"efi_category": "fit", "tier": "low", "model_risk": 0.01}) == "no risk factors recorded"
