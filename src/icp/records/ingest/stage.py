"""Stage 1 of an ingest: read every input into one DuckDB staging table, file by file.

Bulk Data NDJSON takes the fast path: DuckDB's parallel JSON reader, told only the fields the file's
resource types need (guessed from the Bulk Data file name, e.g. `Observation.ndjson`, else found by
a quick scan). A file the fast reader rejects (a malformed line, a value of the wrong JSON type), or
one with any resource that cannot be used, is read again on the careful path: split into numbered
lines, each line validated and parsed on its own, so every bad line is put aside with its number
and text while the good lines still load. Bundles always take the careful path, their entries
batched across files.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from icp.records.ingest.mapping import EXPRESSIONS, STAGE_VIEW, fields_for, stage_select
from icp.records.ingest.shape import RESOURCE, duckdb_type, from_json_structure
from icp.records.ingest.sources import InputFile, ndjson_lines, read_bundle

BUNDLE_FLUSH_LINES = 50_000
_TYPE_IN_NAME = re.compile(r"(?:^|[._-])([A-Z][A-Za-z]+)(?:[._-]|$)")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _projection(fields: list[str]) -> str:
    """Every RESOURCE field, the unread ones as typed NULLs (so one query shape fits every file)."""
    return ", ".join(
        f'"{name}"' if name in fields else f'NULL::{duckdb_type(shape)} AS "{name}"'
        for name, shape in RESOURCE.items()
    )


def guess_types(file: InputFile) -> list[str] | None:
    """The resource type a Bulk Data file name announces (`Patient.ndjson`, `1.Observation.ndjson`)."""
    stem = file.path.name.split(".ndjson")[0].split(".jsonl")[0]
    names = [n for n in _TYPE_IN_NAME.findall(stem) if n in EXPRESSIONS]
    return names or None


@dataclass
class Stager:
    """Fills the `stage` and `unreadable` tables of a DuckDB connection."""

    con: duckdb.DuckDBPyConnection
    synthetic: bool
    on_file: Callable[[InputFile], None] | None = None

    def create_tables(self) -> None:
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW source AS SELECT NULL::INTEGER AS file_id, NULL::BIGINT AS line, "
            f"NULL::VARCHAR AS raw_text, {_projection([])} LIMIT 0"
        )
        # Typed by the query for no resource type, which is cheap to plan (the columns are the same).
        self.con.execute(f"CREATE TABLE stage_rows AS {stage_select([], synthetic=self.synthetic)} LIMIT 0")
        self.con.execute(STAGE_VIEW)
        self.con.execute(
            "CREATE TABLE unreadable (file_id INTEGER, line BIGINT, reason VARCHAR, raw VARCHAR)"
        )
        self._bundle_files: list[int] = []
        self._bundle_lines: list[int] = []
        self._bundle_texts: list[bytes] = []
        self._bundle_urls: list[str | None] = []

    # -- NDJSON ----------------------------------------------------------------------------------------

    def stage_ndjson(self, file_id: int, file: InputFile) -> str:
        """Stage one NDJSON file; returns the path taken ("fast" or "careful")."""
        types = guess_types(file)
        if self._fast(file_id, file, types):
            return "fast"
        self._careful_ndjson(file_id, file)
        return "careful"

    def _fast(self, file_id: int, file: InputFile, guessed: list[str] | None) -> bool:
        path = _q(str(file.path))
        try:
            types: list[str | None]
            if guessed is None:
                types = [
                    row[0]
                    for row in self.con.execute(
                        f"SELECT DISTINCT resourceType FROM read_json({path}, format='newline_delimited', "
                        "columns={'resourceType': 'VARCHAR'})"
                    ).fetchall()
                ]
            else:
                types = list(guessed)
            fields = fields_for(types)
            columns = "{" + ", ".join(f"'{n}': '{duckdb_type(RESOURCE[n])}'" for n in fields) + "}"
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW source AS SELECT {file_id}::INTEGER AS file_id, "
                f"NULL::BIGINT AS line, NULL::VARCHAR AS raw_text, {_projection(fields)} "
                f"FROM read_json({path}, format='newline_delimited', columns={columns})"
            )
            self.con.execute("BEGIN")
            select = stage_select(types, synthetic=self.synthetic)
            self.con.execute(f"INSERT INTO stage_rows BY NAME {select}")
            found = self.con.execute(
                "SELECT list(DISTINCT resource_type) FILTER (WHERE resource_type IS NOT NULL), "
                f"count(reason) FROM stage WHERE file_id = {file_id}"
            ).fetchone()
            assert found is not None
            present, problems = found[0] or [], found[1]
            unexpected = {t for t in present if t in EXPRESSIONS} - set(types)
            if problems or unexpected:
                self.con.execute("ROLLBACK")
                if unexpected and not problems and guessed is not None:
                    return self._fast(file_id, file, None)
                return False
            self.con.execute("COMMIT")
            return True
        except duckdb.Error:
            # The fast reader refused the file (malformed JSON, a value of the wrong JSON type …).
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            return False

    def _careful_ndjson(self, file_id: int, file: InputFile) -> None:
        for first_line, lines in ndjson_lines(file.path):
            numbers = pa.array(range(first_line, first_line + len(lines)), type=pa.int64())
            ids = pa.array([file_id] * len(lines), type=pa.int32())
            self._careful(pa.table({"file_id": ids, "line": numbers, "text": lines}))

    # -- Bundles ---------------------------------------------------------------------------------------

    def stage_bundle(self, file_id: int, file: InputFile) -> None:
        entries, problem = read_bundle(file.path)
        if problem is not None:
            self.con.execute(
                "INSERT INTO unreadable VALUES (?, ?, ?, NULL)", [file_id, problem.line, problem.reason]
            )
            return
        count = len(entries.texts)
        self._bundle_files.extend([file_id] * count)
        self._bundle_lines.extend(range(1, count + 1))
        self._bundle_texts.extend(entries.texts)
        self._bundle_urls.extend(entries.full_urls)
        if len(self._bundle_texts) >= BUNDLE_FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        if not self._bundle_texts:
            return
        # The entries go in as list parameters: registering an Arrow table would import pandas
        # (DuckDB checks for a DataFrame), which costs more than a thousand Bundles.
        texts = [text.decode("utf-8") for text in self._bundle_texts]
        self.con.execute(
            "CREATE OR REPLACE TABLE bundle_parsed AS SELECT file_id, line, full_url, "
            f"text AS raw_text, from_json(text, {_q(from_json_structure())}) AS j FROM ("
            "SELECT unnest(?::INTEGER[]) AS file_id, unnest(?::BIGINT[]) AS line, "
            "unnest(?::VARCHAR[]) AS text, unnest(?::VARCHAR[]) AS full_url)",
            [self._bundle_files, self._bundle_lines, texts, self._bundle_urls],
        )
        self._bundle_files, self._bundle_lines, self._bundle_texts, self._bundle_urls = [], [], [], []
        # fullUrl → Type/id of the entry that has it (the last, if two have the same), per Bundle; an
        # entry without an id takes the fullUrl's last segment (a transaction's urn:uuid).
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE bundle_url AS
            SELECT file_id, full_url, arg_max(j.resourceType || '/' || {_ENTRY_ID}, line) AS target
            FROM bundle_parsed WHERE full_url IS NOT NULL
              AND coalesce(j.resourceType, '') <> '' AND coalesce({_ENTRY_ID}, '') <> ''
            GROUP BY ALL"""
        )
        for statement in _bundle_source():
            self.con.execute(statement)
        self.con.execute(
            f"INSERT INTO stage_rows BY NAME {stage_select(list(EXPRESSIONS), synthetic=self.synthetic)}"
        )

    # -- the careful path ------------------------------------------------------------------------------

    def _careful(self, chunk: pa.Table) -> None:
        self.con.register("chunk", chunk)
        try:
            self.con.execute(
                "INSERT INTO unreadable SELECT file_id, line, 'malformed JSON', "
                "rtrim(text, chr(10) || chr(13)) FROM chunk "
                "WHERE trim(text, ' ' || chr(9) || chr(10) || chr(13)) <> '' AND NOT json_valid(text)"
            )
            self.con.execute(
                "CREATE OR REPLACE TEMP VIEW source AS SELECT file_id, line, raw_text, unnest(j) FROM ("
                "SELECT file_id, line, rtrim(text, chr(10) || chr(13)) AS raw_text, "
                f"from_json(text, {_q(from_json_structure())}) AS j FROM chunk WHERE json_valid(text))"
            )
            self.con.execute(
                f"INSERT INTO stage_rows BY NAME {stage_select(list(EXPRESSIONS), synthetic=self.synthetic)}"
            )
        finally:
            self.con.unregister("chunk")


