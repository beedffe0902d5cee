"""Bring the app database's patient index in line with the warehouse's `patient` table.

`sync_patient_index(areas=[…])` is called after every `icp synth` and `icp ingest`. For the given
ICPs it inserts or updates one `PatientIndex` row per warehouse patient (in bulk: `executemany` of one
INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike) and removes the rows of people no
longer in the warehouse for those ICPs, except rows that care records (consent choices, care
teams, referrals, …) still point at, which are kept and counted. One audit event records the
counts; no patient data goes to the log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.partnership.models import Area, Organisation
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse

BATCH_SIZE = 5000
COLUMNS = [
    "patient_id",
    "person_id",
    "national_id",
    "national_id_system",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "death_date",
    "practice_code",
    "registered",
    "deprivation_quintile",
    "synthetic",
    "source",
    "icp",
]
UPDATED_FIELDS = [
    "person_id",
    "national_id",
    "national_id_system",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "death_date",
    "practice",
    "icp",
    "registered",
    "deprivation_quintile",
    "synthetic",
    "source",
    "synced_at",
]


def _upsert_sql() -> str:
    """One INSERT … ON CONFLICT (patient_id) DO UPDATE for SQLite (3.24+) and PostgreSQL alike.

    Plain DB-API `executemany` rather than `bulk_create`: building 100,000 model instances and
    compiling their SQL costs far more than the database's own work."""
    quote = connection.ops.quote_name
    fields = {f.name: str(f.column) for f in PatientIndex._meta.concrete_fields}
    inserted = ["patient_id", *UPDATED_FIELDS]
    columns = ", ".join(quote(fields[name]) for name in inserted)
    placeholders = ", ".join(["%s"] * len(inserted))
    updates = ", ".join(f"{quote(fields[name])} = excluded.{quote(fields[name])}" for name in UPDATED_FIELDS)
    # Only the model's own table and column names (quoted) go into the text; values are parameters.
    return (
        f"INSERT INTO {quote(PatientIndex._meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({quote(fields['patient_id'])}) DO UPDATE SET {updates}"
    )


class SyncError(ValueError):
    """The warehouse names an ICP the partnership registry does not know."""


@dataclass(frozen=True)
class SyncSummary:
    areas: list[str]
    upserted: int
    removed: int
    kept_referenced: int
    unknown_practices: int


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _referenced(pks: Sequence[int]) -> set[int]:
    """Which of these patient index rows other app records point at (so must not be deleted)."""
    found: set[int] = set()
    for relation in PatientIndex._meta.related_objects:
        field = relation.field
        for chunk in _chunks(pks, 1000):
            found.update(
                relation.related_model._default_manager.filter(**{f"{field.name}__in": chunk})
                .values_list(field.attname, flat=True)
                .distinct()
            )
    return found


def sync_patient_index(
    *, areas: Sequence[str], warehouse: Warehouse | None = None, by: Any = None
) -> SyncSummary:
    """Upsert the warehouse's patients of `areas` into the patient index and drop the departed.

    `by` is the acting user (None for a command-line or scheduled job).
    """
    warehouse = warehouse or Warehouse()
    areas = sorted(set(areas))
    area_ids = dict(Area.objects.filter(code__in=areas).values_list("code", "id"))
    missing = [code for code in areas if code not in area_ids]
    if missing:
        raise SyncError(f"unknown ICP code(s) {', '.join(missing)}: run `icp load-structure` first?")
    practice_ids = dict(Organisation.objects.exclude(code="").values_list("code", "id"))
    table = warehouse.read_arrow("patient", areas, columns=COLUMNS)
    rows = table.to_pydict()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    practices = [practice_ids.get(code) if code else None for code in rows["practice_code"]]
    unknown_practices = sum(
        1 for code, pk in zip(rows["practice_code"], practices, strict=True) if code and pk is None
    )
    values = list(
        zip(
            rows["patient_id"],
            # Rows written before person_id existed are each a person of their own until linked.
            [
                person or patient
                for person, patient in zip(rows["person_id"], rows["patient_id"], strict=True)
            ],
            [value or "" for value in rows["national_id"]],
            [value or "" for value in rows["national_id_system"]],
            [(value or "")[:100] for value in rows["given_name"]],
            [(value or "")[:100] for value in rows["family_name"]],
            [value or "" for value in rows["sex"]],
            [ops.adapt_datefield_value(value) for value in rows["birth_date"]],
            [ops.adapt_datefield_value(value) for value in rows["death_date"]],
            practices,
            [area_ids[code] for code in rows["icp"]],
            [True if value is None else bool(value) for value in rows["registered"]],
            rows["deprivation_quintile"],
            [bool(value) for value in rows["synthetic"]],
            [(value or "")[:100] for value in rows["source"]],
            [now] * table.num_rows,
            strict=True,
        )
    )
    present = set(rows["patient_id"])
    with transaction.atomic():
        with connection.cursor() as cursor:
            for chunk in _chunks(values, BATCH_SIZE):
                cursor.executemany(_upsert_sql(), chunk)
        existing = PatientIndex.objects.filter(icp_id__in=area_ids.values()).values_list("id", "patient_id")
        departed = [
            pk for pk, patient_id in existing.iterator(chunk_size=BATCH_SIZE) if patient_id not in present
        ]
        kept = _referenced(departed) if departed else set()
        removable = [pk for pk in departed if pk not in kept]
        for chunk in _chunks(removable, 1000):
            PatientIndex.objects.filter(id__in=chunk).delete()
        summary = SyncSummary(areas, len(values), len(removable), len(kept), unknown_practices)
        record(
            action=EventType.CARE_PATIENT_INDEX_SYNC,
            actor=by,
            target_type="care.patientindex",
            detail={
                "areas": areas,
                "upserted": summary.upserted,
                "removed": summary.removed,
                "kept_referenced": summary.kept_referenced,
                "unknown_practices": unknown_practices,
            },
        )
    return summary
