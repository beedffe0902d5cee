"""The records warehouse: the linked clinical records of a population as Parquet tables.

Pure Python (no Django). `schema` defines the tables, `warehouse` writes batches atomically and
opens the tables as Ibis tables on DuckDB (default) or Spark.
"""