# A Bundle entry's id: its resource's, else the last segment of its fullUrl (urn:uuid:<id>, …/Type/<id>).
_ENTRY_ID = (
    "CASE WHEN coalesce(j.id, '') = '' AND full_url IS NOT NULL "
    "THEN string_split(string_split(full_url, ':')[-1], '/')[-1] ELSE j.id END"
)
# The references the mapping reads, which may name another entry by its fullUrl.
_SCALAR_REFERENCES = ("subject", "encounter", "context", "medicationReference", "partOf", "serviceProvider")


def _bundle_source() -> list[str]:
    """Statements giving the `source` relation for Bundle entries (bundle_parsed): every RESOURCE
    field, with each reference the mapping reads that names an entry's fullUrl made that entry's
    `Type/id`.

    The references are resolved in a narrow table of their own (joins to the Bundle's fullUrls, then
    sorted back into entry order), which the entries then meet by position: sorting the whole
    parsed entries after the joins cost more than mapping them.
    """
    joins, resolved, fields = [], [], []
    for name in RESOURCE:
        if name == "id":
            fields.append(f"{_ENTRY_ID.replace('j.', 'b.j.').replace('full_url', 'b.full_url')} AS id")
        elif name in _SCALAR_REFERENCES:
            joins.append(
                f"LEFT JOIN bundle_url u_{name} ON u_{name}.file_id = b.file_id "
                f"AND u_{name}.full_url = b.j.{name}.reference"
            )
            resolved.append(
                f"CASE WHEN b.j.{name} IS NOT NULL THEN struct_update(b.j.{name}, "
                f"reference := coalesce(u_{name}.target, b.j.{name}.reference)) END AS {name}"
            )
            fields.append(f"r.{name}")
        elif name == "generalPractitioner":
            resolved.append(
                "list_transform(b.j.generalPractitioner, lambda g: struct_update(g, "
                "reference := coalesce(urls.m[g.reference], g.reference))) AS generalPractitioner"
            )
            fields.append(f"r.{name}")
        elif name == "diagnosis":
            resolved.append(
                "list_transform(b.j.diagnosis, lambda d: struct_update(d, condition := "
                "CASE WHEN d.condition IS NOT NULL THEN struct_update(d.condition, reference := "
                "coalesce(urls.m[d.condition.reference], d.condition.reference)) END)) AS diagnosis"
            )
            fields.append(f"r.{name}")
        else:
            fields.append(f'b.j."{name}" AS "{name}"')
    # Lists of references look up a map of the Bundle's fullUrls (a join cannot reach into a list).
    joins.append(
        "LEFT JOIN (SELECT file_id, map_from_entries(list((full_url, target))) AS m FROM bundle_url "
        "GROUP BY file_id) urls ON urls.file_id = b.file_id"
    )
    return [
        f"CREATE OR REPLACE TABLE bundle_reference AS SELECT b.rowid AS entry_row, "
        f"{', '.join(resolved)} FROM bundle_parsed b {' '.join(joins)} ORDER BY entry_row",
        f"CREATE OR REPLACE TEMP VIEW source AS SELECT b.file_id, b.line, b.raw_text, {', '.join(fields)} "
        "FROM bundle_parsed b POSITIONAL JOIN bundle_reference r",
    ]
