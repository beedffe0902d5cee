"""Run an Ibis expression to Arrow on whichever engine it is bound to."""

from __future__ import annotations

import warnings

import ibis.expr.types as ir
import pyarrow as pa


def to_arrow(expression: ir.Table) -> pa.Table:
    """The expression's rows as an Arrow table with the expression's own schema.

    DuckDB: Ibis's `to_pyarrow()` (silencing only DuckDB 2.0's notice that `fetch_arrow_table()`,
    which Ibis 12 calls, is deprecated). Spark: the compiled SQL straight to Arrow with Spark's
    `toArrow()`, because Ibis 12 goes through pandas, which pandas 3 warns about and which turns
    small integers into floats when a column has nulls.
    """
    backend = expression._find_backend(use_default=True)
    schema = expression.schema().to_pyarrow()
    if backend.name == "pyspark":
        backend._run_pre_execute_hooks(expression)  # registers in-memory tables (the code lists)
        frame = backend._session.sql(backend.compile(expression))
        return frame.toArrow().rename_columns(schema.names).cast(schema)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"fetch_arrow_table\(\) is deprecated", category=DeprecationWarning
        )
        result: pa.Table = expression.to_pyarrow()
    return result
