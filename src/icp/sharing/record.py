"""Read one person's record from the warehouse, one section at a time, behind an allowed decision.

Each reader takes the `Decision` that allowed it and refuses to run without one for exactly that
person and category, so a section cannot be read by code that skipped `policy.decide`. The query
is DuckDB over the committed Parquet files of the person's ICP only, filtered to the source
records linked to the same person (`PatientIndex.person_id`, docs/linkage.md): the GP's, the
trust's, the council's rows together, each row saying its `source`. Ids are bound as parameters,
never formatted into SQL.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import duckdb
from django.core.exceptions import PermissionDenied

from icp.patients.models import PatientIndex
from icp.patients.relationships import records_of_person
from icp.records.warehouse import Warehouse
from icp.sharing.policy import Decision
from icp.sharing.vocabulary import DataCategory

RECENT_ROWS = 50

_database: tuple[int, duckdb.DuckDBPyConnection] | None = None
_database_lock = threading.Lock()


def _cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this process's one in-memory DuckDB database, for one query.

    Opening a DuckDB database costs about 100 ms (its thread pool and catalogue), more than the
    query over a person's rows; a cursor on an open one costs well under a millisecond. So a record
    page's section reads, and every request a server process handles, share one database, each query
    on its own cursor (DuckDB's way to use a database from several threads). The database holds
    nothing: each query reads the Parquet files it names. A forked process opens its own.
    """
    global _database
    with _database_lock:
        if _database is None or _database[0] != os.getpid():
            _database = (os.getpid(), duckdb.connect())
        return _database[1].cursor()


@dataclass(frozen=True)
class Section:
    table: str
    columns: tuple[str, ...]
    order_by: str


# The warehouse table behind each category the record shows, with the columns the page and the FHIR
# mapping (`icp.fhir.mapping`) need (care plans, social care and safeguarding live in the app
# database once pathways land; the warehouse has none of them).
SECTIONS: dict[str, Section] = {
    DataCategory.CONDITIONS: Section(
        "condition",
        (
            "condition_id",
            "code_system",
            "code",
            "display",
            "onset_date",
            "abatement_date",
            "clinical_status",
            "category",
            "recorded_date",
            "encounter_id",
            "source",
            "synthetic",
        ),
        "onset_date DESC NULLS LAST, condition_id",
    ),
    DataCategory.MEDICATIONS: Section(
        "medication",
        (
            "medication_id",
            "code_system",
            "code",
            "display",
            "kind",
            "status",
            "start_date",
            "end_date",
            "encounter_id",
            "source",
            "synthetic",
        ),
        "(status = 'active') DESC, start_date DESC NULLS LAST, medication_id",
    ),
    DataCategory.OBSERVATIONS: Section(
        "observation",
        (
            "observation_id",
            "code_system",
            "code",
            "display",
            "effective_date",
            "value_number",
            "value_unit",
            "value_code_system",
            "value_code",
            "value_display",
            "value_text",
            "encounter_id",
            "source",
            "synthetic",
        ),
        "effective_date DESC NULLS LAST, observation_id",
    ),
    DataCategory.ENCOUNTERS: Section(
        "encounter",
        (
            "encounter_id",
            "setting",
            "admission_method",
            "type_code_system",
            "type_code",
            "type_display",
            "start_date",
            "end_date",
            "provider_code",
            "diagnoses",
            "source",
            "synthetic",
        ),
        "start_date DESC NULLS LAST, encounter_id",
    ),
}


# What a category shows beside its own table, under the same decision: procedures sit with the
# encounters (hospital and community activity). Entries with text but no code (`code` empty) are
# shown like any other, marked "not coded" on the page.
RELATED: dict[str, Section] = {
    DataCategory.ENCOUNTERS: Section(
        "procedure",
        (
            "procedure_id",
            "code_system",
            "code",
            "display",
            "performed_date",
            "encounter_id",
            "source",
            "synthetic",
        ),
        "performed_date DESC NULLS LAST, procedure_id",
    ),
}


def _person(patient: PatientIndex) -> tuple[list[str], list[str]]:
    """The ICPs and the patient ids of every source record of the patient's person.

    Asked once per patient object (a page reads several sections of one record): kept on it.
    """
    cached: tuple[list[str], list[str]] | None = getattr(patient, "_person_records", None)
    if cached is None:
        rows = list(records_of_person(patient).values_list("icp__code", "patient_id"))
        cached = sorted({icp for icp, _id in rows}), sorted(patient_id for _icp, patient_id in rows)
        patient._person_records = cached  # type: ignore[attr-defined]
    return cached


