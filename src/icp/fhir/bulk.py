"""`export_fhir`: write the warehouse (or some ICPs of it) as FHIR R4 Bulk Data NDJSON.

One file per resource type (Patient, Condition, Observation, MedicationStatement, MedicationRequest,
Encounter, Procedure) and a Bulk Data export manifest (`manifest.json`). Every resource is built by
`icp.fhir.mapping`, the mapping the REST API serves too, so a row leaves the platform the same way
by either door, and exporting then ingesting again gives the same tables. Files are written in
Arrow batches, so memory stays bounded. Pure Python, like the mapping: the command line calls it
without Django.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import pyarrow.compute as pc
import pyarrow.parquet as pq

from icp.fhir.mapping import BY_TABLE, Row
from icp.records.warehouse import Warehouse


@dataclass
class ExportResult:
    out: Path
    counts: dict[str, int] = field(default_factory=dict)  # resource type → resources written
    manifest: Path | None = None


def _rows(files: Sequence[Path]) -> Iterator[Row]:
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000):
            yield from batch.to_pylist()


def _linked_ids(warehouse: Warehouse, areas: Sequence[str] | None) -> dict[str, list[str]]:
    """Each linked source record's other records of the same person (record linkage), for the
    Patient's "seealso" links; records of a person of their own are not listed."""
    records = warehouse.read_arrow("patient", areas, columns=["patient_id", "person_id"])
    if records.num_rows == 0:
        return {}
    groups = records.group_by("person_id").aggregate([("patient_id", "list"), ("patient_id", "count")])
    linked = groups.filter(pc.greater(groups.column("patient_id_count"), 1))
    found: dict[str, list[str]] = {}
    for members in linked.column("patient_id_list").to_pylist():
        for member in members:
            found[member] = sorted(other for other in members if other != member)
    return found


def export_fhir(
    out: Path | str,
    *,
    warehouse: Warehouse | None = None,
    areas: Sequence[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ExportResult:
    """Write every clinical table (of `areas`, or all) to `out` as Bulk Data NDJSON + manifest.json."""
    warehouse = warehouse or Warehouse()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult(out=out)
    handles: dict[str, TextIO] = {}
    with contextlib.ExitStack() as stack:
        linked = _linked_ids(warehouse, areas) if warehouse.files("patient", areas) else {}
        for table, build in BY_TABLE.items():
            for row in _rows(warehouse.files(table, areas)):
                if table == "patient" and row["patient_id"] in linked:
                    row["linked_ids"] = linked[row["patient_id"]]
                resource = build(row)
                resource_type = resource["resourceType"]
                handle = handles.get(resource_type)
                if handle is None:
                    path = out / f"{resource_type}.ndjson"
                    handle = handles[resource_type] = stack.enter_context(open(path, "w", encoding="utf-8"))
                handle.write(json.dumps(resource, separators=(",", ":")) + "\n")
                result.counts[resource_type] = result.counts.get(resource_type, 0) + 1
            if progress:
                progress(table, sum(result.counts.values()))
    manifest = {
        "transactionTime": datetime.now(UTC).isoformat(timespec="seconds"),
        "request": "icp export fhir" + (f" --area {' --area '.join(areas)}" if areas else ""),
        "requiresAccessToken": False,
        "output": [
            {
                "type": resource_type,
                "url": (out / f"{resource_type}.ndjson").resolve().as_uri(),
                "count": count,
            }
            for resource_type, count in result.counts.items()
        ],
        "error": [],
    }
    result.manifest = out / "manifest.json"
    result.manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return result
