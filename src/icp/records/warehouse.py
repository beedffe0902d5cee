"""The warehouse on disk: Parquet files per table and ICP, committed batch by batch.

Layout under the root (default `ICP_DATA_DIR/warehouse`):

    <table>/icp=<ICP code>/<batch_id>.parquet   clinical tables, one file per table, ICP and batch
    batch/<batch_id>.parquet                     one row describing each committed batch
    _manifest.json                               the committed state: which files are live
    patient-id.key                               the key of ingested people's ids (owner-only)

A replaced batch keeps its manifest entry (`replaced_by`) and its row in the batch table, but its
data files are deleted once the replacing batch has committed.

The care app's own tables (`enrolment`, `referral`, `care_plan`) may come from two writers: the
app publishes them (a batch of kind `care`, `icp.care.publish`) and `icp synth` writes a synthetic
history of them. For an ICP the app has published, readers see the app's rows only; for any other
ICP, the synthetic history (see `Warehouse.files`).

A batch is written to `.staging/<batch_id>/` and becomes visible only when `_manifest.json` is
atomically replaced (a single `os.replace`). A crash before that leaves the warehouse as it was;
readers only ever read the files the manifest lists. Several batches may be written at once (each
in its own staging folder); commits take an exclusive file lock, one at a time.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from icp.config import data_dir, key_in_data_dir
from icp.records.schema import CARE_TABLES, DATA_TABLES, TABLES, conform

MANIFEST = "_manifest.json"
PATIENT_ID_KEY = "patient-id.key"
# The kind of batch in which the care app publishes its tables (CARE_TABLES) for evaluation.
CARE_PUBLISHED = "care"


def default_root() -> Path:
    return data_dir() / "warehouse"


@dataclass
class BatchWriter:
    """Collects one batch's rows, streaming each (table, ICP) into its own Parquet file."""

    batch_id: str
    staging: Path
    kind: str
    source: str
    inputs: list[str]
    input_sha256: str | None
    started_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    records_read: int = 0
    skipped: int = 0
    put_aside: int = 0
    quarantine_path: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    replaces: list[str] = field(default_factory=list)
    _writers: dict[tuple[str, str], pq.ParquetWriter] = field(default_factory=dict)
    _covered: set[str] = field(default_factory=set)

    def cover(self, areas: Sequence[str]) -> None:
        """Count `areas` as this batch's even where it writes no row (an empty table is an answer)."""
        self._covered.update(areas)

    def write(self, table_name: str, data: pa.Table) -> None:
        """Append rows to `table_name`; rows are split by their `icp` column.

        `batch_id` is set to this batch's id on every row; `source` defaults to the batch's source.
        Raises ValueError (naming table and column) if the rows do not fit the table's schema.
        """
        if table_name not in DATA_TABLES:
            raise ValueError(f"{table_name!r} is not a data table; choose from {', '.join(DATA_TABLES)}")
        if data.num_rows == 0:
            return
        # Every row carries the id of the batch that wrote it (whatever the caller put there), and
        # the batch's source unless the caller names a more precise one.
        batch_ids = constant_string(self.batch_id, data.num_rows)
        if "batch_id" in data.column_names:
            data = data.set_column(data.column_names.index("batch_id"), "batch_id", batch_ids)
        else:
            data = data.append_column("batch_id", batch_ids)
        if "source" not in data.column_names:
            data = data.append_column("source", constant_string(self.source, data.num_rows))
        data = conform(table_name, data, dictionaries=True)
        if table_name == "patient":
            data = _own_person_unless_linked(data)
        if data.column("icp").null_count:
            raise ValueError(f"{table_name}: every row needs an icp")
        unique_icps = pc.unique(data.column("icp"))
        icps = unique_icps.to_pylist()
        for number, icp in enumerate(icps):
            # Compared with the Arrow scalar, not the Python string: converting one imports pandas.
            part = data if len(icps) == 1 else data.filter(pc.equal(data.column("icp"), unique_icps[number]))
            # A file holds one ICP: its icp column is that one value, with nothing to hash.
            position = part.column_names.index("icp")
            part = part.set_column(
                position,
                part.field(position).with_type(DICTIONARY_STRING),
                constant_string(icp, part.num_rows),
            )
            key = (table_name, icp)
            writer = self._writers.get(key)
            if writer is None:
                path = self.staging / table_name / f"icp={icp}" / f"{self.batch_id}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                writer = _parquet_writer(path, table_name)
                self._writers[key] = writer
            writer.write_table(_as_file_columns(part, writer.schema))
        self.counts[table_name] = self.counts.get(table_name, 0) + data.num_rows

    def close_files(self) -> list[Path]:
        for writer in self._writers.values():
            writer.close()
        return sorted(self.staging.rglob("*.parquet"))

    @property
    def areas(self) -> list[str]:
        return sorted({icp for _table, icp in self._writers} | self._covered)

    def record(self, finished_at: datetime) -> pa.Table:
        values = {
            "batch_id": self.batch_id,
            "kind": self.kind,
            "source": self.source,
            "inputs": self.inputs,
            "input_sha256": self.input_sha256,
            "areas": self.areas,
            "started_at": self.started_at,
            "finished_at": finished_at,
            "records_read": self.records_read,
            "accepted": sum(self.counts.values()),
            "skipped": self.skipped,
            "put_aside": self.put_aside,
            "quarantine_path": self.quarantine_path,
            "replaced_batches": self.replaces,
            "detail": json.dumps({"counts": self.counts, **self.detail}, sort_keys=True),
        }
        # Made by DuckDB, not pyarrow: pyarrow imports pandas to convert any Python value, which
        # costs a small load more than the load itself.
        schema = TABLES["batch"]
        columns = ", ".join(f"?::{_DUCKDB_TYPES[field.type]} AS {field.name}" for field in schema)
        with duckdb.connect() as con:
            row = con.sql(f"SELECT {columns}", params=[values[field.name] for field in schema])
            return row.to_arrow_table().cast(schema)


