"""The ICP manager's and the lay committee member's everyday governance, in a real browser on the
demo: the manager fills a seat and builds the coming meeting's agenda (standard items, a new item,
a change, a move, a removal); the lay member sends apologies and sees the quorum forecast change;
a past meeting offers no link to join. axe-core checks every page visited, whole.

The tests leave the demo as they found it for the other journeys: the new carer's term starts after
the coming meeting, the added item is removed and the apologies are withdrawn.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from tests.e2e.axe import axe_violations
from tests.e2e.conftest import log_in

COMMITTEE = "Causeway ICP Partnership Committee"
# "Expected to be quorate: 7 of 13 members can come (7 needed; 6 apologies so far)", or
# "Not expected to be quorate: only 6 of 13 members can come; 7 needed (7 apologies so far)"
FORECAST = re.compile(r"(\d+) of (\d+) members can come\W+(\d+) needed\W+(\d+) apolog")


class Visits:
    """Every page a journey visits, each checked whole by axe-core (the shared helper)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.found: dict[str, list[dict[str, Any]]] = {}

    def check(self) -> None:
        self.page.wait_for_load_state("networkidle")
        self.found[self.page.url] = axe_violations(self.page)

    def assert_clean(self) -> None:
        assert self.found, "no page was checked"
        dirty = {url: found for url, found in self.found.items() if found}
        assert dirty == {}, dirty


def fill_date(page: Any, label: str, value: date) -> None:
    """Fill a date field, whether a browser date input or the NHS date input (day, month, year)."""
    group = page.get_by_role("group", name=label)
    if group.count():
        group.get_by_label("Day").fill(str(value.day))
        group.get_by_label("Month").fill(str(value.month))
        group.get_by_label("Year").fill(str(value.year))
    else:
        page.get_by_label(label).fill(value.isoformat())


def agenda_titles(page: Any) -> list[str]:
    headings = page.locator(".icp-agenda h3").all_inner_texts()
    return [re.sub(r"^\d+\. ", "", h).split("(")[0].strip() for h in headings]


def open_coming_meeting(page: Any, base: str, visits: Visits) -> None:
    page.goto(f"{base}/governance/")
    visits.check()
    page.get_by_role("link", name=COMMITTEE).click()
    visits.check()
    page.get_by_role("row").filter(has_text="Scheduled").get_by_role("link").first.click()
    visits.check()


def test_the_manager_fills_a_seat_and_builds_the_agenda(demo_site: str, page: Any) -> None:
    visits = Visits(page)
    log_in(page, demo_site, "demo-manager")
    # The manager lands on the ICP's page, the partnership's day first: seats, meeting, plan, caseloads.
    assert page.url == f"{demo_site}/icp/NI-NOR-CA/"
    today = page.get_by_role("heading", name="The partnership today")
    assert today.is_visible()
    visits.check()
    page.get_by_role("link", name="Seats and members").click()
    visits.check()
    carer = page.locator("#seat-carer")
    assert "Vacant" in carer.inner_text()

    # A carer is appointed from the next term: after the coming meeting, so its quorum is unchanged.
    page.get_by_role("link", name="Fill the seat (Carer)").click()
    visits.check()
    page.get_by_label("Or someone new: their name").fill("Orla Synthetic")
    assert page.get_by_label("Their role").input_value() == "carer"
    starts = date.today() + timedelta(days=60)
    fill_date(page, "Term starts", starts)
    page.get_by_role("button", name="Fill the seat").click()
    visits.check()
    assert page.get_by_text("Orla Synthetic now holds the seat “Carer”").is_visible()
    assert f"From {starts:%-d %B %Y}" in page.locator("#seat-carer").inner_text()

    # Her term is set to end with the other members' (a change to the membership, audited).
    page.get_by_role("link", name="Change Orla Synthetic's membership").click()
    visits.check()
    fill_date(page, "Term ends", date(2028, 3, 31))
    page.get_by_role("button", name="Save").click()
    visits.check()
    assert "until 31 March 2028" in page.locator("#seat-carer").inner_text()

    # The agenda of the coming meeting, from its single item of business.
    open_coming_meeting(page, demo_site, visits)
    assert agenda_titles(page) == ["Frailty pathway: progress report"]
    page.get_by_role("button", name="Add the standard items").click()
    visits.check()
    assert agenda_titles(page) == [
        "Welcome and apologies",
        "Declarations of interest",
        "Minutes of the last meeting",
        "Matters arising and the action log",
        "Frailty pathway: progress report",
    ]
    page.get_by_role("link", name="Add an agenda item").click()
    visits.check()
    page.get_by_label("Title").fill("Any other business")
    page.get_by_label("Purpose").select_option(label="For discussion")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Change Frailty pathway: progress report").click()
    visits.check()
    page.get_by_label("Title").fill("Frailty pathway: progress and next steps")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Move up Any other business").click()
    visits.check()
    assert agenda_titles(page)[-2:] == ["Any other business", "Frailty pathway: progress and next steps"]
    page.get_by_role("link", name="Remove Any other business").click()
    visits.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Remove “Any other business” from the agenda?"
    page.get_by_role("button", name="Remove the item").click()
    visits.check()
    assert (
        agenda_titles(page)[-1] == "Frailty pathway: progress and next steps"
        and len(agenda_titles(page)) == 5
    )
    assert page.get_by_text("“Any other business” removed from the agenda.").is_visible()
    visits.assert_clean()


