"""Charlson Comorbidity Index and the condition registers.

Charlson — categories by the ICD-10 coding algorithm of Quan H et al. Med Care 2005;43:1130-9;
weights of Charlson ME et al. J Chronic Dis 1987;40:373-83 (`charlson_score`) and of Quan H et al.
Am J Epidemiol 2011;173:676-82 (`charlson_quan2011`). Hierarchy: when the severe form of diabetes,
liver disease or cancer is present the milder form scores nothing. Optional age points (Charlson
1987: one per decade from 50, 50-59 = 1 … 80+ = 4) are given separately (`charlson_age_points`).
Source of diagnoses: hospital diagnoses (admitted, outpatient and A&E) and ICD-10 coded conditions
in the five years before the index date (docs/risk-stratification.md says why five).

Registers — the QOF condition registers by the NHS primary care domain refset clusters: a person is
on a register when a register code is recorded on or before the index date and, where the cluster
has a "resolved" code, the latest register code is later than the latest resolved code.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from icp.stratify import codelists
from icp.stratify.events import HOSPITAL_SETTINGS, Tables, Window, hospital_diagnoses, icd10_conditions

CHARLSON_LOOKBACK_YEARS = 5


def charlson_column(category: str) -> str:
    return f"charlson_{category}"


def register_column(register: str) -> str:
    return f"register_{register}"


def charlson_diagnoses(tables: Tables, index_date: dt.date) -> ir.Table:
    window = Window.years(index_date, CHARLSON_LOOKBACK_YEARS)
    return ibis.union(
        hospital_diagnoses(tables, window, HOSPITAL_SETTINGS),
        icd10_conditions(tables, window),
        distinct=False,
    )


def charlson_matches(tables: Tables, index_date: dt.date) -> ir.Table:
    """(patient_id, category) for each Charlson category found, before the hierarchy."""
    diagnoses = charlson_diagnoses(tables, index_date).distinct()
    prefixes = codelists.charlson_prefixes()
    lengths = sorted({len(prefix) for _category, prefix in prefixes})
    prefix_table = ibis.memtable(
        pa.table(
            {
                "charlson_category": [c for c, _p in prefixes],
                "charlson_prefix": [p for _c, p in prefixes],
            }
        ),
    )
    # "Starts with" as equality joins on the code cut to each prefix length: exact, and fast. The cuts
    # are kept whole (UNION ALL): the few rows the join keeps are made distinct below, where making
    # three million cuts distinct first was a fifth of the rule-based query's work (ADR 0209).
    keyed = ibis.union(
        *[diagnoses.select("patient_id", prefix=diagnoses.code.substr(0, n)) for n in lengths], distinct=False
    )
    joined = keyed.join(prefix_table, keyed.prefix == prefix_table.charlson_prefix)
    return joined.select(joined.patient_id, category=joined.charlson_category).distinct()


def charlson(tables: Tables, index_date: dt.date) -> ir.Table:
    """One row per person with any category: charlson_<category> booleans (after the hierarchy)."""
    matches = charlson_matches(tables, index_date)
    categories = [c.key for c in codelists.charlson_categories()]
    wide = matches.group_by("patient_id").aggregate(
        **{charlson_column(key): (matches.category == key).any() for key in categories}
    )
    for mild, severe in codelists.CHARLSON_HIERARCHY.items():
        wide = wide.mutate(
            **{charlson_column(mild): wide[charlson_column(mild)] & ~wide[charlson_column(severe)]}
        )
    return wide


def with_charlson(people: ir.Table, categories: ir.Table) -> ir.Table:
    keys = [c.key for c in codelists.charlson_categories()]
    joined = people.left_join(categories, people.patient_id == categories.patient_id).select(
        people, *[categories[charlson_column(k)].fill_null(False).name(charlson_column(k)) for k in keys]
    )
    weights = codelists.charlson_categories()
    score_1987 = sum(
        (joined[charlson_column(c.key)].ifelse(c.charlson_1987, 0) for c in weights), ibis.literal(0, "int32")
    )
    score_2011 = sum(
        (joined[charlson_column(c.key)].ifelse(c.quan_2011, 0) for c in weights), ibis.literal(0, "int32")
    )
    age = joined.age
    age_points = ibis.cases((age >= 80, 4), (age >= 70, 3), (age >= 60, 2), (age >= 50, 1), else_=0)
    return joined.mutate(
        charlson_score=score_1987.cast("int32"),
        charlson_quan2011=score_2011.cast("int32"),
        charlson_age_points=age_points.cast("int32"),
    )


def registers(matched: ir.Table) -> ir.Table:
    """One row per person with any register code: register_<name> booleans."""
    register_events = matched.filter(matched.list == "register")
    latest = register_events.group_by(["patient_id", "key"]).aggregate(
        last_include=register_events.event_date.max(where=register_events.role == "include"),
        last_resolved=register_events.event_date.max(where=register_events.role == "resolved"),
    )
    on = latest.last_include.notnull() & (
        latest.last_resolved.isnull() | (latest.last_include > latest.last_resolved)
    )
    current = latest.filter(on)
    return current.group_by("patient_id").aggregate(
        **{register_column(name): (current.key == name).any() for name in codelists.registers()}
    )


def with_registers(people: ir.Table, on_registers: ir.Table) -> ir.Table:
    names = codelists.registers()
    joined = people.left_join(on_registers, people.patient_id == on_registers.patient_id).select(
        people, *[on_registers[register_column(n)].fill_null(False).name(register_column(n)) for n in names]
    )
    count = sum((joined[register_column(n)].cast("int32") for n in names), ibis.literal(0, "int32"))
    return joined.mutate(register_count=count.cast("int32"))
