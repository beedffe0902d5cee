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
        for table, build in BY_TABLE.items():
            for row in _rows(warehouse.files(table, areas)):
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
