"""Bring the app database's patient index in line with the warehouse's `patient` table.

`sync_patient_index(areas=[…])` is called after every `icp synth` and `icp ingest`. For the given
ICPs it inserts or updates one `PatientIndex` row per warehouse patient (in bulk: one upsert
statement per few thousand rows, on SQLite and PostgreSQL alike) and removes the rows of people no
longer in the warehouse for those ICPs, except rows that care records (consent choices, care
teams, referrals, …) still point at, which are kept and counted. One audit event records the
counts; no patient data goes to the log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from icp.audit.log import record
from icp.care.models import PatientIndex
from icp.partnership.models import Area, Organisation
from icp.records.warehouse import Warehouse

BATCH_SIZE = 5000
COLUMNS = [
    "patient_id",
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
    now = timezone.now()
    unknown_practices = 0
    objects = []
    for index in range(table.num_rows):
        practice_code = rows["practice_code"][index]
        practice_id = practice_ids.get(practice_code) if practice_code else None
        if practice_code and practice_id is None:
            unknown_practices += 1
        quintile = rows["deprivation_quintile"][index]
        objects.append(
            PatientIndex(
                patient_id=rows["patient_id"][index],
                national_id=rows["national_id"][index] or "",
                national_id_system=rows["national_id_system"][index] or "",
                given_name=(rows["given_name"][index] or "")[:100],
                family_name=(rows["family_name"][index] or "")[:100],
                sex=rows["sex"][index] or "",
                birth_date=rows["birth_date"][index],
                death_date=rows["death_date"][index],
                practice_id=practice_id,
                icp_id=area_ids[rows["icp"][index]],
                registered=bool(rows["registered"][index]) if rows["registered"][index] is not None else True,
                deprivation_quintile=int(quintile) if quintile is not None else None,
                synthetic=bool(rows["synthetic"][index]),
                source=(rows["source"][index] or "")[:100],
                synced_at=now,
            )
        )
    present = set(rows["patient_id"])
    with transaction.atomic():
        for chunk in _chunks(objects, BATCH_SIZE):
            PatientIndex.objects.bulk_create(
                chunk,
                update_conflicts=True,
                unique_fields=["patient_id"],
                update_fields=UPDATED_FIELDS,
            )
        existing = PatientIndex.objects.filter(icp_id__in=area_ids.values()).values_list("id", "patient_id")
        departed = [
            pk for pk, patient_id in existing.iterator(chunk_size=BATCH_SIZE) if patient_id not in present
        ]
        kept = _referenced(departed) if departed else set()
        removable = [pk for pk in departed if pk not in kept]
        for chunk in _chunks(removable, 1000):
            PatientIndex.objects.filter(id__in=chunk).delete()
        summary = SyncSummary(areas, len(objects), len(removable), len(kept), unknown_practices)
        record(
            action="care.patient_index.sync",
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
