"""Synthesise ICPs into the warehouse: one committed batch per ICP, streamed ICP by ICP.

Each ICP's people come from their own random stream (the seed and the ICP's place in the registry
file), so an ICP's population depends only on the seed and `--people`, not on which other areas
are synthesised with it. Re-synthesising an ICP replaces that ICP's earlier synth batch.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from icp.records.synth import reference
from icp.records.synth.care import care_tables
from icp.records.synth.encounters import encounter_table
from icp.records.synth.morbidity import Calibration, calibrate, draw_deficits, draw_registers
from icp.records.synth.outcomes import draw_medicines, simulate_outcomes
from icp.records.synth.population import (
    EXTRACT_DATE,
    HISTORY_START,
    Cohort,
    make_cohort,
    national_ids,
    practice_sizes,
)
from icp.records.synth.primary_care import (
    condition_table,
    medication_table,
    observation_table,
    patient_ids,
    patient_table,
)
from icp.records.synth.registrations import death_table, procedure_table
from icp.records.warehouse import BatchWriter, Warehouse

ALL_NI = "NI"
MAX_PEOPLE_PER_ICP = 4_000_000  # the H&C numbers an ICP has (identity.py), with room to spare


@dataclass
class AreaResult:
    icp: str
    batch_id: str
    people: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    replaced: list[str] = field(default_factory=list)


def resolve_areas(area: str) -> list[str]:
    """`NI` → all 17 ICP codes; an ICP code → itself; anything else is refused with the choices."""
    codes = reference.icp_codes()
    if area.upper() == ALL_NI:
        return list(codes)
    if area in codes:
        return [area]
    raise ValueError(f"--area {area!r} is not NI or an NI ICP code; choose one of: NI, {', '.join(codes)}")


def people_per_area(areas: list[str], people: int | None) -> dict[str, int | None]:
    """None keeps the BSO list sizes; a number is shared out in proportion to them."""
    if people is None:
        return dict.fromkeys(areas)
    if people < len(areas):
        raise ValueError(f"--people {people} is fewer than one person per ICP ({len(areas)} ICPs)")
    sizes = np.array([int(practice_sizes(icp, None)[1].sum()) for icp in areas], dtype=np.float64)
    shares = np.floor(sizes / sizes.sum() * people).astype(np.int64)
    shares[np.argsort(-(sizes / sizes.sum() * people - shares))[: people - int(shares.sum())]] += 1
    if int(shares.max()) > MAX_PEOPLE_PER_ICP:
        raise ValueError(f"--people gives one ICP more than {MAX_PEOPLE_PER_ICP:,} people; use fewer")
    return {icp: int(n) for icp, n in zip(areas, shares, strict=True)}


def synthesise(
    warehouse: Warehouse,
    *,
    area: str,
    seed: int,
    people: int | None = None,
    on_progress: Callable[[str, str], None] | None = None,
    workers: int = 1,
    intervention_effect: float = 0.2,
) -> list[AreaResult]:
    """Write a synthetic population for `area` (an ICP code or NI) and return what was written.

    `on_progress(icp, step)` is called as each ICP moves through its steps (with `workers` > 1,
    only as each ICP finishes). `workers` > 1 synthesises that many ICPs at once in separate
    processes; each ICP's rows are the same whatever the number of workers.
    `intervention_effect` is the proportion by which enrolment in the falls pathway lowers each
    enrolled person's falls-admission rate from their enrolment date (history.py).
    """
    if not 0.0 <= intervention_effect <= 1.0:
        raise ValueError(f"--intervention-effect {intervention_effect} must be between 0 and 1")
    areas = resolve_areas(area)
    counts = people_per_area(areas, people)
    note = on_progress or (lambda _icp, _step: None)
    jobs = [(icp, counts[icp]) for icp in areas]
    if workers <= 1 or len(jobs) == 1:
        note("", "calibrating to the NI reference tables")
        calibration = calibrate()
        return [
            _synthesise_area(warehouse.root, icp, n, seed, calibration, note, intervention_effect)
            for icp, n in jobs
        ]
    results: dict[str, AreaResult] = {}
    # Largest ICPs first, so the two workers finish together.
    jobs.sort(key=lambda job: -(job[1] or int(practice_sizes(job[0], None)[1].sum())))
    context = multiprocessing.get_context("spawn")  # no fork of a process with Arrow's threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_prepare_worker) as pool:
        # The workers start (a new interpreter each, importing NumPy, Arrow and the synthesiser: a
        # few seconds) while this process calibrates, instead of after it.
        for _ in range(workers):
            pool.submit(_prepare_worker)
        note("", "calibrating to the NI reference tables")
        calibration = calibrate()
        futures = {
            pool.submit(
                _synthesise_area, warehouse.root, icp, n, seed, calibration, None, intervention_effect
            ): icp
            for icp, n in jobs
        }
        for future in as_completed(futures):
            result = future.result()
            results[result.icp] = result
            note(result.icp, "done")
    return [results[icp] for icp in areas]


def _prepare_worker() -> None:
    """Pay a worker's one-off costs as it starts: its imports (this module's are done by now), and
    the pandas import pyarrow makes on its first conversion of a Python or NumPy value."""
    pa.array([0])


# The random streams beside each area's main one: the opaque patient ids, and each block's own.
PATIENT_ID_STREAM = 1
BLOCK_STREAM = 2
# People synthesised together: an ICP larger than this is split into interleaved blocks (person
# k of the ICP goes to block k mod the number of blocks), each a fair sample of all its practices,
# so memory stays bounded whatever --people asks and the age-sex normalisations in outcomes.py and
# history.py see the whole ICP's mix, not one practice's.
BLOCK_PEOPLE = 120_000


def blocks(people: int) -> list[npt.NDArray[np.int64]]:
    """The places of each block's people in the ICP (interleaved; see BLOCK_PEOPLE)."""
    count = max(1, -(-people // BLOCK_PEOPLE))
    return [np.arange(block, people, count, dtype=np.int64) for block in range(count)]


def _synthesise_area(
    root: Path,
    icp: str,
    people: int | None,
    seed: int,
    calibration: Calibration,
    on_progress: Callable[[str, str], None] | None,
    intervention_effect: float = 0.2,
) -> AreaResult:
    """One ICP, start to commit (also the body of a worker process): its people are drawn at once,
    then synthesised and written block by block into the batch's Parquet files."""
    note = on_progress or (lambda _icp, _step: None)
    warehouse = Warehouse(root)
    started = time.perf_counter()
    index = reference.icp_codes().index(icp)
    rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
    source = f"icp synth seed={seed}"
    note(icp, "people")
    everyone = make_cohort(icp, index, people, rng)
    # Opaque ids from a stream of their own: the rest of the population is the same as before.
    all_pids = patient_ids(
        everyone, np.random.default_rng(np.random.SeedSequence([seed, index, PATIENT_ID_STREAM]))
    )
    all_national = national_ids(everyone)
    replaced = warehouse.find_batches(kind="synth", area=icp)
    averted = 0
    with warehouse.batch(
        kind="synth",
        source=source,
        inputs=[
            f"area={icp}",
            f"seed={seed}",
            f"people={people if people else 'list sizes'}",
            f"intervention_effect={intervention_effect}",
        ],
        replaces=replaced,
    ) as batch:
        parts = blocks(everyone.size)
        for number, places in enumerate(parts):
            step = f"block {number + 1} of {len(parts)}: " if len(parts) > 1 else ""

            def block_note(what: str, step: str = step) -> None:
                note(icp, step + what)

            cohort = everyone.subset(places) if len(parts) > 1 else everyone
            pids = all_pids.take(pa.array(places)) if len(parts) > 1 else all_pids
            block_rng = np.random.default_rng(np.random.SeedSequence([seed, index, BLOCK_STREAM, number]))
            averted += _synthesise_block(
                batch,
                cohort,
                block_rng,
                pids,
                all_national[places],
                calibration,
                source,
                intervention_effect,
                block_note,
            )
        batch.detail.update(
            seed=seed,
            area=icp,
            history_start=HISTORY_START.isoformat(),
            extract_date=EXTRACT_DATE.isoformat(),
            intervention_effect=intervention_effect,
            falls_admissions_averted=averted,
            blocks=len(parts),
        )
        batch.records_read = everyone.size
        rows = dict(batch.counts)
        batch_id = batch.batch_id
    note(icp, "done")
    return AreaResult(icp, batch_id, everyone.size, rows, time.perf_counter() - started, replaced)


def _synthesise_block(
    batch: BatchWriter,
    cohort: Cohort,
    rng: np.random.Generator,
    pids: pa.Array,
    national: npt.NDArray[np.int64],
    calibration: Calibration,
    source: str,
    intervention_effect: float,
    note: Callable[[str], None],
) -> int:
    """Synthesise one block of people and write its rows; returns the falls admissions averted."""
    registers = draw_registers(cohort, rng, calibration.register_intercepts)
    deficits = draw_deficits(cohort, rng, calibration.deficit_intercepts, registers)
    prescribed = draw_medicines(cohort, rng, registers)
    note("outcomes")
    outcomes = simulate_outcomes(
        cohort, rng, registers, deficits, calibration, prescribed, intervention_effect=intervention_effect
    )
    note("patients")
    batch.write("patient", patient_table(cohort, rng, outcomes, source, pids, national))
    note("conditions")
    conditions, onsets = condition_table(cohort, rng, registers, deficits, outcomes, pids, source)
    batch.write("condition", conditions)
    del conditions
    note("medicines")
    batch.write("medication", medication_table(cohort, rng, prescribed, onsets, outcomes, pids, source))
    note("observations")
    batch.write("observation", observation_table(cohort, rng, registers, outcomes, pids, source))
    note("encounters")
    batch.write("encounter", encounter_table(cohort, rng, registers, outcomes, pids, source))
    note("deaths, procedures and care history")
    batch.write("death", death_table(cohort, outcomes, pids, source))
    batch.write("procedure", procedure_table(cohort, outcomes, pids, source))
    for name, table in care_tables(cohort, rng, registers, deficits, outcomes, onsets, pids, source).items():
        batch.write(name, table)
    return outcomes.falls.averted if outcomes.falls else 0
