"""Condition registers (QOF clusters, with resolved codes), the flags beside the scores, and service
use (emergency admissions, A&E attendances). Index date 1 June 2025; every test runs on DuckDB and
on Spark.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.spec.conftest import Rows, ScoresOnEngine
from tests.stratify.builders import Records

INDEX = dt.date(2025, 6, 1)
OLD = dt.date(1940, 3, 15)


def build() -> Records:
    r = Records()
    # Registers: diabetes then resolved → off; resolved then diabetes again → on; COPD on.
    r.person("reg_resolved", born=OLD)
    r.code("reg_resolved", "111552007", dt.date(2015, 1, 1))
    r.code("reg_resolved", "315051004", dt.date(2018, 1, 1), table="observation")
    r.person("reg_again", born=OLD)
    r.code("reg_again", "111552007", dt.date(2015, 1, 1))
    r.code("reg_again", "315051004", dt.date(2018, 1, 1), table="observation")
    r.code("reg_again", "111552007", dt.date(2020, 1, 1))
    r.code("reg_again", "1010333003", dt.date(2020, 1, 1))
    # An uncoded entry ("Diabetes" as text) puts nobody on a register.
    r.person("reg_uncoded", born=OLD)
    r.code("reg_uncoded", None, dt.date(2020, 1, 1), system=None, text="Diabetes")

    # Flags.
    r.person("flags", born=OLD)
    r.code("flags", "160689007", dt.date(2019, 1, 1), table="observation")  # housebound
    r.code("flags", "133932002", dt.date(2019, 1, 1), table="observation")  # caregiver
    r.code("flags", "105529008", dt.date(2019, 1, 1), table="observation")  # lives alone
    r.code("flags", "184156005", dt.date(2019, 1, 1), table="observation")  # has a caregiver
    r.encounter("flags", "inpatient", dt.date(2024, 7, 1), method="emergency")
    r.encounter("flags", "inpatient", dt.date(2025, 5, 31), method="emergency")
    r.encounter("flags", "inpatient", dt.date(2024, 5, 31), method="emergency")  # outside 12 months
    r.encounter("flags", "inpatient", dt.date(2024, 9, 1), method="elective")
    r.encounter("flags", "inpatient", dt.date(2024, 10, 1))  # no admission method: neither
    for day in (1, 2, 3):
        r.encounter("flags", "ae", dt.date(2025, 4, day))
    r.person("flags_ended", born=OLD)
    r.code("flags_ended", "160689007", dt.date(2019, 1, 1), table="observation")
    r.code("flags_ended", "760661000000106", dt.date(2021, 1, 1), table="observation")  # no longer
    r.code("flags_ended", "133932002", dt.date(2019, 1, 1), table="observation")
    r.code("flags_ended", "506401000000109", dt.date(2020, 1, 1), table="observation")  # not a carer
    r.code("flags_ended", "1912002", dt.date(2024, 5, 1))  # a fall, but 13 months ago
    r.person("falls_hospital", born=OLD)
    r.encounter("falls_hospital", "ae", dt.date(2025, 2, 1), diagnoses=("W01.0",))

    # Not in the population: died before the index date, born after it.
    r.person("dead", born=OLD, died=dt.date(2025, 1, 1))
    r.person("unborn", born=dt.date(2025, 7, 1))
    return r


@pytest.fixture(scope="module")
def rows(scores_on_engine: ScoresOnEngine) -> Rows:
    return scores_on_engine(build(), INDEX)


def test_the_population_is_everyone_alive_and_born_at_the_index_date(rows: Rows) -> None:
    assert "dead" not in rows and "unborn" not in rows
    assert rows["flags"]["age"] == 85


def test_registers_follow_resolved_codes(rows: Rows) -> None:
    assert rows["reg_resolved"]["register_diabetes"] is False
    assert rows["reg_again"]["register_diabetes"] is True
    assert rows["reg_again"]["register_copd"] is True
    assert rows["reg_again"]["register_count"] == 2
    assert rows["reg_uncoded"]["register_count"] == 0


def test_flags(rows: Rows) -> None:
    row = rows["flags"]
    assert (row["housebound"], row["carer"], row["cared_for"], row["lives_alone"]) == (True, True, True, True)
    ended = rows["flags_ended"]
    assert (ended["housebound"], ended["carer"], ended["falls_12m"]) == (False, False, False)
    assert ended["lives_alone"] is None  # not recorded is unknown, not "no"
    assert rows["falls_hospital"]["falls_12m"] is True


def test_service_use_counts_admissions_by_method_and_attendances(rows: Rows) -> None:
    row = rows["flags"]
    assert (row["emergency_admissions_12m"], row["emergency_admissions_24m"]) == (2, 3)
    # The stay without an admission method is neither emergency nor elective.
    assert (row["ae_attendances_12m"], row["elective_admissions_12m"]) == (3, 1)
