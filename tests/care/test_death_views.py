"""The death pages and API: see what recording a death will close, record it (a clinician of the
registered practice only), and review a practice's deaths for care still open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from icp.audit.models import AuditEvent
from icp.care.actions import add_care_team_member
from icp.care.pathways.actions import enrol
from icp.care.referrals.models import Referral
from icp.patients.models import PatientIndex, RiskResult
from tests.care.pathways.conftest import risk_for
from tests.care.plans.test_api import auth
from tests.care.referrals.conftest import accepted_referral
from tests.sharing.conftest import World

__all__ = ["risk_for"]


def test_record_a_death_from_its_page(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    w = shared_world
    alice, gp = w.patients["alice"], w.users["gp"]
    risk_for(alice)
    enrol(patient=alice, pathway_id="end-of-life", reason="On the register (synthetic)", by=gp)
    add_care_team_member(patient=alice, organisation=w.orgs["trust"], role="district nurse", by=gp)
    accepted_referral(w, "alice", "voluntary")
    url = f"/care/person/{alice.patient_id}/death/"

    client.force_login(gp)
    page = client.get(url).content.decode()
    assert "Recording the death closes all of this" in page and "Record the death" in page
    assert (
        f"/care/person/{alice.patient_id}/death/"
        in client.get(f"/care/person/{alice.patient_id}/").content.decode()
    )

    # The trust's nurse (care team) may see the page but not record: that is the practice's.
    client.force_login(w.users["trust"])
    assert "recorded by a clinician of the person" in client.get(url).content.decode()
    assert (
        client.post(url, {"died_on_day": "1", "died_on_month": "11", "died_on_year": "2026"}).status_code
        == 403
    )
    # Someone with no relationship with her does not see the page at all.
    client.force_login(w.users["pharmacist"])
    assert client.get(url).status_code == 403

    client.force_login(gp)
    bad = client.post(url, {"died_on_day": "31", "died_on_month": "2", "died_on_year": "2026"})
    assert bad.status_code == 422 and "real day, month and year" in bad.content.decode()
    future = timezone.localdate() + timedelta(days=3)
    later = client.post(
        url, {"died_on_day": future.day, "died_on_month": future.month, "died_on_year": future.year}
    )
    assert later.status_code == 422 and "cannot be in the future" in later.content.decode()
    died = timezone.localdate() - timedelta(days=1)
    done = client.post(
        url, {"died_on_day": died.day, "died_on_month": died.month, "died_on_year": died.year}, follow=True
    )
    said = done.content.decode()
    # The enrolment's and the care team's relationships (the referral's closes as it is cancelled).
    assert "Death recorded. Closed: 2 care relationships, 1 referrals, 1 pathway enrolments" in said
    assert "Nothing: no referral, enrolment" in said
    alice.refresh_from_db()
    assert alice.death_date == died
    assert AuditEvent.objects.filter(action="death.record", outcome="success").count() == 1


def test_a_practice_reviews_its_deaths_and_sees_care_left_open(
    client: Client, shared_world: World, risk_for: Callable[..., RiskResult]
) -> None:
    w = shared_world
    alice, gp = w.patients["alice"], w.users["gp"]
    risk_for(alice)
    enrol(patient=alice, pathway_id="frailty", reason="Frail (synthetic)", by=gp)
    # A death that came from the records (the patient index sync), not through the death page.
    PatientIndex.objects.filter(pk=alice.pk).update(death_date=timezone.localdate() - timedelta(days=10))
    practice = w.orgs["practice_a"]

    client.force_login(gp)
    page = client.get(f"/care/practice/{practice.code}/deaths/").content.decode()
    assert "ZEPHYRINE, Alice" in page and "Open</strong> 0 referrals, 1 enrolments" in page
    event = AuditEvent.objects.filter(action="death.review").latest("id")
    assert event.detail["care_still_open"] == [alice.patient_id]
    # Another practice's GP, and a non-clinician, are refused (audited).
    client.force_login(w.users["gp_b"])
    assert client.get(f"/care/practice/{practice.code}/deaths/").status_code == 403
    assert AuditEvent.objects.filter(action="death.review", outcome="denied").exists()

    # Closing their care from the page, with the date already known filled in.
    client.force_login(gp)
    death_page = client.get(f"/care/person/{alice.patient_id}/death/").content.decode()
    assert "Close their care" in death_page
    known = alice.death_date or timezone.localdate()
    client.post(
        f"/care/person/{alice.patient_id}/death/",
        {"died_on_day": known.day, "died_on_month": known.month, "died_on_year": known.year},
    )
    assert "All closed" in client.get(f"/care/practice/{practice.code}/deaths/").content.decode()


def test_deaths_through_the_api(client: Client, shared_world: World) -> None:
    w = shared_world
    alice = w.patients["alice"]
    accepted_referral(w, "alice", "voluntary")
    url = f"/api/care/patients/{alice.patient_id}/death"
    before = client.get(url, **auth(w.users["gp"])).json()
    assert before["died_on"] is None and before["open_referrals"] == 1
    assert client.get(url, **auth(w.users["pharmacist"])).status_code == 403
    refused = client.post(
        url, {"died_on": "2026-11-01"}, content_type="application/json", **auth(w.users["voluntary"])
    )
    assert refused.status_code == 403
    bad = client.post(url, {"died_on": "yesterday"}, content_type="application/json", **auth(w.users["gp"]))
    assert bad.status_code == 422 and "died_on" in bad.content.decode()
    done = client.post(url, {"died_on": "2026-11-01"}, content_type="application/json", **auth(w.users["gp"]))
    assert done.status_code == 200 and done.json()["died_on"] == "2026-11-01"
    assert done.json()["open_referrals"] == 0
    assert Referral.objects.get(patient=alice).status_reason == "The person has died."
    assert (
        "/api/care/patients/{patient_id}/death"
        in client.get("/api/openapi.json", **auth(w.users["gp"])).json()["paths"]
    )
