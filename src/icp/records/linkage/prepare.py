"""The identity fields a record offers for linkage, cleaned the same way whatever the source.

Sources write the same name differently (`O'Neill`, `ONEILL`, `o neill`), so names keep lower-case
letters only. A national number counts only when valid (`icp.records.identifiers.is_valid`); an
invalid or placeholder number is treated as missing, never as evidence. Sex is `female` or `male`
(anything else is unknown). The postcode is the outward code (`BT52`), the only part the
warehouse keeps.
"""

from __future__ import annotations

import re

import pyarrow as pa

from icp.records.identifiers import is_valid, normalise

# The `patient` columns linkage reads.
PATIENT_COLUMNS = [
    "patient_id",
    "source",
    "national_id",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "postcode_district",
    "registered",
]
_NOT_LETTERS = re.compile(r"[^a-z]")


def clean_name(name: str | None) -> str | None:
    if not name:
        return None
    cleaned = _NOT_LETTERS.sub("", name.lower())
    return cleaned or None


def clean_postcode(district: str | None) -> str | None:
    if not district:
        return None
    cleaned = district.replace(" ", "").upper()
    return cleaned or None


def linkage_records(patient: pa.Table) -> pa.Table:
    """One linkage record per `patient` row (columns `PATIENT_COLUMNS` needed), cleaned."""
    rows = patient.select(PATIENT_COLUMNS).to_pydict()
    numbers = [normalise(value) for value in rows["national_id"]]
    return pa.table(
        {
            "unique_id": pa.array(rows["patient_id"], pa.string()),
            "source": pa.array(rows["source"], pa.string()),
            "national_id": pa.array([n if is_valid(n) else None for n in numbers], pa.string()),
            "given_name": pa.array([clean_name(v) for v in rows["given_name"]], pa.string()),
            "family_name": pa.array([clean_name(v) for v in rows["family_name"]], pa.string()),
            "birth_date": pa.array(
                [v.isoformat() if v is not None else None for v in rows["birth_date"]], pa.string()
            ),
            "sex": pa.array([v if v in ("female", "male") else None for v in rows["sex"]], pa.string()),
            "postcode_district": pa.array(
                [clean_postcode(v) for v in rows["postcode_district"]], pa.string()
            ),
            "registered": pa.array([bool(v) for v in rows["registered"]], pa.bool_()),
        }
    )
