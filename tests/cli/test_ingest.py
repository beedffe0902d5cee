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
