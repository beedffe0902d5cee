"""Ten million people stratified: `icp stratify --area NI` on five times NI against NI, on one machine.

Issue 12's target: 10 million synthetic people (five times NI) stratified with peak memory under
4 GB and in at most 5.5 times NI's time. Both populations are run the same way, one after the
other in this run: a first run that fits the model (`--retrain`) and a run with the saved model,
each its own `icp stratify` process (wall, CPU of it and its fit process, peak of the largest
process; stratify_command._run). `--no-sync`: the comparison is of the stratification; the app
database's sync grows with the rows it inserts and is measured for NI by stratify_command.

The NI folder is `ICP_BENCH_STRATIFY_DATA` (made by `icp synth --area NI --seed 1`); the five-times
folder is `ICP_BENCH_TEN_MILLION_DATA`, made here when it holds no warehouse yet (untimed:
`icp migrate`, then the synthesiser with `--people` five times NI's list sizes, no patient index).
`ICP_BENCH_RUNS="saved model"` measures the saved-model runs only; five times NI then borrows NI's
newest model (the same 17 ICPs), as a partnership scoring with a model fitted elsewhere would.

    ICP_BENCH_STRATIFY_DATA=<NI> ICP_BENCH_TEN_MILLION_DATA=<folder> \
        flock /tmp/icp-bench.lock python -m benchmarks.stratify_ten_million

Prints a table and writes benchmarks/results/stratify_ten_million.json.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from benchmarks.stratify_command import ICP, RESULTS, _environment, _run

SCALE_PEOPLE = 10_254_435  # five times NI's list sizes (bench_synth --ten-million)
TARGET_RATIO = 5.5
TARGET_PEAK_GB = 4.0
SYNTHESISE = (
    "import sys; from pathlib import Path; from icp.records.synth.run import synthesise; "
    "from icp.records.warehouse import Warehouse; "
    "synthesise(Warehouse(Path(sys.argv[1])), area='NI', seed=1, workers=2, people=int(sys.argv[2]))"
)


def _prepare(folder: Path) -> None:
    """Five times NI in `folder`'s warehouse, with a migrated app database (for the opt-outs)."""
    if (folder / "warehouse").is_dir():
        return
    env = _environment(folder, None)
    _run([ICP, "migrate"], env)
    _run([sys.executable, "-c", SYNTHESISE, str(folder / "warehouse"), str(SCALE_PEOPLE)], env)


RUNS = {
    "first run": ["stratify", "--area", "NI", "--retrain", "--no-sync"],
    "saved model": ["stratify", "--area", "NI", "--no-sync"],
}


def measure(folder: Path, runs: list[str]) -> dict[str, Any]:
    env = _environment(folder, None)
    return {name: _run([ICP, *RUNS[name]], env) for name in runs}


def _borrow_model(ni: Path, scaled: Path) -> None:
    """A saved-model run alone on five times NI uses NI's newest model (the same 17 ICPs)."""
    if (scaled / "models").is_dir():
        return
    shutil.copytree(ni / "models", scaled / "models")


def main() -> dict[str, Any]:
    from rich.console import Console
    from rich.table import Table

    ni = Path(os.environ["ICP_BENCH_STRATIFY_DATA"])
    scaled = Path(os.environ["ICP_BENCH_TEN_MILLION_DATA"])
    _prepare(scaled)
    # ICP_BENCH_RUNS="saved model" measures only the runs with a saved model (NI's, borrowed).
    runs = [name for name in os.environ.get("ICP_BENCH_RUNS", ",".join(RUNS)).split(",") if name]
    if "first run" not in runs:
        _borrow_model(ni, scaled)
    report: dict[str, Any] = {"NI": measure(ni, runs), "5 x NI": measure(scaled, runs)}
    table = Table(title="icp stratify --area NI --no-sync: NI and five times NI (10,254,435 people)")
    for heading in ("Run", "NI wall s", "5 x NI wall s", "ratio", "NI CPU s", "5 x NI CPU s", "CPU ratio"):
        table.add_column(heading, justify="left" if heading == "Run" else "right")
    table.add_column("5 x NI peak GB", justify="right")
    table.add_column("Target met", justify="right")
    table.add_column("Load avg (1 min)", justify="right")
    for name in runs:
        small, large = report["NI"][name], report["5 x NI"][name]
        ratio = large["wall_seconds"] / small["wall_seconds"]
        cpu_ratio = large["cpu_seconds"] / small["cpu_seconds"]
        met = (ratio <= TARGET_RATIO, large["peak_gb"] < TARGET_PEAK_GB)
        report["5 x NI"][name].update(ratio_to_ni=round(ratio, 2), cpu_ratio_to_ni=round(cpu_ratio, 2))
        table.add_row(
            name,
            f"{small['wall_seconds']}",
            f"{large['wall_seconds']}",
            f"{ratio:.2f}x (<= {TARGET_RATIO})",
            f"{small['cpu_seconds']}",
            f"{large['cpu_seconds']}",
            f"{cpu_ratio:.2f}x",
            f"{large['peak_gb']} (< {TARGET_PEAK_GB:.0f})",
            ("time" if met[0] else "no (time)") + (", memory" if met[1] else ", no (memory)"),
            " → ".join(str(x) for x in large["load_average_1min"]),
        )
    Console().print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stratify_ten_million.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
