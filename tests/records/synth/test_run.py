"""`synthesise` writes labelled, deterministic, well-formed synthetic records, ICP by ICP."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from icp.records.schema import CLINICAL_TABLES
from icp.records.synth.codes import charlson_prefixes, code_choices, efi_code_sets, hfrs_codes
from icp.records.synth.identity import is_valid
from icp.records.synth.reference import REFERENCE, practices
from icp.records.synth.run import people_per_area, resolve_areas, synthesise
from icp.records.warehouse import Warehouse
from tests.records.synth.conftest import NI_SAMPLE_PEOPLE, read

pytestmark = pytest.mark.xdist_group("synth")


def _without_batch_id(table: pa.Table) -> pa.Table:
    return table.drop_columns(["batch_id"])


def test_every_row_of_every_table_is_labelled_synthetic(ni_sample: Warehouse) -> None:
    for table in CLINICAL_TABLES:
        rows = read(ni_sample, table)
        if table != "procedure":
            assert rows.num_rows > 0, table
        assert pc.all(rows["synthetic"]).as_py() in (True, None), table
        assert set(rows["source"].unique().to_pylist()) <= {"icp synth seed=7"}, table


def test_all_17_icps_are_written_as_one_batch_each_with_people_shared_by_list_size(
    ni_sample: Warehouse,
) -> None:
    batches = ni_sample.find_batches(kind="synth")
    assert len(batches) == 17
    patients = read(ni_sample, "patient")
    assert patients.num_rows == NI_SAMPLE_PEOPLE
    per_icp = dict(
        zip(*patients.group_by("icp").aggregate([("patient_id", "count")]).to_pydict().values(), strict=True)
    )
    assert set(per_icp) == set(resolve_areas("NI"))
    assert per_icp == people_per_area(resolve_areas("NI"), NI_SAMPLE_PEOPLE)


def test_health_and_care_numbers_pass_modulus_11_in_the_synthetic_99_range(ni_sample: Warehouse) -> None:
    numbers = read(ni_sample, "patient")["national_id"].to_pylist()
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith("99") and len(n) == 10 and is_valid(n) for n in numbers)
    assert set(read(ni_sample, "patient")["national_id_system"].to_pylist()) == {"hcn"}


def test_people_are_registered_at_reference_practices_of_their_icp(ni_sample: Warehouse) -> None:
    patients = read(ni_sample, "patient")
    icp_of = {p.code: p.icp for p in practices()}
    pairs = set(zip(patients["practice_code"].to_pylist(), patients["icp"].to_pylist(), strict=True))
    assert all(icp_of[practice] == icp for practice, icp in pairs)
    assert set(patients["deprivation_quintile"].to_pylist()) == {1, 2, 3, 4, 5}


def test_the_same_seed_gives_the_same_population_and_another_seed_a_different_one(tmp_path: Path) -> None:
    tables = {}
    for name, seed in (("first", 3), ("again", 3), ("other", 4)):
        warehouse = Warehouse(tmp_path / name)
        synthesise(warehouse, area="NI-WE-SW", seed=seed, people=1500)
        tables[name] = {
            t: _without_batch_id(read(warehouse, t)) for t in ("patient", "condition", "encounter")
        }
    for table in ("patient", "condition", "encounter"):
        assert tables["first"][table].equals(tables["again"][table]), table
    assert not tables["first"]["condition"].equals(tables["other"]["condition"])


def test_synthesising_an_area_again_replaces_its_earlier_population(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    [first] = synthesise(warehouse, area="NI-SO-NM", seed=1, people=800)
    synthesise(warehouse, area="NI-WE-DE", seed=1, people=500)
    [second] = synthesise(warehouse, area="NI-SO-NM", seed=2, people=600)
    assert second.replaced == [first.batch_id]
    live = warehouse.find_batches(kind="synth")
    assert first.batch_id not in live and second.batch_id in live and len(live) == 2
    per_icp = read(warehouse, "patient").group_by("icp").aggregate([("patient_id", "count")]).to_pydict()
    assert dict(zip(per_icp["icp"], per_icp["patient_id_count"], strict=True)) == {
        "NI-SO-NM": 600,
        "NI-WE-DE": 500,
    }


def test_unknown_areas_and_impossible_sizes_are_refused_with_the_choices() -> None:
    with pytest.raises(
        ValueError, match=r"--area 'NI-XX' is not NI or an NI ICP code; choose one of: NI, NI-BEL-N"
    ):
        resolve_areas("NI-XX")
    with pytest.raises(ValueError, match="fewer than one person per ICP"):
        people_per_area(resolve_areas("NI"), 5)


def test_condition_codes_come_from_their_qof_clusters_and_deficit_codes_from_the_efi_lists() -> None:
    efi = efi_code_sets()
    for (group, key), choice in code_choices().items():
        for code, source in zip(choice.codes, choice.source_lists, strict=True):
            if group == "condition":
                with (REFERENCE / "codelists" / source).open(encoding="utf-8") as handle:
                    assert code in {row["code"] for row in csv.DictReader(handle)}, (key, code)
            else:
                assert code in efi[source], (key, code)
                # A deficit code counts towards exactly one eFI deficit.
                assert [name for name, codes in efi.items() if code in codes] == [source], (key, code)


def test_hospital_spells_carry_icd10_codes_that_hfrs_and_charlson_recognise(ni_sample: Warehouse) -> None:
    encounters = read(ni_sample, "encounter")
    spells = encounters.filter(pc.equal(encounters["setting"], "inpatient"))
    assert spells.num_rows > 0
    flat = pc.list_flatten(spells["diagnoses"]).to_pylist()
    assert all(d["code_system"] == "icd10" for d in flat)
    assert all(d["rank"] == 1 for d in (ds[0] for ds in spells["diagnoses"].to_pylist() if ds))
    hfrs = {code.code for code, _ in hfrs_codes()}
    charlson = charlson_prefixes()
    codes = [d["code"].replace(".", "") for d in flat]
    assert sum(code[:3] in hfrs for code in codes) > 0.2 * len(codes)
    assert sum(code.startswith(charlson) for code in codes) > 0.1 * len(codes)


def test_emergency_admissions_and_encounter_settings_are_plausible(ni_sample: Warehouse) -> None:
    encounters = read(ni_sample, "encounter")
    by_setting = dict(
        zip(
            *encounters.group_by("setting").aggregate([("encounter_id", "count")]).to_pydict().values(),
            strict=True,
        )
    )
    assert set(by_setting) == {"gp", "ae", "outpatient", "inpatient"}
    emergency = pc.sum(pc.equal(encounters["admission_method"], "emergency")).as_py()
    # NI: about 141,000 emergency discharges a year for 1.9 million people (7.4%).
    yearly_rate = emergency / NI_SAMPLE_PEOPLE / 4
    assert 0.05 <= yearly_rate <= 0.10, yearly_rate


def test_no_record_conflicts_with_its_persons_sex_age_or_dates(ni_sample: Warehouse) -> None:
    import datetime as dt

    from icp.records import quality
    from icp.records.engine import open_tables

    findings = quality.check(open_tables(ni_sample), today=dt.date(2026, 12, 1))
    assert {f.kind: f.count for f in findings} == dict.fromkeys(quality.KINDS, 0)
    # Men still get their own diagnoses: the rule left N40 to them, it did not drop it.
    encounters = read(ni_sample, "encounter").select(["patient_id", "diagnoses"]).to_pylist()
    with_n40 = {
        row["patient_id"] for row in encounters if any(d["code"] == "N40" for d in row["diagnoses"] or [])
    }
    assert with_n40
    sexes = dict(
        zip(*read(ni_sample, "patient").select(["patient_id", "sex"]).to_pydict().values(), strict=True)
    )
    assert {sexes[patient_id] for patient_id in with_n40} == {"male"}


def test_patient_ids_are_opaque_not_a_running_number(ni_sample: Warehouse) -> None:
    """A person's id is in page and API addresses: counting must not list the ICP (issue 13)."""
    ids = read(ni_sample, "patient").column("patient_id").to_pylist()
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"S-NI-[A-Z]+-[A-Z]+-[0-9a-f]{16}", pid) for pid in ids)
    tails = sorted(int(pid.rsplit("-", 1)[1], 16) for pid in ids)
    # Spread over 2^63, not packed into 0..N: no id is a neighbour's id plus one.
    assert all(b - a > 1 for a, b in itertools.pairwise(tails))
    assert tails[-1] > 2**40


