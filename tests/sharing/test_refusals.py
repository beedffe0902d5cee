"""A refusal said once: refused sections grouped by reason, each with what the user can do."""

from __future__ import annotations

from django.test import Client

from icp.sharing.policy import Code, decide_many
from icp.sharing.refusals import summarise
from icp.sharing.vocabulary import DataCategory, Purpose
from tests.sharing.conftest import World

ALICE_URL = "/sharing/patients/pt-alice-0001/"


def test_sections_refused_for_one_reason_are_one_refusal_with_what_to_do(shared_world: World) -> None:
    w = shared_world
    decisions = decide_many(
        w.users["pharmacist"],
        w.patients["alice"],
        Purpose.DIRECT_CARE,
        [DataCategory.CONDITIONS, DataCategory.MEDICATIONS, DataCategory.OBSERVATIONS],
    )
    (refusal,) = summarise(decisions.values())
    assert refusal.code == Code.NO_RELATIONSHIP
    assert refusal.sections == ["Conditions", "Medications", "Observations"]
    assert "care team" in refusal.what_to_do and refusal.overridable


def test_allowed_decisions_make_no_refusal(shared_world: World) -> None:
    w = shared_world
    decisions = decide_many(
        w.users["gp"], w.patients["alice"], Purpose.DIRECT_CARE, [DataCategory.CONDITIONS]
    )
    assert summarise(decisions.values()) == []


def test_the_record_page_says_the_refusal_once_at_the_top_with_break_glass(
    client: Client, shared_world: World
) -> None:
    client.force_login(shared_world.users["pharmacist"])
    page = client.get(ALICE_URL).content.decode()
    assert page.count("no legitimate relationship") == 1
    # two kinds of refusal, each said once: no relationship, and what a pharmacist never sees
    assert page.count("What you can do") == 2
    assert page.count("A Pharmacist may not see") == 1
    assert "A Pharmacist may not see encounters, social care, safeguarding-sensitive." in page
    top = page.index('id="not-shown"')
    assert top < page.index('id="purpose"')  # before anything else on the page
    assert page.index("Break glass</button>") > top
    assert '<h2 id="conditions">' not in page  # refused sections are not repeated below
