"""Open the warehouse as Ibis tables on DuckDB (the embedded default) or Spark (local or a cluster).

The same Ibis expressions run on both engines; tests check that they give the same answers.
Spark is optional (`pip install icp[spark]`, Java 17) and, when started here, runs in local mode
bound to 127.0.0.1 with its UI off.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from icp.records.schema import TABLES
from icp.records.warehouse import Warehouse

Engine = Literal["duckdb", "spark"]


def spark_session(app_name: str = "icp", cores: int = 2) -> Any:
    """A Spark session: local mode on loopback only, or the cluster named by SPARK_MASTER.

    In local mode (no SPARK_MASTER, or a `local[…]` one) Spark binds to 127.0.0.1 and splits
    shuffles into a few partitions for the machine's `cores`. On a cluster the executors, on other
    machines, must reach the driver: its address is Spark's own choice (SPARK_LOCAL_IP or
    `spark.driver.host`), and the number of shuffle partitions is the cluster's (docs/spark.md).
    """
    from pyspark.sql import SparkSession

    master = os.environ.get("SPARK_MASTER") or f"local[{cores}]"
    builder = (
        SparkSession.builder.appName(app_name)
        .master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
    )
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        )
    return builder.getOrCreate()


def connect(engine: Engine = "duckdb", *, threads: int | None = None, memory_limit: str | None = None) -> Any:
    """An Ibis backend for `engine`. On DuckDB, `memory_limit` (e.g. "2GB") bounds what it holds:
    beyond it, kept tables and large sorts and joins go to temporary files instead."""
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        if memory_limit:
            if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit.strip(), re.IGNORECASE):
                raise ValueError(f"memory limit {memory_limit!r}: expected a size such as 2GB or 1500MB")
            con.raw_sql(f"SET memory_limit = '{memory_limit.strip()}'")
        return con
    if engine == "spark":
        return ibis.pyspark.connect(spark_session())
    raise ValueError(f"unknown engine {engine!r}: choose duckdb or spark")


def open_tables(
    warehouse: Warehouse | None = None,
    *,
    engine: Engine = "duckdb",
    areas: Sequence[str] | None = None,
    tables: Sequence[str] | None = None,
    con: Any = None,
) -> dict[str, ir.Table]:
    """The warehouse's tables as Ibis tables, optionally limited to some ICPs.

    Only the files the manifest lists are read, so a half-written batch is never seen.
    """
    warehouse = warehouse or Warehouse()
    con = con if con is not None else connect(engine)
    names = list(tables) if tables else list(TABLES)
    opened: dict[str, ir.Table] = {}
    for name in names:
        files = [str(f) for f in warehouse.files(name, areas)]
        view = f"wh_{name}"
        if engine == "duckdb":
            if files:
                # The `icp=` folders are not read as Hive partitions: `icp` is a column in every file.
                opened[name] = con.read_parquet(files, table_name=view, hive_partitioning=False)
            else:
                opened[name] = con.create_table(view, TABLES[name].empty_table(), temp=True, overwrite=True)
        else:
            session = con._session
            schema = TABLES[name]
            if files:
                frame = session.read.parquet(*files)
            else:
                frame = session.createDataFrame([], schema=_spark_schema(schema))
            frame.createOrReplaceTempView(view)
            opened[name] = con.table(view)
    return opened


def _spark_schema(schema: Any) -> Any:
    """Arrow schema → Spark StructType (for empty tables)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


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
