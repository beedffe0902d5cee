"""The template filters that put a record into words: dates the NHS way and how old a result is; and
the audit trail's codes as the words they stand for."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icp.sharing.templatetags.record_words import (
    ago,
    category_words,
    code_name,
    event_words,
    nhs_date,
    purpose_words,
    role_words,
    term,
)


def test_dates_read_the_nhs_way() -> None:
    assert nhs_date(date(2026, 3, 1)) == "1 March 2026"
    assert nhs_date(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) in ("31 March 2026", "1 April 2026")
    assert nhs_date(None) == ""


def test_how_long_ago_in_words() -> None:
    today = date(2026, 12, 1)
    assert ago(date(2026, 3, 31), today) == "8 months ago"
    assert ago(date(2026, 12, 1), today) == "today"
    assert ago(date(2026, 11, 30), today) == "yesterday"
    assert ago(date(2026, 11, 20), today) == "11 days ago"
    assert ago(date(2025, 12, 1), today) == "12 months ago"
    assert ago(date(2023, 6, 1), today) == "3 years ago"
    assert ago(date(2027, 1, 1), today) == "in the future"


def test_rows_show_terms_and_name_their_code_system() -> None:
    row = {"code_system": "snomed", "code": "271737000", "display": "Anemia"}
    assert term(row) == "Anaemia" and code_name(row) == "SNOMED CT 271737000"
    assert term({"code_system": "snomed", "code": "1", "display": ""}) == "SNOMED CT 1 (no term known)"
    assert code_name({"code": "", "display": "free text"}) == ""


def test_the_audit_trails_codes_read_as_words_and_an_unknown_code_is_still_shown() -> None:
    assert event_words("record.read") == "A page of a person's shared care record was shown."
    assert role_words("icp_manager") == "ICP manager" and role_words("gp") == "GP"
    assert purpose_words("direct_care") == "Direct care"
    assert category_words("medications") == "Medications"
    # An event written under a code no vocabulary holds any more keeps its code: nothing is hidden.
    assert event_words("retired.event") == "retired.event" and role_words("old_role") == "old_role"
    assert role_words("") == "" and purpose_words(None) == ""
