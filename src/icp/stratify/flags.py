"""Flags users ask for beside the scores, and the use of services the model reads.

- polypharmacy review: 10 or more distinct medicines active in the 12 months before the index date;
- housebound / carer: the latest "housebound" ("carer") code is later than the latest "no longer
  housebound" ("not a carer") code; cared-for: a "has a caregiver" kind of code ever recorded;
- falls in 12 months: an eFI falls code, or an ICD-10 W00-W19 (falls) hospital diagnosis, dated in
  the 12 months before the index date;
- emergency admissions, A&E attendances (and, for the model, other use) in the 12 months before;
- lives alone: True where a lives-alone code is recorded, otherwise unknown (None), never False.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from icp.stratify.events import HOSPITAL_SETTINGS, Tables, Window, hospital_diagnoses

POLYPHARMACY_REVIEW_MEDICINES = 10
FALLS_ICD10_PREFIXES = tuple(f"W{n:02d}" for n in range(20))  # W00-W19


def coded_flags(matched: ir.Table, index_date: dt.date) -> ir.Table:
    """One row per person with any flag code: housebound, carer, cared_for, lives_alone, coded falls."""
    window = Window.years(index_date, 1)
    flag_events = matched.filter(
        (matched.list == "flag") | ((matched.list == "efi") & (matched.key == "falls"))
    )
    per_key = flag_events.group_by(["patient_id", "list", "key"]).aggregate(
        last_include=flag_events.event_date.max(where=flag_events.role == "include"),
        last_exclude=flag_events.event_date.max(where=flag_events.role == "exclude"),
        recent=window.contains(flag_events.event_date).any(),
    )
    current = per_key.last_include.notnull() & (
        per_key.last_exclude.isnull() | (per_key.last_include > per_key.last_exclude)
    )
    per_key = per_key.mutate(current=current)
    is_flag = per_key.list == "flag"
    return per_key.group_by("patient_id").aggregate(
        housebound=(is_flag & (per_key.key == "housebound") & per_key.current).any(),
        carer=(is_flag & (per_key.key == "carer") & per_key.current).any(),
        cared_for=(is_flag & (per_key.key == "cared_for") & per_key.current).any(),
        lives_alone=(is_flag & (per_key.key == "lives_alone") & per_key.current).any(),
        falls_coded_12m=((per_key.list == "efi") & per_key.recent).any(),
    )


def hospital_falls(tables: Tables, index_date: dt.date) -> ir.Table:
    diagnoses = hospital_diagnoses(tables, Window.years(index_date, 1), HOSPITAL_SETTINGS)
    falls = diagnoses.filter(diagnoses.code.substr(0, 3).isin(list(FALLS_ICD10_PREFIXES)))
    return falls.select("patient_id").distinct().mutate(falls_hospital_12m=ibis.literal(True))


def service_use(tables: Tables, index_date: dt.date) -> ir.Table:
    """Counts of encounters by kind in the 12 months (and emergency admissions in 24 months) before."""
    encounter = tables["encounter"]
    two_years = Window.years(index_date, 2)
    one_year = Window.years(index_date, 1)
    recent = encounter.filter(two_years.contains(encounter.start_date))
    in_year = one_year.contains(recent.start_date)
    emergency = (recent.setting == "inpatient") & (recent.admission_method == "emergency")
    elective = (recent.setting == "inpatient") & (recent.admission_method != "emergency")
    return recent.group_by("patient_id").aggregate(
        emergency_admissions_12m=recent.count(where=emergency & in_year).cast("int32"),
        emergency_admissions_24m=recent.count(where=emergency).cast("int32"),
        ae_attendances_12m=recent.count(where=(recent.setting == "ae") & in_year).cast("int32"),
        elective_admissions_12m=recent.count(where=elective & in_year).cast("int32"),
        outpatient_12m=recent.count(where=(recent.setting == "outpatient") & in_year).cast("int32"),
        gp_contacts_12m=recent.count(where=(recent.setting == "gp") & in_year).cast("int32"),
    )


def with_flags(people: ir.Table, coded: ir.Table, hospital: ir.Table, use: ir.Table) -> ir.Table:
    joined = people.left_join(coded, people.patient_id == coded.patient_id).select(
        people,
        housebound=coded.housebound.fill_null(False),
        carer=coded.carer.fill_null(False),
        cared_for=coded.cared_for.fill_null(False),
        lives_alone=ibis.ifelse(coded.lives_alone.fill_null(False), True, ibis.null("boolean")),
        falls_coded_12m=coded.falls_coded_12m.fill_null(False),
    )
    joined = joined.left_join(hospital, joined.patient_id == hospital.patient_id).select(
        joined, falls_hospital_12m=hospital.falls_hospital_12m.fill_null(False)
    )
    counts = [
        "emergency_admissions_12m",
        "emergency_admissions_24m",
        "ae_attendances_12m",
        "elective_admissions_12m",
        "outpatient_12m",
        "gp_contacts_12m",
    ]
    joined = joined.left_join(use, joined.patient_id == use.patient_id).select(
        joined, *[use[c].fill_null(0).cast("int32").name(c) for c in counts]
    )
    return joined.mutate(
        falls_12m=joined.falls_coded_12m | joined.falls_hospital_12m,
        polypharmacy_review=joined.medicines_12m >= POLYPHARMACY_REVIEW_MEDICINES,
    ).drop("falls_coded_12m", "falls_hospital_12m")
