"""The part of each FHIR R4 resource that ingest reads, as one DuckDB struct type, and SQL macros.

Ingest parses every resource, whatever its type, into the same struct (the union of the fields the
seven mapped resource types use), so one vectorised query maps a whole file. Fields a resource does
not have come out NULL; keys ingest does not need are never materialised. The macros parse FHIR
dates and references in SQL, so the mapping stays vectorised (tests check them against Python's
own parsers with hypothesis).
"""

from __future__ import annotations

from typing import Any

import duckdb

from icp.records.schema import CODE_SYSTEMS

V = "VARCHAR"
CODEABLE_CONCEPT: dict[str, Any] = {"coding": [{"system": V, "code": V, "display": V}], "text": V}
REFERENCE: dict[str, Any] = {"reference": V}
REFERENCE_WITH_IDENTIFIER: dict[str, Any] = {"reference": V, "identifier": {"system": V, "value": V}}
PERIOD: dict[str, Any] = {"start": V, "end": V}

# Every field any mapped resource type needs. A JSON value of another shape (a string where an
# object is expected …) makes the fast reader fail for that file, and the tolerant reader then
# yields NULL for that field alone.
RESOURCE: dict[str, Any] = {
    "resourceType": V,
    "id": V,
    "meta": {"tag": [{"system": V, "code": V}]},
    "status": V,
    # Patient
    "identifier": [{"system": V, "value": V}],
    "name": [{"use": V, "family": V, "given": [V]}],
    "gender": V,
    "birthDate": V,
    "deceasedDateTime": V,
    "deceasedBoolean": "BOOLEAN",
    "address": [{"use": V, "postalCode": V}],
    "generalPractitioner": [REFERENCE_WITH_IDENTIFIER],
    "extension": [
        {
            "url": V,
            "valueString": V,
            "valueCode": V,
            "valueInteger": "BIGINT",
            "valueCodeableConcept": CODEABLE_CONCEPT,
        }
    ],
    # what clinical resources share
    "subject": REFERENCE,
    "encounter": REFERENCE,
    "context": REFERENCE,
    "code": CODEABLE_CONCEPT,
    "category": [CODEABLE_CONCEPT],
    "contained": [{"resourceType": V, "id": V, "code": CODEABLE_CONCEPT}],
    # Condition
    "clinicalStatus": CODEABLE_CONCEPT,
    "onsetDateTime": V,
    "onsetPeriod": PERIOD,
    "recordedDate": V,
    "abatementDateTime": V,
    "abatementPeriod": PERIOD,
    # Observation
    "effectiveDateTime": V,
    "effectivePeriod": PERIOD,
    "effectiveInstant": V,
    "issued": V,
    "valueQuantity": {"value": "DOUBLE", "unit": V, "code": V},
    "valueCodeableConcept": CODEABLE_CONCEPT,
    "valueString": V,
    "valueBoolean": "BOOLEAN",
    "valueInteger": "DOUBLE",
    # MedicationStatement, MedicationRequest
    "medicationCodeableConcept": CODEABLE_CONCEPT,
    "medicationReference": {"reference": V, "display": V},
    "authoredOn": V,
    "dateAsserted": V,
    "dispenseRequest": {"validityPeriod": PERIOD},
    # Encounter
    "class": {"system": V, "code": V},
    "type": [CODEABLE_CONCEPT],
    "serviceType": CODEABLE_CONCEPT,
    "priority": CODEABLE_CONCEPT,
    "period": PERIOD,
    "serviceProvider": REFERENCE_WITH_IDENTIFIER,
    "diagnosis": [{"condition": REFERENCE, "use": CODEABLE_CONCEPT, "rank": "BIGINT"}],
    "hospitalization": {
        "admitSource": CODEABLE_CONCEPT,
        "extension": [{"url": V, "valueCodeableConcept": CODEABLE_CONCEPT}],
    },
    "partOf": REFERENCE,
    # Procedure
    "performedDateTime": V,
    "performedPeriod": PERIOD,
}

# Code systems that mean the same as one of the warehouse's short names under another URI.
CODE_SYSTEM_ALIASES: dict[str, str] = {
    "http://hl7.org/fhir/sid/icd-10-uk": "icd10",
    "https://fhir.nhs.uk/Id/opcs-4": "opcs4",
    "http://fhir.nhs.uk/CodeSystem/opcs-4": "opcs4",
}

# icp's own code systems and extensions, used by `icp export fhir` so that a round trip is lossless.
ICP_SYSTEM_BASE = "urn:icp:fhir"
CARE_SETTING_SYSTEM = f"{ICP_SYSTEM_BASE}:CodeSystem:care-setting"
ADMISSION_METHOD_SYSTEM = f"{ICP_SYSTEM_BASE}:CodeSystem:admission-method"
SMALL_AREA_EXTENSION = f"{ICP_SYSTEM_BASE}:StructureDefinition:small-area"
DEPRIVATION_QUINTILE_EXTENSION = f"{ICP_SYSTEM_BASE}:StructureDefinition:deprivation-quintile"
ODS_ORGANISATION_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
# Emergency-admission signals of other sources (docs/ingest-and-export.md, "Admissions"): UK Core's
# admission method extension (NHS Data Dictionary ADMISSION METHOD codes), HL7's admit source.
UK_ADMISSION_METHOD_EXTENSION = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AdmissionMethod"
UK_ADMISSION_METHOD_SYSTEMS = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-AdmissionMethodEngland",
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-AdmissionMethodWales",
)
ADMIT_SOURCE_SYSTEM = "http://terminology.hl7.org/CodeSystem/admit-source"
ACT_PRIORITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
# The HL7 tag for test (synthetic) data: ActReason HTEST.
TEST_DATA_TAG_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
TEST_DATA_TAG_CODE = "HTEST"


