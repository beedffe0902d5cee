"""Worklists, a person's risk page and the ICP population page, through the Django test client and
the real access decision. Results are synced from written-out rows of a run (synthetic people)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from icp.audit.models import AuditEvent
from icp.care.models import WorklistReview
from icp.partnership.models import User
from icp.patients.models import PatientIndex, RiskResult, RiskRun
from icp.patients.risk_sync import sync_results
from icp.sharing import actions as sharing_actions
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue
from tests.care.risk_rows import RUN_ID, result_row, results_table
from tests.sharing.conftest import World


@pytest.fixture
def synced(shared_world: World) -> World:
    practice_a = shared_world.orgs["practice_a"].code
    practice_b = shared_world.orgs["practice_b"].code
    table = results_table(
        result_row("pt-alice-0001", practice_a),
        result_row(
            "pt-bob-0002",
            practice_b,
            risk_rank=2,
            tier="high",
            efi_category="fit",
            efi_score=0.0,
            efi_deficits=0,
            efi_deficit_list=[],
            registers=["copd"],
            emergency_admissions_12m=0,
        ),
        result_row("pt-not-in-index", practice_a, risk_rank=3, tier="moderate"),
    )
    summary = sync_results(
        shared_world.icp,
        table,
        run_detail={
            "codelist_versions": {"efi_codes.csv": "v1"},
            "planning_opt_outs_by_icp": {"NI-NOR-CA": 3},
        },
    )
    assert (summary.synced, summary.not_in_index) == (2, 1)
    return shared_world


def worklist_url(world: World, practice: str = "practice_a") -> str:
    return f"/care/practice/{world.orgs[practice].code}/worklist/"


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_sync_keeps_the_run_and_plain_words(synced: World) -> None:
    alice = RiskResult.objects.get(patient__patient_id="pt-alice-0001")
    assert alice.reasons.startswith(
        "moderate frailty (eFI 0.31: falls, polypharmacy, heart failure, diabetes)"
    )
    assert "2 emergency admissions in 12 months" in alice.reasons
    run = RiskRun.objects.get(icp=synced.icp)
    assert (run.run_id, run.people, run.planning_opt_outs_left_out) == (RUN_ID, 3, 3)


def test_a_gp_sees_their_practice_worklist_with_reasons_and_the_view_is_audited(
    synced: World, client: Client
) -> None:
    response = as_user(client, synced.users["gp"]).get(worklist_url(synced))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ZEPHYRINE, Alice" in page and "QUILLFEATHER" not in page
    assert "moderate frailty (eFI 0.31: falls, polypharmacy" in page
    event = AuditEvent.objects.filter(action="worklist.view").latest("id")
    assert event.detail["shown"] == ["pt-alice-0001"] and event.detail["hidden_by_access_decision"] == 0


def test_the_worklist_asks_the_database_as_often_for_twenty_people_as_for_one(
    shared_world: World, client: Client
) -> None:
    """One access decision for the whole list, not a query (or three) a person: the page's cost under
    load was its rows'."""
    w = shared_world
    practice = w.orgs["practice_a"]
    counts = []
    for extra in (0, 20):
        for number in range(extra):
            PatientIndex.objects.get_or_create(
                patient_id=f"pt-many-{number:04d}",
                defaults={"practice": practice, "icp": w.icp, "synthetic": True},
            )
        rows = [result_row("pt-alice-0001", practice.code)]
        rows += [result_row(f"pt-many-{n:04d}", practice.code, risk_rank=n + 2) for n in range(extra)]
        sync_results(w.icp, results_table(*rows), run_detail={"codelist_versions": {}})
        as_user(client, w.users["gp"])
        client.get(worklist_url(w))  # the session's first request settles what it caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(worklist_url(w))
        assert response.status_code == 200
        assert (
            AuditEvent.objects.filter(action="worklist.view").latest("id").detail["hidden_by_access_decision"]
            == 0
        )
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_another_practice_cannot_see_the_worklist(synced: World, client: Client) -> None:
    response = as_user(client, synced.users["gp_b"]).get(worklist_url(synced))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="worklist.view", outcome="denied").exists()
    assert as_user(client, synced.users["pharmacist"]).get(worklist_url(synced)).status_code == 403


