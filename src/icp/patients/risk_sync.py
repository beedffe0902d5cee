"""Sync a run's results from the warehouse into the app database (patients.RiskResult), one ICP at a time.

Each listed person's row is replaced by their newest results; people no longer in the results
(moved away, died, opted out) or no longer in a listed tier lose their row. Worklist reviews are
separate and survive every sync.

The app database holds a row only for the people a list can show (`LISTED_TIERS`: very high, high
and moderate, a fifth of the population) and the population page's counts of everyone
(`RiskCount`); everyone's full result stays in the run's warehouse file, where
`icp.patients.risk_lookup` reads a person without a row (ADR 0212).

A national run syncs four hundred thousand rows, so the rows never become model instances: Arrow
works out every column at once (the patient index and practice keys by lookup, the register filter
text, the detail a page shows as one JSON array, `patients.risk_detail`), then the database takes
them in bulk (`patients.risk_bulk`: PostgreSQL's COPY, SQLite's many-row INSERTs), in one
transaction: an ICP's own, or one for every ICP of a national run (`replacing`).
The plain-words explanation is not stored: `RiskResult.reasons` derives it from the stored scores
when a page shows it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction

from icp.audit.events import EventType
from icp.audit.log import record
from icp.partnership.models import Area, Organisation
from icp.patients import risk_bulk, risk_detail
from icp.patients.models import (
    AGE_BANDS,
    FRAIL_EFI,
    LISTED_TIERS,
    PatientIndex,
    RiskCount,
    RiskResult,
    RiskRun,
)

# Columns copied from the run's table as they are (same name in the warehouse and the model).
PLAIN = [
    "age",
    "sex",
    "deprivation_quintile",
    "efi_category",
    "hfrs_category",
    "model_risk",
    "risk_rank",
    "tier",
    "synthetic",
]
# Text columns the model declares NOT NULL (blank allowed): an empty value is "" there, not NULL.
NOT_NULL_TEXT = ["sex", "efi_category", "hfrs_category", "tier"]
# RiskDetail's fields that are lists: written as JSON arrays (empty where the run has none).
DETAIL_LISTS = {"efi_deficit_list", "hfrs_codes", "charlson_categories", "registers", "risk_factors"}
# What a missing count or flag is written as (RiskDetail's defaults); any other missing value is null.
DETAIL_MISSING = {
    "medicines_12m": "0",
    "emergency_admissions_12m": "0",
    "ae_attendances_12m": "0",
    "polypharmacy_review": "false",
    "housebound": "false",
    "carer": "false",
    "cared_for": "false",
    "falls_12m": "false",
}
# A sync that writes at least this many rows, and at least as many as the table holds, sets the
# table's secondary indexes aside and builds them afresh once the rows are in (ADR 0196).
SET_ASIDE_ROWS = 50_000
# PostgreSQL's memory for building those indexes, for the sync's transaction only.
POSTGRESQL_INDEX_MEMORY = "256MB"
# A list value with a quote, a backslash or a control character needs JSON escaping.
NEEDS_ESCAPE = r'["\\\x00-\x1f]'


@dataclass(frozen=True)
class SyncSummary:
    icp: str
    run_id: str
    synced: int  # people in the patient index whose results were synced (counted, and found by risk_of)
    not_in_index: int
    listed: int = 0  # of them, rows written to the app database (the people in the listed tiers)


@contextmanager
def replacing(icps: Sequence[Area], *, rows: int, set_aside: bool | None = None) -> Iterator[bool]:
    """One transaction in which the ICPs' results are replaced, each by `sync_results(…, cleared=…)`.

    When the sync is large (`rows`, the rows about to be written, at least SET_ASIDE_ROWS and at
    least the rows the table holds; or `set_aside` True), the table's secondary indexes are dropped,
    the ICPs' rows deleted in one statement, and the indexes built afresh from their own definitions
    once every row is in: one sort per index instead of a B-tree update per row (ADR 0196). On
    PostgreSQL the foreign keys are set aside too and checked by one join each at the end (ADR 0201);
    on SQLite they are not enforced during the transaction and checked in one pass at its end (ADR 0207).
    Yields whether the rows were cleared (then each `sync_results` need not delete its ICP's rows).
    Everything happens in the one transaction: readers see the old rows until it commits (SQLite's
    WAL readers carry on; PostgreSQL's wait for the table's lock while the indexes are rebuilt).
    """
    if set_aside is None:
        # Counted before the transaction opens (SQLite's keys can only be set aside outside one); the
        # count only chooses the faster way, both ways give the same rows.
        set_aside = rows >= SET_ASIDE_ROWS and rows >= RiskResult.objects.count()
    with (
        risk_bulk.sqlite_keys_set_aside(set_aside) as keys_set_aside,
        transaction.atomic(),
        risk_bulk.sqlite_bulk_settings(),
    ):
        if not set_aside:
            yield False
            return
        # Asked while the (icp, tier) index is there to answer; the rows go once the indexes have
        # gone (emptying them with the table costs more than building them again).
        whole_table = not _others_hold_rows(icps)
        definitions = _drop_secondary_indexes()
        foreign_keys = _drop_foreign_keys()
        _clear(icps, whole_table=whole_table)
        yield True
        _build_indexes(definitions)
        _add_foreign_keys(foreign_keys)
        if keys_set_aside:
            # The keys of every row the sync wrote at once, before the commit: a dangling one raises
            # IntegrityError (naming the row's id and the missing key, both numbers) and the whole
            # sync rolls back. (The audit rows it wrote refer only to the event written with them.)
            connection.check_constraints(
                table_names=[RiskResult._meta.db_table, RiskRun._meta.db_table, RiskCount._meta.db_table]
            )


def _others_hold_rows(icps: Sequence[Area]) -> bool:
    """Whether the table holds rows of ICPs other than these.

    Asked of the other areas by key, each one seek in the (icp, tier) index: "anyone not in these
    ICPs" would read every row of a table that holds only them (2 s for NI).
    """
    others = Area.objects.exclude(pk__in=[icp.pk for icp in icps]).values_list("pk", flat=True)
    return RiskResult.objects.filter(icp__in=list(others)).exists()


def _clear(icps: Sequence[Area], *, whole_table: bool) -> None:
    """Delete the ICPs' rows: the whole table in one statement when it holds nobody else's.

    `DELETE` without a condition is emptied by SQLite's truncate optimisation (its pages freed, no
    row visited); PostgreSQL's `TRUNCATE` likewise (it takes the table's exclusive lock, which the
    dropped indexes already hold). Nothing refers to RiskResult rows by key, so neither cascades.
    """
    if not whole_table:
        RiskResult.objects.filter(icp__in=list(icps)).delete()
        return
    table = connection.ops.quote_name(RiskResult._meta.db_table)
    with connection.cursor() as cursor:
        # Only the model's own table name goes into the text.
        cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")  # noqa: S608


def _drop_foreign_keys() -> list[tuple[str, str]]:
    """PostgreSQL: drop RiskResult's foreign keys; (name, definition) of each, to add them again.

    With the keys in place COPY queues a check per row and key (six million for all of NI), run one
    by one at commit; added again once the rows are in, each key is checked by one join over the
    table (PostgreSQL's own advice for a bulk load: "Populating a Database"). SQLite's keys cannot be
    dropped (its tables are made with them): they are set aside by
    `risk_bulk.sqlite_keys_set_aside` instead.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [RiskResult._meta.db_table],
        )
        found: list[tuple[str, str]] = cursor.fetchall()
        table = connection.ops.quote_name(RiskResult._meta.db_table)
        # Checks already queued in this transaction (rows written before) are run first: PostgreSQL
        # alters no table with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _definition in found:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return found


