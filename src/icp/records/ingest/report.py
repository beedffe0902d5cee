"""What an ingest did: per resource type, how many were read, accepted, skipped and put aside."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

UNREADABLE = "(unreadable line)"


@dataclass
class TypeCounts:
    read: int = 0
    accepted: int = 0
    skipped: int = 0
    put_aside: int = 0


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
    def put_aside(self) -> int:
        return sum(c.put_aside for c in self.by_type.values())

    @property
    def exit_status(self) -> int:
        """0 when nothing was put aside, 3 when something was (2 is the CLI's, for bad arguments)."""
        return 3 if self.put_aside else 0
