"""How a risk sync's rows go into the app database in bulk, on each database.

`risk_sync` works out every column of `patients.RiskResult` (and of the population's
`patients.RiskCount`) with Arrow; this module hands the rows to
the database without a model instance each: PostgreSQL by `COPY … FROM STDIN` (CSV written by Arrow,
through psycopg's copy), SQLite by INSERTs of many rows each (docs/adr/0165-bulk-risk-sync.md, ADR
0205). It also holds what SQLite's bulk replacement runs with: a larger page cache and `secure_delete
= FAST` (ADR 0205), and foreign keys set aside for a large sync and checked once (ADR 0207).
"""

from __future__ import annotations

import io
import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
from django.db import connection, models

from icp.patients.models import RiskResult

# Rows handed to the database at a time (bounded memory for the CSV text and the Python tuples).
CHUNK_ROWS = 100_000
# SQLite's page cache during the sync, in KiB (as a negative number, PRAGMA cache_size's way).
SQLITE_CACHE_KIB = -262_144
# SQLite's secure delete during the sync (ADR 0205): FAST zeroes deleted rows inside the pages that
# stay in use but does not write zeros over every page freed, which a build made with SECURE_DELETE
# does (all of a national table's pages written twice more, once as zeros, then as the new rows).
SQLITE_SECURE_DELETE = "FAST"
# Rows a SQLite INSERT carries at most (ADR 0205): SQLite's work for a statement (its start, its
# end, the AUTOINCREMENT counter's update) is paid once per this many rows, not once per row. The
# driver's limit on bound values may lower it (`_rows_per_statement`).
SQLITE_ROWS_PER_STATEMENT = 500

# Columns that hold one value for all of an ICP's rows of a run: bound from one Python object.
CONSTANT = ["run_id", "icp_id"]


@contextmanager
def sqlite_bulk_settings() -> Iterator[None]:
    """On SQLite, the settings a bulk replacement of rows runs with; put back afterwards (nested: kept).

    A larger page cache (the default is 2 MB) saves re-reading the B-trees' pages while millions of
    rows go in, and `secure_delete = FAST` (SQLITE_SECURE_DELETE, ADR 0205) stops a build made with
    SECURE_DELETE from writing zeros over every page the old rows free, pages the new rows take at
    once. Put back afterwards, so a long-lived connection (a job worker) does not keep them.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA secure_delete")
        secure_delete = int(cursor.fetchone()[0])
        # Constants of this module only, never input, go into the text.
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
        cursor.execute(f"PRAGMA secure_delete = {SQLITE_SECURE_DELETE}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
            cursor.execute(f"PRAGMA secure_delete = {secure_delete}")


@contextmanager
def sqlite_keys_set_aside(set_aside: bool) -> Iterator[bool]:
    """SQLite, for a large sync outside any transaction: foreign keys not enforced row by row.

    Yields whether they were set aside; then `risk_sync.replacing` checks the table's keys in one pass before
    it commits (ADR 0207). Enforced, SQLite looks each new row's three keys up as it goes in (nine
    seconds of NI's inserts) and, because the table is a child of those keys, empties it row by row
    instead of by its truncate optimisation (three to six seconds more). `PRAGMA foreign_keys` is a
    no-op inside a transaction, so inside one (a test's, a caller's atomic block) nothing changes.
    Django's own pair for this (what its SQLite schema editor uses); keys enforced again afterwards.
    """
    if not set_aside or connection.vendor != "sqlite" or connection.in_atomic_block:
        yield False
        return
    disabled = connection.disable_constraint_checking()
    try:
        yield disabled
    finally:
        if disabled:
            connection.enable_constraint_checking()


def _chunks(rows: pa.Table, size: int = CHUNK_ROWS) -> Iterator[pa.Table]:
    for start in range(0, rows.num_rows, size):
        yield rows.slice(start, size)


def insert(rows: pa.Table, model: type[models.Model] = RiskResult) -> None:
    """Insert `rows` (columns named as the model's database columns) into the model's table."""
    if rows.num_rows == 0:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        _copy_postgresql(table, rows)
    else:
        _executemany(table, rows)


def _column_list(rows: pa.Table) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in rows.column_names)


def _copy_postgresql(table: str, rows: pa.Table) -> None:
    """COPY in CSV: Arrow writes the text (strings quoted, so "" is empty and an unquoted blank NULL)."""
    options = pcsv.WriteOptions(include_header=False, quoting_style="needed")
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({_column_list(rows)}) FROM STDIN (FORMAT csv)"
        with cursor.cursor.copy(statement) as copy:
            for chunk in _chunks(rows):
                sink = io.BytesIO()
                pcsv.write_csv(chunk, sink, options)
                copy.write(sink.getbuffer())


def _executemany(table: str, rows: pa.Table) -> None:
    """SQLite: INSERTs of `_rows_per_statement` rows each, the same statement over and over, and one
    for the rows left over.

    The rows go in patient order, so the unique index on the person grows at its end; a column with
    one value for every row is bound from one Python object, not a list of two million.
    """
    if "patient_id" in rows.column_names:
        rows = rows.sort_by("patient_id")
    width = rows.num_columns
    per_statement = _rows_per_statement(width)
    one_row = "(" + ", ".join(["%s"] * width) + ")"

    def statement(count: int) -> str:
        # Only the model's own table and column names and placeholders go into the text.
        return f"INSERT INTO {table} ({_column_list(rows)}) VALUES {', '.join([one_row] * count)}"  # noqa: S608

    full = statement(per_statement)
    constant = {name: rows.column(name)[0].as_py() for name in CONSTANT if name in rows.column_names}
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, CHUNK_ROWS - CHUNK_ROWS % per_statement):
            columns = [
                itertools.repeat(constant[name]) if name in constant else _python_values(chunk.column(name))
                for name in chunk.column_names
            ]
            # Row after row, every row's values in column order: strict=False as the constant
            # columns repeat without end while the others end together.
            values = list(itertools.chain.from_iterable(zip(*columns, strict=False)))
            whole = chunk.num_rows // per_statement * per_statement * width
            step = per_statement * width
            if whole:
                cursor.executemany(full, [values[start : start + step] for start in range(0, whole, step)])
            if whole < len(values):
                # executemany even for one statement: a debug cursor logs how many, never the values.
                cursor.executemany(statement((len(values) - whole) // width), [values[whole:]])


def _rows_per_statement(width: int) -> int:
    """SQLITE_ROWS_PER_STATEMENT, or fewer when the driver binds fewer values to one statement."""
    connection.ensure_connection()
    limit = int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // width))


def _python_values(column: pa.ChunkedArray) -> list[Any]:
    """The column's values as Python objects: NumPy's conversion when there is no null (faster)."""
    if column.null_count == 0 and (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        values: list[Any] = column.to_numpy().tolist()
    else:
        values = column.to_pylist()
    return values
