"""Run the benchmarks: `python -m benchmarks [--quick] [NAME …]` (what `make bench` runs).

Each module `benchmarks/bench_<name>.py` provides `main(quick: bool)`. Timings on shared machines
are noisy: the benchmarks quote medians and ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

from rich.console import Console


def discover() -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(folder)])
        if m.name.startswith("bench_")
    )


def run(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    options = parser.parse_args(argv)
    console = Console()
    available = discover()
    chosen = options.names or available
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        parser.error(
            f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available) or 'none'}"
        )
    if not chosen:
        console.print("No benchmarks yet.")
        return
    for name in chosen:
        console.rule(f"benchmark: {name}")
        importlib.import_module(f"benchmarks.bench_{name}").main(quick=options.quick)


if __name__ == "__main__":
    run()
