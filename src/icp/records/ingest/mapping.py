"""The mapping from FHIR R4 resources to the warehouse tables, as SQL over parsed resources.

Stage 1 (`stage_select`) turns every parsed resource (the relation `r`, whose columns are the
fields of shape.RESOURCE) into one row of a wide staging table: the mapped fields under neutral
names, plus a `reason` when the resource cannot be used on its own (no id, no subject, a bad date,
no code …). The query is generated for the resource types present in the file, so a Bulk Data file
of Observations evaluates only what Observations need. Stage 2 (load.py) joins each clinical row to
its patient to place it in an ICP and renames the columns to the warehouse's.

docs/ingest-and-export.md has the same mapping as a table; keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from icp.records.ingest.shape import (
    ACT_PRIORITY_SYSTEM,
    ADMISSION_METHOD_SYSTEM,
    ADMIT_SOURCE_SYSTEM,
    CARE_SETTING_SYSTEM,
    DEPRIVATION_QUINTILE_EXTENSION,
    SMALL_AREA_EXTENSION,
    TEST_DATA_TAG_CODE,
    TEST_DATA_TAG_SYSTEM,
    UK_ADMISSION_METHOD_EXTENSION,
    UK_ADMISSION_METHOD_SYSTEMS,
)
from icp.records.schema import ID_SYSTEMS

# FHIR resource type → warehouse table, for the types ingest maps.
MAPPED_TYPES: dict[str, str] = {
    "Patient": "patient",
    "Condition": "condition",
    "Observation": "observation",
    "MedicationStatement": "medication",
    "MedicationRequest": "medication",
    "Encounter": "encounter",
    "Procedure": "procedure",
}
CLINICAL_TYPES = [t for t in MAPPED_TYPES if t != "Patient"]
# Read for reference resolution only (MedicationRequest.medicationReference); reported as skipped.
LOOKUP_TYPES = ["Medication"]
STAGED_TYPES = [*MAPPED_TYPES, *LOOKUP_TYPES]

# Encounter.class (v3 ActCode) → care setting, when icp's own care-setting code is absent.
ENCOUNTER_CLASS_SETTING = {
    "AMB": "outpatient",
    "EMER": "ae",
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "OBSENC": "inpatient",
    "SS": "inpatient",
    "HH": "community",
    "FLD": "community",
    "VR": "other",
    "PRENC": "other",
}
# NHS Data Dictionary ADMISSION METHOD (HOSPITAL PROVIDER SPELL), as UK Core's admission method
# extension carries it → icp's admission method. 21-2D are the emergency methods (28, retired in
# 2013, was one too); 11-13 elective; 31-32 maternity; 81-83 other.
UK_ADMISSION_METHODS: dict[str, str] = {
    **dict.fromkeys(("11", "12", "13"), "elective"),
    **dict.fromkeys(("21", "22", "23", "24", "25", "2A", "2B", "2C", "2D", "28"), "emergency"),
    **dict.fromkeys(("31", "32"), "maternity"),
    **dict.fromkeys(("81", "82", "83"), "other"),
}


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(_q(v) for v in values) + ")"


_CLASS_CASES = " ".join(f"WHEN {_q(k)} THEN {_q(v)}" for k, v in ENCOUNTER_CLASS_SETTING.items())
_ID_SYSTEM_CASES = " ".join(f"WHEN {_q(uri)} THEN {_q(name)}" for name, uri in ID_SYSTEMS.items())
_NATIONAL_ID = f"list_filter(r.identifier, lambda i: i.system IN {_in(ID_SYSTEMS.values())})[1]"
_OFFICIAL_NAME = "coalesce(list_filter(r.name, lambda n: n.use = 'official')[1], r.name[1])"
_PRACTICE = (
    "list_filter(r.generalPractitioner, lambda g: g.identifier.value IS NOT NULL "
    "OR ref_id(g.reference, 'Organization') IS NOT NULL)[1]"
)
_CONTAINED = "list_filter(r.contained, lambda c: '#' || c.id = {ref})[1].code"
_DIAGNOSES = (
    "list_transform(r.diagnosis, lambda d: struct_pack("
    "ref := d.condition.reference, rank := TRY_CAST(d.rank AS SMALLINT), "
    f"coding := pick_diagnosis_coding({_CONTAINED.format(ref='d.condition.reference')}), "
    f"text := ({_CONTAINED.format(ref='d.condition.reference')}).text))"
)
_UK_METHOD_CODE = (
    "list_filter(flatten(list_transform(list_filter(list_concat(r.hospitalization.extension, "
    "list_transform(r.extension, lambda e: struct_pack(url := e.url, "
    "valueCodeableConcept := e.valueCodeableConcept))), "
    f"lambda e: e.url = {_q(UK_ADMISSION_METHOD_EXTENSION)}), lambda e: e.valueCodeableConcept.coding)), "
    f"lambda c: c.system IN {_in(UK_ADMISSION_METHOD_SYSTEMS)})[1].code"
)
_UK_METHOD_CASES = " ".join(
    f"WHEN {_q(code)} THEN {_q(method)}" for code, method in UK_ADMISSION_METHODS.items()
)
# The admission method a source states outright (icp's own code, UK Core's NHS code), else
# emergency when the priority is EM or the admit source is an emergency department. Elective from
# priority EL, and emergency by partOf an A&E encounter, are settled in stage 2 (resolve.py).
_ADMISSION_METHOD = (
    f"coalesce(code_in(r.priority, {_q(ADMISSION_METHOD_SYSTEM)}), "
    f"CASE upper({_UK_METHOD_CODE}) {_UK_METHOD_CASES} END, "
    f"CASE WHEN code_in(r.priority, {_q(ACT_PRIORITY_SYSTEM)}) = 'EM' "
    f"OR code_in(r.hospitalization.admitSource, {_q(ADMIT_SOURCE_SYSTEM)}) = 'emd' THEN 'emergency' END)"
)
# medication[x] is a choice: the CodeableConcept (coded or text only), else a contained Medication's code.
_MEDICATION_CC = (
    f"coalesce(r.medicationCodeableConcept, {_CONTAINED.format(ref='r.medicationReference.reference')})"
)
_TAGGED = (
    f"coalesce(len(list_filter(r.meta.tag, lambda t: t.system = {_q(TEST_DATA_TAG_SYSTEM)} "
    f"AND t.code = {_q(TEST_DATA_TAG_CODE)})) > 0, FALSE)"
)

# Stage-1 columns and their types, in order: the one place a staging column's SQL type is stated.
# Each type's EXPRESSIONS fill some of the mapped columns (the rest are NULL for that type); the
# DERIVED ones are computed from those in stage_select (a reference's id, the coding picked).
STAGE_COLUMNS: dict[str, str] = {
    "subject_ref": "VARCHAR",
    "code_cc": "STRUCT(coding STRUCT(system VARCHAR, code VARCHAR, display VARCHAR)[], text VARCHAR)",
    "date1_raw": "VARCHAR",
    "date2_raw": "VARCHAR",
    "date3_raw": "VARCHAR",
    "status": "VARCHAR",
    "category": "VARCHAR",
    "encounter_ref": "VARCHAR",
    "value_number": "DOUBLE",
    "value_unit": "VARCHAR",
    "value_cc": "STRUCT(coding STRUCT(system VARCHAR, code VARCHAR, display VARCHAR)[], text VARCHAR)",
    "value_text": "VARCHAR",
    "kind": "VARCHAR",
    "medication_ref": "VARCHAR",
    "reference_display": "VARCHAR",
    "setting": "VARCHAR",
    "admission_method": "VARCHAR",
    "admission_fallback": "VARCHAR",
    "part_of_ref": "VARCHAR",
    "type_cc": "STRUCT(coding STRUCT(system VARCHAR, code VARCHAR, display VARCHAR)[], text VARCHAR)",
    "provider_code": "VARCHAR",
    "diagnoses": (
        "STRUCT(ref VARCHAR, rank SMALLINT, coding STRUCT(system VARCHAR, code VARCHAR, display VARCHAR),"
        " text VARCHAR)[]"
    ),
    "national_id": "VARCHAR",
    "national_id_system": "VARCHAR",
    "given_name": "VARCHAR",
    "family_name": "VARCHAR",
    "sex": "VARCHAR",
    "practice_code": "VARCHAR",
    "postcode_district": "VARCHAR",
    "small_area": "VARCHAR",
    "deprivation_quintile": "TINYINT",
    "diagnosis_coding": "STRUCT(system VARCHAR, code VARCHAR, display VARCHAR)",
    # derived
    "medication_id": "VARCHAR",
    "part_of_id": "VARCHAR",
    "value_code_system": "VARCHAR",
    "value_code": "VARCHAR",
    "value_display": "VARCHAR",
    "type_code_system": "VARCHAR",
    "type_code": "VARCHAR",
    "type_display": "VARCHAR",
}
DERIVED = (
    "medication_id",
    "part_of_id",
    "value_code_system",
    "value_code",
    "value_display",
    "type_code_system",
    "type_code",
    "type_display",
)
_MAPPED_COLUMNS = [column for column in STAGE_COLUMNS if column not in DERIVED]

# Per resource type: stage column → SQL over `r`. Date columns hold the raw text of the first
# date field present (parsed in the next layer, so a bad one can be reported with its text).
_CLINICAL = {"subject_ref": "r.subject.reference", "encounter_ref": "r.encounter.reference"}
EXPRESSIONS: dict[str, dict[str, str]] = {
    "Patient": {
        "date1_raw": "r.birthDate",
        "date2_raw": "r.deceasedDateTime",
        "national_id": f"{_NATIONAL_ID}.value",
        "national_id_system": f"CASE {_NATIONAL_ID}.system {_ID_SYSTEM_CASES} END",
        "given_name": f"nullif(array_to_string({_OFFICIAL_NAME}.given, ' '), '')",
        "family_name": f"{_OFFICIAL_NAME}.family",
        "sex": "r.gender",
        "practice_code": (
            f"coalesce({_PRACTICE}.identifier.value, ref_id({_PRACTICE}.reference, 'Organization'))"
        ),
        "postcode_district": (
            "postcode_district(coalesce(list_filter(r.address, lambda a: a.use = 'home')[1],"
            " r.address[1]).postalCode)"
        ),
        "small_area": (
            f"list_filter(r.extension, lambda e: e.url = {_q(SMALL_AREA_EXTENSION)})[1].valueString"
        ),
        "deprivation_quintile": (
            "TRY_CAST(list_filter(r.extension, lambda e: e.url = "
            f"{_q(DEPRIVATION_QUINTILE_EXTENSION)})[1].valueInteger AS TINYINT)"
        ),
    },
    "Condition": {
        **_CLINICAL,
        "code_cc": "r.code",
        "date1_raw": "coalesce(r.onsetDateTime, r.onsetPeriod.start)",
        "date2_raw": "r.recordedDate",
        "date3_raw": "coalesce(r.abatementDateTime, r.abatementPeriod.start)",
        "status": "r.clinicalStatus.coding[1].code",
        # encounter-diagnosis wherever it is among the categories (it marks a hospital diagnosis).
        "category": (
            "coalesce(list_filter(flatten(list_transform(r.category, lambda c: c.coding)), "
            "lambda c: c.code = 'encounter-diagnosis')[1].code, r.category[1].coding[1].code)"
        ),
        # What an Encounter.diagnosis pointing here carries: the ICD-10 coding when there is one.
        "diagnosis_coding": "pick_diagnosis_coding(r.code)",
    },
    "Observation": {
        **_CLINICAL,
        "code_cc": "r.code",
        "date1_raw": "coalesce(r.effectiveDateTime, r.effectivePeriod.start, r.effectiveInstant, r.issued)",
        "status": "r.status",
        "value_number": "coalesce(r.valueQuantity.value, r.valueInteger)",
        "value_unit": "coalesce(r.valueQuantity.unit, r.valueQuantity.code)",
        "value_cc": "r.valueCodeableConcept",
        "value_text": "coalesce(r.valueString, CAST(r.valueBoolean AS VARCHAR))",
    },
    "MedicationStatement": {
        "subject_ref": "r.subject.reference",
        "encounter_ref": "r.context.reference",
        "code_cc": _MEDICATION_CC,
        "date1_raw": "coalesce(r.effectivePeriod.start, r.effectiveDateTime, r.dateAsserted)",
        "date2_raw": "r.effectivePeriod.end",
        "status": "r.status",
        "kind": "'statement'",
        "medication_ref": "r.medicationReference.reference",
        "reference_display": "r.medicationReference.display",
    },
    "MedicationRequest": {
        **_CLINICAL,
        "code_cc": _MEDICATION_CC,
        "date1_raw": "coalesce(r.authoredOn, r.dispenseRequest.validityPeriod.start)",
        "date2_raw": "r.dispenseRequest.validityPeriod.end",
        "status": "r.status",
        "kind": "'request'",
        "medication_ref": "r.medicationReference.reference",
        "reference_display": "r.medicationReference.display",
    },
    "Encounter": {
        "subject_ref": "r.subject.reference",
        "date1_raw": "r.period.start",
        "date2_raw": "r.period.end",
        "status": "r.status",
        "setting": (
            f"coalesce(code_in(r.serviceType, {_q(CARE_SETTING_SYSTEM)}), "
            f"CASE r.class.code {_CLASS_CASES} ELSE 'other' END)"
        ),
        "admission_method": _ADMISSION_METHOD,
        "admission_fallback": (
            f"CASE code_in(r.priority, {_q(ACT_PRIORITY_SYSTEM)}) WHEN 'EL' THEN 'elective' END"
        ),
        "part_of_ref": "r.partOf.reference",
        "type_cc": "r.type[1]",
        "provider_code": (
            "coalesce(r.serviceProvider.identifier.value, "
            "ref_id(r.serviceProvider.reference, 'Organization'))"
        ),
        "diagnoses": _DIAGNOSES,
    },
    "Procedure": {
        **_CLINICAL,
        "code_cc": "r.code",
        "date1_raw": "coalesce(r.performedDateTime, r.performedPeriod.start)",
        "status": "r.status",
    },
    "Medication": {"code_cc": "r.code"},
}

# How a bad date is named in a put-aside reason, per type and date column.
DATE_LABELS: dict[str, dict[str, str]] = {
    "Patient": {"date1": "birthDate", "date2": "deceasedDateTime"},
    "Condition": {"date1": "onset[x]", "date2": "recordedDate", "date3": "abatement[x]"},
    "Observation": {"date1": "effective[x]"},
    "MedicationStatement": {"date1": "effective[x]", "date2": "effectivePeriod.end"},
    "MedicationRequest": {"date1": "authoredOn", "date2": "dispenseRequest.validityPeriod.end"},
    "Encounter": {"date1": "period.start", "date2": "period.end"},
    "Procedure": {"date1": "performed[x]"},
}
_FIELD_PATTERN = re.compile(r"\br\.([A-Za-z]+)")


def fields_for(types: Iterable[str | None]) -> list[str]:
    """The top-level fields of shape.RESOURCE that the stage query reads for these types."""
    fields = {"resourceType", "id", "meta"}
    for resource_type in types:
        for expression in EXPRESSIONS.get(resource_type or "", {}).values():
            fields.update(_FIELD_PATTERN.findall(expression))
    return sorted(fields)


def _column(column: str, types: list[str]) -> str:
    cases = {t: EXPRESSIONS[t][column] for t in types if column in EXPRESSIONS.get(t, {})}
    sql_type = STAGE_COLUMNS[column]
    if not cases:
        return f"NULL::{sql_type} AS {column}"
    if len(set(cases.values())) == 1 and len(cases) == len(types):
        return f"CAST({next(iter(cases.values()))} AS {sql_type}) AS {column}"
    whens = " ".join(f"WHEN {_q(t)} THEN {e}" for t, e in cases.items())
    return f"CAST(CASE r.resourceType {whens} END AS {sql_type}) AS {column}"


def _reason(types: list[str]) -> str:
    problems = [
        "CASE WHEN resource_type IS NULL THEN 'no resourceType' END",
        f"CASE WHEN resource_type IN {_in(STAGED_TYPES)} AND resource_id IS NULL THEN 'no id' END",
    ]
    clinical = [t for t in types if t in CLINICAL_TYPES]
    if clinical:
        problems.append(
            f"""CASE WHEN resource_type IN {_in(clinical)} THEN CASE
            WHEN subject_ref IS NULL THEN 'no subject: expected a reference to a Patient'
            WHEN subject_id IS NULL THEN 'subject ''' || subject_ref || ''' is not a reference to a Patient'
            END END"""
        )
    # Only what FHIR itself requires: Observation.code and medication[x] (1..1). A code given as
    # text alone is kept, uncoded; Condition.code and Procedure.code may be absent altogether.
    if "Observation" in types:
        problems.append(
            "CASE WHEN resource_type = 'Observation' AND coding IS NULL "
            "AND nullif(trim(code_cc.text), '') IS NULL "
            "THEN 'code: required, but has no coding with a code and no text' END"
        )
    medications = [t for t in types if t in ("MedicationStatement", "MedicationRequest")]
    if medications:
        problems.append(
            f"CASE WHEN resource_type IN {_in(medications)} AND coding IS NULL AND medication_ref IS NULL "
            "AND nullif(trim(code_cc.text), '') IS NULL "
            "THEN 'medication[x]: required, but has no coding, no text and no medicationReference' END"
        )
    for date in ("date1", "date2", "date3"):
        labels = {t: DATE_LABELS[t][date] for t in types if date in DATE_LABELS.get(t, {})}
        if not labels:
            continue
        label = " ".join(f"WHEN {_q(t)} THEN {_q(name)}" for t, name in labels.items())
        problems.append(
            f"CASE WHEN {date}_raw IS NOT NULL AND {date} IS NULL THEN "
            f"(CASE resource_type {label} END) || ': ''' || {date}_raw || ''' is not a FHIR date' END"
        )
    return "nullif(concat_ws('; ', " + ", ".join(problems) + "), '')"


# The staging table keeps the columns only one resource type fills in a one-element list per type
# (NULL for the other types): an in-memory DuckDB table pays for every NULL scalar it stores, and a
# Bulk Data file of Observations would otherwise store some thirty of them per row, which cost more
# than mapping the row. The `stage` view (STAGE_VIEW) unpacks them under their own names.
PACKED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "patient_fields": (
        ("Patient",),
        (
            "national_id",
            "national_id_system",
            "given_name",
            "family_name",
            "sex",
            "practice_code",
            "postcode_district",
            "small_area",
            "deprivation_quintile",
        ),
    ),
    "encounter_fields": (
        ("Encounter",),
        (
            "setting",
            "admission_method",
            "admission_fallback",
            "provider_code",
            "part_of_id",
            "type_code_system",
            "type_code",
            "type_display",
        ),
    ),
    "value_fields": (
        ("Observation",),
        ("value_number", "value_unit", "value_text", "value_code_system", "value_code", "value_display"),
    ),
    "medication_fields": (
        ("MedicationStatement", "MedicationRequest"),
        ("kind", "reference_display", "medication_id"),
    ),
    "condition_fields": (("Condition",), ("category",)),
}
_PACKED_COLUMNS = [column for _types, columns in PACKED.values() for column in columns]


def _packed_type(columns: tuple[str, ...]) -> str:
    return "STRUCT(" + ", ".join(f"{name} {STAGE_COLUMNS[name]}" for name in columns) + ")[]"


def _pack(name: str, staged: list[str]) -> str:
    owners, columns = PACKED[name]
    present = [t for t in owners if t in staged]
    if not present:
        return f"NULL::{_packed_type(columns)} AS {name}"
    fields = ", ".join(f"{column} := {column}::{STAGE_COLUMNS[column]}" for column in columns)
    return f"CASE WHEN resource_type IN {_in(present)} THEN [struct_pack({fields})] END AS {name}"


# The staging rows as stage 2 reads them: every column by its own name, and the row's number.
STAGE_VIEW = (
    "CREATE OR REPLACE TEMP VIEW stage AS SELECT rowid AS stage_row, * EXCLUDE ("
    + ", ".join(PACKED)
    + "), "
    + ", ".join(f"{name}[1].{column} AS {column}" for name, (_t, cols) in PACKED.items() for column in cols)
    + " FROM stage_rows"
)


def stage_select(types: Iterable[str | None], *, synthetic: bool) -> str:
    """SELECT over the relation `r` (file_id, line and the RESOURCE fields) giving staging rows, in
    the shape of the `stage_rows` table (the columns of PACKED in their lists).

    `types` are the resource types present in the input (None for rows without one).
    """
    staged = sorted(t for t in set(types) if t in EXPRESSIONS)
    columns = ",\n        ".join(_column(column, staged) for column in _MAPPED_COLUMNS)
    tagged = "TRUE" if synthetic else _TAGGED
    packs = ", ".join(_pack(name, staged) for name in PACKED)
    return f"""
SELECT * EXCLUDE (raw_text, subject_ref, encounter_ref, medication_ref, part_of_ref, date1_raw, date2_raw,
                  date3_raw, {", ".join(_PACKED_COLUMNS)}),
       {packs},
       CASE WHEN reason IS NOT NULL THEN raw_text END AS raw
FROM (
SELECT * EXCLUDE (coding, value_coding, type_coding, code_cc, value_cc, type_cc),
       {_reason(staged)} AS reason
FROM (
    SELECT *,
        ref_id(subject_ref, 'Patient') AS subject_id,
        ref_id(encounter_ref, 'Encounter') AS encounter_id,
        ref_id(medication_ref, 'Medication') AS medication_id,
        ref_id(part_of_ref, 'Encounter') AS part_of_id,
        fhir_date(date1_raw) AS date1,
        fhir_date(date2_raw) AS date2,
        fhir_date(date3_raw) AS date3,
        system_name(coding.system) AS code_system,
        coding.code AS code,
        coalesce(coding.display, code_cc.text) AS display,
        system_name(value_coding.system) AS value_code_system,
        value_coding.code AS value_code,
        coalesce(value_coding.display, value_cc.text) AS value_display,
        system_name(type_coding.system) AS type_code_system,
        type_coding.code AS type_code,
        coalesce(type_coding.display, type_cc.text) AS type_display
    FROM (
        SELECT *, pick_coding(code_cc) AS coding, pick_coding(value_cc) AS value_coding,
               pick_coding(type_cc) AS type_coding
        FROM (
            SELECT file_id, line, raw_text, r.resourceType AS resource_type, r.id AS resource_id,
            {columns},
            {tagged} AS synthetic
            FROM source AS r
        )
    )
)
)
"""