def test_an_icp_larger_than_a_block_is_written_block_by_block_as_one_population(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large ICPs (--people) are synthesised in interleaved blocks: one batch, every person once,
    row ids running on across blocks, each block a sample of every practice, and deterministic."""
    from icp.records.synth import run

    monkeypatch.setattr(run, "BLOCK_PEOPLE", 700)
    assert [len(b) for b in run.blocks(2000)] == [667, 667, 666]
    tables = []
    for name in ("first", "again"):
        warehouse = Warehouse(tmp_path / name)
        [result] = synthesise(warehouse, area="NI-WE-SW", seed=5, people=2000)
        assert result.people == 2000
        patients = read(warehouse, "patient")
        assert patients.num_rows == 2000 == len(set(patients["patient_id"].to_pylist()))
        assert len(set(patients["national_id"].to_pylist())) == 2000
        conditions = read(warehouse, "condition")
        numbers = sorted(int(i.rsplit("-C", 1)[1]) for i in conditions["condition_id"].to_pylist())
        assert numbers == list(range(conditions.num_rows))
        # Every block is drawn from all the ICP's practices, not from one end of the list.
        first_block = patients.slice(0, 667)
        assert len(set(first_block["practice_code"].to_pylist())) == len(
            set(patients["practice_code"].to_pylist())
        )
        tables.append({t: _without_batch_id(read(warehouse, t)) for t in ("patient", "encounter")})
    assert all(tables[0][t].equals(tables[1][t]) for t in ("patient", "encounter"))
