"""The SQL parsers for FHIR dates and references, checked against Python with hypothesis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icp.records.ingest.shape import install_macros


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    install_macros(connection)
    yield connection
    connection.close()


def sql(con: duckdb.DuckDBPyConnection, expression: str, *values: object) -> object:
    row = con.execute(f"SELECT {expression}", list(values)).fetchone()
    assert row is not None
    return row[0]


dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
offsets = st.sampled_from(["Z", "+00:00", "+01:00", "-05:30", "+14:00"])
times = st.times().map(lambda t: t.replace(microsecond=0))


@settings(max_examples=200, deadline=None)
@given(day=dates, time=times, offset=offsets, fraction=st.sampled_from(["", ".5", ".123456"]))
def test_a_date_time_gives_its_date_as_written(
    con: duckdb.DuckDBPyConnection, day: dt.date, time: dt.time, offset: str, fraction: str
) -> None:
    text = f"{day.isoformat()}T{time.isoformat()}{fraction}{offset}"
    assert sql(con, "fhir_date(?)", text) == day


@settings(max_examples=200, deadline=None)
@given(day=dates)
def test_dates_and_partial_dates_give_their_first_day(con: duckdb.DuckDBPyConnection, day: dt.date) -> None:
    assert sql(con, "fhir_date(?)", day.isoformat()) == day
    assert sql(con, "fhir_date(?)", day.isoformat()[:7]) == day.replace(day=1)
    assert sql(con, "fhir_date(?)", day.isoformat()[:4]) == day.replace(month=1, day=1)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_any_text_is_a_date_only_if_python_reads_it_as_one(con: duckdb.DuckDBPyConnection, text: str) -> None:
    parsed = sql(con, "fhir_date(?)", text)
    if parsed is not None:
        # Whatever SQL accepts, Python's ISO parser reads the same calendar date from the first ten
        # characters (or the padded partial date).
        assert dt.date.fromisoformat((text + "-01-01")[:10] if len(text) < 10 else text[:10]) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-30",
        "2023-13-01",
        "23-01-01",
        "2023/01/01",
        "2023-01-01T25:00:00Z",
        "2023-01-01T10:00",
        "2023-01-01T10:00:00",
        "yesterday",
        "",
        "2023-1-1",
    ],
)
def test_malformed_dates_are_not_dates(con: duckdb.DuckDBPyConnection, text: str) -> None:
    assert sql(con, "fhir_date(?)", text) is None


fhir_ids = st.from_regex(r"\A[A-Za-z0-9.\-]{1,64}\Z")
bases = st.sampled_from(["", "https://gp.example/fhir/", "http://localhost:8080/baseR4/"])


@settings(max_examples=200, deadline=None)
@given(resource_id=fhir_ids, base=bases, version=st.sampled_from(["", "/_history/2"]))
def test_a_literal_reference_gives_its_id_for_its_type_only(
    con: duckdb.DuckDBPyConnection, resource_id: str, base: str, version: str
) -> None:
    reference = f"{base}Patient/{resource_id}{version}"
    assert sql(con, "ref_id(?, 'Patient')", reference) == resource_id
    assert sql(con, "ref_id(?, 'Encounter')", reference) is None


@settings(max_examples=100, deadline=None)
@given(uuid=st.uuids())
def test_a_urn_uuid_reference_gives_the_uuid(con: duckdb.DuckDBPyConnection, uuid: object) -> None:
    assert sql(con, "ref_id(?, 'Patient')", f"urn:uuid:{uuid}") == str(uuid)


@pytest.mark.parametrize("reference", ["Patient/", "Patient", "#contained", "Patient/has space", "patient/1"])
def test_references_that_name_no_patient(con: duckdb.DuckDBPyConnection, reference: str) -> None:
    assert sql(con, "ref_id(?, 'Patient')", reference) is None


def test_code_systems_get_their_short_names(con: duckdb.DuckDBPyConnection) -> None:
    assert sql(con, "system_name(?)", "http://snomed.info/sct") == "snomed"
    assert sql(con, "system_name(?)", "http://hl7.org/fhir/sid/icd-10-uk") == "icd10"
    assert sql(con, "system_name(?)", "urn:oid:1.2.3") == "urn:oid:1.2.3"


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("BT1 1AA", "BT1"), ("bt52 1aa", "BT52"), ("BT521AA", "BT52"), ("BT52", "BT52"), ("02138", None)],
)
def test_postcode_districts(con: duckdb.DuckDBPyConnection, postcode: str, district: str | None) -> None:
    assert sql(con, "postcode_district(?)", postcode) == district
