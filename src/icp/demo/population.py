"""The demo's synthetic population: the demo ICP synthesised once, and the patient index synced.

Every row is labelled synthetic (`icp.records.synth`).
"""

from __future__ import annotations

import os

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

DEMO_SEED = 42
# The demo's population is the ICP at its practices' real list sizes (~100,000 people for NI-NOR-CA).
# ICP_DEMO_PEOPLE sets a smaller total, e.g. for end-to-end tests that only need the pages to work.
DEMO_PEOPLE_ENV = "ICP_DEMO_PEOPLE"


def ensure_demo_population(*, console: Console, icp: str) -> None:
    """`make demo`'s step: synthesise the demo ICP unless the warehouse already has it, then make
    sure the patient index holds it. Idempotent: a second run only checks."""
    from icp.patients.models import PatientIndex
    from icp.patients.sync import sync_patient_index
    from icp.records.synth.run import synthesise
    from icp.records.warehouse import Warehouse

    warehouse = Warehouse()
    people = int(os.environ[DEMO_PEOPLE_ENV]) if os.environ.get(DEMO_PEOPLE_ENV) else None
    if not warehouse.find_batches(kind="synth", area=icp):
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(f"Synthesising {icp}'s population (synthetic)…", total=None)
            synthesise(
                warehouse,
                area=icp,
                seed=DEMO_SEED,
                people=people,
                on_progress=lambda area, step: progress.update(
                    task, description=f"Synthesising {area or icp}: {step} (synthetic)"
                ),
            )
        console.print(f"Synthesised {icp}'s population (synthetic, seed {DEMO_SEED}).")
    if not PatientIndex.objects.filter(icp__code=icp).exists():
        with console.status("Syncing the patient index…"):
            sync_patient_index(areas=[icp], warehouse=warehouse)