def duckdb_type(shape: Any) -> str:
    """The DuckDB type for a shape: a type name, a one-element list (a list of it) or a dict."""
    if isinstance(shape, str):
        return shape
    if isinstance(shape, list):
        return f"{duckdb_type(shape[0])}[]"
    fields = ", ".join(f'"{name}" {duckdb_type(inner)}' for name, inner in shape.items())
    return f"STRUCT({fields})"


def read_json_columns() -> str:
    """The `columns=` argument of read_json for RESOURCE."""
    return "{" + ", ".join(f"'{name}': '{duckdb_type(s)}'" for name, s in RESOURCE.items()) + "}"


def from_json_structure() -> str:
    """The JSON structure string from_json takes for RESOURCE."""
    import json

    return json.dumps(RESOURCE)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# A FHIR date or dateTime (R4 regexes, simplified only in allowing any year 0001-9999).
FHIR_DATE_PATTERN = (
    r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?"
)
# A literal reference: [base/]Type/id[/_history/version]; ids are FHIR ids ([A-Za-z0-9-.]{1,64}).
FHIR_ID_PATTERN = r"[A-Za-z0-9.\-]{1,64}"
REFERENCE_PATTERN = r"^(.*/)?([A-Z][A-Za-z]+)/([A-Za-z0-9.\-]{1,64})(/_history/[^/]+)?$"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the SQL macros the mapping uses on `con`."""
    known = {**{uri: name for name, uri in CODE_SYSTEMS.items()}, **CODE_SYSTEM_ALIASES}
    system_cases = " ".join(f"WHEN {_sql_string(uri)} THEN {_sql_string(n)}" for uri, n in known.items())
    known_list = ", ".join(_sql_string(uri) for uri in known)
    icd10_list = ", ".join(_sql_string(uri) for uri, name in known.items() if name == "icd10")
    statements = [
        # The date a FHIR date/dateTime names, as written (no time-zone shift); a partial date
        # (YYYY or YYYY-MM) is taken as its first day. NULL when absent or not a valid FHIR date.
        f"""CREATE OR REPLACE MACRO fhir_date(s) AS CASE
            WHEN s IS NULL OR NOT regexp_full_match(s, {_sql_string(FHIR_DATE_PATTERN)}) THEN NULL
            WHEN length(s) = 4 THEN TRY_CAST(s || '-01-01' AS DATE)
            WHEN length(s) = 7 THEN TRY_CAST(s || '-01' AS DATE)
            ELSE TRY_CAST(left(s, 10) AS DATE) END""",
        # True when a date string was given but is not a usable FHIR date.
        # The id a reference points at when it points at a resource of type t (else NULL). The
        # common relative form `Type/id` is matched with plain string functions; absolute and
        # versioned references fall through to the regular expression; `urn:uuid:x` gives x.
        f"""CREATE OR REPLACE MACRO ref_id(ref, t) AS CASE
            WHEN ref IS NULL THEN NULL
            WHEN starts_with(ref, t || '/')
              AND regexp_full_match(substr(ref, length(t) + 2), {_sql_string(FHIR_ID_PATTERN)})
              THEN substr(ref, length(t) + 2)
            WHEN starts_with(ref, 'urn:uuid:') THEN nullif(substr(ref, 10), '')
            WHEN regexp_extract(ref, {_sql_string(REFERENCE_PATTERN)}, 2) = t
              THEN regexp_extract(ref, {_sql_string(REFERENCE_PATTERN)}, 3)
            ELSE NULL END""",
        f"CREATE OR REPLACE MACRO system_name(uri) AS CASE uri {system_cases} ELSE uri END",
        # The coding ingest keeps from a CodeableConcept: the first in a known system, else the first.
        f"""CREATE OR REPLACE MACRO pick_coding(cc) AS coalesce(
            list_filter(cc.coding, lambda c: c.system IN ({known_list}) AND c.code IS NOT NULL)[1],
            list_filter(cc.coding, lambda c: c.code IS NOT NULL)[1])""",
        # For a hospital diagnosis: its ICD-10 coding when it has one, else as pick_coding.
        f"""CREATE OR REPLACE MACRO pick_diagnosis_coding(cc) AS coalesce(
            list_filter(cc.coding, lambda c: c.system IN ({icd10_list}) AND c.code IS NOT NULL)[1],
            pick_coding(cc))""",
        "CREATE OR REPLACE MACRO coding_system(cc) AS system_name(pick_coding(cc).system)",
        "CREATE OR REPLACE MACRO coding_code(cc) AS pick_coding(cc).code",
        "CREATE OR REPLACE MACRO coding_display(cc) AS coalesce(pick_coding(cc).display, cc.text)",
        # The code of the first coding in a given system.
        """CREATE OR REPLACE MACRO code_in(cc, sys) AS
            list_filter(cc.coding, lambda c: c.system = sys)[1].code""",
        # A UK postcode's outward code (district), or NULL when it is not a UK postcode.
        r"""CREATE OR REPLACE MACRO postcode_district(p) AS nullif(regexp_extract(
            upper(trim(p)), '^([A-Z]{1,2}[0-9][A-Z0-9]?)( ?[0-9][A-Z]{2})?$', 1), '')""",
    ]
    for statement in statements:
        con.execute(statement)