_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.list_(pa.string()): "VARCHAR[]",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
    pa.int64(): "BIGINT",
}


class Warehouse:
    """A warehouse folder. Cheap to create; reads the manifest on demand."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    # -- reading -------------------------------------------------------------------------------------

    def patient_id_key(self) -> bytes:
        """The key of this warehouse's ids for ingested people (`ingest.patient_ids`): random, made on
        first use in the warehouse folder, owner-only. It belongs with the rows it named: back it up
        with them, and never replace it (the same source ids would then name new people)."""
        return key_in_data_dir(PATIENT_ID_KEY, folder=self.root).encode("ascii")

    def manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.exists():
            return {"version": 0, "batches": {}}
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return manifest

    def files(self, table_name: str, areas: Sequence[str] | None = None) -> list[Path]:
        """The live Parquet files of one table, optionally for some ICPs only.

        For the care tables (enrolment, referral, care_plan) of an ICP the care app has published,
        only the app's batch is read: its rows are the partnership's real work, and a synthetic
        history of the same tables (`icp synth`) is for ICPs the app has not published yet.
        """
        if table_name not in TABLES:
            raise ValueError(f"unknown table {table_name!r}; choose from {', '.join(TABLES)}")
        wanted = set(areas) if areas else None
        batches = self.manifest()["batches"].values()
        published = self.published_care_areas() if table_name in CARE_TABLES else set()
        found = []
        for batch in batches:
            for relative in batch["files"]:
                parts = Path(relative).parts
                if parts[0] != table_name:
                    continue
                partitioned = table_name != "batch"
                area = parts[1].removeprefix("icp=") if partitioned else None
                if wanted is not None and partitioned and area not in wanted:
                    continue
                if area in published and batch.get("kind") != CARE_PUBLISHED:
                    continue
                found.append(self.root / relative)
        return sorted(found)

    def published_care_areas(self) -> set[str]:
        """The ICPs whose care tables the care app has published (live batches of kind `care`)."""
        areas: set[str] = set()
        for batch in self.manifest()["batches"].values():
            if batch.get("kind") == CARE_PUBLISHED and "replaced_by" not in batch:
                areas |= _batch_areas(batch)
        return areas

    def read_arrow(
        self,
        table_name: str,
        areas: Sequence[str] | None = None,
        *,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Read a table (or some of its columns) into Arrow, optionally for some ICPs only.

        For small tables, syncs and tests; population queries go through Ibis (`engine.open_tables`).
        """
        schema = TABLES[table_name]
        if columns is not None:
            unknown = [c for c in columns if c not in schema.names]
            if unknown:
                raise ValueError(f"{table_name}: unknown column(s) {', '.join(unknown)}")
            schema = pa.schema([schema.field(c) for c in columns])
        files = self.files(table_name, areas)
        if not files:
            return pa.Table.from_batches([], schema=schema)  # schema.empty_table() imports pandas
        return pa.concat_tables(
            pq.read_table(f, columns=schema.names, schema=TABLES[table_name]).cast(schema) for f in files
        )

    def batches(self) -> pa.Table:
        return self.read_arrow("batch")

    def batches_with_input(self, input_sha256: str) -> list[str]:
        """Committed batches that loaded exactly this input (for idempotent loads)."""
        return [
            batch_id
            for batch_id, batch in self.manifest()["batches"].items()
            if batch.get("input_sha256") == input_sha256 and "replaced_by" not in batch
        ]

    def batches_from_source(self, source: str) -> list[str]:
        return self.find_batches(source=source)

    def find_batches(
        self, *, kind: str | None = None, source: str | None = None, area: str | None = None
    ) -> list[str]:
        """Live batch ids (committed, not replaced), oldest first, filtered by kind, source and area.

        `area` matches a batch that wrote at least one row under that ICP (e.g. the synth batch to
        replace when an area is synthesised again).
        """
        found = []
        for batch_id, batch in sorted(self.manifest()["batches"].items()):
            if "replaced_by" in batch:
                continue
            if kind is not None and batch.get("kind") != kind:
                continue
            if source is not None and batch.get("source") != source:
                continue
            if area is not None and area not in _batch_areas(batch):
                continue
            found.append(batch_id)
        return found

    # -- writing -------------------------------------------------------------------------------------

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def batch(
        self,
        *,
        kind: str,
        source: str,
        inputs: Sequence[str] = (),
        input_sha256: str | None = None,
        replaces: Sequence[str] = (),
    ) -> Iterator[BatchWriter]:
        """Write one batch. It is committed when the block ends without an exception, else discarded.

        `replaces` lists batch ids whose files the new batch takes the place of (for --replace and
        for re-synthesising an area).
        """
        batch_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{kind}-{uuid.uuid4().hex[:8]}"
        staging = self.root / ".staging" / batch_id
        staging.mkdir(parents=True)
        writer = BatchWriter(
            batch_id=batch_id,
            staging=staging,
            kind=kind,
            source=source,
            inputs=list(inputs),
            input_sha256=input_sha256,
            started_at=datetime.now(UTC),
            replaces=list(replaces),
        )
        try:
            yield writer
            # Batches stage their files side by side; only the commit is one at a time.
            with self._lock():
                self._commit(writer)
        finally:
            for open_writer in writer._writers.values():
                if open_writer.is_open:
                    open_writer.close()
            shutil.rmtree(staging, ignore_errors=True)

    def rewrite(
        self,
        table_name: str,
        *,
        area: str,
        transform: Callable[[pa.Table], pa.Table],
        kind: str,
        source: str,
        detail: dict[str, Any] | None = None,
    ) -> str:
        """Rewrite every live file of one table and ICP through `transform`, in one commit.

        For changes to rows already loaded (record linkage setting `patient.person_id`). Each
        rewritten file stays with the batch that loaded its rows, so replacing that batch later
        still removes them; the new content is written under a new name and swapped into the
        manifest, and the old file deleted after the commit. A row of kind `kind` in the batch
        table records the rewrite. Returns its batch id.
        """
        if table_name not in DATA_TABLES:
            raise ValueError(f"{table_name!r} is not a data table; choose from {', '.join(DATA_TABLES)}")
        started = datetime.now(UTC)
        batch_id = f"{started:%Y%m%dT%H%M%S}-{kind}-{uuid.uuid4().hex[:8]}"
        record = BatchWriter(
            batch_id=batch_id,
            staging=self.root / ".staging" / batch_id,
            kind=kind,
            source=source,
            inputs=[],
            input_sha256=None,
            started_at=started,
            detail={"area": area, **(detail or {})},
        )
        written: list[Path] = []
        # The whole read-transform-swap holds the commit lock: a batch committing meanwhile could
        # otherwise replace a file this rewrite is about to swap back in.
        with self._lock():
            manifest = self.manifest()
            swaps: list[tuple[dict[str, Any], str, str]] = []
            try:
                for owner_id, batch in sorted(manifest["batches"].items()):
                    for relative in batch["files"]:
                        parts = Path(relative).parts
                        if parts[0] != table_name or parts[1] != f"icp={area}":
                            continue
                        rows = pq.read_table(self.root / relative, schema=TABLES[table_name])
                        rows = conform(table_name, transform(rows))
                        new_relative = f"{table_name}/icp={area}/{owner_id}.{batch_id}.parquet"
                        pq.write_table(rows, self.root / new_relative, compression="zstd")
                        written.append(self.root / new_relative)
                        swaps.append((batch, relative, new_relative))
                        record.counts[table_name] = record.counts.get(table_name, 0) + rows.num_rows
                batch_file = Path("batch") / f"{batch_id}.parquet"
                (self.root / "batch").mkdir(parents=True, exist_ok=True)
                pq.write_table(record.record(datetime.now(UTC)), self.root / batch_file)
                written.append(self.root / batch_file)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                raise
            for batch, old, new in swaps:
                batch["files"] = sorted(new if relative == old else relative for relative in batch["files"])
            manifest["batches"][batch_id] = {
                "kind": kind,
                "source": source,
                "input_sha256": None,
                "areas": [],  # it loads no rows of its own: `find_batches(area=…)` must not return it
                "files": [str(batch_file)],
            }
            manifest["version"] = int(manifest["version"]) + 1
            temporary = self.root / f"{MANIFEST}.{batch_id}.tmp"
            temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(temporary, self.root / MANIFEST)  # the commit point
            for _batch, old, _new in swaps:
                (self.root / old).unlink(missing_ok=True)
        return batch_id

    def _commit(self, writer: BatchWriter) -> None:
        staged = writer.close_files()
        batch_file = writer.staging / "batch" / f"{writer.batch_id}.parquet"
        batch_file.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(writer.record(datetime.now(UTC)), batch_file)
        staged.append(batch_file)
        relative_files = []
        for path in staged:
            relative = path.relative_to(writer.staging)
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            relative_files.append(str(relative))
        manifest = self.manifest()
        removed = []
        for replaced_id in writer.replaces:
            replaced = manifest["batches"].get(replaced_id)
            if replaced is None or "replaced_by" in replaced:
                continue
            # The replaced batch's rows go; its row in the batch table stays, as history.
            removed.append(dict(replaced))
            replaced["files"] = [f for f in replaced["files"] if f.startswith("batch/")]
            replaced["areas"] = []
            replaced["replaced_by"] = writer.batch_id
        manifest["batches"][writer.batch_id] = {
            "kind": writer.kind,
            "source": writer.source,
            "input_sha256": writer.input_sha256,
            "areas": writer.areas,
            "files": sorted(relative_files),
        }
        manifest["version"] = int(manifest["version"]) + 1
        temporary = self.root / f"{MANIFEST}.{writer.batch_id}.tmp"
        temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.root / MANIFEST)  # the commit point
        for batch in removed:
            for relative in batch["files"]:
                if not relative.startswith("batch/"):  # keep the history of what was loaded
                    (self.root / relative).unlink(missing_ok=True)


