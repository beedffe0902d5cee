"""Load ECHO aggregate tables from CSV (`icp echo import FILE.csv`).

The file has a header row with these columns (extra columns are refused, so a typo is caught):

    network,period_start,period_end,sessions,participants[,topic,hub,audience,source]

Dates are ISO (YYYY-MM-DD); sessions and participants are whole numbers ≥ 0.

All or nothing: every row is checked first; if any row is bad, every bad row is reported with its
line number and nothing is loaded. An aggregate table is one report whose totals are read as a
whole; keeping the good rows would publish totals that look complete and are not. Loading is
idempotent: a row for a network and period already loaded replaces it, so a second import of the
same file changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import Outcome
from icp.governance.models import EchoAggregate, EchoNetwork

REQUIRED = ("network", "period_start", "period_end", "sessions", "participants")
OPTIONAL = ("topic", "hub", "audience", "source")
SEED_TABLE = "echo_networks_2020.csv"


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass(frozen=True)
class AggregateRow:
    line: int
    network: str
    period_start: date
    period_end: date
    sessions: int
    participants: int
    extra: dict[str, str]


@dataclass
class ImportResult:
    source: str
    rows: list[AggregateRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    networks_created: int = 0
    aggregates_created: int = 0
    aggregates_updated: int = 0

    @property
    def loaded(self) -> bool:
        return not self.problems

    @property
    def sessions(self) -> int:
        return sum(r.sessions for r in self.rows)

    @property
    def participants(self) -> int:
        return sum(r.participants for r in self.rows)


class EchoImportError(ValueError):
    """The file as a whole cannot be read (missing, not CSV, wrong header)."""


def _whole_number(value: str, line: int, name: str, problems: list[RowProblem]) -> int | None:
    text = value.strip().replace(",", "")
    if not text.isdigit():
        problems.append(RowProblem(line, name, f"expected a whole number ≥ 0, got {value!r}"))
        return None
    return int(text)


def _iso_date(value: str, line: int, name: str, problems: list[RowProblem]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(RowProblem(line, name, f"expected a date as YYYY-MM-DD, got {value!r}"))
        return None


def parse(text: str, source: str) -> ImportResult:
    """Check every row; return the good rows and every problem (nothing is written)."""
    result = ImportResult(source=source)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise EchoImportError(
            f"{source}, line 1 (header): {'; '.join(parts)}. Expected {', '.join(REQUIRED + OPTIONAL)}."
        )
    seen: dict[tuple[str, date, date], int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            result.problems.append(RowProblem(line, "(row)", f"more values than the {len(header)} columns"))
            continue
        if not any(row.values()):
            continue  # a blank line
        problems: list[RowProblem] = []
        name = row.get("network", "")
        if not name:
            problems.append(RowProblem(line, "network", "the network name is empty"))
        start = _iso_date(row.get("period_start", ""), line, "period_start", problems)
        end = _iso_date(row.get("period_end", ""), line, "period_end", problems)
        sessions = _whole_number(row.get("sessions", ""), line, "sessions", problems)
        participants = _whole_number(row.get("participants", ""), line, "participants", problems)
        if start and end and end < start:
            problems.append(RowProblem(line, "period_end", f"{end} is before the period start {start}"))
        if start and end and name:
            key = (name.casefold(), start, end)
            if key in seen:
                problems.append(
                    RowProblem(line, "network", f"{name!r} for this period is already on line {seen[key]}")
                )
            seen[key] = line
        if problems:
            result.problems.extend(problems)
            continue
        assert start and end and sessions is not None and participants is not None
        extra = {k: row[k] for k in OPTIONAL if row.get(k)}
        result.rows.append(AggregateRow(line, name, start, end, sessions, participants, extra))
    if not result.rows and not result.problems:
        result.problems.append(RowProblem(1, "(file)", "no data rows"))
    return result


def load(text: str, source: str) -> ImportResult:
    """Parse, and — only if every row is good — write all rows in one transaction."""
    result = parse(text, source)
    if result.problems:
        record(
            action=EventType.ECHO_IMPORT,
            target_type="file",
            target_id=Path(source).name[:64],
            outcome=Outcome.FAILED,
            reason=f"{len(result.problems)} bad rows",
            detail={"source": source},
        )
        return result
    with transaction.atomic():
        for row in result.rows:
            defaults: dict[str, Any] = {
                k: row.extra[k] for k in ("topic", "hub", "audience") if k in row.extra
            }
            network, created = EchoNetwork.objects.get_or_create(name=row.network, defaults=defaults)
            result.networks_created += int(created)
            _, made = EchoAggregate.objects.update_or_create(
                network=network,
                period_start=row.period_start,
                period_end=row.period_end,
                defaults={
                    "sessions": row.sessions,
                    "participants": row.participants,
                    "source": row.extra.get("source", source)[:400],
                },
            )
            result.aggregates_created += int(made)
            result.aggregates_updated += int(not made)
        record(
            action=EventType.ECHO_IMPORT,
            target_type="file",
            target_id=Path(source).name[:64],
            detail={
                "source": source,
                "rows": len(result.rows),
                "sessions": result.sessions,
                "participants": result.participants,
            },
        )
    return result


def load_file(path: Path) -> ImportResult:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise EchoImportError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise EchoImportError(f"{path}: not UTF-8 text (byte {error.start})") from error
    return load(text, str(path))


def seed_table_text() -> str:
    return (
        resources.files("icp.governance.echo").joinpath("reference", SEED_TABLE).read_text(encoding="utf-8")
    )


def load_seed_table() -> ImportResult:
    """Load the 21 networks of the 2020 COVID-19 ECHO table shipped with icp (see reference/SOURCE.md)."""
    return load(seed_table_text(), f"icp.governance.echo/reference/{SEED_TABLE}")
