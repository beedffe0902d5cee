"""Benchmarks: each `bench_<name>.py` module has `main(quick: bool) -> None` that prints a table,
writes JSON to `benchmarks/results/`, and compares against a baseline run in the same process."""
