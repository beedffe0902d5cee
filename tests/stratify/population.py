"""A small random population with a known hazard, for testing the model and runs (synthetic).

Frailty deficits accrue with age; emergency admissions each year are more likely with age and
deficits, so a model trained on the history has real signal to find.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.stratify.builders import EFI_CODE, Records

AS_OF = dt.date(2025, 6, 1)


def random_population(people: int = 3000, seed: int = 7, icps: tuple[str, ...] = ("NI-NOR-CA",)) -> Records:
    rng = np.random.default_rng(seed)
    records = Records()
    codes = list(EFI_CODE.values())
    for n in range(people):
        icp = icps[n % len(icps)]
        age = int(rng.integers(20, 100))
        pid = records.person(
            f"p{n:05d}",
            born=dt.date(AS_OF.year - age, 1 + n % 12, 1 + n % 28),
            sex="female" if n % 2 else "male",
            practice=f"Z{n % 3:05d}",
            quintile=int(rng.integers(1, 6)),
            icp=icp,
        )
        deficits = int(rng.binomial(len(codes), min(0.9, max(0.0, (age - 40) / 100))))
        for code in rng.choice(codes, deficits, replace=False):
            records.code(pid, str(code), dt.date(2015, 1, 1))
        for m in range(int(rng.poisson(deficits / 2))):
            records.medicine(pid, f"m{m}", dt.date(2021, 1, 1))
        hazard = 0.01 + 0.002 * max(0, age - 50) + 0.03 * deficits
        for year in (2021, 2022, 2023, 2024):
            if rng.random() < hazard:
                day = dt.date(year, 1 + int(rng.integers(0, 12)), 1 + int(rng.integers(0, 28)))
                records.encounter(pid, "inpatient", day, method="emergency", diagnoses=("R54", "W19.0"))
        if rng.random() < hazard:
            records.encounter(pid, "inpatient", dt.date(2025, 3, 1), method="emergency", diagnoses=("I50.0",))
        records.measure(pid, "60621009", dt.date(2024, 6, 1), float(rng.normal(27, 4)))
    return records
