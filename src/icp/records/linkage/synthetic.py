"""A synthetic set for measuring linkage: one ICP's people as four sources send them, with errors.

The people are `icp synth`'s (its cohort: age, sex, practice and district, H&C numbers and names).
The GP practice sends everyone, as synthesised. A trust, a council and a pharmacy each send some of
them again under their own ids, with the errors real extracts carry, at rates in `ERRORS`:

- a missing national number (the council rarely holds one);
- a typo in the given or family name (one letter dropped, doubled, swapped with the next, or
  replaced);
- given and family names swapped;
- date of birth with day and month transposed (when both are 12 or less), or one digit wrong;
- a moved postcode (another district of the same ICP);
- sex not recorded.

The truth (`truth[patient_id]` = the GP record's id) is kept beside the rows so that precision and
recall can be measured (`evaluate`). Every row is marked synthetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from icp.records.synth import reference
from icp.records.synth.population import NEVER, make_cohort
from icp.records.synth.primary_care import patient_table

# Share of people each other source holds a record for, and the chance of each error on its copy.
SOURCES: dict[str, float] = {"trust": 0.6, "council": 0.25, "pharmacy": 0.45}
ERRORS: dict[str, dict[str, float]] = {
    "trust": {"no_number": 0.15, "typo": 0.10, "swap": 0.03, "dob": 0.04, "moved": 0.10, "no_sex": 0.02},
    "council": {"no_number": 0.70, "typo": 0.12, "swap": 0.04, "dob": 0.05, "moved": 0.15, "no_sex": 0.05},
    "pharmacy": {"no_number": 0.30, "typo": 0.10, "swap": 0.03, "dob": 0.04, "moved": 0.12, "no_sex": 0.03},
}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class LinkageSet:
    patient: pa.Table
    truth: dict[str, str]  # patient_id -> the id of the true person's GP record


@dataclass
class _NoOutcomes:
    death_day: np.ndarray  # everyone alive: the only outcome a patient row needs


def typo(name: str, rng: np.random.Generator) -> str:
    """One keying error: a letter dropped, doubled, swapped with the next, or replaced."""
    if len(name) < 3:
        return name + LETTERS[int(rng.integers(0, 26))]
    at = int(rng.integers(1, len(name) - 1))
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return name[:at] + name[at + 1 :]
    if kind == 1:
        return name[:at] + name[at] + name[at:]
    if kind == 2:
        return name[: at - 1] + name[at] + name[at - 1] + name[at + 1 :]
    replacement = LETTERS[int(rng.integers(0, 26))]
    return name[:at] + replacement + name[at + 1 :]


def wrong_birth_date(birth: dt.date, rng: np.random.Generator) -> dt.date:
    """Day and month transposed when that is a date; otherwise one digit of the day wrong."""
    if birth.day <= 12 and birth.day != birth.month:
        return birth.replace(month=birth.day, day=birth.month)
    day = birth.day + int(rng.choice([-10, -1, 1, 10]))
    try:
        return birth.replace(day=day)
    except ValueError:
        return birth.replace(day=max(1, birth.day - 1))


def _copy(
    row: dict[str, object], source: str, new_id: str, districts: list[str], rng: np.random.Generator
) -> dict[str, object]:
    errors = ERRORS[source]
    copy = dict(row, patient_id=new_id, source_id=new_id, source=source)
    copy["practice_code"], copy["registered"] = None, False
    if rng.random() < errors["no_number"]:
        copy["national_id"], copy["national_id_system"] = None, None
    if rng.random() < errors["typo"]:
        field = "given_name" if rng.random() < 0.5 else "family_name"
        copy[field] = typo(str(copy[field]), rng)
    if rng.random() < errors["swap"]:
        copy["given_name"], copy["family_name"] = copy["family_name"], copy["given_name"]
    if rng.random() < errors["dob"] and copy["birth_date"] is not None:
        copy["birth_date"] = wrong_birth_date(copy["birth_date"], rng)  # type: ignore[arg-type]
    if rng.random() < errors["moved"] and len(districts) > 1:
        others = [d for d in districts if d != copy["postcode_district"]]
        copy["postcode_district"] = others[int(rng.integers(0, len(others)))]
    if rng.random() < errors["no_sex"]:
        copy["sex"] = "unknown"
    return copy


def linkage_set(people: int, *, seed: int = 42, icp: str = "NI-NOR-CA") -> LinkageSet:
    """`people` synthetic people of `icp` as the GP, a trust, a council and a pharmacy send them."""
    rng = np.random.default_rng(seed)
    codes = reference.icp_codes()
    cohort = make_cohort(icp, codes.index(icp), people, rng)
    pids = pa.array([f"GP-{i:07d}" for i in range(cohort.size)], pa.string())
    outcomes = _NoOutcomes(np.full(cohort.size, NEVER, dtype=np.int32))
    gp = patient_table(cohort, rng, outcomes, "gp", pids)  # type: ignore[arg-type]
    gp = gp.append_column("source_id", pids)
    rows = gp.to_pylist()
    copies, truth = other_sources(rows, rng)
    out = [dict(row, source="gp") for row in rows] + copies
    truth.update({str(row["patient_id"]): str(row["patient_id"]) for row in rows})
    table = pa.Table.from_pylist(out).select([name for name in gp.column_names if name != "batch_id"])
    return LinkageSet(table, truth)


def other_sources(
    rows: list[dict[str, object]],
    rng: np.random.Generator,
    shares: dict[str, float] = SOURCES,
    prefix: str = "",
) -> tuple[list[dict[str, object]], dict[str, str]]:
    """Copies of some of the GP records `rows` as each other source sends them (`shares`: the share
    of people each holds), with the errors in `ERRORS`; and the truth (copy's id → GP record's id).
    `prefix` starts every copy's id (to keep them apart from ids already in a warehouse)."""
    districts = sorted({str(row["postcode_district"]) for row in rows})
    copies: list[dict[str, object]] = []
    truth: dict[str, str] = {}
    for source, share in shares.items():
        chosen = np.flatnonzero(rng.random(len(rows)) < share)
        # Each source numbers its people in its own order, unrelated to the practice's.
        for number, index in enumerate(rng.permutation(chosen)):
            new_id = f"{prefix}{source[:2].upper()}-{number:07d}"
            copies.append(_copy(rows[index], source, new_id, districts, rng))
            truth[new_id] = str(rows[index]["patient_id"])
    return copies, truth
