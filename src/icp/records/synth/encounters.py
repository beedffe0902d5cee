"""Encounter rows: GP consultations, A&E attendances, outpatient appointments and hospital spells.

Emergency and elective spells come from the hazard model (`outcomes.py`). Each emergency spell
has an ICD-10 primary diagnosis (most often one of the person's own long-term conditions, else a
common acute reason) and secondary diagnoses: the person's conditions as Charlson-category codes
and HFRS codes, more of them the frailer the person is, so HFRS and Charlson scores computed from
hospital records mean something. Most emergency spells follow an A&E attendance the same day.

GP, A&E (not admitted) and outpatient rates are icp's assumptions (no NI rate by age is in the
reference material): GP contacts 0.8 + 0.025 x age + 0.6 x registers + 4 x eFI a year; A&E
attendances not admitted 0.25 a year x exp(1.5 eFI); outpatient appointments 0.35 a year x
exp(0.2 x registers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from icp.records.quality import code_rules
from icp.records.schema import DIAGNOSIS
from icp.records.synth.codes import (
    ELECTIVE_DIAGNOSES,
    EMERGENCY_DIAGNOSES,
    FALLS_CAUSES,
    FALLS_INJURIES,
    GENERAL_EMERGENCY_DIAGNOSES,
    REGISTERS,
    hfrs_codes,
)
from icp.records.synth.history import AE_SEASON, AE_TREND, GP_SEASON, history_days
from icp.records.synth.outcomes import Outcomes
from icp.records.synth.population import DAYS_PER_YEAR, EXTRACT_DAY, START_DAY, YEARS, Bools, Cohort, Ints
from icp.records.synth.tables import constant, dates, pick, provenance, row_ids

ENCOUNTER_TYPES = {
    "gp": ("185345009", "Encounter for symptom"),
    "ae": ("50849002", "Emergency room admission"),
    "outpatient": ("371883000", "Outpatient procedure"),
    "emergency": ("183452005", "Emergency hospital admission"),
    "elective": ("305408004", "Admission to surgical department"),
}
TRUSTS = {"NI-BEL": "NI-TRUST-BEL", "NI-NOR": "NI-TRUST-NOR", "NI-SE": "NI-TRUST-SE"}
TRUSTS |= {"NI-SO": "NI-TRUST-SO", "NI-WE": "NI-TRUST-WE"}


def _poisson_events(
    rng: np.random.Generator,
    rate: npt.NDArray[np.float64],
    death_day: Ints,
    *,
    season: float = 0.0,
    per_year: float = 0.0,
) -> tuple[Ints, Ints]:
    """Events at `rate` a year over the whole history (with winter seasonality and a yearly trend),
    cut at death: (person, day)."""
    counts = rng.poisson(rate * YEARS)
    person = np.repeat(np.arange(rate.size, dtype=np.int32), counts)
    day = history_days(rng, person.size, season, per_year)
    keep = (day < death_day[person]) & (day <= EXTRACT_DAY)
    return person[keep], day[keep]


def _age_at(cohort: Cohort, person: Ints, day: Ints) -> npt.NDArray[np.float64]:
    """Exact age in years of each `person` on the matching `day`."""
    return (day.astype(np.float64) - cohort.birth_day[person]) / DAYS_PER_YEAR


@dataclass(frozen=True)
class _Vocabulary:
    """Every ICD-10 code a spell can carry, once: rows refer to codes by their place in it.

    Each code's sex and age rules (records.quality's `code_rules`, folded into one rule a code) are
    kept beside it, so whether a code suits a spell's person is a look-up, not a string comparison.
    """

    codes: tuple[str, ...]
    displays: tuple[str, ...]
    males_only: Bools
    females_only: Bools
    min_age: npt.NDArray[np.float64]
    below_age: npt.NDArray[np.float64]  # aged under this (max_age + 1 in whole years)

    def index(self, codes: Iterable[str]) -> npt.NDArray[np.int32]:
        place = {code: at for at, code in enumerate(self.codes)}
        return np.array([place[code] for code in codes], dtype=np.int32)

    def allowed(self, code: npt.NDArray[np.integer], male: Bools, age: npt.NDArray[np.float64]) -> Bools:
        """Whether each code (by place) suits its person's sex and age (records.quality's rules)."""
        suits: Bools = (
            ~(self.males_only[code] & ~male)
            & ~(self.females_only[code] & male)
            & (age >= self.min_age[code])
            & (age < self.below_age[code])
        )
        return suits


@cache
def _vocabulary() -> _Vocabulary:
    pairs: dict[str, str] = {}
    for code, display in (
        *[entry for entries in EMERGENCY_DIAGNOSES.values() for entry in entries],
        *GENERAL_EMERGENCY_DIAGNOSES,
        *ELECTIVE_DIAGNOSES,
        *[(c.code, c.display) for c, _ in hfrs_codes()],
        *[(c, d) for c, d, _ in FALLS_INJURIES],
        *[(c, d) for c, d, _ in FALLS_CAUSES],
    ):
        pairs.setdefault(code, display)
    codes = tuple(pairs)
    size = len(codes)
    males_only, females_only = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    min_age, below_age = np.full(size, -np.inf), np.full(size, np.inf)
    for rule in code_rules():
        if rule.code_system != "icd10":
            continue
        for at, code in enumerate(codes):
            if not rule.covers(code):
                continue
            males_only[at] |= rule.sex == "male"
            females_only[at] |= rule.sex == "female"
            if rule.min_age is not None:
                min_age[at] = max(min_age[at], rule.min_age)
            if rule.max_age is not None:
                below_age[at] = min(below_age[at], rule.max_age + 1)
    return _Vocabulary(codes, tuple(pairs.values()), males_only, females_only, min_age, below_age)


def _falls_diagnoses(rng: np.random.Generator, spells: int) -> pa.Array:
    """Falls injury spells: an injury (S00-T98) as primary diagnosis, a fall (W00-W19) as cause."""
    vocabulary = _vocabulary()
    injury = rng.choice(len(FALLS_INJURIES), size=spells, p=_weights(FALLS_INJURIES))
    cause = rng.choice(len(FALLS_CAUSES), size=spells, p=_weights(FALLS_CAUSES))
    index = np.arange(spells, dtype=np.int64)
    return _as_lists(
        spells,
        np.zeros(spells, dtype=bool),
        np.full(spells, 80.0),
        [index, index],
        [
            vocabulary.index(c for c, _, _ in FALLS_INJURIES)[injury],
            vocabulary.index(c for c, _, _ in FALLS_CAUSES)[cause],
        ],
    )


def _weights(choices: tuple[tuple[str, str, float], ...]) -> npt.NDArray[np.float64]:
    weights = np.array([w for _, _, w in choices])
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _diagnosis_lists(
    rng: np.random.Generator,
    person: Ints,
    registers: dict[str, Bools],
    efi: npt.NDArray[np.float64],
    *,
    emergency: bool,
    male: Bools,
    age: npt.NDArray[np.float64],
) -> pa.Array:
    """A list of ICD-10 diagnoses (rank 1 = primary) for each spell of `person`.

    `male` and `age` (exact years at the spell) are per spell: no spell gets a code specific to the
    other sex or to another age (records.quality.code_rules, e.g. N40 hyperplasia of prostate).
    """
    vocabulary = _vocabulary()
    spells = person.size
    with_codes = [name for name in REGISTERS if name in EMERGENCY_DIAGNOSES]
    held = np.stack([registers[name][person] for name in with_codes], axis=1)
    # Primary: one of the person's own conditions (60% of emergency spells where they have one).
    if emergency:
        general = GENERAL_EMERGENCY_DIAGNOSES
        pick_register = np.argmax(held * rng.random(held.shape), axis=1)
        use_register = held.any(axis=1) & (rng.random(spells) < 0.6)
    else:
        general = ELECTIVE_DIAGNOSES
        pick_register = np.zeros(spells, dtype=np.int64)
        use_register = np.zeros(spells, dtype=bool)
    general_codes = vocabulary.index(c for c, _ in general)
    # A common reason that suits the person, uniformly among those that do.
    suits = vocabulary.allowed(general_codes[None, :], male[:, None], age[:, None])
    primary_general = np.argmax(suits * rng.random(suits.shape), axis=1)
    # Flatten: each spell's diagnoses in order, built as (spell, code) arrays.
    register_codes = vocabulary.index(EMERGENCY_DIAGNOSES[n][0][0] for n in with_codes)
    spell_index: list[npt.NDArray[np.int64]] = [np.arange(spells)]
    code: list[npt.NDArray[np.int32]] = [
        np.where(use_register, register_codes[pick_register], general_codes[primary_general])
    ]
    # Secondary: the person's other conditions as coded comorbidities.
    comorbid = held & (rng.random(held.shape) < (0.7 if emergency else 0.4))
    comorbid[np.arange(spells), pick_register] &= ~use_register
    spell_c, register_c = np.nonzero(comorbid)
    spell_index.append(spell_c)
    code.append(register_codes[register_c])
    # Secondary: HFRS codes, drawn by their weights, more of them with frailty.
    hfrs = hfrs_codes()
    weights = np.array([w for _, w in hfrs])
    count = np.minimum(rng.poisson((0.2 + 10.0 * efi[person]) * (1.0 if emergency else 0.3)), 8)
    spell_h = np.repeat(np.arange(spells), count)
    chosen = rng.choice(len(hfrs), size=spell_h.size, p=weights / weights.sum())
    spell_index.append(spell_h)
    code.append(vocabulary.index(c.code for c, _ in hfrs)[chosen])

    return _as_lists(spells, male, age, spell_index, code)


def _as_lists(
    spells: int,
    male: Bools,
    age: npt.NDArray[np.float64],
    spell_index: list[npt.NDArray[np.int64]],
    code: list[npt.NDArray[np.int32]],
) -> pa.Array:
    """Diagnosis lists from parts of (spell, code by place in the vocabulary), ranked in the order
    the parts come."""
    vocabulary = _vocabulary()
    order = np.argsort(np.concatenate(spell_index), kind="stable")
    spell_all = np.concatenate(spell_index)[order]
    code_all = np.concatenate(code)[order]
    # Secondary codes drawn without regard to sex or age (HFRS's R54 senility …) that do not suit.
    keep = vocabulary.allowed(code_all, male[spell_all], age[spell_all])
    spell_all, code_all = spell_all[keep], code_all[keep].astype(np.int32)
    offsets = np.zeros(spells + 1, dtype=np.int32)
    np.cumsum(np.bincount(spell_all, minlength=spells), out=offsets[1:])
    rank = (np.arange(spell_all.size) - offsets[spell_all] + 1).astype(np.int16)
    values = pa.StructArray.from_arrays(
        [
            constant("icd10", spell_all.size, pa.string()),
            pick(vocabulary.codes, code_all),
            pick(vocabulary.displays, code_all),
            pa.array(rank, pa.int16()),
        ],
        fields=list(DIAGNOSIS),
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=pa.list_(DIAGNOSIS))


def encounter_table(
    cohort: Cohort,
    rng: np.random.Generator,
    registers: dict[str, Bools],
    outcomes: Outcomes,
    pids: pa.Array,
    source: str,
) -> pa.Table:
    age = cohort.age_on(START_DAY + 2 * 365)
    multimorbidity = sum(registers[name].astype(np.float64) for name in REGISTERS[:12])
    efi = outcomes.efi
    death = outcomes.death_day
    trust = TRUSTS[cohort.icp.rsplit("-", 1)[0]]
    parts = []

    def part(
        kind: str,
        setting: str,
        method: str | None,
        person: Ints,
        day: Ints,
        stay: Ints,
        diagnoses: pa.Array | None,
        provider: pa.Array,
    ) -> None:
        count = person.size
        type_code, type_display = ENCOUNTER_TYPES[kind]
        parts.append(
            pa.table(
                {
                    "patient_id": pids.take(pa.array(person)),
                    "setting": constant(setting, count, pa.string()),
                    "admission_method": constant(method, count, pa.string()),
                    "type_code_system": constant("snomed", count, pa.string()),
                    "type_code": constant(type_code, count, pa.string()),
                    "type_display": constant(type_display, count, pa.string()),
                    "start_date": dates(day),
                    "end_date": dates(np.minimum(day + stay, np.minimum(death[person], EXTRACT_DAY))),
                    "provider_code": provider,
                    "diagnoses": diagnoses if diagnoses is not None else pa.nulls(count, pa.list_(DIAGNOSIS)),
                }
            )
        )

    gp_rate = 0.8 + 0.025 * age + 0.6 * multimorbidity + 4.0 * efi
    gp_person, gp_day = _poisson_events(rng, gp_rate, death, season=GP_SEASON)
    part(
        "gp",
        "gp",
        None,
        gp_person,
        gp_day,
        np.zeros(gp_person.size, np.int32),
        None,
        pick(cohort.practice_codes, cohort.practice[gp_person]),
    )
    ae_rate = 0.25 * np.exp(1.5 * efi)
    ae_person, ae_day = _poisson_events(rng, ae_rate, death, season=AE_SEASON, per_year=AE_TREND)
    op_person, op_day = _poisson_events(rng, 0.35 * np.exp(0.2 * multimorbidity), death)
    # Most emergency spells come through A&E the same day.
    falls = outcomes.falls
    falls_person = falls.person if falls is not None else np.zeros(0, np.int32)
    falls_day = falls.day if falls is not None else np.zeros(0, np.int32)
    via_ae = rng.random(outcomes.emergency_person.size) < 0.85
    falls_via_ae = rng.random(falls_person.size) < 0.9
    ae_person = np.concatenate([ae_person, outcomes.emergency_person[via_ae], falls_person[falls_via_ae]])
    ae_day = np.concatenate([ae_day, outcomes.emergency_day[via_ae], falls_day[falls_via_ae]])
    part(
        "ae",
        "ae",
        None,
        ae_person,
        ae_day,
        np.zeros(ae_person.size, np.int32),
        None,
        constant(trust, ae_person.size, pa.string()),
    )
    part(
        "outpatient",
        "outpatient",
        None,
        op_person,
        op_day,
        np.zeros(op_person.size, np.int32),
        None,
        constant(trust, op_person.size, pa.string()),
    )
    em_person, em_day = outcomes.emergency_person, outcomes.emergency_day
    em_stay = (rng.geometric(1.0 / (3.0 + 20.0 * efi[em_person])) - 1).astype(np.int32)
    part(
        "emergency",
        "inpatient",
        "emergency",
        em_person,
        em_day,
        em_stay,
        _diagnosis_lists(
            rng,
            em_person,
            registers,
            efi,
            emergency=True,
            male=cohort.male[em_person],
            age=_age_at(cohort, em_person, em_day),
        ),
        constant(trust, em_person.size, pa.string()),
    )
    falls_stay = (rng.geometric(1.0 / (5.0 + 20.0 * efi[falls_person])) - 1).astype(np.int32)
    part(
        "emergency",
        "inpatient",
        "emergency",
        falls_person,
        falls_day,
        falls_stay,
        _falls_diagnoses(rng, falls_person.size),
        constant(trust, falls_person.size, pa.string()),
    )
    el_person, el_day = outcomes.elective_person, outcomes.elective_day
    el_stay = rng.integers(0, 3, el_person.size).astype(np.int32)
    part(
        "elective",
        "inpatient",
        "elective",
        el_person,
        el_day,
        el_stay,
        _diagnosis_lists(
            rng,
            el_person,
            registers,
            efi,
            emergency=False,
            male=cohort.male[el_person],
            age=_age_at(cohort, el_person, el_day),
        ),
        constant(trust, el_person.size, pa.string()),
    )

    body = pa.concat_tables(parts)
    count = body.num_rows
    return pa.table(
        {
            "encounter_id": row_ids(cohort, "E", count),
            **{c: body[c] for c in body.column_names},
            **provenance(cohort.icp, count, source),
        }
    )
