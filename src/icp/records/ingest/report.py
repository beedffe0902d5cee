"""What an ingest did: per resource type, how many were read, accepted, skipped, put aside and uncoded;
how many admissions came with an admission method; the data-quality conflicts found."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

UNREADABLE = "(unreadable line)"


@dataclass
class TypeCounts:
    read: int = 0
    accepted: int = 0
    skipped: int = 0
    put_aside: int = 0
    uncoded: int = 0  # accepted with a code as text only (or none), kept for people to read


@dataclass
class IngestReport:
    """The outcome of one `ingest` call. `batch_id` is None when nothing new was loaded."""

    batch_id: str | None = None
    source: str = ""
    files: list[Path] = field(default_factory=list)
    already_loaded: dict[Path, str] = field(default_factory=dict)  # file → batch that loaded it
    by_type: dict[str, TypeCounts] = field(default_factory=dict)
    table_rows: dict[str, int] = field(default_factory=dict)
    quarantine_path: Path | None = None
    replaced_batches: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)  # ICPs whose rows this load added or replaced
    seconds: float = 0.0
    unknown_practices: int = 0
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per step
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU seconds (all threads) per step
    admitted: int = 0  # inpatient encounters accepted
    admitted_without_method: int = 0  # of which the source gave no admission method (no signal)
    admissions_by_method: dict[str, int] = field(default_factory=dict)
    unresolved_diagnoses: int = 0  # encounters kept with a diagnosis reference found nowhere
    quality: list[tuple[str, int]] = field(default_factory=list)  # data-quality conflicts: (kind, count)

    def counts(self, resource_type: str) -> TypeCounts:
        return self.by_type.setdefault(resource_type, TypeCounts())

    @property
    def read(self) -> int:
        return sum(c.read for c in self.by_type.values())

    @property
    def accepted(self) -> int:
        return sum(c.accepted for c in self.by_type.values())

    @property
    def skipped(self) -> int:
        return sum(c.skipped for c in self.by_type.values())

    @property
    def uncoded(self) -> int:
        return sum(c.uncoded for c in self.by_type.values())

    @property
    def put_aside(self) -> int:
        return sum(c.put_aside for c in self.by_type.values())

    @property
    def exit_status(self) -> int:
        """0 when nothing was put aside, 3 when something was (2 is the CLI's, for bad arguments)."""
        return 3 if self.put_aside else 0


# Warehouse table → the FHIR resource type its rows came from (medication: by its `kind`).
_TYPE_OF_TABLE = {
    "condition": "Condition",
    "observation": "Observation",
    "procedure": "Procedure",
    "encounter": "Encounter",
}
_TYPE_OF_MEDICATION_KIND = {"statement": "MedicationStatement", "request": "MedicationRequest"}


def tally(report: IngestReport, table: str, rows: pa.Table) -> None:
    """Count what a batch of accepted rows holds for the report: uncoded entries and admissions."""
    if "code" in rows.column_names and table != "patient":
        uncoded = rows.filter(pc.is_null(rows.column("code")))
        if table == "medication":
            for kind, count in Counter(uncoded.column("kind").to_pylist()).items():
                report.counts(_TYPE_OF_MEDICATION_KIND.get(kind or "", "MedicationRequest")).uncoded += count
        elif uncoded.num_rows:
            report.counts(_TYPE_OF_TABLE[table]).uncoded += uncoded.num_rows
    if table == "encounter":
        # A regular expression (an option), not a Python scalar: converting one imports pandas.
        admitted = rows.filter(pc.match_substring_regex(rows.column("setting"), pattern="^inpatient$"))
        report.admitted += admitted.num_rows
        for method, count in Counter(admitted.column("admission_method").to_pylist()).items():
            if method is None:
                report.admitted_without_method += count
            else:
                report.admissions_by_method[method] = report.admissions_by_method.get(method, 0) + count
