"""Stage 2 of an ingest: place every staged row in an ICP and give it the warehouse's columns.

Patients are placed by their registered practice (the practice → ICP map the caller passes, from
the partnership registry), or attached to `--area` as unregistered. Clinical rows follow their
patient, from this load or already in the warehouse; a row whose patient is in neither is put
aside. Diagnosis references on encounters, medication references and an admission's `partOf` A&E
attendance are resolved here too.
Everything is SQL over the staging table; results stream out as Arrow record batches.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from icp.records.ingest.patient_ids import hmac_pads, opaque_patient_id_sql


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The clinical resource types, as an SQL list; and "this row is the first copy of its resource".
CLINICAL_SQL = (
    "('Condition', 'Observation', 'MedicationStatement', 'MedicationRequest', 'Encounter', 'Procedure')"
)
_FIRST_COPY = "s.stage_row NOT IN (SELECT stage_row FROM duplicate_rows)"


def _parquet(files: Sequence[Path], columns: str, empty: str, where: str = "TRUE") -> str:
    if not files:
        return f"(SELECT {empty} LIMIT 0)"
    listed = ", ".join(_q(str(f)) for f in files)
    return f"(SELECT {columns} FROM read_parquet([{listed}]) WHERE {where})"


def prepare(
    con: duckdb.DuckDBPyConnection,
    *,
    patient_id_key: bytes,
    area: str | None,
    practices: Mapping[str, str],
    warehouse_patient_files: Sequence[Path],
    warehouse_condition_files: Sequence[Path],
    warehouse_encounter_files: Sequence[Path] = (),
) -> None:
    """Create the views stage 2 reads: accepted patients, known patients, resolved diagnoses, and the
    A&E attendances an admission can be part of. Each patient of the load gets its opaque id
    (`patient_ids`, under `patient_id_key`); clinical rows find their patient by the source's id."""
    ipad, opad = hmac_pads(patient_id_key)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE id_key AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad", [ipad, opad]
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE new_patient_id AS
        SELECT source_id, {opaque_patient_id_sql("source_id")} AS patient_id
        FROM (SELECT DISTINCT resource_id AS source_id FROM stage
              WHERE resource_type = 'Patient' AND reason IS NULL AND resource_id IS NOT NULL), id_key"""
    )
    # As list parameters, not a registered Arrow table: registering one imports pandas (DuckDB
    # checks for a DataFrame), which costs a load more than placing its patients.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE practice_map AS "
        "SELECT unnest(?::VARCHAR[]) AS code, unnest(?::VARCHAR[]) AS icp",
        [list(practices), list(practices.values())],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE warehouse_patient AS "
        # A patient is found by the id its source gave (`source_id`); a synthetic one has no other.
        + _parquet(
            warehouse_patient_files,
            "coalesce(source_id, patient_id) AS source_id, patient_id, icp",
            "NULL::VARCHAR AS source_id, NULL::VARCHAR AS patient_id, NULL::VARCHAR AS icp",
        )
    )
    area_sql = _q(area) if area else "NULL::VARCHAR"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE patient_placed AS
        SELECT s.stage_row AS stage_row, s.resource_id, n.patient_id, pm.icp AS practice_icp,
               coalesce(pm.icp, {area_sql}) AS icp, pm.icp IS NOT NULL AS registered,
               CASE
                 WHEN row_number() OVER (PARTITION BY s.resource_id ORDER BY s.stage_row) > 1
                   THEN 'Patient id ''' || s.resource_id || ''' appears more than once in this load'
                 WHEN w.source_id IS NOT NULL
                   THEN 'Patient id ''' || s.resource_id || ''' is already in the warehouse; '
                        || 'use --replace to reload its source'
                 WHEN pm.icp IS NULL AND {area_sql} IS NULL
                   THEN 'no registered practice in a known ICP, and no --area to attach the patient to'
               END AS reason,
               s.practice_code IS NOT NULL AND pm.icp IS NULL AS unknown_practice
        FROM stage s
        LEFT JOIN practice_map pm ON pm.code = s.practice_code
        JOIN new_patient_id n ON n.source_id = s.resource_id
        LEFT JOIN (SELECT DISTINCT source_id FROM warehouse_patient) w ON w.source_id = s.resource_id
        WHERE s.resource_type = 'Patient' AND s.reason IS NULL"""
    )
    # One warehouse row per resource: a clinical resource whose id appears again in the same load
    # (against FHIR: Bundle fullUrls and Bulk Data ids are unique) loads once, as first read.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE duplicate_rows AS
        SELECT s.stage_row AS stage_row FROM stage s JOIN (
            SELECT resource_type, resource_id, min(stage_row) AS first_row FROM stage
            WHERE reason IS NULL AND resource_type IN {CLINICAL_SQL} GROUP BY ALL HAVING count(*) > 1
        ) d ON s.resource_type = d.resource_type AND s.resource_id = d.resource_id
        WHERE s.reason IS NULL AND s.stage_row <> d.first_row"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE known_patient AS
        SELECT resource_id AS source_id, patient_id, icp FROM patient_placed WHERE reason IS NULL
        UNION ALL SELECT source_id, patient_id, icp FROM warehouse_patient"""
    )
    con.execute(
        "CREATE OR REPLACE TEMP VIEW known_condition AS "
        "SELECT resource_id AS condition_id, coalesce(system_name(diagnosis_coding.system), code_system) "
        "AS code_system, coalesce(diagnosis_coding.code, code) AS code, "
        "coalesce(diagnosis_coding.display, display) AS display FROM stage "
        "WHERE resource_type = 'Condition' AND reason IS NULL UNION ALL "
        + _parquet(
            warehouse_condition_files,
            "condition_id, code_system, code, display",
            "NULL::VARCHAR AS condition_id, NULL::VARCHAR AS code_system, NULL::VARCHAR AS code, "
            "NULL::VARCHAR AS display",
        )
    )
    # A&E attendances (class EMER) in this load or the warehouse: an admission `partOf` one of them
    # came in as an emergency.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE emergency_attendance AS SELECT DISTINCT encounter_id FROM ("
        "SELECT resource_id AS encounter_id FROM stage "
        "WHERE resource_type = 'Encounter' AND reason IS NULL AND setting = 'ae' UNION ALL "
        + _parquet(
            warehouse_encounter_files, "encounter_id", "NULL::VARCHAR AS encounter_id", "setting = 'ae'"
        )
        + ")"
    )
    # One row per encounter that has diagnoses: the resolved list, and any reference left unresolved.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE encounter_diagnoses AS
        WITH listed AS (
            SELECT stage_row, unnest(diagnoses) AS d FROM stage
            WHERE resource_type = 'Encounter' AND reason IS NULL AND len(diagnoses) > 0
        ), resolved AS (
            SELECT l.stage_row, l.d.ref AS ref, l.d.rank AS rank,
                   coalesce(system_name(l.d.coding.system), c.code_system) AS code_system,
                   coalesce(l.d.coding.code, c.code) AS code,
                   coalesce(l.d.coding.display, l.d.text, c.display) AS display,
                   l.d.coding.code IS NULL AND c.code IS NULL AS unresolved
            FROM listed l
            LEFT JOIN known_condition c
              ON l.d.coding.code IS NULL AND c.condition_id = ref_id(l.d.ref, 'Condition')
        )
        SELECT stage_row,
               list(struct_pack(code_system := code_system, code := code, display := display, rank := rank)
                    ORDER BY rank NULLS LAST, code) FILTER (WHERE NOT unresolved) AS diagnoses,
               string_agg(ref, ', ') FILTER (WHERE unresolved) AS unresolved
        FROM resolved GROUP BY stage_row"""
    )


