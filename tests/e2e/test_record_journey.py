"""A GP's day with the case-finding worklist and a person's record, and the voluntary worker who
takes their referral, in a real browser over the real demo; axe-core checks every page visited.

1. The GP (demo-gp) opens the practice worklist from their home, shows only the people not yet
   reviewed, opens the first person's risk page and record, reviews them, enrols them in a pathway,
   starts their care plan with what matters to them, lists them for the MDT and refers them to the
   volunteers' befriending service.
2. The voluntary worker (demo-voluntary) lands on the referral inbox, accepts that referral, starts
   work and completes it with an outcome.
3. The GP sees the outcome on the person's care page.
4. `icp audit verify` passes, and every read and change above left its event about the person.
5. The pharmacist (demo-pharmacist) lands on their own home page.
The person's pages are checked at 390 px wide too.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import log_in

PHONE_WIDTH = 390
# The shared 2-core machine runs several suites at once: a first page can take longer than 30 s.
TIMEOUT_MS = 120_000
OUTCOME = "Matched with a befriender who visits on Tuesdays (synthetic)"
GOAL = "I want to keep walking to the shop on my own (synthetic)"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop page, patient with a busy machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Python beside the running demo, on its data folder (`-m icp ...` is an `icp` command)."""
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


# Every event about one person, as [action, actor, outcome], read as the person's access log reads them.
_EVENTS_ABOUT = """
import json, sys
from icp.django_setup import setup_django
setup_django()
from icp.audit.models import AuditEvent
rows = AuditEvent.objects.about(sys.argv[1]).order_by("sequence")
print(json.dumps([[e.action, e.actor_username, e.outcome] for e in rows]))
"""


def _events_about(env: dict[str, str], patient_id: str) -> list[list[str]]:
    done = _python(env, "-c", _EVENTS_ABOUT, patient_id)
    assert done.returncode == 0, done.stderr[-3000:]
    events: list[list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return events


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
    demo_site: str, demo_env: dict[str, str], page: Any, browser: Any
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
    # The last person on the page: the demo's own stories (a care plan, an MDT case, referrals in every
    # state) are told about the people at the top, and this journey starts a fresh one.
    row = page.locator("table.icp-worklist tbody tr").last
    person_link = row.locator("a[href*='/risk/']").first
    name = person_link.inner_text().strip()
    risk_url = person_link.get_attribute("href")
    assert risk_url is not None
    patient_id = risk_url.strip("/").split("/")[-2]
    # Every button and link on the row names the person it acts on.
    save = row.get_by_role("button", name=f"Save review of {name}")
    assert save.count() == 1
    assert row.get_by_role("link", name=f"Refer {name}").count() == 1

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
        # Each measure is charted (an image with its words), or says it has too few readings to chart.
        measures = page.locator(".icp-trends tbody tr")
        charted = page.locator(".icp-trends svg[role=img][aria-label]").count()
        too_few = measures.filter(has_text="Too few readings to chart").count()
        assert measures.count() >= 1 and charted + too_few == measures.count()

    # The care page: enrol in a pathway, then refer to the befriending service.
    _visit(page, f"{demo_site}/care/person/{patient_id}/")
    page.get_by_label("Enrol in").select_option(label="Falls prevention")
    page.locator("#enrol-reason").fill("Fell twice this year; agreed at the review (synthetic)")
    page.get_by_role("button", name="Enrol", exact=True).click()
    page.wait_for_load_state()
    assert "Enrolled in Falls prevention" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("From pathway").select_option(label="Falls prevention")
    page.get_by_label("What matters to the person, in their own words").fill(GOAL)
    page.get_by_role("button", name="Start care plan").click()
    page.wait_for_load_state()
    assert "Care plan started." in page.locator("main").inner_text()
    assert GOAL in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="List for MDT").click()
    page.wait_for_load_state()
    assert "Listed for the MDT." in page.locator("main").inner_text()
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

    # 4. The audit chain is intact, and holds every read and change of the journey about the person.
    verified = _python(demo_env, "-m", "icp", "audit", "verify")
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout, verified.stdout
    left = _events_about(demo_env, patient_id)
    for action, actor, outcome in (
        ("worklist.review", "demo-gp", "success"),
        ("record.read", "demo-gp", "allowed"),
        ("enrolment.create", "demo-gp", "success"),
        ("care_plan.create", "demo-gp", "success"),
        ("referral.create", "demo-gp", "success"),
        ("referral.read", "demo-gp", "allowed"),
        ("referral.list", "demo-voluntary", "allowed"),  # the inbox, naming the person
        ("referral.read", "demo-voluntary", "allowed"),
        ("referral.move", "demo-voluntary", "success"),
        ("care.person.view", "demo-gp", "allowed"),
    ):
        assert [action, actor, outcome] in left, (action, actor, outcome)
    # Listed for the MDT: a case at its next meeting, or on its list when none is set.
    assert {("mdt_case.add", "demo-gp"), ("mdt_list.add", "demo-gp")} & {(e[0], e[1]) for e in left}
    moves = [e for e in left if e[0] == "referral.move" and e[2] == "success"]
    assert len(moves) == 3  # accepted, in progress, completed


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
