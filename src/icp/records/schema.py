"""The warehouse tables and every column, as Arrow schemas. docs/warehouse.md documents them.

Conventions, shared by every clinical table:
- `patient_id` is icp's opaque id for a person (never an NHS or H&C number);
- each clinical code is kept as given, as (`code_system`, `code`, `display`), with `code_system` one
  of the short names in `CODE_SYSTEMS` (or the URI as given when it is none of them);
- `icp` is the ICP (area code) the record is partitioned under; `source` names where it came from,
  `batch_id` the load that wrote it; `synthetic` is true for every row `icp synth` made.
"""

from __future__ import annotations

import pyarrow as pa

# Short names for the code systems the warehouse keeps, with their canonical FHIR URIs.
CODE_SYSTEMS: dict[str, str] = {
    "snomed": "http://snomed.info/sct",
    "icd10": "http://hl7.org/fhir/sid/icd-10",
    "opcs4": "http://fhir.nhs.uk/Id/opcs-4",
    "dmd": "https://dmd.nhs.uk",
    "loinc": "http://loinc.org",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "read2": "http://read.info/readv2",
    "ctv3": "http://read.info/ctv3",
}
URI_TO_CODE_SYSTEM: dict[str, str] = {uri: name for name, uri in CODE_SYSTEMS.items()}

# Identifier systems for a person's national number.
ID_SYSTEMS: dict[str, str] = {
    "hcn": "https://fhir.hscni.net/Id/hcn",  # Northern Ireland Health and Care number
    "nhs": "https://fhir.nhs.uk/Id/nhs-number",  # NHS number (England and Wales)
}