# The columns written dictionary-encoded from Arrow's own dictionaries: the provenance every row
# carries (one value a file for batch_id and icp, one or a few for source). Parquet's dictionary
# encoder would otherwise hash each of their values, tens of millions a synthetic NI.
DICTIONARY_STRING = pa.dictionary(pa.int32(), pa.string())
DICTIONARY_COLUMNS = ("icp", "source", "batch_id")
# Column statistics (min and max per row group and page) are written where a reader filters on the
# column and the values can cluster: dates and numbers (time windows, ages) and a person's ids (one
# person's record). Other strings (codes, names, provenance) have nearly every value in every row
# group, so their statistics never let a reader skip anything, and cost a quarter of the writing.
STATISTICS_STRINGS = ("patient_id", "person_id")


def _parquet_writer(path: Path, table_name: str) -> pq.ParquetWriter:
    schema = TABLES[table_name]
    file_schema = pa.schema(
        [
            column.with_type(DICTIONARY_STRING) if column.name in DICTIONARY_COLUMNS else column
            for column in schema
        ],
        metadata=schema.metadata,
    )
    # Dictionary-encode every column but the row's own id (unique: nothing to gain).
    dictionary = [name for name in schema.names if name != f"{table_name}_id"]
    statistics = [
        column.name
        for column in schema
        if column.name in STATISTICS_STRINGS
        or not (pa.types.is_string(column.type) or pa.types.is_nested(column.type))
    ]
    # store_schema=False: the Arrow schema is not stored with the file, so readers see the
    # dictionary-encoded columns as the plain strings the table's schema says they are.
    return pq.ParquetWriter(
        path,
        file_schema,
        compression="zstd",
        use_dictionary=dictionary,
        write_statistics=statistics,
        store_schema=False,
    )