def _add_foreign_keys(keys: list[tuple[str, str]]) -> None:
    table = connection.ops.quote_name(RiskResult._meta.db_table)
    with connection.cursor() as cursor:
        for name, definition in keys:
            # The definition as PostgreSQL printed it (deferrable, initially deferred), so unchanged.
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )


def _drop_secondary_indexes() -> list[str]:
    """Drop RiskResult's indexes that back no constraint; their CREATE statements, to build them again."""
    table = RiskResult._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)",
                [table],
            )
        else:  # SQLite: its automatic indexes (primary key, UNIQUE) have no SQL and stay
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _name, sql in found]


def _build_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows' foreign keys are checked at commit (deferred); PostgreSQL builds no index on
            # a table with checks pending, so they are made now, then deferred again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{POSTGRESQL_INDEX_MEMORY}'")
        for sql in definitions:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def sync_results(
    icp: Area,
    table: pa.Table,
    *,
    run_detail: dict[str, Any] | None = None,
    by: Any = None,
    cleared: bool = False,
) -> SyncSummary:
    """Replace the ICP's RiskResult rows with `table` (rows of one run, one ICP) and record the run.

    `run_detail` is the run's batch detail from the warehouse (index date, model and code list
    versions, engine, opt-outs left out). `cleared`: the ICP's rows were already deleted in this
    transaction (by `replacing`).
    """
    detail = run_detail or {}
    run_id = table.column("batch_id")[0].as_py() if table.num_rows else str(detail.get("run_id", ""))
    with transaction.atomic(), risk_bulk.sqlite_bulk_settings():
        if not cleared:
            RiskResult.objects.filter(icp=icp).delete()
        run = None
        if table.num_rows:
            # The run first: every row names it (ADR 0210).
            run, _created = RiskRun.objects.update_or_create(
                run_id=run_id,
                icp=icp,
                defaults={
                    "index_date": table.column("index_date")[0].as_py(),
                    "model_version": table.column("model_version")[0].as_py() or "",
                    "codelist_versions": detail.get("codelist_versions", {}),
                    "engine": detail.get("engine", "duckdb"),
                    "people": table.num_rows,
                    "planning_opt_outs_left_out": int(
                        detail.get("planning_opt_outs_by_icp", {}).get(icp.code, 0)
                    ),
                    "synthetic": bool(table.column("synthetic")[0].as_py()),
                },
            )
        rows, counts = _rows(icp, table, run)
        synced = sum(counts.column("people").to_pylist())
        missing = table.num_rows - synced
        risk_bulk.insert(rows)
        _replace_counts(icp, run, counts)
        record(
            action=EventType.RISK_SYNC,
            actor=by,
            target_type="area",
            target_id=icp.code,
            detail={
                "run_id": run_id,
                "synced": synced,
                "listed": rows.num_rows,
                "not_in_patient_index": missing,
            },
        )
    return SyncSummary(icp.code, run_id, synced, missing, listed=rows.num_rows)