def test_the_managers_home_opens_the_caseloads_the_plan_and_the_next_meeting(
    demo_site: str, page: Any
) -> None:
    visits = Visits(page)
    log_in(page, demo_site, "demo-manager")
    for card, heading in (
        ("Caseloads", "Caseloads"),
        ("Annual plan", "annual plan"),
        ("Next meeting", COMMITTEE),
        ("Overdue actions", "Overdue actions"),
    ):
        page.goto(f"{demo_site}/")
        page.get_by_role("main").get_by_role("link", name=card, exact=True).click()
        page.wait_for_load_state("networkidle")
        assert heading.lower() in page.get_by_role("heading", level=1).inner_text().lower(), card
        visits.check()
    visits.assert_clean()


def forecast(page: Any) -> tuple[int, int, int, int]:
    found = FORECAST.search(page.locator("#quorum-forecast").inner_text())
    assert found, page.locator("#quorum-forecast").inner_text()
    expected, seats, needed, apologies = (int(n) for n in found.groups())
    return expected, seats, needed, apologies


def test_the_lay_member_sends_apologies_and_sees_the_forecast_change(demo_site: str, page: Any) -> None:
    visits = Visits(page)
    log_in(page, demo_site, "demo-member")
    page.goto(f"{demo_site}/governance/")
    visits.check()
    page.get_by_role("link", name=COMMITTEE).click()
    page.get_by_role("row").filter(has_text="Scheduled").get_by_role("link").first.click()
    visits.check()
    assert page.get_by_role("link", name="Join the video meeting").is_visible()
    expected, seats, needed, apologies = forecast(page)
    assert expected == needed  # the demo: just quorate, so one more apology tips it
    assert page.locator("#quorum-forecast").get_by_text("Expected to be quorate").is_visible()

    page.get_by_role("link", name="Send apologies").click()
    visits.check()
    page.get_by_label("A note for the committee").fill("A hospital appointment (synthetic)")
    page.get_by_role("button", name="Send apologies").click()
    visits.check()
    assert page.get_by_text("Your apologies have been sent.").is_visible()
    assert forecast(page) == (expected - 1, seats, needed, apologies + 1)
    assert page.locator("#quorum-forecast").get_by_text("Not expected to be quorate").is_visible()
    assert (
        page.get_by_role("row").filter(has_text="Eileen Synthetic").filter(has_text="Apologies").is_visible()
    )

    page.get_by_role("button", name="Withdraw my apologies").click()
    visits.check()
    assert forecast(page) == (expected, seats, needed, apologies)
    visits.assert_clean()


def test_past_meetings_have_no_join_link(demo_site: str, page: Any) -> None:
    visits = Visits(page)
    log_in(page, demo_site, "demo-member")
    page.goto(f"{demo_site}/governance/")
    page.get_by_role("link", name=COMMITTEE).click()
    visits.check()
    held = page.get_by_role("row").filter(has_text="Held").filter(has_text="Virtual")
    assert held.count() >= 1
    held.first.get_by_role("link").click()
    visits.check()
    assert page.get_by_text("Virtual").first.is_visible()
    assert page.get_by_role("link", name="Join the video meeting").count() == 0
    assert page.get_by_role("button", name="Send apologies").count() == 0
    visits.assert_clean()


def test_the_governance_pages_fit_a_390_pixel_phone_screen(demo_site: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    try:
        log_in(phone, demo_site, "demo-manager")
        phone.goto(f"{demo_site}/governance/")
        phone.get_by_role("link", name=COMMITTEE).click()
        urls = [phone.url]
        phone.get_by_role("link", name="Seats and members").click()
        urls.append(phone.url)
        phone.go_back()
        phone.get_by_role("row").filter(has_text="Scheduled").get_by_role("link").first.click()
        urls.append(phone.url)
        for url in urls:
            phone.goto(url)
            overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} scrolls sideways by {overflow} px"
    finally:
        context.close()
