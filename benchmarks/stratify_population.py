"""A vectorised synthetic warehouse for the stratification benchmark (not the product's `icp synth`).

Generated straight into the warehouse's Parquet tables with NumPy and Arrow, so NI-sized data
(about 2.05 million people over 17 ICPs) takes a minute, not a loop per person. Codes are real:
eFI deficit and register SNOMED CT codes from the shipped lists, ICD-10 codes from the HFRS and
Charlson tables. Deficits accrue with age; emergency admissions are likelier with age and deficits.
Every row is labelled synthetic.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa

from icp.records.schema import DIAGNOSIS
from icp.records.warehouse import Warehouse
from icp.stratify import codelists

AS_OF = dt.date(2026, 3, 31)
START = dt.date(2022, 4, 1)
ICPS = [f"NI-BENCH-{n:02d}" for n in range(17)]


def _days(rng: np.random.Generator, n: int, start: dt.date, end: dt.date) -> pa.Array:
    base = np.datetime64(start, "D")
    span = (end - start).days
    return pa.array(base + rng.integers(0, span, n).astype("timedelta64[D]"), pa.date32())


def _provenance(icp: np.ndarray) -> dict[str, pa.Array]:
    n = icp.size
    return {
        "icp": pa.array(icp, pa.string()),
        "source": pa.array(np.full(n, "benchmark"), pa.string()),
        "batch_id": pa.array(np.full(n, "bench"), pa.string()),
        "synthetic": pa.array(np.ones(n, dtype=bool)),
    }


def generate(root: Path, people: int, seed: int = 2026, chunk: int = 500_000) -> Warehouse:
    """Write `people` synthetic people and their records to a warehouse at `root`."""
    rng = np.random.default_rng(seed)
    warehouse = Warehouse(root)
    efi = codelists.efi_codes()
    snomed = np.asarray(
        efi.filter(pa.compute.equal(efi.column("code_system"), "snomed")).column("code").to_pylist()
    )
    registers = np.asarray(codelists.register_codes().column("code").to_pylist())
    hfrs = np.asarray(list(codelists.hfrs_weights_tenths()))
    charlson = np.asarray([p for _c, p in codelists.charlson_prefixes() if len(p) >= 3])
    icd10_pool = np.concatenate([hfrs, charlson])
    with warehouse.batch(kind="synth", source="benchmark (synthetic)") as batch:
        for offset in range(0, people, chunk):
            n = min(chunk, people - offset)
            ids = np.char.add("b", np.arange(offset, offset + n).astype(str))
            icp = np.asarray(ICPS)[rng.integers(0, len(ICPS), n)]
            age = np.clip(rng.gamma(4.0, 10.0, n), 0, 104).astype(int)
            birth = (
                np.datetime64(AS_OF, "D")
                - (age * 365.25).astype("timedelta64[D]")
                - rng.integers(0, 365, n).astype("timedelta64[D]")
            )
            batch.write(
                "patient",
                pa.table(
                    {
                        "patient_id": pa.array(ids),
                        "sex": pa.array(np.where(rng.random(n) < 0.5, "female", "male")),
                        "birth_date": pa.array(birth, pa.date32()),
                        "practice_code": pa.array(np.char.add("BP", rng.integers(0, 300, n).astype(str))),
                        "registered": pa.array(np.ones(n, dtype=bool)),
                        "deprivation_quintile": pa.array(rng.integers(1, 6, n).astype(np.int8)),
                        **_provenance(icp),
                    }
                ),
            )
            frailty = np.clip((age - 40) / 60, 0, 1)
            # Conditions: eFI deficit codes (accruing with age) and register codes.
            deficits = rng.poisson(0.3 + 5 * frailty)
            register_count = rng.poisson(0.2 + 1.5 * frailty)
            deficit_owner = np.repeat(np.arange(n), deficits)
            register_owner = np.repeat(np.arange(n), register_count)
            condition_owner = np.concatenate([deficit_owner, register_owner])
            condition_codes = np.concatenate(
                [
                    snomed[rng.integers(0, snomed.size, deficit_owner.size)],
                    registers[rng.integers(0, registers.size, register_owner.size)],
                ]
            )
            m = condition_owner.size
            batch.write(
                "condition",
                pa.table(
                    {
                        "condition_id": pa.array(np.char.add(f"c{offset}-", np.arange(m).astype(str))),
                        "patient_id": pa.array(ids[condition_owner]),
                        "code_system": pa.array(np.full(m, "snomed")),
                        "code": pa.array(condition_codes),
                        "onset_date": _days(rng, m, dt.date(2005, 1, 1), AS_OF),
                        **_provenance(icp[condition_owner]),
                    }
                ),
            )
            # Medicines: more with frailty.
            medicines = rng.poisson(0.5 + 8 * frailty)
            medicine_owner = np.repeat(np.arange(n), medicines)
            k = medicine_owner.size
            batch.write(
                "medication",
                pa.table(
                    {
                        "medication_id": pa.array(np.char.add(f"m{offset}-", np.arange(k).astype(str))),
                        "patient_id": pa.array(ids[medicine_owner]),
                        "code_system": pa.array(np.full(k, "dmd")),
                        "code": pa.array(rng.integers(100000, 100400, k).astype(str)),
                        "kind": pa.array(np.full(k, "request")),
                        "status": pa.array(np.full(k, "active")),
                        "start_date": _days(rng, k, dt.date(2018, 1, 1), AS_OF),
                        **_provenance(icp[medicine_owner]),
                    }
                ),
            )
            # Emergency admissions over four years, likelier with age and deficits; some A&E.
            rate = 0.02 + 0.25 * frailty + 0.03 * deficits
            admissions = rng.poisson(rate * 4)
            admission_owner = np.repeat(np.arange(n), admissions)
            a = admission_owner.size
            per = rng.integers(1, 4, a)
            flat = icd10_pool[rng.integers(0, icd10_pool.size, int(per.sum()))]
            offsets = np.concatenate([[0], np.cumsum(per)]).astype(np.int32)
            diagnoses = pa.ListArray.from_arrays(
                pa.array(offsets),
                pa.StructArray.from_arrays(
                    [
                        pa.array(np.full(flat.size, "icd10")),
                        pa.array(flat),
                        pa.nulls(flat.size, pa.string()),
                        pa.array(np.ones(flat.size, dtype=np.int16)),
                    ],
                    fields=list(DIAGNOSIS),
                ),
            )
            setting = np.where(rng.random(a) < 0.75, "inpatient", "ae")
            start = _days(rng, a, START, AS_OF)
            batch.write(
                "encounter",
                pa.table(
                    {
                        "encounter_id": pa.array(np.char.add(f"e{offset}-", np.arange(a).astype(str))),
                        "patient_id": pa.array(ids[admission_owner]),
                        "setting": pa.array(setting),
                        "admission_method": pa.array(np.where(setting == "inpatient", "emergency", None)),
                        "start_date": start,
                        "end_date": start,
                        "diagnoses": diagnoses,
                        **_provenance(icp[admission_owner]),
                    }
                ),
            )
            # One BMI per person in the last two years.
            batch.write(
                "observation",
                pa.table(
                    {
                        "observation_id": pa.array(np.char.add(f"o{offset}-", np.arange(n).astype(str))),
                        "patient_id": pa.array(ids),
                        "code_system": pa.array(np.full(n, "snomed")),
                        "code": pa.array(np.full(n, "60621009")),
                        "effective_date": _days(rng, n, dt.date(2024, 4, 1), AS_OF),
                        "value_number": pa.array(rng.normal(27, 4, n)),
                        **_provenance(icp),
                    }
                ),
            )
    return warehouse