def _replace_counts(icp: Area, run: RiskRun | None, counts: pa.Table) -> None:
    """The ICP's population counts replaced by the run's (a few thousand rows: one per cell)."""
    RiskCount.objects.filter(icp=icp).delete()
    if run is None or not counts.num_rows:
        return
    n = counts.num_rows
    counts = counts.append_column("icp_id", pa.array(np.full(n, icp.pk, dtype=np.int64)))
    risk_bulk.insert(counts.append_column("run_id", pa.array(np.full(n, run.pk, dtype=np.int64))), RiskCount)


def _counts(table: pa.Table, practice_id: pa.Array) -> pa.Table:
    """People by practice, age band, deprivation quintile, tier, frailty and synthetic flag."""
    ages = table.column("age").to_numpy(zero_copy_only=False)
    upper_bounds = [band[2] for band in AGE_BANDS if band[2] is not None]
    band_of = np.searchsorted(np.array(upper_bounds), ages, side="left")
    labels = np.array([band[0] for band in AGE_BANDS], dtype=object)
    cells = pa.table(
        {
            "practice_id": practice_id,
            "age_band": pa.array(labels[band_of], pa.string()),
            "deprivation_quintile": table.column("deprivation_quintile"),
            "tier": pc.fill_null(table.column("tier"), ""),
            "frail": pc.fill_null(pc.is_in(table.column("efi_category"), pa.array(FRAIL_EFI)), False),
            "synthetic": pc.fill_null(table.column("synthetic"), False),
        }
    )
    keys = cells.column_names
    grouped = cells.group_by(keys, use_threads=False).aggregate([([], "count_all")])
    return pa.table({"people": grouped.column("count_all"), **{key: grouped.column(key) for key in keys}})


def _keys(query: str, params: list[Any]) -> tuple[pa.Array, pa.Array]:
    """(text keys, integer primary keys) of a two-column query, as Arrow arrays for a lookup."""
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        found = cursor.fetchall()
    keys = pa.array([key for key, _pk in found], pa.string())
    pks = pa.array([pk for _key, pk in found], pa.int64())
    return keys, pks


def _lookup(values: pa.ChunkedArray, keys: pa.Array, pks: pa.Array) -> pa.Array:
    """The primary key of each value (null where there is none)."""
    return pks.take(pc.index_in(values, value_set=keys))


def _rows(icp: Area, table: pa.Table, run: RiskRun | None) -> tuple[pa.Table, pa.Table]:
    """The RiskResult columns (by database column name) of everyone in `table` who is in the index
    and in a listed tier, and the counts (`_counts`) of everyone in the index.

    `run` is the RiskRun the rows name (None only for an empty `table`).
    """
    quote = connection.ops.quote_name
    patient_table = quote(PatientIndex._meta.db_table)
    # Only the models' own table and column names go into the text; values are parameters.
    people = _keys(
        f"SELECT {quote('patient_id')}, {quote('id')} FROM {patient_table} WHERE {quote('icp_id')} = %s",  # noqa: S608
        [icp.pk],
    )
    practices = _keys(
        f"SELECT {quote('code')}, {quote('id')} FROM {quote(Organisation._meta.db_table)} "  # noqa: S608
        f"WHERE {quote('type')} = %s",
        ["gp_practice"],
    )
    patient_pk = _lookup(table.column("patient_id"), *people)
    table = table.append_column("patient_pk", patient_pk).filter(pc.is_valid(patient_pk))
    table = table.append_column(
        "practice_pk", _lookup(pc.fill_null(table.column("practice_code"), ""), *practices)
    )
    counts = _counts(table, table.column("practice_pk"))
    table = table.filter(pc.is_in(table.column("tier"), pa.array(list(LISTED_TIERS), pa.string())))
    n = table.num_rows
    columns: dict[str, Any] = {
        "patient_id": table.column("patient_pk"),
        "icp_id": pa.array(np.full(n, icp.pk, dtype=np.int64)),
        "run_id": pa.array(np.full(n, run.pk if run else 0, dtype=np.int64)),
        "practice_id": table.column("practice_pk"),
    }
    for name in PLAIN:
        value = table.column(name)
        if name in NOT_NULL_TEXT:
            value = pc.fill_null(value, "")
        elif name == "synthetic":
            value = pc.fill_null(value, False)
        columns[name] = value
    columns["registers_text"] = _registers_text(table.column("registers"))
    columns["detail"] = _detail(table)
    return pa.table(columns), counts