def _provenance(source: str, batch_id: str) -> str:
    return f"{_q(source)} AS source, {_q(batch_id)} AS batch_id, s.synthetic"


def _clinical_join(resource_types: Sequence[str]) -> str:
    listed = ", ".join(_q(t) for t in resource_types)
    return (
        "FROM stage s JOIN known_patient k ON k.source_id = s.subject_id "
        f"WHERE s.resource_type IN ({listed}) AND s.reason IS NULL AND {_FIRST_COPY}"
    )


def table_queries(source: str, batch_id: str) -> dict[str, str]:
    """SELECT per warehouse table giving its accepted rows, columns named as in schema.py."""
    provenance = _provenance(source, batch_id)
    # A medication named only by text, or by a Medication that is not in the load, is kept uncoded:
    # its text (or the reference's display) is what a clinician reads.
    medication_code = (
        "coalesce(s.code_system, m.code_system) AS code_system, coalesce(s.code, m.code) AS code, "
        "coalesce(s.display, m.display, s.reference_display) AS display"
    )
    # A hospital diagnosis (a Condition of category encounter-diagnosis naming its encounter) keeps
    # its ICD-10 coding when it has one among others, as Encounter.diagnosis does: hospital scores
    # (HFRS, Charlson) are defined on ICD-10.
    hospital = (
        "s.category = 'encounter-diagnosis' AND s.encounter_id IS NOT NULL "
        "AND s.diagnosis_coding.code IS NOT NULL"
    )
    diagnosis = {
        "code_system": "system_name(s.diagnosis_coding.system)",
        "code": "s.diagnosis_coding.code",
        "display": "coalesce(s.diagnosis_coding.display, s.display)",
    }

    def hospital_pick(column: str) -> str:
        return f"CASE WHEN {hospital} THEN {diagnosis[column]} ELSE s.{column} END AS {column}"

    # Inpatient spells only. The method the source states, else emergency when the spell is part of
    # an A&E attendance, else elective by priority EL; NULL when the source gives none of these.
    admission_method = (
        "CASE WHEN s.setting = 'inpatient' THEN coalesce(s.admission_method, "
        "CASE WHEN s.part_of_id IN (SELECT encounter_id FROM emergency_attendance) THEN 'emergency' END, "
        "s.admission_fallback) END"
    )
    return {
        "patient": f"""SELECT p.patient_id, s.resource_id AS source_id, s.national_id,
                s.national_id_system, s.given_name, s.family_name, s.sex, s.date1 AS birth_date,
                s.date2 AS death_date, CASE WHEN p.registered THEN s.practice_code END AS practice_code,
                p.registered, s.postcode_district, s.small_area, s.deprivation_quintile,
                p.icp, {provenance}
            FROM stage s JOIN patient_placed p ON p.stage_row = s.stage_row WHERE p.reason IS NULL""",
        "condition": f"""SELECT s.resource_id AS condition_id, k.patient_id,
                {hospital_pick("code_system")}, {hospital_pick("code")}, {hospital_pick("display")},
                s.date1 AS onset_date, s.date2 AS recorded_date,
                s.date3 AS abatement_date, s.status AS clinical_status, s.category, s.encounter_id,
                k.icp, {provenance}
            {_clinical_join(["Condition"])}""",
        "observation": f"""SELECT s.resource_id AS observation_id, k.patient_id,
                s.code_system, s.code, s.display, s.date1 AS effective_date, s.value_number,
                s.value_unit, s.value_code_system, s.value_code, s.value_display, s.value_text,
                s.encounter_id, k.icp, {provenance}
            {_clinical_join(["Observation"])}""",
        "medication": f"""SELECT s.resource_id AS medication_id, k.patient_id,
                {medication_code}, s.kind, s.status, s.date1 AS start_date, s.date2 AS end_date,
                s.encounter_id, k.icp, {provenance}
            FROM stage s JOIN known_patient k ON k.source_id = s.subject_id
            LEFT JOIN (SELECT resource_id, code_system, code, display FROM stage
                       WHERE resource_type = 'Medication' AND reason IS NULL) m
              ON s.code IS NULL AND m.resource_id = s.medication_id
            WHERE s.resource_type IN ('MedicationStatement', 'MedicationRequest') AND s.reason IS NULL
              AND {_FIRST_COPY}""",
        "encounter": f"""SELECT s.resource_id AS encounter_id, k.patient_id, s.setting,
                {admission_method} AS admission_method, s.type_code_system, s.type_code, s.type_display,
                s.date1 AS start_date, s.date2 AS end_date, s.provider_code,
                coalesce(d.diagnoses, []) AS diagnoses, k.icp, {provenance}
            FROM stage s JOIN known_patient k ON k.source_id = s.subject_id
            LEFT JOIN encounter_diagnoses d ON d.stage_row = s.stage_row
            WHERE s.resource_type = 'Encounter' AND s.reason IS NULL AND {_FIRST_COPY}""",
        "procedure": f"""SELECT s.resource_id AS procedure_id, k.patient_id, s.code_system,
                s.code, s.display, s.date1 AS performed_date, s.encounter_id, k.icp, {provenance}
            {_clinical_join(["Procedure"])}""",
    }


