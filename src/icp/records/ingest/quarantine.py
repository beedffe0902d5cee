"""The quarantine file: one JSON line per input record that was put aside, with where and why.

Each line: {"file", "line" (NDJSON line number) or "entry" (1-based Bundle entry), "resourceType",
"id", "reason", "record"}. `record` is the original line (or the Bundle entry's resource) so that it
can be corrected and loaded again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import duckdb
import pyarrow as pa

from icp.records.ingest.sources import InputFile, ndjson_lines, read_bundle

ALL_REJECTS = """
SELECT file_id, line, resource_type, resource_id, reason, raw, NULL::BIGINT AS stage_row FROM stage
WHERE reason IS NOT NULL
UNION ALL SELECT file_id, line, NULL, NULL, reason, raw, NULL FROM unreadable
UNION ALL SELECT file_id, line, resource_type, resource_id, reason, raw, stage_row FROM stage2_rejects
"""


def fill_missing_text(con: duckdb.DuckDBPyConnection, files: Sequence[InputFile]) -> None:
    """Find the line number and text of stage-2 rejects read on the fast path (they have neither)."""
    con.execute("ALTER TABLE stage2_rejects ADD COLUMN IF NOT EXISTS raw VARCHAR")
    wanted = con.execute("SELECT DISTINCT file_id FROM stage2_rejects").fetchall()
    for (file_id,) in wanted:
        file = files[file_id]
        if file.format == "bundle":
            entries, _ = read_bundle(file.path)
            lines = pa.table(
                {
                    "line": pa.array(range(1, len(entries.texts) + 1), pa.int64()),
                    "text": pa.array(entries.texts, pa.binary()).cast(pa.string()),
                }
            )
            con.register("located", lines)
            con.execute(
                "UPDATE stage2_rejects SET raw = l.text FROM located l "
                f"WHERE stage2_rejects.file_id = {file_id} AND l.line = stage2_rejects.line"
            )
            con.unregister("located")
            continue
        # NDJSON: match by line when known, else by (type, id, occurrence) in file order.
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE wanted_rows AS
            SELECT r.stage_row, r.line, r.resource_type, r.resource_id, o.nth
            FROM stage2_rejects r
            LEFT JOIN (SELECT stage_row, row_number() OVER (
                           PARTITION BY resource_type, resource_id ORDER BY stage_row) AS nth
                       FROM stage WHERE file_id = {file_id}) o ON o.stage_row = r.stage_row
            WHERE r.file_id = {file_id}"""
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE seen (line BIGINT, resource_type VARCHAR, id VARCHAR, text VARCHAR)"
        )
        for first_line, chunk in ndjson_lines(file.path):
            table = pa.table(
                {"line": pa.array(range(first_line, first_line + len(chunk)), pa.int64()), "text": chunk}
            )
            con.register("chunk", table)
            con.execute(
                """INSERT INTO seen SELECT c.line, j.resourceType, j.id, rtrim(c.text, chr(10) || chr(13))
                FROM (SELECT line, text, from_json(text, '{"resourceType": "VARCHAR", "id": "VARCHAR"}') AS j
                      FROM chunk WHERE json_valid(text)) c
                WHERE c.line IN (SELECT line FROM wanted_rows)
                   OR (c.j.resourceType, c.j.id) IN (SELECT (resource_type, resource_id) FROM wanted_rows)"""
            )
            con.unregister("chunk")
        con.execute(
            f"""UPDATE stage2_rejects SET line = m.line, raw = m.text FROM (
                SELECT w.stage_row, coalesce(w.line, o.line) AS line, coalesce(b.text, o.text) AS text
                FROM wanted_rows w
                LEFT JOIN seen b ON b.line = w.line
                LEFT JOIN (SELECT *, row_number() OVER (PARTITION BY resource_type, id ORDER BY line) AS nth
                           FROM seen) o
                  ON w.line IS NULL AND o.resource_type = w.resource_type AND o.id = w.resource_id
                     AND o.nth = w.nth) m
            WHERE stage2_rejects.file_id = {file_id} AND stage2_rejects.stage_row = m.stage_row"""
        )


def _record(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _json_problem(raw: str) -> str:
    try:
        json.loads(raw)
    except ValueError as error:
        column = f" at column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        return f"malformed JSON: {message}{column}"
    return "malformed JSON"


def write(con: duckdb.DuckDBPyConnection, files: Sequence[InputFile], out: TextIO) -> int:
    """Write every put-aside record as a JSON line, in file and line order; returns how many."""
    count = 0
    reader = con.sql(f"SELECT * FROM ({ALL_REJECTS}) ORDER BY file_id, line NULLS LAST").to_arrow_reader(
        10_000
    )
    for batch in reader:
        for row in batch.to_pylist():
            file = files[row["file_id"]]
            where = "entry" if file.format == "bundle" else "line"
            reason = row["reason"]
            if reason == "malformed JSON" and row["raw"] is not None:
                reason = _json_problem(row["raw"])
            entry = {
                "file": str(file.path),
                where: row["line"],
                "resourceType": row["resource_type"],
                "id": row["resource_id"],
                "reason": reason,
                "record": _record(row["raw"]),
            }
            out.write(json.dumps(entry) + "\n")
            count += 1
    return count


def path_for(root: Path, batch_id: str) -> Path:
    return root / "quarantine" / f"{batch_id}.ndjson"
