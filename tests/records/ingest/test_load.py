"""Ingest as a whole: Synthea bundles, bad records put aside, idempotence, --replace, atomicity."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from icp.records.ingest import InputError, ingest
from icp.records.warehouse import BatchWriter, Warehouse
from tests.records.ingest.conftest import AREA, SYNTHEA, condition, observation, patient, warehouse_id

MAPPED = ["Patient", "Condition", "Observation", "Encounter", "MedicationRequest", "Procedure"]
TABLE_OF = {
    "Patient": "patient",
    "Condition": "condition",
    "Observation": "observation",
    "Encounter": "encounter",
    "MedicationRequest": "medication",
    "Procedure": "procedure",
}


def bundle_counts() -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in SYNTHEA.glob("*.json"):
        for entry in json.loads(path.read_text(encoding="utf-8"))["entry"]:
            counts[entry["resource"]["resourceType"]] += 1
    return counts


def test_synthea_bundles_load_every_mapped_resource_and_skip_the_rest(warehouse: Warehouse) -> None:
    expected = bundle_counts()
    report = ingest([SYNTHEA], warehouse=warehouse, area=AREA)

    assert report.put_aside == 0 and report.exit_status == 0
    for resource_type in MAPPED:
        counts = report.by_type[resource_type]
        assert counts.read == counts.accepted == expected[resource_type], resource_type
        assert warehouse.read_arrow(TABLE_OF[resource_type]).num_rows >= expected[resource_type]
    for resource_type in set(expected) - set(MAPPED):
        assert report.by_type[resource_type].skipped == expected[resource_type]
    assert report.read == sum(expected.values())
    # Each table holds exactly what the bundles held (medication = MedicationRequest here).
    assert {t: warehouse.read_arrow(t).num_rows for t in set(TABLE_OF.values())} == {
        TABLE_OF[t]: expected[t] for t in MAPPED
    }


def test_synthea_references_resolve_to_the_patients_and_they_are_unregistered_in_the_area(
    warehouse: Warehouse,
) -> None:
    ingest([SYNTHEA], warehouse=warehouse, area=AREA)
    patients = warehouse.read_arrow("patient")
    ids = set(patients.column("patient_id").to_pylist())
    assert set(patients.column("icp").to_pylist()) == {AREA}
    assert not any(patients.column("registered").to_pylist())
    for table in ("condition", "observation", "encounter", "medication", "procedure"):
        assert set(warehouse.read_arrow(table).column("patient_id").to_pylist()) <= ids
    observations = warehouse.read_arrow("observation")
    assert set(observations.column("code_system").to_pylist()) == {"loinc"}
    assert set(warehouse.read_arrow("medication").column("code_system").to_pylist()) == {"rxnorm"}


def test_a_broken_line_a_condition_without_subject_and_a_bad_date_are_put_aside(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    path = write_ndjson(
        "extract.ndjson",
        patient("p1"),
        condition("c-good", "p1"),
        '{"resourceType": "Observation", "id": "o-broken", ',
        condition("c-no-subject", None),
        observation("o-bad-date", "p1", effectiveDateTime="2023-02-30"),
        observation("o-good", "p1"),
    )
    report = ingest([path], warehouse=warehouse, area=AREA)

    assert report.exit_status == 3
    assert report.put_aside == 3
    assert warehouse.read_arrow("condition").column("condition_id").to_pylist() == ["c-good"]
    assert warehouse.read_arrow("observation").column("observation_id").to_pylist() == ["o-good"]
    assert report.quarantine_path is not None
    assert report.quarantine_path.is_relative_to(warehouse.root)
    put_aside = [json.loads(line) for line in report.quarantine_path.read_text().splitlines()]
    assert [(p["line"], p["file"]) for p in put_aside] == [(3, str(path)), (4, str(path)), (5, str(path))]
    assert put_aside[0]["reason"].startswith("malformed JSON")
    assert put_aside[1]["reason"] == "no subject: expected a reference to a Patient"
    assert put_aside[1]["record"]["id"] == "c-no-subject"
    assert put_aside[2]["reason"] == "effective[x]: '2023-02-30' is not a FHIR date"
    batch = warehouse.batches().to_pylist()[0]
    assert batch["put_aside"] == 3 and batch["quarantine_path"].startswith("quarantine/")


def test_a_reference_to_an_unknown_patient_is_put_aside_with_its_line(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    # A Bulk Data file name takes the fast path; the line number is found afterwards.
    patients = write_ndjson("Patient.ndjson", patient("p1"))
    observations = write_ndjson("Observation.ndjson", observation("o1", "p1"), observation("o2", "nobody"))
    report = ingest([patients, observations], warehouse=warehouse, area=AREA)

    assert report.by_type["Observation"].accepted == 1
    assert report.by_type["Observation"].put_aside == 1
    assert report.quarantine_path is not None
    (entry,) = [json.loads(line) for line in report.quarantine_path.read_text().splitlines()]
    assert entry["line"] == 2
    assert entry["id"] == "o2"
    assert entry["reason"] == "subject 'Patient/nobody' is not a Patient in this load or the warehouse"
    assert entry["record"]["id"] == "o2"


def test_clinical_records_can_follow_patients_loaded_in_an_earlier_batch(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    ingest([write_ndjson("Patient.ndjson", patient("p1"))], warehouse=warehouse, area="NI-BEL-E")
    report = ingest([write_ndjson("Observation.ndjson", observation("o1", "p1"))], warehouse=warehouse)

    assert report.put_aside == 0
    assert warehouse.read_arrow("observation").column("icp").to_pylist() == ["NI-BEL-E"]
    assert report.areas == ["NI-BEL-E"]


def test_loading_the_same_file_twice_adds_nothing(warehouse: Warehouse) -> None:
    first = ingest([SYNTHEA], warehouse=warehouse, area=AREA)
    rows = {t: warehouse.read_arrow(t).num_rows for t in TABLE_OF.values()}
    second = ingest([SYNTHEA], warehouse=warehouse, area=AREA)

    assert second.batch_id is None
    assert set(second.already_loaded.values()) == {first.batch_id}
    assert len(second.already_loaded) == 15
    assert {t: warehouse.read_arrow(t).num_rows for t in TABLE_OF.values()} == rows
    assert len(warehouse.manifest()["batches"]) == 1


def test_replace_swaps_what_an_earlier_batch_from_the_same_source_held(
    warehouse: Warehouse, write_ndjson: Callable[..., Path], tmp_path: Path
) -> None:
    old = write_ndjson("Patient.ndjson", patient("p1"), patient("p2"))
    first = ingest([old], warehouse=warehouse, area=AREA, source="trust-a")
    ingest(
        [write_ndjson("other/Patient.ndjson", patient("q1"))],
        warehouse=warehouse,
        area=AREA,
        source="trust-b",
    )
    new = tmp_path / "new" / "Patient.ndjson"
    new.parent.mkdir()
    new.write_text(json.dumps(patient("p1", gender="male")) + "\n")

    report = ingest([new], warehouse=warehouse, area=AREA, source="trust-a", replace=True)

    assert report.replaced_batches == [first.batch_id]
    assert report.areas == [AREA]
    patients = {row["source_id"]: row for row in warehouse.read_arrow("patient").to_pylist()}
    assert sorted(patients) == ["p1", "q1"]
    assert patients["p1"]["sex"] == "male"
    # Reloaded, the person keeps the id the warehouse gave them: what the app knows them by holds.
    assert patients["p1"]["patient_id"] == warehouse_id(warehouse, "p1")


def test_a_crash_while_writing_leaves_the_warehouse_as_it_was(
    warehouse: Warehouse, write_ndjson: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest([write_ndjson("Patient.ndjson", patient("p1"))], warehouse=warehouse, area=AREA)
    before = warehouse.manifest()
    bad = write_ndjson("more.ndjson", patient("p2"), condition("c1", "p2"), "{broken")
    real_write = BatchWriter.write

    def crash_after_the_patients(self: BatchWriter, table_name: str, data: pa.Table) -> None:
        real_write(self, table_name, data)  # the patient rows reach the batch's staging files …
        raise OSError("disk full")  # … then the load dies part-way

    monkeypatch.setattr(BatchWriter, "write", crash_after_the_patients)
    with pytest.raises(OSError, match="disk full"):
        ingest([bad], warehouse=warehouse, area=AREA)

    assert warehouse.manifest() == before
    assert warehouse.read_arrow("patient").column("source_id").to_pylist() == ["p1"]
    assert warehouse.read_arrow("condition").num_rows == 0
    assert list(warehouse.root.glob("quarantine/*")) == []
    assert list((warehouse.root / ".staging").iterdir()) == []


def test_a_crash_while_reading_leaves_the_warehouse_as_it_was(warehouse: Warehouse) -> None:
    def stop_after_the_first_file(*_: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest([SYNTHEA], warehouse=warehouse, area=AREA, progress=stop_after_the_first_file)
    assert warehouse.manifest()["batches"] == {}
    assert warehouse.read_arrow("patient").num_rows == 0


def test_gzipped_ndjson_and_searchset_and_collection_bundles_are_read(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    gz = tmp_path / "Patient.ndjson.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(patient("p1")) + "\n" + json.dumps(patient("p2")) + "\n")
    searchset = tmp_path / "search.json"
    searchset.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [
                    {
                        "fullUrl": "https://hospital.example/fhir/Condition/c1",
                        "resource": condition("c1", "p1"),
                    },
                    {"resource": observation("o1", "p2")},
                ],
            }
        )
    )
    collection = tmp_path / "collection.json"
    collection.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [
                    {"fullUrl": "urn:uuid:7d1c", "resource": {**patient("x"), "id": None}},
                    {"resource": {**observation("o2", "x"), "subject": {"reference": "urn:uuid:7d1c"}}},
                ],
            }
        )
    )
    report = ingest([gz, searchset, collection], warehouse=warehouse, area=AREA)

    assert report.put_aside == 0
    assert sorted(warehouse.read_arrow("patient").column("source_id").to_pylist()) == ["7d1c", "p1", "p2"]
    observations = {
        r["observation_id"]: r["patient_id"] for r in warehouse.read_arrow("observation").to_pylist()
    }
    assert observations == {"o1": warehouse_id(warehouse, "p2"), "o2": warehouse_id(warehouse, "7d1c")}


def test_references_to_a_bundles_full_urls_are_resolved_wherever_the_mapping_reads_them(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """fullUrls that are not the resources' own ids (`urn:uuid:`s of a transaction, another server's
    URLs), referenced from subject, encounter, partOf, medicationReference, generalPractitioner,
    serviceProvider and Encounter.diagnosis; an entry without an id takes its fullUrl's."""
    coded = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "J18.9"}]}

    def encounter(encounter_id: str, kind: str, **extra: Any) -> dict[str, Any]:
        subject = {"reference": "urn:uuid:bb"}
        period = {"start": "2024-01-01"}
        return {"resourceType": "Encounter", "id": encounter_id, "class": {"code": kind}, **extra} | {
            "status": "finished",
            "subject": subject,
            "period": period,
        }

    entries = [
        ("urn:uuid:aa", {"resourceType": "Organization", "id": "Z00001"}),
        ("urn:uuid:bb", patient("p9", generalPractitioner=[{"reference": "urn:uuid:aa"}])),
        ("urn:uuid:cc", encounter("ae1", "EMER")),
        (
            "https://trust.example/fhir/Condition/dx",
            {**condition("cond-1", None, code=coded), "subject": {"reference": "urn:uuid:bb"}},
        ),
        (
            "urn:uuid:dd",
            encounter(
                "adm1",
                "IMP",
                partOf={"reference": "urn:uuid:cc"},
                serviceProvider={"reference": "urn:uuid:aa"},
                diagnosis=[{"condition": {"reference": "https://trust.example/fhir/Condition/dx"}}],
            ),
        ),
        (
            "urn:uuid:ee",
            {
                "resourceType": "Medication",
                "code": {
                    "coding": [
                        {"system": "https://dmd.nhs.uk", "code": "322236009", "display": "Paracetamol"}
                    ]
                },
            },
        ),
        (
            "urn:uuid:ff",
            {
                "resourceType": "MedicationRequest",
                "id": "m1",
                "status": "active",
                "subject": {"reference": "urn:uuid:bb"},
                "encounter": {"reference": "urn:uuid:dd"},
                "medicationReference": {"reference": "urn:uuid:ee"},
                "authoredOn": "2024-01-02",
            },
        ),
    ]
    bundle = tmp_path / "transaction.json"
    bundle.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
            }
        )
    )
    report = ingest([bundle], warehouse=warehouse, area=AREA, practices={"Z00001": AREA})

    assert report.put_aside == 0
    person = warehouse_id(warehouse, "p9")
    (registered,) = warehouse.read_arrow("patient").to_pylist()
    assert (registered["practice_code"], registered["registered"]) == ("Z00001", True)
    encounters = {e["encounter_id"]: e for e in warehouse.read_arrow("encounter").to_pylist()}
    assert {e["patient_id"] for e in encounters.values()} == {person}
    admission = encounters["adm1"]
    assert admission["admission_method"] == "emergency"  # partOf the A&E attendance, by its fullUrl
    assert admission["provider_code"] == "Z00001"
    assert [d["code"] for d in admission["diagnoses"]] == ["J18.9"]
    (medication,) = warehouse.read_arrow("medication").to_pylist()
    assert (medication["patient_id"], medication["encounter_id"]) == (person, "adm1")
    assert (medication["code_system"], medication["code"]) == ("dmd", "322236009")  # the Medication
    (diagnosis,) = warehouse.read_arrow("condition").to_pylist()
    assert diagnosis["patient_id"] == person


