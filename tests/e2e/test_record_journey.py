"""A GP's day with the case-finding worklist and a person's record, and the voluntary worker who
takes their referral, in a real browser over the real demo; axe-core checks every page visited.

1. The GP (demo-gp) opens the practice worklist from their home, shows only the people not yet
   reviewed, opens the first person's risk page and record, reviews them, enrols them in a pathway
   and refers them to the volunteers' befriending service.
2. The voluntary worker (demo-voluntary) lands on the referral inbox, accepts that referral, starts
   work and completes it with an outcome.
3. The GP sees the outcome on the person's care page.
4. The pharmacist (demo-pharmacist) lands on their own home page.
The person's pages are checked at 390 px wide too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in

PHONE_WIDTH = 390
# The shared 2-core machine runs several suites at once: a first page can take longer than 30 s.
TIMEOUT_MS = 120_000
OUTCOME = "Matched with a befriender who visits on Tuesdays (synthetic)"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop page, patient with a busy machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert_accessible(page)


def _fits(page: Any, width: int = PHONE_WIDTH) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} is {overflow} px wide at {width} px"


def _worklist_url(page: Any, demo_site: str) -> str:
    """The practice worklist, as linked from the GP's home page."""
    href = page.locator("a[href*='/worklist/']").first.get_attribute("href")
    assert href is not None, "the GP's home links to the practice worklist"
    return f"{demo_site}{href}"


def test_a_gp_reviews_enrols_and_refers_and_the_volunteers_answer(
    demo_site: str, page: Any, browser: Any
) -> None:
    # 1. The GP: home, worklist, not yet reviewed.
    log_in(page, demo_site, "demo-gp")
    assert_accessible(page)
    _visit(page, _worklist_url(page, demo_site))
    page.get_by_role("link", name="Not yet reviewed").click()
    page.wait_for_load_state()
    assert "not_reviewed=1" in page.url
    assert "not yet reviewed" in page.locator("caption").first.inner_text()
    assert_accessible(page)
    # No review is chosen for anyone until the GP chooses one.
    assert page.locator("select[name=status]").first.input_value() == ""
    first_row = page.locator("table.icp-worklist tbody tr").first
    person_link = first_row.locator("a[href*='/risk/']").first
    name = person_link.inner_text().strip()
    risk_url = person_link.get_attribute("href")
    assert risk_url is not None
    patient_id = risk_url.strip("/").split("/")[-2]
    # Every button and link on the row names the person it acts on.
    save = first_row.get_by_role("button", name=f"Save review of {name}")
    assert save.count() == 1
    assert first_row.get_by_role("link", name=f"Refer {name}").count() == 1

    # The risk page: the banner, how old the result is, the link to the shared record.
    person_link.click()
    page.wait_for_load_state()
    assert_accessible(page)
    banner = page.locator(".icp-patient-banner")
    assert name in banner.inner_text()
    assert re.search(r"As at \d{1,2} [A-Z][a-z]+ \d{4}, .*ago", page.content())
    page.get_by_label("Mark as").select_option("reviewed")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    assert "Reviewed" in page.locator("main").inner_text()
    assert_accessible(page)

    # The shared record, reached from the banner: words, not codes.
    banner.get_by_role("link", name="Shared care record").click()
    page.wait_for_load_state()
    assert_accessible(page)
    record = page.locator("main").inner_text()
    assert not re.search(r"\bsnomed \d", record)  # "SNOMED CT 60845006" beside a term, never the raw code
    assert "mm[Hg]" not in record and "{1.73_m2}" not in record
    if page.locator(".icp-trends").count():
        assert page.locator(".icp-trends svg[role=img]").count() >= 1

    # The care page: enrol in a pathway, then refer to the befriending service.
    _visit(page, f"{demo_site}/care/person/{patient_id}/")
    page.get_by_label("Enrol in").select_option(label="Falls prevention")
    page.locator("#enrol-reason").fill("Fell twice this year; agreed at the review (synthetic)")
    page.get_by_role("button", name="Enrol", exact=True).click()
    page.wait_for_load_state()
    assert "Enrolled in Falls prevention" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Refer", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile(r"^Befriending \(synthetic\)")).check()
    page.get_by_label("Reason for the referral").fill("Lives alone since a bereavement (synthetic)")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_load_state()
    referral_url = page.url
    assert "/care/referrals/" in referral_url
    assert_accessible(page)

    # 2. The voluntary worker: the inbox, accept, start, complete with an outcome.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    volunteer = context.new_page()
    try:
        log_in(volunteer, demo_site, "demo-voluntary")
        assert volunteer.url.rstrip("/").endswith("/care/referrals/inbox")
        assert_accessible(volunteer)
        volunteer.get_by_role("link", name=name).first.click()
        volunteer.wait_for_load_state()
        assert volunteer.url == referral_url
        assert_accessible(volunteer)
        for move in ("Accept", "Start work"):
            volunteer.get_by_role("button", name=move, exact=True).click()
            volunteer.wait_for_load_state()
            assert_accessible(volunteer)
        volunteer.get_by_label("Outcome for the referrer (on completion)").fill(OUTCOME)
        volunteer.get_by_role("button", name="Complete", exact=True).click()
        volunteer.wait_for_load_state()
        assert OUTCOME in volunteer.locator("#referral-outcome").inner_text()
        assert_accessible(volunteer)
    finally:
        context.close()

    # 3. The GP sees the outcome beside the referral on the person's care page.
    _visit(page, f"{demo_site}/care/person/{patient_id}/")
    assert OUTCOME in page.locator("#referrals ~ table").first.inner_text()


def test_the_pharmacist_lands_on_their_own_page(demo_site: str, page: Any) -> None:
    log_in(page, demo_site, "demo-pharmacist")
    assert page.url.rstrip("/") == demo_site
    assert page.get_by_role("heading", level=1).inner_text().strip() != ""
    assert_accessible(page)


def test_a_persons_pages_fit_a_390_pixel_phone_screen(demo_site: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    try:
        log_in(phone, demo_site, "demo-gp")
        _visit(phone, _worklist_url(phone, demo_site))
        _fits(phone)
        risk_url = phone.locator("table.icp-worklist a[href*='/risk/']").first.get_attribute("href")
        assert risk_url is not None
        patient_id = risk_url.strip("/").split("/")[-2]
        for path in (
            f"/care/person/{patient_id}/risk/",
            f"/sharing/patients/{patient_id}/",
            f"/care/person/{patient_id}/",
        ):
            _visit(phone, f"{demo_site}{path}")
            _fits(phone)
            assert phone.locator(".icp-patient-banner").is_visible()
    finally:
        context.close()
