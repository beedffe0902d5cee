"""FHIR R4 RiskAssessment resources for one person's results: one per score.

A pure mapping (dicts in FHIR R4 JSON shape), so the FHIR REST API (`icp.fhir`) can serve it under
the same access decision as the pages. Each resource carries the score's method (code and
citation), the value (`prediction.probabilityDecimal` for the model, an extension-free
`prediction.qualitativeRisk` text and `basis`-free `note` for the rule-based scores' categories),
the contributing deficits, codes or categories in `note`, and the synthetic-data label when the
record is synthetic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from icp.stratify.explain import charlson_labels, deficit_labels

ICP_SCORE_SYSTEM = "https://icp.example.org/fhir/CodeSystem/risk-score"
SCORES: dict[str, tuple[str, str]] = {
    "efi": (
        "Electronic Frailty Index (eFI)",
        "Clegg A et al. Age Ageing 2016;45(3):353-60. doi:10.1093/ageing/afw039",
    ),
    "hfrs": (
        "Hospital Frailty Risk Score (HFRS)",
        "Gilbert T et al. Lancet 2018;391:1775-82. doi:10.1016/S0140-6736(18)30668-8",
    ),
    "charlson": (
        "Charlson Comorbidity Index (Quan 2005 ICD-10 coding, Charlson 1987 weights)",
        "Charlson ME et al. J Chronic Dis 1987;40:373-83; Quan H et al. Med Care 2005;43:1130-9",
    ),
    "emergency_admission": (
        "icp emergency-admission risk model (12 months)",
        "Locally fitted LightGBM model; model card in docs/risk-stratification.md",
    ),
}


def _resource(
    row: Mapping[str, Any], score: str, patient_reference: str, prediction: dict[str, Any], notes: list[str]
) -> dict[str, Any]:
    title, citation = SCORES[score]
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        # FHIR ids allow [A-Za-z0-9-.], 64 characters: a stable hash of person, score and run.
        "id": "ra-"
        + hashlib.sha256(f"{row['patient_id']}|{score}|{row['batch_id']}".encode()).hexdigest()[:40],
        "status": "final",
        "subject": {"reference": patient_reference},
        "occurrenceDateTime": row["index_date"].isoformat(),
        "method": {
            "coding": [{"system": ICP_SCORE_SYSTEM, "code": score, "display": title}],
            "text": f"{title}. {citation}",
        },
        "prediction": [prediction],
        "note": [{"text": text} for text in notes],
    }
    if row.get("synthetic"):
        resource["meta"] = {
            "tag": [
                {
                    "system": "https://icp.example.org/fhir/tag",
                    "code": "synthetic",
                    "display": "Synthetic data",
                }
            ]
        }
    return resource


def risk_assessments(row: Mapping[str, Any], patient_reference: str) -> list[dict[str, Any]]:
    """One RiskAssessment per score for one person's row of a run (a risk_result row as a dict)."""
    out = []
    efi_notes = [
        f"Deficits ({row['efi_deficits']} of 36): " + ", ".join(deficit_labels(row["efi_deficit_list"] or []))
    ]
    if not row["efi_in_range"]:
        efi_notes.append("Under 65: outside the age range the eFI was developed for.")
    out.append(
        _resource(
            row,
            "efi",
            patient_reference,
            {"qualitativeRisk": {"text": f"{row['efi_category']} frailty (eFI {row['efi_score']:.2f})"}},
            efi_notes,
        )
    )
    hfrs_notes = [
        "ICD-10 codes scored (2 years of admitted care): " + (", ".join(row["hfrs_codes"] or []) or "none")
    ]
    if not row["hfrs_in_range"]:
        hfrs_notes.append("Under 75: outside the age range the HFRS was developed for.")
    out.append(
        _resource(
            row,
            "hfrs",
            patient_reference,
            {"qualitativeRisk": {"text": f"{row['hfrs_category']} (HFRS {row['hfrs_score']:.1f})"}},
            hfrs_notes,
        )
    )
    categories = charlson_labels(row["charlson_categories"] or [])
    out.append(
        _resource(
            row,
            "charlson",
            patient_reference,
            {"qualitativeRisk": {"text": f"Charlson index {row['charlson_score']}"}},
            [
                "Categories: " + (", ".join(categories) or "none"),
                f"Quan 2011 weights: {row['charlson_quan2011']}; age points: {row['charlson_age_points']}",
            ],
        )
    )
    if row.get("model_risk") is not None:
        out.append(
            _resource(
                row,
                "emergency_admission",
                patient_reference,
                {
                    "outcome": {"text": "Emergency hospital admission within 12 months"},
                    "probabilityDecimal": round(float(row["model_risk"]), 4),
                    "qualitativeRisk": {"text": f"{row['tier'].replace('_', ' ')} tier"},
                },
                [f"Model {row['model_version']}; main factors: " + ", ".join(row["risk_factors"] or [])],
            )
        )
    return out
