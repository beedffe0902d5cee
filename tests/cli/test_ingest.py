"""`icp ingest` and `icp export fhir` from the command line: summary, exit statuses, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from icp.audit.models import AuditEvent
from icp.cli import app
from icp.partnership.models import Organisation
from icp.patients.models import PatientIndex
from icp.records.ingest.patient_ids import opaque_patient_id
from icp.records.warehouse import Warehouse

SYNTHEA = Path(__file__).resolve().parents[1] / "fixtures" / "synthea"
runner = CliRunner()


@pytest.mark.django_db
def test_ingest_prints_the_summary_and_exits_0_then_adds_nothing_the_second_time(data_dir: Path) -> None:
    result = runner.invoke(app, ["ingest", str(SYNTHEA), "--area", "NI-NOR-CA"])
    assert result.exit_code == 0, result.output
    assert "Observation" in result.output and "983" in result.output
    assert "Put aside" in result.output
    assert AuditEvent.objects.filter(action="records.ingest").count() == 1
    # The patient index now knows the 15 Synthea patients, attached to the ICP as unregistered.
    index = PatientIndex.objects.filter(icp__code="NI-NOR-CA")
    assert index.count() == 15
    assert not index.filter(registered=True).exists()
    assert "Patient index: 15 upserted" in result.output

    again = runner.invoke(app, ["ingest", str(SYNTHEA), "--area", "NI-NOR-CA"])
    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert len(Warehouse(data_dir / "warehouse").manifest()["batches"]) == 1


@pytest.mark.django_db
def test_ingest_exits_3_when_records_are_put_aside(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text(json.dumps({"resourceType": "Patient", "id": "p1"}) + "\n{not json\n")
    result = runner.invoke(app, ["ingest", str(path), "--area", "NI-NOR-CA"])
    assert result.exit_code == 3, result.output
    assert "put aside" in result.output


@pytest.mark.django_db
def test_registered_patients_are_placed_by_the_practice_registry(data_dir: Path, tmp_path: Path) -> None:
    practice = (
        Organisation.objects.filter(type="gp_practice", icp__isnull=False).select_related("icp").first()
    )
    assert practice is not None and practice.icp is not None
    path = tmp_path / "Patient.ndjson"
    path.write_text(
        json.dumps(
            {
                "resourceType": "Patient",
                "id": "p1",
                "generalPractitioner": [
                    {
                        "identifier": {
                            "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                            "value": practice.code,
                        }
                    }
                ],
            }
        )
        + "\n"
    )
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    (row,) = Warehouse(data_dir / "warehouse").read_arrow("patient").to_pylist()
    assert (row["icp"], row["practice_code"], row["registered"]) == (practice.icp.code, practice.code, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["ingest", "no-such-folder", "--area", "NI-NOR-CA"], "no such file"),
        (["ingest", str(SYNTHEA), "--area", "NI-NOWHERE"], "not an ICP code"),
        (["export", "fhir", "--out", "x", "--area", "NI-NOWHERE"], "not an ICP code"),
    ],
)
def test_unusable_arguments_exit_2(data_dir: Path, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.django_db
def test_export_writes_ndjson_and_a_manifest(data_dir: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["ingest", str(SYNTHEA), "--area", "NI-NOR-CA"])
    result = runner.invoke(app, ["export", "fhir", "--out", str(tmp_path / "out"), "--area", "NI-NOR-CA"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {o["type"]: o["count"] for o in manifest["output"]}["Patient"] == 15
    assert AuditEvent.objects.filter(action="records.export_fhir").count() == 1


FHIR = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"


@pytest.mark.django_db
def test_ingest_summary_counts_uncoded_entries_admissions_without_a_method_and_conflicts(
    data_dir: Path,
) -> None:
    result = runner.invoke(app, ["ingest", str(FHIR), "--area", "NI-NOR-CA"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "3 record(s) have a code as text only" in output
    assert "Admissions: 7 (elective 1, emergency 5); 1 had no admission method." in output
    assert "Data quality: NI-NOR-CA" in output and "No conflicts found." in output


@pytest.mark.django_db
def test_check_data_reports_planted_conflicts_by_kind_with_opaque_examples(
    data_dir: Path, tmp_path: Path
) -> None:
    man = {"resourceType": "Patient", "id": "m1", "gender": "male", "birthDate": "1950-01-01"}
    prostate_for_a_woman = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/w1"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "C61"}]},
        "onsetDateTime": "2024-01-01",
    }
    woman = {"resourceType": "Patient", "id": "w1", "gender": "female", "birthDate": "1950-01-01"}
    path = tmp_path / "extract.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in (man, woman, prostate_for_a_woman)) + "\n")
    loaded = runner.invoke(app, ["ingest", str(path), "--area", "NI-NOR-CA"])
    assert loaded.exit_code == 0, loaded.output  # a conflict is reported, never put aside
    assert Warehouse(data_dir / "warehouse").read_arrow("condition").num_rows == 1

    result = runner.invoke(app, ["check-data", "--area", "NI-NOR-CA"])
    assert result.exit_code == 0, result.output
    # The example names the person by the warehouse's opaque id, never the source's.
    woman_id = opaque_patient_id(Warehouse(data_dir / "warehouse").patient_id_key(), "w1")
    # The table may wrap "condition/c1 of <id>" over two lines at the console's width.
    assert "sex_specific_code" in result.output and "condition/c1 of" in result.output
    assert woman_id in result.output and "w1" not in result.output
    assert "1 record(s) in conflict" in " ".join(result.output.split())
    assert AuditEvent.objects.filter(action="records.check_data").count() == 1
    assert runner.invoke(app, ["check-data", "--area", "NOWHERE"]).exit_code == 2
