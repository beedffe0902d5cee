"""Every rule-based score and flag for everyone, as one wide Ibis table (one row per person).

`rule_based_scores(tables, index_date)` is the single definition that runs on DuckDB and Spark
alike; tests check the two engines give identical results. Columns are listed in RESULT_COLUMNS
(the order stored in the warehouse).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from icp.stratify import codelists, comorbidity, flags, frailty
from icp.stratify.events import Tables, matched_events, population


def rule_based_scores(tables: Tables, index_date: dt.date, *, excluded: Collection[str] = ()) -> ir.Table:
    """Scores for everyone alive at `index_date`, except the `excluded` patient ids (opt-outs)."""
    people = population(tables, index_date)
    if excluded:
        left_out = ibis.memtable(pa.table({"excluded_id": pa.array(sorted(excluded), pa.string())}))
        people = people.anti_join(left_out, people.patient_id == left_out.excluded_id)
    matched = matched_events(tables, index_date)
    result = frailty.efi_with_polypharmacy(
        people, frailty.efi(tables, index_date, matched), frailty.medicines_12m(tables, index_date)
    )
    result = frailty.with_hfrs(result, frailty.hfrs(tables, index_date))
    result = comorbidity.with_charlson(result, comorbidity.charlson(tables, index_date))
    result = comorbidity.with_registers(result, comorbidity.registers(matched))
    result = flags.with_flags(
        result,
        flags.coded_flags(matched, index_date),
        flags.hospital_falls(tables, index_date),
        flags.service_use(tables, index_date),
    )
    return result.select(*rule_based_columns())


def rule_based_columns() -> list[str]:
    efi_columns = [frailty.efi_deficit_column(d.key) for d in codelists.efi_deficits()]
    charlson_columns = [comorbidity.charlson_column(c.key) for c in codelists.charlson_categories()]
    register_columns = [comorbidity.register_column(r) for r in codelists.registers()]
    return [
        "patient_id",
        "icp",
        "practice_code",
        "sex",
        "birth_date",
        "age",
        "deprivation_quintile",
        "synthetic",
        "efi_deficits",
        "efi_score",
        "efi_category",
        "efi_in_range",
        *efi_columns,
        "hfrs_tenths",
        "hfrs_score",
        "hfrs_category",
        "hfrs_in_range",
        "hfrs_code_count",
        "hfrs_codes",
        "charlson_score",
        "charlson_quan2011",
        "charlson_age_points",
        *charlson_columns,
        "register_count",
        *register_columns,
        "medicines_12m",
        "polypharmacy_review",
        "housebound",
        "carer",
        "cared_for",
        "lives_alone",
        "falls_12m",
        "emergency_admissions_12m",
        "emergency_admissions_24m",
        "ae_attendances_12m",
        "elective_admissions_12m",
        "outpatient_12m",
        "gp_contacts_12m",
    ]