def linked_sources(patient: PatientIndex) -> list[PatientIndex]:
    """The person's source records, the patient's own first (for the page to say what it shows)."""
    return sorted(records_of_person(patient), key=lambda record: (record.pk != patient.pk, record.patient_id))


def _check(decision: Decision, patient: PatientIndex, category: str) -> None:
    if not decision.allowed or decision.patient_id != patient.patient_id or decision.category != category:
        raise PermissionDenied("This section of the record needs an allowed access decision.")


def read_section(
    decision: Decision,
    patient: PatientIndex,
    category: str,
    *,
    warehouse: Warehouse | None = None,
    limit: int = RECENT_ROWS,
    record_id: str | None = None,
    related: bool = False,
) -> list[dict[str, Any]]:
    """Rows of one section of one person's record, newest first (at most `limit`).

    `record_id` narrows to one row (the FHIR read of a single Condition, say); `related` reads the
    table shown beside the category's own (RELATED: procedures with the encounters).
    """
    _check(decision, patient, category)
    section = RELATED.get(category) if related else SECTIONS.get(category)
    if section is None:
        return []
    warehouse = warehouse or Warehouse()
    icps, records = _person(patient)
    files = [str(path) for path in warehouse.files(section.table, icps)]
    if not files:
        return []
    id_column = section.columns[0]
    where = "list_contains(?, patient_id)"
    params: list[Any] = [files, records]
    if record_id is not None:
        where += f" AND {id_column} = ?"
        params.append(record_id)
    params.append(int(limit))
    sql = (
        f"SELECT {', '.join(section.columns)} FROM read_parquet(?) "  # noqa: S608 - names are constants
        f"WHERE {where} ORDER BY {section.order_by} LIMIT ?"
    )
    with _cursor() as con:
        result = con.execute(sql, params)
        names = [column[0] for column in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def read_section_and_total(
    decision: Decision,
    patient: PatientIndex,
    category: str,
    *,
    warehouse: Warehouse | None = None,
    limit: int = RECENT_ROWS,
) -> tuple[list[dict[str, Any]], int]:
    """The newest rows of a section (at most `limit`) and how many it has in all, in one query (the
    record page shows both: one pass over the files instead of two)."""
    _check(decision, patient, category)
    section = SECTIONS.get(category)
    if section is None:
        return [], 0
    warehouse = warehouse or Warehouse()
    icps, records = _person(patient)
    files = [str(path) for path in warehouse.files(section.table, icps)]
    if not files:
        return [], 0
    sql = (
        f"SELECT {', '.join(section.columns)}, count(*) OVER () FROM read_parquet(?) "  # noqa: S608
        f"WHERE list_contains(?, patient_id) ORDER BY {section.order_by} LIMIT ?"
    )
    with _cursor() as con:
        found = con.execute(sql, [files, records, max(int(limit), 1)]).fetchall()
    total = int(found[0][-1]) if found else 0
    rows = [dict(zip(section.columns, row[:-1], strict=True)) for row in found[: max(int(limit), 0)]]
    return rows, total


def count_rows(
    decision: Decision, patient: PatientIndex, category: str, *, warehouse: Warehouse | None = None
) -> int:
    """How many rows the section has in all (the page says when it shows only the latest)."""
    _check(decision, patient, category)
    section = SECTIONS.get(category)
    if section is None:
        return 0
    warehouse = warehouse or Warehouse()
    icps, records = _person(patient)
    files = [str(path) for path in warehouse.files(section.table, icps)]
    if not files:
        return 0
    with _cursor() as con:
        row = con.execute(
            "SELECT count(*) FROM read_parquet(?) WHERE list_contains(?, patient_id)", [files, records]
        ).fetchone()
    return int(row[0]) if row else 0


def find_owner(
    category: str, record_id: str, icp_code: str, *, warehouse: Warehouse | None = None
) -> str | None:
    """Whose record a row id belongs to, within one ICP: the opaque patient id, or None.

    Reading one resource by id (FHIR `Condition/<id>`) needs the person before the decision can be
    asked; this returns only the owner's opaque id, never the row, and the caller then decides.
    """
    section = SECTIONS.get(category)
    if section is None:
        return None
    warehouse = warehouse or Warehouse()
    files = [str(path) for path in warehouse.files(section.table, [icp_code])]
    if not files:
        return None
    sql = f"SELECT patient_id FROM read_parquet(?) WHERE {section.columns[0]} = ? LIMIT 1"  # noqa: S608
    with _cursor() as con:
        row = con.execute(sql, [files, record_id]).fetchone()
    return str(row[0]) if row else None
