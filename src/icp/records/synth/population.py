"""Who the synthetic people are: practice, age, sex, small area, deprivation, names and H&C number.

One `Cohort` holds an ICP's people as NumPy arrays (one element per person); later modules add
their conditions, frailty deficits, activity and deaths. Nothing here loops over people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from icp.records.synth import reference
from icp.records.synth.identity import health_and_care_numbers

# The synthetic history: four financial years, 1 April 2022 to 31 March 2026 (the extract date).
HISTORY_START = date(2022, 4, 1)
EXTRACT_DATE = date(2026, 3, 31)
YEARS = 4
EPOCH = date(1970, 1, 1)
START_DAY = (HISTORY_START - EPOCH).days
EXTRACT_DAY = (EXTRACT_DATE - EPOCH).days
DAYS_PER_YEAR = 365.25
NEVER = np.iinfo(np.int32).max  # a death or onset day that does not happen

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]


@dataclass
class Cohort:
    """One ICP's synthetic people; every array has one element per person."""

    icp: str
    icp_index: int
    practice_codes: list[str]
    practice_districts: list[str]
    practice: npt.NDArray[np.int16]
    male: Bools
    age_at_start: Floats  # exact age in years on HISTORY_START
    birth_day: Ints  # days since 1970-01-01
    soa_rank: npt.NDArray[np.int16]  # NIMDM 2017 rank of the small area (1 = most deprived)
    quintile: npt.NDArray[np.int8]  # 1 = most deprived
    health: Floats  # latent ill-health (standard normal, shifted by deprivation)
    frailty: Floats  # latent frailty (correlated with ill-health)
    extra: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    # How many rows of each kind (by id letter) the ICP's blocks have numbered so far (tables.row_ids).
    next_ids: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.male.shape[0])

    def age_on(self, day: int | Ints) -> Floats:
        return (np.asarray(day, dtype=np.float64) - self.birth_day) / DAYS_PER_YEAR

    def subset(self, people: npt.NDArray[np.integer]) -> Cohort:
        """The same ICP's people at places `people` (a block synthesised on its own, run.py)."""
        return Cohort(
            icp=self.icp,
            icp_index=self.icp_index,
            practice_codes=self.practice_codes,
            practice_districts=self.practice_districts,
            practice=self.practice[people],
            male=self.male[people],
            age_at_start=self.age_at_start[people],
            birth_day=self.birth_day[people],
            soa_rank=self.soa_rank[people],
            quintile=self.quintile[people],
            health=self.health[people],
            frailty=self.frailty[people],
            extra={name: values[people] for name, values in self.extra.items()},
            next_ids=self.next_ids,  # shared: ids run on across the ICP's blocks
        )


def practice_sizes(icp: str, people: int | None) -> tuple[list[reference.Practice], npt.NDArray[np.int64]]:
    """The ICP's practices and how many people each gets: their BSO list sizes, or scaled to `people`."""
    chosen = [p for p in reference.practices() if p.icp == icp]
    if not chosen:
        raise ValueError(f"no reference practices in ICP {icp!r}")
    sizes = np.array([p.list_size for p in chosen], dtype=np.int64)
    if people is not None:
        scaled = sizes * (people / sizes.sum())
        sizes = np.floor(scaled).astype(np.int64)
        # Largest remainders make the total exactly `people`.
        short = people - int(sizes.sum())
        sizes[np.argsort(scaled - sizes)[::-1][:short]] += 1
    return chosen, sizes


def make_cohort(icp: str, icp_index: int, people: int | None, rng: np.random.Generator) -> Cohort:
    chosen, sizes = practice_sizes(icp, people)
    n = int(sizes.sum())
    practice = np.repeat(np.arange(len(chosen), dtype=np.int16), sizes)

    # Age and sex: NI mid-2022 by sex and 5-year band, uniform within the band.
    shares = reference.age_sex_shares()
    cell = rng.choice(shares.size, size=n, p=shares.ravel())
    male = cell >= shares.shape[1]
    band = cell % shares.shape[1]
    age = (band * 5 + rng.random(n) * 5).astype(np.float64)
    birth_day = np.floor(START_DAY - age * DAYS_PER_YEAR).astype(np.int32)

    # Small area: each practice draws from its ICP's districts' SOAs around a catchment centre of
    # its own (a quantile of the ICP's deprivation ranks), so practices differ in deprivation.
    ranks = np.concatenate([reference.soa_ranks_by_lgd()[d] for d in reference.ICP_DISTRICTS[icp]])
    ranks = np.sort(ranks)
    centre = rng.random(len(chosen))[practice]
    position = np.clip(centre + rng.normal(0.0, 0.22, n), 0.0, 0.999999)
    soa_rank = ranks[(position * len(ranks)).astype(np.int64)].astype(np.int16)
    quintile = ((soa_rank - 1) // (reference.NIMDM_AREAS // 5) + 1).astype(np.int8)

    # Latent ill-health and frailty: more deprived areas carry more of both (the deprivation
    # gradients in prevalence and outcomes come through these and through direct terms).
    deprivation = (3 - quintile).astype(np.float64)
    health = rng.standard_normal(n) + 0.15 * deprivation
    frailty = 0.6 * health + 0.8 * rng.standard_normal(n)
    return Cohort(
        icp=icp,
        icp_index=icp_index,
        practice_codes=[p.code for p in chosen],
        practice_districts=[p.postcode_district for p in chosen],
        practice=practice,
        male=male,
        age_at_start=age,
        birth_day=birth_day,
        soa_rank=soa_rank,
        quintile=quintile,
        health=health,
        frailty=frailty,
    )


def national_ids(cohort: Cohort) -> npt.NDArray[np.int64]:
    return health_and_care_numbers(cohort.icp_index, cohort.size)
