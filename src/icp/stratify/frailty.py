"""Frailty scores: the electronic Frailty Index (eFI) and the Hospital Frailty Risk Score (HFRS).

eFI — Clegg A et al. "Development and validation of an electronic frailty index using routine
primary care electronic health record data." Age Ageing 2016;45(3):353-60. 36 equally weighted
deficits, each present if ever recorded (polypharmacy: see POLYPHARMACY_DEFICIT_MEDICINES);
score = deficits / 36; fit <= 0.12 < mild <= 0.24 < moderate <= 0.36 < severe. Built and
validated for people aged 65 and over: computed for everyone, flagged out of range below 65.

HFRS — Gilbert T et al. "Development and validation of a Hospital Frailty Risk Score focusing on
older people in acute care settings using electronic hospital records." Lancet 2018;391:1775-82.
109 ICD-10 3-character codes with weights, each counted once, from admitted-care diagnoses in the
two years before the index date; low < 5, intermediate 5-15, high > 15. Built for people aged 75+.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from icp.stratify import codelists
from icp.stratify.events import ADMITTED_SETTING, Tables, Window, hospital_diagnoses, medicines_in_window

EFI_DEFICIT_COUNT = 36
EFI_MINIMUM_AGE = 65
HFRS_MINIMUM_AGE = 75
# The eFI's polypharmacy deficit: 5 or more distinct medicines active in the 12 months before the
# index date (Clegg 2016's definition as implemented by GM-SDE: "5 different meds in a 12 month
# period"; see docs/risk-stratification.md for why not concurrent prescribing).
POLYPHARMACY_DEFICIT_MEDICINES = 5


def efi_deficit_column(key: str) -> str:
    return f"efi_{key}"


def efi(tables: Tables, index_date: dt.date, matched: ir.Table) -> ir.Table:
    """One row per person with any deficit: efi_<deficit> booleans for the 35 coded deficits."""
    coded = [d.key for d in codelists.efi_deficits() if d.key != "polypharmacy"]
    efi_events = matched.filter(matched.list == "efi")
    return efi_events.group_by("patient_id").aggregate(
        **{efi_deficit_column(key): (efi_events.key == key).any() for key in coded}
    )


def efi_with_polypharmacy(people: ir.Table, deficits: ir.Table, medicines: ir.Table) -> ir.Table:
    """`people` with all 36 deficit booleans, the deficit count, score, category and range flag."""
    keys = [d.key for d in codelists.efi_deficits()]
    coded = [k for k in keys if k != "polypharmacy"]
    joined = people.left_join(deficits, people.patient_id == deficits.patient_id).select(
        people, *[deficits[efi_deficit_column(k)].fill_null(False).name(efi_deficit_column(k)) for k in coded]
    )
    joined = joined.left_join(medicines, joined.patient_id == medicines.patient_id).select(
        joined, medicines_12m=medicines.medicines.fill_null(0).cast("int32")
    )
    joined = joined.mutate(efi_polypharmacy=joined.medicines_12m >= POLYPHARMACY_DEFICIT_MEDICINES)
    count = sum((joined[efi_deficit_column(k)].cast("int32") for k in keys), ibis.literal(0, "int32"))
    joined = joined.mutate(efi_deficits=count.cast("int32"))
    score = joined.efi_deficits.cast("float64") / float(EFI_DEFICIT_COUNT)
    return joined.mutate(
        efi_score=score,
        efi_category=_category(score, codelists.bands("efi")),
        efi_in_range=joined.age >= EFI_MINIMUM_AGE,
    )


def _category(value: ir.NumericValue, bands: tuple[codelists.Band, ...]) -> ir.StringValue:
    """A case expression over the published bands (first band that contains the value)."""
    case_args = []
    for band in bands:
        condition = ibis.literal(True)
        if band.lower is not None:
            condition &= (value >= band.lower) if band.lower_inclusive else (value > band.lower)
        if band.upper is not None:
            condition &= (value <= band.upper) if band.upper_inclusive else (value < band.upper)
        case_args.append((condition, band.category))
    return ibis.cases(*case_args)


def hfrs(tables: Tables, index_date: dt.date) -> ir.Table:
    """One row per person with any HFRS code: hfrs_tenths (integer), the number of codes that scored
    and the codes themselves (3-character, distinct, in code order: what the person's page lists)."""
    window = Window.years(index_date, 2)
    diagnoses = hospital_diagnoses(tables, window, (ADMITTED_SETTING,))
    three = diagnoses.select("patient_id", code3=diagnoses.code.substr(0, 3)).distinct()
    weights = codelists.hfrs_weights_tenths()
    weight_table = ibis.memtable(
        pa.table({"hfrs_code": list(weights), "hfrs_weight": pa.array(list(weights.values()), pa.int32())}),
    )
    scored = three.join(weight_table, three.code3 == weight_table.hfrs_code)
    return scored.group_by(scored.patient_id).aggregate(
        hfrs_tenths=scored.hfrs_weight.sum().cast("int32"),
        hfrs_code_count=scored.hfrs_code.count().cast("int32"),
        # Sorted after collecting: Spark's collect_list keeps no order of its own.
        hfrs_code_list=scored.hfrs_code.collect().sort(),
    )


def with_hfrs(people: ir.Table, scores: ir.Table) -> ir.Table:
    joined = people.left_join(scores, people.patient_id == scores.patient_id).select(
        people,
        hfrs_tenths=scores.hfrs_tenths.fill_null(0),
        hfrs_code_count=scores.hfrs_code_count.fill_null(0),
        hfrs_codes=scores.hfrs_code_list,  # null where none scored: an empty list in the results
    )
    score = joined.hfrs_tenths.cast("float64") / 10.0
    # Categories on the exact integer tenths: low < 50, intermediate 50-150, high > 150.
    tenths_bands = tuple(
        codelists.Band(
            category=b.category,
            lower=None if b.lower is None else b.lower * 10,
            lower_inclusive=b.lower_inclusive,
            upper=None if b.upper is None else b.upper * 10,
            upper_inclusive=b.upper_inclusive,
            source=b.source,
        )
        for b in codelists.bands("hfrs")
    )
    return joined.mutate(
        hfrs_score=score,
        hfrs_category=_category(joined.hfrs_tenths, tenths_bands),
        hfrs_in_range=joined.age >= HFRS_MINIMUM_AGE,
    )


def medicines_12m(tables: Tables, index_date: dt.date) -> ir.Table:
    return medicines_in_window(tables, Window.years(index_date, 1))
