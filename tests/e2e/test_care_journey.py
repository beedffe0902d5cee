"""The GP → voluntary organisation journey in a real browser: a person found on the worklist is
enrolled, given a care plan, referred and listed for the MDT; the volunteers accept and complete the
referral from their inbox; the GP sees the outcome."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import log_in

GOAL = "To walk to the shop with my neighbour again (synthetic)"
OUTCOME = "Walking buddy twice a week from Monday (synthetic)"


def test_gp_enrols_plans_refers_and_lists_then_the_volunteers_complete_the_referral(
    demo_site: str, page: Any
) -> None:
    log_in(page, demo_site, "demo-gp")
    page.get_by_role("link", name="Case-finding worklist").click()
    # The fifth person on the list (the demo's own story uses people nearer the top).
    page.locator("table.icp-worklist tbody tr").nth(4).get_by_role("link", name="Care", exact=True).click()
    person_url = page.url
    assert re.search(r"/care/person/[^/]+/$", person_url)

    page.get_by_label("Enrol in").select_option("frailty")
    page.locator("#enrol-reason").fill("Frail and isolated (synthetic)")
    page.get_by_role("button", name="Enrol", exact=True).click()
    assert page.get_by_text("Enrolled in Frailty.").is_visible()

    page.get_by_label("From pathway").select_option(label="Frailty")
    page.get_by_label("What matters to the person, in their own words").fill(GOAL)
    page.get_by_role("button", name="Start care plan").click()
    assert page.get_by_text(f"“{GOAL}”").is_visible()

    page.get_by_label("List for discussion at").select_option(label="Frailty MDT (synthetic)")
    page.get_by_role("button", name="List for MDT").click()
    assert page.get_by_text("Listed for the MDT.").is_visible()

    page.get_by_role("link", name="Refer", exact=True).click()
    page.get_by_label("Find a service by need").select_option("loneliness")
    page.get_by_role("button", name="Find").click()
    page.get_by_label(re.compile("Befriending and practical support")).check()
    page.get_by_label("Reason for the referral").fill("Isolated; agreed with the person (synthetic)")
    page.get_by_role("button", name="Send referral").click()
    assert page.locator("#referral-status").inner_text() == "requested"
    referral_url = page.url
    page.get_by_role("button", name="Log out").click()

    log_in(page, demo_site, "demo-voluntary")
    page.get_by_role("link", name="Referral inbox").click()
    page.goto(referral_url)
    page.get_by_role("button", name="Accept", exact=True).click()
    assert page.locator("#referral-status").inner_text() == "accepted"
    page.get_by_label("Outcome for the referrer (on completion)").fill(OUTCOME)
    page.get_by_role("button", name="Complete", exact=True).click()
    assert page.locator("#referral-status").inner_text() == "completed"
    page.get_by_role("button", name="Log out").click()

    log_in(page, demo_site, "demo-gp")
    page.get_by_role("link", name="Referral outbox").click()
    assert page.get_by_text(OUTCOME).first.is_visible()
    page.goto(person_url)
    assert page.get_by_text(OUTCOME).is_visible()
