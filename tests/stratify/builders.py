"""Build small warehouses for tests, row by row, in the warehouse's own schema."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from icp.records.warehouse import Warehouse

ICP = "NI-NOR-CA"
PRACTICE = "Z00001"

# One SNOMED CT code per eFI deficit, taken from the shipped list.
EFI_CODE = {
    "arthritis": "3723001",
    "atrial_fibrillation": "5370000",
    "ischemic_heart_disease": "1755008",
    "chronic_kidney_disease": "29738008",
    "diabetes": "4855003",
    "foot_problem": "47850008",
    "fragility_fracture": "5913000",
    "heart_failure": "10633002",
    "heart_valve_disorder": "48724000",
    "hypertension": "1201005",
    "osteoporosis": "14651005",
    "peptic_ulcer": "3483000",
    "skin_ulcer": "324007",
    "falls": "1912002",
}


@dataclass
class Records:
    """Rows for each warehouse table; `write` commits them as one batch."""

    icp: str = ICP
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            t: [] for t in ("patient", "condition", "observation", "medication", "encounter", "procedure")
        }
    )
    _ids: itertools.count = field(default_factory=itertools.count)
    # A person's clinical records go to their ICP, as ingest and synth put them.
    _icp_of: dict[str, str] = field(default_factory=dict)

    def _provenance(self, icp: str | None = None) -> dict[str, Any]:
        return {"icp": icp or self.icp, "source": "test", "batch_id": "test", "synthetic": True}

    def person(
        self,
        patient_id: str,
        *,
        born: dt.date,
        sex: str = "female",
        practice: str = PRACTICE,
        quintile: int | None = 3,
        died: dt.date | None = None,
        icp: str | None = None,
    ) -> str:
        self.rows["patient"].append(
            {
                "patient_id": patient_id,
                "sex": sex,
                "birth_date": born,
                "death_date": died,
                "practice_code": practice,
                "registered": True,
                "deprivation_quintile": quintile,
                **self._provenance(icp),
            }
        )
        if icp is not None:
            self._icp_of[patient_id] = icp
        return patient_id

    def code(
        self,
        patient_id: str,
        code: str | None,
        on: dt.date | None,
        *,
        system: str | None = "snomed",
        table: str = "condition",
        encounter: str | None = None,
        category: str | None = None,
        text: str | None = None,
    ) -> None:
        """A coded entry; `encounter` and `category` for a Condition recorded at an encounter, `text`
        for what the source wrote (an uncoded entry has `code` and `system` None)."""
        row_id = f"{table[:3]}{next(self._ids)}"
        row: dict[str, Any] = {
            "patient_id": patient_id,
            "code_system": system,
            "code": code,
            "display": text,
            "encounter_id": encounter,
            **self._provenance(self._icp_of.get(patient_id)),
        }
        if table == "condition":
            row.update(condition_id=row_id, onset_date=on, category=category)
        elif table == "observation":
            row.update(observation_id=row_id, effective_date=on)
        else:
            row.update(procedure_id=row_id, performed_date=on)
        self.rows[table].append(row)

    def measure(
        self, patient_id: str, code: str, on: dt.date, value: float, *, system: str = "snomed"
    ) -> None:
        self.rows["observation"].append(
            {
                "observation_id": f"obs{next(self._ids)}",
                "patient_id": patient_id,
                "code_system": system,
                "code": code,
                "effective_date": on,
                "value_number": value,
                **self._provenance(self._icp_of.get(patient_id)),
            }
        )

    def medicine(
        self,
        patient_id: str,
        code: str | None,
        start: dt.date,
        end: dt.date | None = None,
        status: str | None = None,
    ) -> None:
        self.rows["medication"].append(
            {
                "medication_id": f"med{next(self._ids)}",
                "patient_id": patient_id,
                "code_system": "dmd" if code else None,
                "code": code,
                "display": None if code else "a medicine named by text only",
                "kind": "request",
                "status": status,
                "start_date": start,
                "end_date": end,
                **self._provenance(self._icp_of.get(patient_id)),
            }
        )

    def encounter(
        self,
        patient_id: str,
        setting: str,
        start: dt.date,
        *,
        method: str | None = None,
        diagnoses: tuple[str, ...] = (),
        encounter_id: str | None = None,
    ) -> str:
        encounter_id = encounter_id or f"enc{next(self._ids)}"
        self.rows["encounter"].append(
            {
                "encounter_id": encounter_id,
                "patient_id": patient_id,
                "setting": setting,
                "admission_method": method,
                "start_date": start,
                "end_date": start,
                "diagnoses": [
                    {"code_system": "icd10", "code": code, "display": None, "rank": rank}
                    for rank, code in enumerate(diagnoses, start=1)
                ],
                **self._provenance(self._icp_of.get(patient_id)),
            }
        )
        return encounter_id

    def write(self, warehouse: Warehouse) -> Warehouse:
        with warehouse.batch(kind="test", source="test") as batch:
            for table, rows in self.rows.items():
                if rows:
                    # Every key any row has (from_pylist would take the first row's keys only).
                    keys = list(dict.fromkeys(key for row in rows for key in row))
                    batch.write(table, pa.Table.from_pylist([{k: row.get(k) for k in keys} for row in rows]))
        return warehouse