def test_a_planning_opt_out_hides_the_person(synced: World, client: Client) -> None:
    sharing_actions.record_choice(
        patient=synced.patients["alice"],
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        by=synced.users["gp"],
    )
    page = as_user(client, synced.users["gp"]).get(worklist_url(synced)).content.decode()
    assert "ZEPHYRINE" not in page and "1 person is not shown" in page


def test_an_analyst_sees_the_list_as_pseudonyms_and_cannot_open_a_named_record(
    synced: World, client: Client
) -> None:
    """Planning sees pseudonyms only: no name, number or link, the same pseudonym on page and CSV."""
    from icp.sharing.pseudonyms import pseudonym

    analyst = as_user(client, synced.users["analyst"])
    page = analyst.get(worklist_url(synced)).content.decode()
    alias = pseudonym("pt-alice-0001")
    assert alias in page and "as pseudonyms" in page
    assert "ZEPHYRINE" not in page and "3201234567" not in page and "pt-alice-0001" not in page
    assert 'name="status"' not in page  # reviews are the practice's
    response = analyst.get(f"/care/practice/{synced.orgs['practice_a'].code}/worklist.csv")
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert text.splitlines()[0].startswith("rank,pseudonym,national_id,name")
    assert alias in text and "Zephyrine" not in text and "3201234567" not in text
    event = AuditEvent.objects.filter(action="worklist.export").latest("id")
    assert event.detail["pseudonymised"] and event.detail["people"] == ["pt-alice-0001"]
    # The risk page and the record stay closed to the analyst.
    assert analyst.get("/care/person/pt-alice-0001/risk/").status_code == 403
    assert analyst.get("/sharing/patients/pt-alice-0001/?purpose=planning").status_code == 403
    # A planning opt-out takes the person off the pseudonymised list too.
    sharing_actions.record_choice(
        patient=synced.patients["alice"],
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        by=synced.users["gp"],
    )
    assert alias not in analyst.get(worklist_url(synced)).content.decode()


def test_filters_by_register_tier_and_age(synced: World, client: Client) -> None:
    gp = as_user(client, synced.users["gp"])
    assert "ZEPHYRINE" in gp.get(worklist_url(synced) + "?register=heart_failure").content.decode()
    assert "ZEPHYRINE" not in gp.get(worklist_url(synced) + "?register=copd").content.decode()
    assert "ZEPHYRINE" not in gp.get(worklist_url(synced) + "?tier=high").content.decode()
    # The low tier is not a list's to show (ADR 0212): asked for, the list shows its default tiers.
    assert "ZEPHYRINE" in gp.get(worklist_url(synced) + "?tier=low").content.decode()
    assert (
        "ZEPHYRINE"
        in gp.get(worklist_url(synced) + "?age_band=75-84&priority_group=frail_elderly").content.decode()
    )
    assert "ZEPHYRINE" not in gp.get(worklist_url(synced) + "?score_band=efi_severe").content.decode()


def test_review_needs_a_reason_for_not_appropriate_and_survives_a_new_run(
    synced: World, client: Client
) -> None:
    gp = as_user(client, synced.users["gp"])
    url = "/care/person/pt-alice-0001/review/"
    gp.post(url, {"status": "not_appropriate", "reason": ""})
    assert not WorklistReview.objects.exists()
    gp.post(url, {"status": "not_appropriate", "reason": "Already under the community frailty team"})
    review = WorklistReview.objects.get()
    assert review.reviewed_by == synced.users["gp"] and review.run_id == RUN_ID
    assert AuditEvent.objects.filter(action="worklist.review", patient_ref="pt-alice-0001").exists()
    sync_results(
        synced.icp,
        results_table(
            result_row(
                "pt-alice-0001", synced.orgs["practice_a"].code, batch_id="20251201T000000-stratify-next"
            )
        ),
    )
    page = gp.get(worklist_url(synced)).content.decode()
    assert "Not appropriate" in page and "Already under the community frailty team" in page
    assert as_user(client, synced.users["gp_b"]).post(url, {"status": "reviewed"}).status_code == 403