def unsaved_result(patient: PatientIndex, run: RiskRun, row: pa.Table) -> RiskResult:
    """The RiskResult a sync writes for `row` (one person's row of the run), built and not saved.

    For a person the app database holds no row for (ADR 0212): the same columns, worked out by the
    same Arrow as the sync's, so a page shows them exactly as it would show a synced row.
    """
    if row.num_rows != 1:
        raise ValueError(f"one person's row of the run was expected, got {row.num_rows}")
    values: dict[str, Any] = {}
    for name in PLAIN:
        value = row.column(name)[0].as_py()
        if value is None and name in NOT_NULL_TEXT:
            value = ""
        values[name] = bool(value) if name == "synthetic" else value
    # Read back from the very JSON text the sync would have stored for this person.
    values["detail"] = risk_detail.RiskDetail.from_json(_detail(row)[0].as_py())
    code = row.column("practice_code")[0].as_py()
    practice = Organisation.objects.filter(code=code, type="gp_practice").first() if code else None
    return RiskResult(
        patient=patient,
        icp_id=run.icp_id,
        run=run,
        practice=practice,
        registers_text=_registers_text(row.column("registers"))[0].as_py(),
        **values,
    )


def _detail(table: pa.Table) -> pa.Array:
    """Each row's `RiskDetail` as its JSON array, written by Arrow for every row at once.

    The same text `RiskDetail.to_json` writes for one person, but for two million without a Python
    object each: numbers as Arrow prints them, flags as true/false, a missing value as null.
    """
    parts = []
    for name in risk_detail.FIELDS:
        column = table.column(name)
        if name in DETAIL_LISTS:
            parts.append(_json_lists(column))
            continue
        if pa.types.is_boolean(column.type):
            text = pc.if_else(column, "true", "false")
        else:
            if pa.types.is_floating(column.type) and pc.any(pc.is_nan(column)).as_py():
                raise ValueError(f"{name}: a score is not a number (NaN) in the run's results")
            text = pc.cast(column, pa.string())
        parts.append(pc.fill_null(text, DETAIL_MISSING.get(name, "null")))
    joined = pc.binary_join_element_wise(*parts, ",")
    return pc.binary_join_element_wise("[", joined, "]", "")


def _list_array(column: pa.ChunkedArray) -> pa.ListArray:
    """One list<string> array with empty lists where there were nulls."""
    array = pc.fill_null(column, pa.scalar([], pa.list_(pa.string()))).combine_chunks()
    assert isinstance(array, pa.ListArray)
    return array


def _json_lists(column: pa.ChunkedArray) -> pa.Array:
    """Each list as JSON text (`["a", "b"]`, as json.dumps writes it), joined by Arrow, not per row."""
    lists = _list_array(column)
    values = lists.values
    if len(values) and pc.any(pc.match_substring_regex(values, NEEDS_ESCAPE)).as_py():
        # Codes and keys never need escaping; should one ever do, let json do it properly.
        return pa.array([json.dumps(v) for v in lists.to_pylist()], pa.string())
    quoted = pc.binary_join_element_wise('"', values, '"', "")
    joined = pc.binary_join(pa.ListArray.from_arrays(lists.offsets, quoted), ", ")
    return pc.binary_join_element_wise("[", joined, "]", "")


def _registers_text(column: pa.ChunkedArray) -> pa.Array:
    """',copd,diabetes,' (or '' for none): a LIKE filter on register names, on either database."""
    lists = _list_array(column)
    joined = pc.binary_join(lists, ",")
    wrapped = pc.binary_join_element_wise(",", joined, ",", "")
    return pc.if_else(pc.greater(pc.list_value_length(lists), 0), wrapped, "")