def test_a_byte_order_mark_and_windows_line_ends_are_read(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "Patient.ndjson"
    path.write_bytes(
        b"\xef\xbb\xbf" + b"\r\n".join(json.dumps(patient(i)).encode() for i in ("p1", "p2")) + b"\r\n"
    )
    report = ingest([path], warehouse=warehouse, area=AREA)
    assert report.put_aside == 0
    assert report.by_type["Patient"].accepted == 2


def test_an_unreadable_bundle_is_put_aside_whole(warehouse: Warehouse, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": "Bundle",\n "entry": [\n')
    report = ingest([broken], warehouse=warehouse, area=AREA)

    assert report.exit_status == 3
    assert report.quarantine_path is not None
    (entry,) = [json.loads(line) for line in report.quarantine_path.read_text().splitlines()]
    assert entry["file"] == str(broken)
    assert "malformed JSON" in entry["reason"]


def test_patients_are_placed_by_practice_else_attached_to_the_area_unregistered(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    registered = patient(
        "p1",
        generalPractitioner=[
            {"identifier": {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "Z00001"}}
        ],
    )
    elsewhere = patient("p2", generalPractitioner=[{"reference": "Organization/Z99999"}])
    nowhere = patient("p3")
    path = write_ndjson("Patient.ndjson", registered, elsewhere, nowhere)
    report = ingest([path], warehouse=warehouse, area=AREA, practices={"Z00001": "NI-BEL-E"})

    rows = {r["source_id"]: r for r in warehouse.read_arrow("patient").to_pylist()}
    assert (rows["p1"]["icp"], rows["p1"]["registered"], rows["p1"]["practice_code"]) == (
        "NI-BEL-E",
        True,
        "Z00001",
    )
    assert (rows["p2"]["icp"], rows["p2"]["registered"], rows["p2"]["practice_code"]) == (AREA, False, None)
    assert (rows["p3"]["icp"], rows["p3"]["registered"]) == (AREA, False)
    assert report.unknown_practices == 1


def test_without_an_area_unregistered_patients_are_put_aside(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    report = ingest([write_ndjson("Patient.ndjson", patient("p1"))], warehouse=warehouse)
    assert report.put_aside == 1
    assert report.quarantine_path is not None
    assert "no --area" in report.quarantine_path.read_text()


def test_a_patient_twice_in_one_load_or_already_loaded_is_put_aside(
    warehouse: Warehouse, write_ndjson: Callable[..., Path]
) -> None:
    ingest([write_ndjson("a/Patient.ndjson", patient("p1"))], warehouse=warehouse, area=AREA, source="a")
    report = ingest(
        [write_ndjson("b/Patient.ndjson", patient("p1"), patient("p2"), patient("p2"))],
        warehouse=warehouse,
        area=AREA,
        source="b",
    )
    assert report.by_type["Patient"].accepted == 1
    assert report.quarantine_path is not None
    reasons = [json.loads(line)["reason"] for line in report.quarantine_path.read_text().splitlines()]
    assert any("already in the warehouse" in r for r in reasons)
    assert any("more than once" in r for r in reasons)


def test_missing_paths_and_unknown_file_kinds_are_input_errors(warehouse: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        ingest([tmp_path / "absent.ndjson"], warehouse=warehouse, area=AREA)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(InputError, match="not a FHIR input"):
        ingest([notes], warehouse=warehouse, area=AREA)