def test_csv_export_of_the_filtered_list(synced: World, client: Client) -> None:
    response = as_user(client, synced.users["gp"]).get(
        f"/care/practice/{synced.orgs['practice_a'].code}/worklist.csv?tier=very_high"
    )
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = text.strip().splitlines()
    assert lines[0].startswith("rank,patient_id,national_id,name") and len(lines) == 2
    assert "pt-alice-0001" in lines[1] and "moderate frailty" in lines[1]
    assert AuditEvent.objects.filter(action="worklist.export").latest("id").detail["rows"] == 1


def test_person_risk_page_shows_each_score_with_its_contributions(synced: World, client: Client) -> None:
    page = as_user(client, synced.users["gp"]).get("/care/person/pt-alice-0001/risk/").content.decode()
    for text in (
        "Electronic Frailty Index",
        "heart failure",
        "Hospital Frailty Risk Score",
        "F00",
        "Dementia in Alzheimer",
        "Charlson",
        "Congestive heart failure",
        "emergency admissions in the last year",
    ):
        assert text in page, text
    assert AuditEvent.objects.filter(action="risk.person.view", patient_ref="pt-alice-0001").exists()
    denied = as_user(client, synced.users["pharmacist"]).get("/care/person/pt-alice-0001/risk/")
    assert denied.status_code == 403


