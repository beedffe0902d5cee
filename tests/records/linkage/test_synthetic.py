"""The synthetic linkage set: four sources, the errors real extracts carry, and the truth beside them."""

from __future__ import annotations

import datetime as dt

import numpy as np

from icp.records.linkage.synthetic import linkage_set, typo, wrong_birth_date


def test_every_source_sends_records_and_the_truth_names_a_gp_record() -> None:
    data = linkage_set(300, seed=3)
    sources = data.patient.column("source").to_pylist()
    assert sources.count("gp") == 300
    assert {"trust", "council", "pharmacy"} <= set(sources)
    assert set(data.truth.values()) <= {
        pid
        for pid, s in zip(data.patient.column("patient_id").to_pylist(), sources, strict=True)
        if s == "gp"
    }
    assert all(data.patient.column("synthetic").to_pylist())


def test_copies_carry_missing_numbers_typos_swaps_wrong_birth_dates_and_moves() -> None:
    data = linkage_set(1500, seed=3)
    rows = {row["patient_id"]: row for row in data.patient.to_pylist()}
    counts = dict.fromkeys(("no_number", "name", "swap", "dob", "moved"), 0)
    for pid, truth in data.truth.items():
        if pid == truth:
            continue
        copy, original = rows[pid], rows[truth]
        counts["no_number"] += copy["national_id"] is None
        counts["swap"] += copy["given_name"] == original["family_name"]
        counts["name"] += (
            copy["given_name"] != original["given_name"] or copy["family_name"] != original["family_name"]
        )
        counts["dob"] += copy["birth_date"] != original["birth_date"]
        counts["moved"] += copy["postcode_district"] != original["postcode_district"]
    assert all(count > 10 for count in counts.values()), counts


def test_a_typo_changes_a_name_by_one_keying_error() -> None:
    rng = np.random.default_rng(1)
    typed = [typo("mclaughlin", rng) for _ in range(50)]
    assert all(abs(len(name) - len("mclaughlin")) <= 1 for name in typed)
    # A replaced letter can be drawn as itself; nearly every typo still changes the name.
    assert sum(name != "mclaughlin" for name in typed) >= 45


def test_day_and_month_are_transposed_when_both_can_be_months() -> None:
    rng = np.random.default_rng(1)
    assert wrong_birth_date(dt.date(1950, 3, 7), rng) == dt.date(1950, 7, 3)
    assert wrong_birth_date(dt.date(1950, 3, 25), rng) != dt.date(1950, 3, 25)
