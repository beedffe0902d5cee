"""Why a person is on a worklist, in plain words, from one row of a run's results.

For example: "moderate frailty (eFI 0.31: falls, polypharmacy, heart failure, …); 2 emergency
admissions in 12 months; model risk 38% (very high tier): emergency admissions in the last year,
age, heart failure".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from icp.stratify import codelists
from icp.stratify.features import feature_words
from icp.stratify.tiers import TIER_LABELS

SHOWN_DEFICITS = 4


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def deficit_labels(keys: Sequence[str]) -> list[str]:
    labels = {d.key: d.label for d in codelists.efi_deficits()}
    return [labels.get(key, key) for key in keys]


def charlson_labels(keys: Sequence[str]) -> list[str]:
    labels = {c.key: c.label for c in codelists.charlson_categories()}
    return [labels.get(key, key) for key in keys]


def reasons(row: Mapping[str, Any]) -> list[str]:
    """Plain-words reasons, most important first; an empty list when nothing stands out."""
    out: list[str] = []
    category = row.get("efi_category")
    if category and category != "fit":
        labels = deficit_labels(row.get("efi_deficit_list") or [])
        shown = ", ".join(labels[:SHOWN_DEFICITS]) + (", …" if len(labels) > SHOWN_DEFICITS else "")
        note = "" if row.get("efi_in_range", True) else ", under 65: outside the range eFI was built for"
        out.append(f"{category} frailty (eFI {row['efi_score']:.2f}: {shown}{note})")
    admissions = int(row.get("emergency_admissions_12m") or 0)
    if admissions:
        out.append(_plural(admissions, "emergency admission") + " in 12 months")
    attendances = int(row.get("ae_attendances_12m") or 0)
    if attendances:
        out.append(_plural(attendances, "A&E attendance") + " in 12 months")
    if row.get("hfrs_category") in ("intermediate", "high"):
        out.append(f"{row['hfrs_category']} hospital frailty risk (HFRS {row['hfrs_score']:.1f})")
    if row.get("falls_12m"):
        out.append("a fall in the last 12 months")
    if row.get("polypharmacy_review"):
        out.append(f"{row['medicines_12m']} medicines (polypharmacy review)")
    if int(row.get("charlson_score") or 0) >= 3:
        labels = charlson_labels(row.get("charlson_categories") or [])
        out.append(f"Charlson index {row['charlson_score']} ({', '.join(labels)})")
    for flag, words in (
        ("housebound", "housebound"),
        ("lives_alone", "lives alone"),
        ("carer", "is a carer"),
    ):
        if row.get(flag):
            out.append(words)
    risk = row.get("model_risk")
    if risk is not None and row.get("tier") in ("very_high", "high"):
        factors = [feature_words(f.split("=")[0]) for f in row.get("risk_factors") or []]
        because = f": {', '.join(factors)}" if factors else ""
        out.append(f"model risk {risk:.0%} ({TIER_LABELS[row['tier']].lower()} tier){because}")
    return out


def sentence(row: Mapping[str, Any]) -> str:
    found = reasons(row)
    return "; ".join(found) if found else "no risk factors recorded"