def test_population_page_is_aggregate_and_suppresses_small_counts(
    synced: World, client: Client, make_user: Callable[..., Any]
) -> None:
    manager = as_user(client, synced.users["manager"])
    page = manager.get(f"/care/icp/{synced.icp.code}/population/").content.decode()
    assert "&lt;8" in page and "ZEPHYRINE" not in page
    svg = manager.get(f"/care/icp/{synced.icp.code}/pyramid.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<polygon" in svg.content
    other = as_user(client, synced.users["other_gp"])
    assert other.get(f"/care/icp/{synced.icp.code}/population/").status_code == 403


def test_on_the_population_page_a_practice_links_to_its_worklist_for_those_who_may_use_it(
    synced: World, client: Client
) -> None:
    practice_a = synced.orgs["practice_a"]
    gp = as_user(client, synced.users["gp"]).get(f"/care/icp/{synced.icp.code}/population/").content.decode()
    linked = f'<a href="{worklist_url(synced)}">{practice_a.name}<span class="nhsuk-u-visually-hidden">'
    assert gp.count(linked) == 2  # in the tiers by practice and the frailty by practice
    assert f'href="{worklist_url(synced, "practice_b")}"' not in gp  # another practice's list is not theirs
    manager = as_user(client, synced.users["manager"])
    page = manager.get(f"/care/icp/{synced.icp.code}/population/").content.decode()
    assert practice_a.name in page and "/worklist/" not in page


def _row_of(name: str, page: str) -> str:
    return next(row for row in page.split('<tr class="nhsuk-table__row">') if name in row)


def test_the_worklist_ranks_within_the_practice_and_filters_not_yet_reviewed(
    synced: World, client: Client
) -> None:
    from datetime import date

    from icp.patients.models import PatientIndex

    practice_a = synced.orgs["practice_a"]
    PatientIndex.objects.create(
        patient_id="pt-dora-0004",
        national_id="3204445556",
        given_name="Dora",
        family_name="Vantablack",
        sex="female",
        birth_date=date(1938, 5, 6),
        practice=practice_a,
        icp=synced.icp,
        synthetic=True,
    )
    sync_results(
        synced.icp,
        results_table(
            result_row("pt-alice-0001", practice_a.code),
            result_row("pt-bob-0002", synced.orgs["practice_b"].code, risk_rank=2, tier="high"),
            result_row("pt-dora-0004", practice_a.code, risk_rank=5, tier="high"),
        ),
    )
    gp = as_user(client, synced.users["gp"])
    page = gp.get(worklist_url(synced)).content.decode()
    dora = _row_of("VANTABLACK", page)
    assert "<strong>2</strong>" in dora and "ICP 5" in dora  # second in the practice, fifth in the ICP
    gp.post("/care/person/pt-alice-0001/review/", {"status": "reviewed"})
    not_reviewed = gp.get(worklist_url(synced) + "?not_reviewed=1").content.decode()
    assert "VANTABLACK" in not_reviewed and "ZEPHYRINE" not in not_reviewed
    assert "1 person not yet reviewed" in not_reviewed
    # the practice rank does not change with the filter
    assert "<strong>2</strong>" in _row_of("VANTABLACK", not_reviewed)


def test_worklist_rows_choose_no_review_and_name_the_person_on_each_button(
    synced: World, client: Client
) -> None:
    page = as_user(client, synced.users["gp"]).get(worklist_url(synced)).content.decode()
    assert '<option value="" selected>Choose a review</option>' in page
    assert '<option value="reviewed" selected' not in page
    assert 'Save review<span class="nhsuk-u-visually-hidden"> of ZEPHYRINE, Alice</span>' in page
    for href, words in (
        ("/care/person/pt-alice-0001/#pathways", "Enrol"),
        ("/care/person/pt-alice-0001/#care-plans", "Care plan"),
        ("/care/person/pt-alice-0001/refer/", "Refer"),
        ("/care/person/pt-alice-0001/#mdt", "List for MDT"),
    ):
        assert f'<a href="{href}">{words}<span class="nhsuk-u-visually-hidden">' in page, href
    # a review without a choice is refused with words, not codes
    response = as_user(client, synced.users["gp"]).post(
        "/care/person/pt-alice-0001/review/", {"status": ""}, follow=True
    )
    assert "Choose a review: reviewed" in response.content.decode()
    assert not WorklistReview.objects.exists()


def test_the_risk_page_says_how_old_the_result_is_and_links_to_the_shared_record(
    synced: World, client: Client
) -> None:
    page = as_user(client, synced.users["gp"]).get("/care/person/pt-alice-0001/risk/").content.decode()
    assert "As at 1 November 2025, " in page and " ago" in page
    assert '<a href="/sharing/patients/pt-alice-0001/">Shared care record</a>' in page
    assert "Heart failure, Diabetes" in page  # registers in words


def test_the_population_counts_everyone_the_low_tier_included(shared_world: World) -> None:
    """The figures come from the run's counts, which hold the people who have no row (ADR 0212)."""
    from icp.care import population

    practice_a, practice_b = shared_world.orgs["practice_a"], shared_world.orgs["practice_b"]
    sync_results(
        shared_world.icp,
        results_table(
            result_row("pt-alice-0001", practice_a.code, tier="high", age=70, efi_category="severe"),
            result_row("pt-bob-0002", practice_b.code, risk_rank=2, tier="low", age=90, efi_category="fit"),
        ),
    )
    assert list(RiskResult.objects.values_list("patient__patient_id", flat=True)) == ["pt-alice-0001"]
    summary = population.summarise(shared_world.icp)
    assert summary.people == 2 and summary.tier_counts == {"very_high": 0, "high": 1, "moderate": 0, "low": 1}
    assert [row[0] for row in summary.by_age.rows] == ["65-74", "85+"]
    assert sorted(row[0] for row in summary.by_practice.rows) == sorted([practice_a.name, practice_b.name])
    # Frailty among the 65+ by practice: Alice is frail, Bob is not (each "<8": too few to show).
    assert {row[0]: (row[2], row[3]) for row in summary.frailty_by_practice} == {
        practice_a.name: ("<8", "<8"),
        practice_b.name: ("0", "<8"),
    }
    assert summary.synthetic