_PROVENANCE = [
    pa.field("icp", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("batch_id", pa.string(), nullable=False),
    pa.field("synthetic", pa.bool_(), nullable=False),
]


def _coded(prefix: str = "") -> list[pa.Field]:
    return [
        pa.field(f"{prefix}code_system", pa.string()),
        pa.field(f"{prefix}code", pa.string()),
        pa.field(f"{prefix}display", pa.string()),
    ]


PATIENT = pa.schema(
    [
        pa.field("patient_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string()),
        # The person this record belongs to, shared by every source's record of them (record
        # linkage, `icp.records.linkage`): the `patient_id` of the person's primary record. A record
        # not linked yet is a person of its own (`person_id` = `patient_id`).
        pa.field("person_id", pa.string()),
        pa.field("national_id", pa.string()),
        pa.field("national_id_system", pa.string()),
        pa.field("given_name", pa.string()),
        pa.field("family_name", pa.string()),
        pa.field("sex", pa.string()),
        pa.field("birth_date", pa.date32()),
        pa.field("death_date", pa.date32()),
        pa.field("practice_code", pa.string()),
        pa.field("registered", pa.bool_()),
        pa.field("postcode_district", pa.string()),
        pa.field("small_area", pa.string()),
        pa.field("deprivation_quintile", pa.int8()),
        *_PROVENANCE,
    ]
)

CONDITION = pa.schema(
    [
        pa.field("condition_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        *_coded(),
        pa.field("onset_date", pa.date32()),
        pa.field("recorded_date", pa.date32()),
        pa.field("abatement_date", pa.date32()),
        pa.field("clinical_status", pa.string()),
        pa.field("category", pa.string()),
        pa.field("encounter_id", pa.string()),
        *_PROVENANCE,
    ]
)

OBSERVATION = pa.schema(
    [
        pa.field("observation_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        *_coded(),
        pa.field("effective_date", pa.date32()),
        pa.field("value_number", pa.float64()),
        pa.field("value_unit", pa.string()),
        *_coded("value_"),
        pa.field("value_text", pa.string()),
        pa.field("encounter_id", pa.string()),
        *_PROVENANCE,
    ]
)

MEDICATION = pa.schema(
    [
        pa.field("medication_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        *_coded(),
        pa.field("kind", pa.string()),  # "statement" or "request"
        pa.field("status", pa.string()),
        pa.field("start_date", pa.date32()),
        pa.field("end_date", pa.date32()),
        pa.field("encounter_id", pa.string()),
        *_PROVENANCE,
    ]
)

DIAGNOSIS = pa.struct(
    [
        pa.field("code_system", pa.string()),
        pa.field("code", pa.string()),
        pa.field("display", pa.string()),
        pa.field("rank", pa.int16()),
    ]
)

ENCOUNTER = pa.schema(
    [
        pa.field("encounter_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        # setting: gp, ae, outpatient, inpatient, community, other
        pa.field("setting", pa.string()),
        # admission_method for inpatient spells: emergency, elective, maternity, other
        pa.field("admission_method", pa.string()),
        *_coded("type_"),
        pa.field("start_date", pa.date32()),
        pa.field("end_date", pa.date32()),
        pa.field("provider_code", pa.string()),
        pa.field("diagnoses", pa.list_(DIAGNOSIS)),
        *_PROVENANCE,
    ]
)

PROCEDURE = pa.schema(
    [
        pa.field("procedure_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        *_coded(),
        pa.field("performed_date", pa.date32()),
        pa.field("encounter_id", pa.string()),
        *_PROVENANCE,
    ]
)

# Death registrations (GRO/NISRA in NI, ONS in England): date and place of death, one row a death.
# place_of_death: hospital, home, care_home, hospice, other.
DEATH = pa.schema(
    [
        pa.field("patient_id", pa.string(), nullable=False),
        pa.field("death_date", pa.date32()),
        pa.field("place_of_death", pa.string()),
        *_coded("cause_"),
        *_PROVENANCE,
    ]
)

# What the care app publishes for evaluation (docs/warehouse.md): pathway enrolments, referrals
# between organisations and care plans, one row each, pseudonymous like every warehouse table.
# `pathway` is a pathway id (falls, frailty, copd, diabetes-foot, end-of-life, stroke, smi).
ENROLMENT = pa.schema(
    [
        pa.field("enrolment_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        pa.field("pathway", pa.string(), nullable=False),
        pa.field("practice_code", pa.string()),
        pa.field("enrolled_date", pa.date32(), nullable=False),
        pa.field("ended_date", pa.date32()),
        pa.field("end_reason", pa.string()),  # completed, died, withdrew, moved
        *_PROVENANCE,
    ]
)

# status: requested, accepted, rejected, in-progress, completed, cancelled (FHIR Task status).
REFERRAL = pa.schema(
    [
        pa.field("referral_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        pa.field("pathway", pa.string()),
        pa.field("service_type", pa.string()),
        pa.field("from_organisation", pa.string()),
        pa.field("to_organisation", pa.string()),
        pa.field("priority", pa.string()),
        pa.field("status", pa.string()),
        pa.field("requested_date", pa.date32(), nullable=False),
        pa.field("accepted_date", pa.date32()),
        pa.field("rejected_date", pa.date32()),
        pa.field("completed_date", pa.date32()),
        *_PROVENANCE,
    ]
)

# category: care_plan (a pathway's care plan) or advance_care_plan; status: active, completed, revoked.
CARE_PLAN = pa.schema(
    [
        pa.field("care_plan_id", pa.string(), nullable=False),
        pa.field("patient_id", pa.string(), nullable=False),
        pa.field("pathway", pa.string()),
        pa.field("category", pa.string(), nullable=False),
        pa.field("status", pa.string()),
        pa.field("created_date", pa.date32(), nullable=False),
        pa.field("review_date", pa.date32()),
        pa.field("ended_date", pa.date32()),
        *_PROVENANCE,
    ]
)

BATCH = pa.schema(
    [
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # synth, ingest, stratify …
        pa.field("source", pa.string(), nullable=False),
        pa.field("inputs", pa.list_(pa.string())),
        pa.field("input_sha256", pa.string()),
        pa.field("areas", pa.list_(pa.string())),
        pa.field("started_at", pa.timestamp("us", tz="UTC")),
        pa.field("finished_at", pa.timestamp("us", tz="UTC")),
        pa.field("records_read", pa.int64()),
        pa.field("accepted", pa.int64()),
        pa.field("skipped", pa.int64()),
        pa.field("put_aside", pa.int64()),
        pa.field("quarantine_path", pa.string()),
        pa.field("replaced_batches", pa.list_(pa.string())),
        pa.field("detail", pa.string()),  # JSON: per-table counts, options
    ]
)

# Results of a risk-stratification run (icp.stratify; docs/risk-stratification.md documents each
# column): one row per person per run, the run being the batch that wrote it. Lists hold the
# contributing deficits, codes and categories so that the schema does not change with a code list.
RISK_RESULT = pa.schema(
    [
        pa.field("patient_id", pa.string(), nullable=False),
        pa.field("practice_code", pa.string()),
        pa.field("index_date", pa.date32(), nullable=False),
        pa.field("model_version", pa.string()),
        pa.field("age", pa.int32()),
        pa.field("sex", pa.string()),
        pa.field("deprivation_quintile", pa.int8()),
        pa.field("planning_opt_out", pa.bool_()),
        pa.field("efi_score", pa.float64()),
        pa.field("efi_deficits", pa.int32()),
        pa.field("efi_category", pa.string()),
        pa.field("efi_in_range", pa.bool_()),
        pa.field("efi_deficit_list", pa.list_(pa.string())),
        pa.field("hfrs_score", pa.float64()),
        pa.field("hfrs_category", pa.string()),
        pa.field("hfrs_in_range", pa.bool_()),
        pa.field("hfrs_codes", pa.list_(pa.string())),
        pa.field("charlson_score", pa.int32()),
        pa.field("charlson_quan2011", pa.int32()),
        pa.field("charlson_age_points", pa.int32()),
        pa.field("charlson_categories", pa.list_(pa.string())),
        pa.field("registers", pa.list_(pa.string())),
        pa.field("medicines_12m", pa.int32()),
        pa.field("polypharmacy_review", pa.bool_()),
        pa.field("housebound", pa.bool_()),
        pa.field("carer", pa.bool_()),
        pa.field("cared_for", pa.bool_()),
        pa.field("lives_alone", pa.bool_()),
        pa.field("falls_12m", pa.bool_()),
        pa.field("emergency_admissions_12m", pa.int32()),
        pa.field("ae_attendances_12m", pa.int32()),
        pa.field("model_risk", pa.float64()),
        pa.field("risk_rank", pa.int64()),
        pa.field("tier", pa.string()),
        pa.field("risk_factors", pa.list_(pa.string())),
        *_PROVENANCE,
    ]
)

RESULT_TABLES: dict[str, pa.Schema] = {"risk_result": RISK_RESULT}

CLINICAL_TABLES: dict[str, pa.Schema] = {
    "patient": PATIENT,
    "condition": CONDITION,
    "observation": OBSERVATION,
    "medication": MEDICATION,
    "encounter": ENCOUNTER,
    "procedure": PROCEDURE,
}
# Tables that are not FHIR clinical resources: death registrations, and what the care app publishes.
REGISTRATION_TABLES: dict[str, pa.Schema] = {"death": DEATH}
CARE_TABLES: dict[str, pa.Schema] = {"enrolment": ENROLMENT, "referral": REFERRAL, "care_plan": CARE_PLAN}
DATA_TABLES: dict[str, pa.Schema] = {**CLINICAL_TABLES, **REGISTRATION_TABLES, **CARE_TABLES, **RESULT_TABLES}
TABLES: dict[str, pa.Schema] = {**DATA_TABLES, "batch": BATCH}


def conform(table_name: str, data: pa.Table, *, dictionaries: bool = False) -> pa.Table:
    """Return `data` with exactly the table's columns, in order, cast to the schema.

    Missing nullable columns are filled with nulls; an unknown column or a failed cast raises
    ValueError naming the table and column. With `dictionaries`, a dictionary-encoded column of a
    string field's type is kept encoded (the warehouse's writer stores it as it is, without
    hashing every value again); the schema returned then says so.
    """
    schema = TABLES[table_name]
    unknown = set(data.column_names) - set(schema.names)
    if unknown:
        raise ValueError(f"{table_name}: unknown column(s) {', '.join(sorted(unknown))}")
    columns = []
    fields = []
    for field in schema:
        if field.name in data.column_names:
            column = data.column(field.name)
            if dictionaries and pa.types.is_dictionary(column.type) and column.type.value_type == field.type:
                columns.append(column)
                fields.append(field.with_type(column.type))
                continue
            fields.append(field)
            try:
                columns.append(column.cast(field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise ValueError(
                    f"{table_name}.{field.name}: cannot cast {column.type} to {field.type}"
                ) from error
        elif field.nullable:
            fields.append(field)
            columns.append(pa.nulls(data.num_rows, field.type))
        else:
            raise ValueError(f"{table_name}: required column {field.name} is missing")
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=schema.metadata))