def _as_file_columns(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """`data` with each column of the file's type: dictionary-encoded where the file's is."""
    columns = []
    for wanted, column in zip(schema, data.columns, strict=True):
        if column.type != wanted.type:
            if pa.types.is_dictionary(wanted.type) and not pa.types.is_dictionary(column.type):
                column = column.dictionary_encode()
            if column.type != wanted.type:  # a plain string, or a dictionary of another index type
                column = column.cast(wanted.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def constant_string(value: str, count: int) -> pa.ChunkedArray:
    """`count` times `value`, dictionary-encoded: one value and `count` zeros, built from buffers
    (pyarrow imports pandas to convert a Python value, which costs more than the column)."""
    encoded = value.encode()
    dictionary = pa.StringArray.from_buffers(
        1, pa.py_buffer(np.array([0, len(encoded)], dtype=np.int32)), pa.py_buffer(encoded)
    )
    indices = pa.Array.from_buffers(pa.int32(), count, [None, pa.py_buffer(np.zeros(count, dtype=np.int32))])
    return pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)], DICTIONARY_STRING)


def _own_person_unless_linked(patient: pa.Table) -> pa.Table:
    """A patient row that no linkage has placed yet is a person of its own (person_id = patient_id)."""
    position = patient.schema.get_field_index("person_id")
    person_id = pc.coalesce(patient.column("person_id"), patient.column("patient_id"))
    return patient.set_column(position, patient.schema.field(position), person_id)


def _batch_areas(batch: dict[str, Any]) -> set[str]:
    """The ICPs a manifest entry holds rows for (from its `areas`, or its file paths if older)."""
    if "areas" in batch:
        return set(batch["areas"])
    return {
        Path(relative).parts[1].removeprefix("icp=")
        for relative in batch["files"]
        if not relative.startswith("batch/")
    }