# Encounters with a diagnosis reference found nowhere: kept with the diagnoses that did resolve.
UNRESOLVED_DIAGNOSES = """
SELECT count(*) FROM stage s JOIN known_patient k ON k.source_id = s.subject_id
JOIN encounter_diagnoses d ON d.stage_row = s.stage_row
WHERE s.resource_type = 'Encounter' AND s.reason IS NULL AND d.unresolved IS NOT NULL
  AND s.stage_row NOT IN (SELECT stage_row FROM duplicate_rows)
"""

# Rows stage 2 puts aside, with the reason; one query, so counting and quarantine agree. Only what
# cannot be tied to a person: a reference that does not resolve elsewhere (a medication, a diagnosis)
# keeps the record, uncoded or with fewer diagnoses, and is counted in the report instead.
STAGE2_REJECTS = f"""
SELECT s.stage_row AS stage_row, s.file_id, s.line, s.resource_type, s.resource_id, p.reason
FROM stage s JOIN patient_placed p ON p.stage_row = s.stage_row WHERE p.reason IS NOT NULL
UNION ALL
SELECT s.stage_row, s.file_id, s.line, s.resource_type, s.resource_id,
       s.resource_type || ' id ''' || s.resource_id || ''' appears more than once in this load'
FROM stage s JOIN duplicate_rows d ON d.stage_row = s.stage_row
UNION ALL
SELECT s.stage_row, s.file_id, s.line, s.resource_type, s.resource_id,
       'subject ''Patient/' || s.subject_id || ''' is not a Patient in this load or the warehouse'
FROM stage s LEFT JOIN known_patient k ON k.source_id = s.subject_id
WHERE s.resource_type IN {CLINICAL_SQL}
  AND s.reason IS NULL AND k.source_id IS NULL AND {_FIRST_COPY}
"""


def stream(con: duckdb.DuckDBPyConnection, query: str, rows: int = 250_000) -> Iterator[pa.Table]:
    """The query's rows in Arrow tables of up to `rows` rows.

    DuckDB computes the next batch in a helper thread while the caller writes this one to Parquet
    (both release the GIL), so joining and writing overlap; at most two batches are held.
    """
    reader = con.sql(query).to_arrow_reader(rows)
    batches: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in reader:
                if stop.is_set():
                    return
                if batch.num_rows:
                    batches.put(batch)
            batches.put(None)
        except BaseException as error:  # handed to the consumer, which re-raises it
            batches.put(error)

    producer = threading.Thread(target=produce, name="icp-ingest-reader", daemon=True)
    producer.start()
    try:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield pa.Table.from_batches([item])
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting on a full queue, then let it end
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.05)
        producer.join()
