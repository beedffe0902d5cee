"""A referral waiting past its service's stated time alerts both sides: the receiving organisation
(inbox) and the referring one (outbox), on the home page and through the API; nobody else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from icp.care.referrals.models import Referral
from icp.care.referrals.queries import breach_alerts
from icp.care.referrals.states import TaskStatus
from tests.care.plans.test_api import auth
from tests.sharing.conftest import World


def test_a_referral_past_its_time_alerts_the_receiver_and_the_referrer(
    client: Client, shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    w = shared_world
    late, on_time = make_referral(), make_referral()
    # The service answers within 3 days: one referral has waited 5, the other 1 (set-up only).
    Referral.objects.filter(pk=late.pk).update(requested_at=timezone.now() - timedelta(days=5))
    Referral.objects.filter(pk=on_time.pk).update(requested_at=timezone.now() - timedelta(days=1))
    done = make_referral(TaskStatus.COMPLETED)
    Referral.objects.filter(pk=done.pk).update(requested_at=timezone.now() - timedelta(days=40))

    assert (breach_alerts(w.users["voluntary"]).inbox, breach_alerts(w.users["voluntary"]).outbox) == (1, 0)
    assert (breach_alerts(w.users["gp"]).inbox, breach_alerts(w.users["gp"]).outbox) == (0, 1)
    assert not breach_alerts(w.users["pharmacist"]).any

    client.force_login(w.users["voluntary"])
    home = client.get(f"/icp/{w.icp.code}/", follow=True).content.decode()
    assert "Referrals past the stated time" in home and "1 referral to your services" in home
    client.force_login(w.users["gp"])
    home = client.get(f"/icp/{w.icp.code}/", follow=True).content.decode()
    assert "1 referral you made" in home and "to your services" not in home
    client.force_login(w.users["pharmacist"])
    assert (
        "Referrals past the stated time"
        not in client.get(f"/icp/{w.icp.code}/", follow=True).content.decode()
    )

    assert client.get("/api/care/referrals/alerts", **auth(w.users["gp"])).json() == {"inbox": 0, "outbox": 1}
    assert client.get("/api/care/referrals/alerts", **auth(w.users["voluntary"])).json() == {
        "inbox": 1,
        "outbox": 0,
    }
