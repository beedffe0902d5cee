"""Run an Ibis expression to Arrow on whichever engine it is bound to (records.engine.to_arrow, the
one implementation, which the records package's own checks use too), and `Compiled`: a run's queries
built and compiled once for all its groups of ICPs (ADR 0208).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from icp.records.engine import to_arrow
from icp.stratify.events import Tables

__all__ = ["Compiled", "to_arrow"]


class Compiled:
    """A run's queries, each built and compiled to SQL once and run again for every group of ICPs.

    A national run scores a group of ICPs at a time, each group on its own DuckDB connection whose
    views (`wh_patient`, `wh_encounter`, …) name that group's files: the same names, so the same SQL.
    Building the rule-based query in Ibis and compiling it is about a second of one core per group
    and per date (a first run's fit asks for two dates), the same work each time. So a query is
    looked up by what it is (`what`: its name and arguments) and by the shape of the tables it
    reads: each table's own SQL (a view's name, a person mapping or a sample's filter) and its
    schema. Tables of another shape (a linked person, a missing table, a file with another schema)
    compile afresh. Spark, one group in one session, always compiles.

    Kept for one run only: a compiled query holds the code lists' in-memory tables, registered on
    each group's connection, and those registrations hold the connections.
    """

    def __init__(self) -> None:
        self._queries: dict[Hashable, tuple[ir.Table, str]] = {}

    def to_arrow(self, what: Hashable, tables: Tables, build: Callable[[], ir.Table]) -> pa.Table:
        """`build()`'s rows as Arrow (as `to_arrow`), compiled at most once per `what` and table shape."""
        backend = tables["patient"]._find_backend(use_default=True)
        if backend.name != "duckdb":
            return to_arrow(build())
        key = (what, _shape(backend, tables))
        found = self._queries.get(key)
        if found is None:
            expression = build()
            found = self._queries[key] = (expression, backend.compile(expression))
        expression, sql = found
        return _run(backend, expression, sql)

    def __len__(self) -> int:
        return len(self._queries)


def _shape(backend: Any, tables: Tables) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """What a query's SQL depends on in its tables: each one's own SQL and its schema."""
    return tuple(
        (name, backend.compile(table), tuple((column, str(kind)) for column, kind in table.schema().items()))
        for name, table in sorted(tables.items())
    )


def _run(backend: Any, expression: ir.Table, sql: str) -> pa.Table:
    """Run `sql` (compiled from `expression`) on this backend, as Ibis's own to_pyarrow does.

    The expression's in-memory tables (code lists, opt-outs) are registered on this connection
    first; the result takes the expression's schema as Ibis gives it.
    """
    from ibis.backends.duckdb.converter import DuckDBPyArrowData

    backend._run_pre_execute_hooks(expression)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning
        )
        table = backend.con.sql(sql).to_arrow_table()
    result: pa.Table = expression.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)
    return result
