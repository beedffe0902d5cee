"""The patient banner: who the person is, and what matters first, told only to those who may know."""

from __future__ import annotations

from datetime import date

from django.test import Client

from icp.care import actions as care_actions
from icp.sharing import actions
from icp.sharing.banner import age_on, patient_banner, spaced_number
from icp.sharing.policy import decide_many
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, Purpose
from tests.sharing.conftest import World

ALICE_URL = "/sharing/patients/pt-alice-0001/"


def _withdraw_consent_and_withhold(w: World) -> None:
    alice, gp = w.patients["alice"], w.users["gp"]
    actions.record_choice(
        patient=alice, kind=ChoiceKind.DIRECT_CARE_CONSENT, value=ChoiceValue.WITHDRAWN, by=gp
    )
    actions.record_choice(patient=alice, kind=ChoiceKind.PLANNING_OPT_OUT, value=ChoiceValue.OPTED_OUT, by=gp)


def test_age_counts_whole_years_and_numbers_read_in_three_three_four() -> None:
    assert age_on(date(1941, 3, 2), date(2026, 3, 1)) == 84
    assert age_on(date(1941, 3, 2), date(2026, 3, 2)) == 85
    assert age_on(None, date(2026, 3, 2)) is None
    assert spaced_number("3201234567") == "320 123 4567"
    assert spaced_number("X12") == "X12"


def test_the_registered_practice_sees_every_choice_in_force_first(shared_world: World) -> None:
    w = shared_world
    _withdraw_consent_and_withhold(w)
    gp, alice = w.users["gp"], w.patients["alice"]
    decisions = decide_many(gp, alice, Purpose.DIRECT_CARE, [DataCategory.DEMOGRAPHICS])
    banner = patient_banner(gp, alice, decisions.values(), page="sharing:patient")
    assert banner.identified and banner.national_id == "320 123 4567"
    assert [a.title for a in banner.alerts] == [
        "Consent to share withdrawn",
        "Opted out of planning and research",
    ]


def test_a_care_team_member_learns_only_the_choice_that_refused_them(shared_world: World) -> None:
    w = shared_world
    care_actions.add_care_team_member(
        patient=w.patients["alice"], organisation=w.orgs["trust"], by=w.users["gp"]
    )
    actions.record_choice(
        patient=w.patients["alice"],
        kind=ChoiceKind.SENSITIVE_WITHHELD,
        value=ChoiceValue.WITHHELD,
        categories=[DataCategory.MEDICATIONS],
        by=w.users["gp"],
    )
    actions.record_choice(
        patient=w.patients["alice"],
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        by=w.users["gp"],
    )
    trust, alice = w.users["trust"], w.patients["alice"]
    decisions = decide_many(
        trust, alice, Purpose.DIRECT_CARE, [DataCategory.DEMOGRAPHICS, DataCategory.MEDICATIONS]
    )
    banner = patient_banner(trust, alice, decisions.values(), page="sharing:patient")
    assert banner.identified
    assert [a.title for a in banner.alerts] == ["Sensitive records withheld"]  # not the opt-out
    assert "medications" in banner.alerts[0].detail


def test_someone_with_no_relationship_learns_nothing_about_the_persons_choices(
    client: Client, shared_world: World
) -> None:
    w = shared_world
    _withdraw_consent_and_withhold(w)
    client.force_login(w.users["pharmacist"])
    page = client.get(ALICE_URL).content.decode()
    assert "Consent to share withdrawn" not in page and "Opted out" not in page
    assert "Zephyrine" not in page and "Record pt-alice-0001" in page


def test_the_banner_heads_the_shared_record_the_risk_page_and_the_care_page(
    client: Client, shared_world: World
) -> None:
    w = shared_world
    actions.record_choice(
        patient=w.patients["alice"],
        kind=ChoiceKind.DIRECT_CARE_CONSENT,
        value=ChoiceValue.WITHDRAWN,
        by=w.users["gp"],
    )  # (an opt-out would keep the person off the risk page: risk stratification is planning's)
    client.force_login(w.users["gp"])
    for url in (ALICE_URL, "/care/person/pt-alice-0001/risk/", "/care/person/pt-alice-0001/"):
        page = client.get(url).content.decode()
        banner = page[page.index('class="icp-patient-banner') :]
        assert "ZEPHYRINE, Alice" in banner[:600], url
        assert "2 March 1941" in banner and "320 123 4567" in banner, url
        assert "Consent to share withdrawn" in banner[:3000], url
        # the person's pages link to each other from the banner
        for other in (ALICE_URL, "/care/person/pt-alice-0001/risk/", "/care/person/pt-alice-0001/"):
            if other != url:
                assert f'href="{other}"' in banner[:4000], (url, other)
