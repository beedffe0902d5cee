"""Small worlds for the indicator chapters (tests/spec/<indicator>/), written out row by row so each
chapter can count its indicator by hand. June 2025 is the month measured (its population is taken
on 15 June); ICD-10 codes are written as hospitals send them, with the dot.

The admissions world, person by person (ages on 15 June 2025 unless said):
- `old` (85): emergency 3-8 June, primary J44.1 (COPD), and an A&E visit on 5 June; an elective
  spell 10-12 June and an emergency spell 31 May-2 June (May's, not June's).
- `turns65` (64 on the 15th, 65 on 25 June): emergency 25 June-2 July, primary S72.0 (femur
  fracture) with W19 (unspecified fall) second.
- `died` (75, died 10 June: in no June population): emergency 2 June, same day, primary I10
  (hypertension) with W01 (a fall) second.
- `seventy` (70): emergency 18 June, same day, primary S52.5 (wrist fracture), no fall code.
- `young` (35): A&E on 7 and 21 June (and 1 July); emergency 12-14 June, primary J45.9 (asthma),
  and 20-21 June, primary J20.9 (acute bronchitis).
- `child` (5): emergency 15-16 June, primary S00.0 (head injury) with W10 (fall on stairs).
- `opted_out` (80, planning opt-out): emergency 4-5 June, primary J44.0; left out of everything.
"""

from __future__ import annotations

import datetime as dt

from tests.stratify.builders import EFI_CODE, Records

JUNE = dt.date(2025, 6, 1)
MAY = dt.date(2025, 5, 1)
OPTED_OUT = frozenset({"opted_out"})


def spell(
    records: Records,
    patient_id: str,
    start: dt.date,
    end: dt.date,
    *,
    method: str = "emergency",
    diagnoses: tuple[str, ...] = (),
) -> None:
    records.encounter(patient_id, "inpatient", start, method=method, diagnoses=diagnoses)
    records.rows["encounter"][-1]["end_date"] = end


def death(records: Records, patient_id: str, on: dt.date, place: str) -> None:
    records.rows.setdefault("death", []).append(
        {"patient_id": patient_id, "death_date": on, "place_of_death": place, **records._provenance()}
    )


def referral(
    records: Records,
    patient_id: str,
    requested: dt.date,
    *,
    accepted: dt.date | None = None,
    completed: dt.date | None = None,
    rejected: dt.date | None = None,
) -> None:
    rows = records.rows.setdefault("referral", [])
    rows.append(
        {
            "referral_id": f"R{len(rows)}",
            "patient_id": patient_id,
            "requested_date": requested,
            "accepted_date": accepted,
            "completed_date": completed,
            "rejected_date": rejected,
            **records._provenance(),
        }
    )


def care_plan(
    records: Records, patient_id: str, category: str, created: dt.date, ended: dt.date | None = None
) -> None:
    rows = records.rows.setdefault("care_plan", [])
    rows.append(
        {
            "care_plan_id": f"C{len(rows)}",
            "patient_id": patient_id,
            "category": category,
            "created_date": created,
            "ended_date": ended,
            **records._provenance(),
        }
    )


def admissions_world() -> Records:
    r = Records()
    r.person("old", born=dt.date(1940, 1, 1))
    spell(r, "old", dt.date(2025, 6, 3), dt.date(2025, 6, 8), diagnoses=("J44.1",))
    spell(r, "old", dt.date(2025, 6, 10), dt.date(2025, 6, 12), method="elective", diagnoses=("J44.1",))
    spell(r, "old", dt.date(2025, 5, 31), dt.date(2025, 6, 2), diagnoses=("J44.1",))
    r.encounter("old", "ae", dt.date(2025, 6, 5))
    r.person("turns65", born=dt.date(1960, 6, 20), sex="male")
    spell(r, "turns65", dt.date(2025, 6, 25), dt.date(2025, 7, 2), diagnoses=("S72.0", "W19"))
    r.person("died", born=dt.date(1950, 1, 1), died=dt.date(2025, 6, 10))
    spell(r, "died", dt.date(2025, 6, 2), dt.date(2025, 6, 2), diagnoses=("I10", "W01"))
    r.person("seventy", born=dt.date(1955, 3, 1))
    spell(r, "seventy", dt.date(2025, 6, 18), dt.date(2025, 6, 18), diagnoses=("S52.5",))
    r.person("young", born=dt.date(1990, 1, 1), sex="male")
    for day in (dt.date(2025, 6, 7), dt.date(2025, 6, 21), dt.date(2025, 7, 1)):
        r.encounter("young", "ae", day)
    spell(r, "young", dt.date(2025, 6, 12), dt.date(2025, 6, 14), diagnoses=("J45.9",))
    spell(r, "young", dt.date(2025, 6, 20), dt.date(2025, 6, 21), diagnoses=("J20.9",))
    r.person("child", born=dt.date(2020, 1, 1))
    spell(r, "child", dt.date(2025, 6, 15), dt.date(2025, 6, 16), diagnoses=("S00.0", "W10"))
    r.person("opted_out", born=dt.date(1945, 1, 1))
    spell(r, "opted_out", dt.date(2025, 6, 4), dt.date(2025, 6, 5), diagnoses=("J44.0",))
    return r


def rules_world() -> Records:
    """One emergency spell each in June 2025, to test the chronic ACSC specification's rules code
    by code (acsc_chronic, copd_admissions)."""
    r = Records()
    day = dt.date(2025, 6, 10)
    cases: list[tuple[str, tuple[str, ...], str | None]] = [
        ("bronchitis_copd", ("J20.9", "J44.9"), None),  # (e) J20 with COPD: counts
        ("bronchitis_alone", ("J20.9", "J18.9"), None),  # (e) J20 without: not
        ("hep_b", ("B18.1",), None),  # (a) counts
        ("hep_b_sickle", ("B18.1", "D57.1"), None),  # (a) with sickle-cell: not
        ("failure", ("I50.0",), None),  # (c) counts
        ("failure_pacemaker", ("I50.0",), "K60.1"),  # (c) with a cardiac procedure: not
        ("failure_renal", ("I13.0",), None),  # (c) I13.0 is in the list: counts
        ("angina", ("I20.9",), None),  # (f) counts
        ("angina_operated", ("I20.9",), "W37.1"),  # (f) with an operation: not
        ("angina_x3", ("I20.9",), "X33.1"),  # (f) X3 is not in the operations list: counts
        ("hypertension_paced", ("I10",), "K61.1"),  # (h) with a cardiac procedure: not
        ("diabetes_unspecified", ("E11.9",), None),  # (d) E10-E14 whole: counts
        ("b12_anaemia", ("D51.0",), None),  # (g) D51, D52 in the list: counts
        ("convulsions", ("R56.8",), None),  # not in the specification's list
        ("mi_other", ("I24.8",), None),  # not in the specification's list
    ]
    for person, diagnoses, procedure in cases:
        r.person(person, born=dt.date(1950, 1, 1))
        spell(r, person, day, day + dt.timedelta(days=3), diagnoses=diagnoses)
        if procedure:
            stay = r.rows["encounter"][-1]["encounter_id"]
            r.code(person, procedure, day, system="opcs4", table="procedure", encounter=stay)
    return r


def frail(
    records: Records, patient_id: str, *, born: dt.date = dt.date(1945, 1, 1), deficits: int = 9
) -> None:
    """A person with `deficits` eFI deficits recorded long ago (9 of 36: 0.25, moderate frailty)."""
    records.person(patient_id, born=born)
    for key in list(EFI_CODE)[:deficits]:
        records.code(patient_id, EFI_CODE[key], dt.date(2010, 1, 1))
