"""The login throttle counts by account from an address and by address; nobody can lock others out,
and X-Forwarded-For is believed only from a configured proxy."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from icp.audit.models import AuditEvent
from icp.sharing.models import LoginFailure
from icp.sharing.throttle import client_address
from tests.sharing.conftest import World

LOGIN = "/accounts/login/"
GOOD = "correct-horse-battery"
ATTACKER = "203.0.113.66"
REAL_USER = "198.51.100.7"
PROXY = "10.0.0.2"


def attempt(username: str, password: str, **meta: str) -> str:
    response = Client().post(LOGIN, {"username": username, "password": password}, **meta)
    return "ok" if response.status_code == 302 else response.content.decode()


def test_a_guesser_cannot_lock_the_real_user_out_from_elsewhere(world: World) -> None:
    for _ in range(10):
        attempt("gp", "wrong-password", REMOTE_ADDR=ATTACKER)
    assert "Too many failed attempts" in attempt("gp", GOOD, REMOTE_ADDR=ATTACKER)
    assert attempt("gp", GOOD, REMOTE_ADDR=REAL_USER) == "ok"


def test_the_account_from_that_address_is_paused_after_five_failures_even_with_the_right_password(
    world: World,
) -> None:
    for _ in range(4):
        attempt("gp", "wrong-password", REMOTE_ADDR=ATTACKER)
    assert attempt("pharmacist", GOOD, REMOTE_ADDR=ATTACKER) == "ok"  # under the limits: fine
    attempt("gp", "wrong-password", REMOTE_ADDR=ATTACKER)
    assert "Too many failed attempts" in attempt("gp", GOOD, REMOTE_ADDR=ATTACKER)
    locked = AuditEvent.objects.filter(action="login.locked", outcome="denied").last()
    assert locked is not None and locked.detail == {"username": "gp", "address": ATTACKER}


def test_every_failure_counts_the_accounts_failures_from_all_addresses_for_the_ig_lead(world: World) -> None:
    for n in range(3):
        attempt("gp", "wrong-password", REMOTE_ADDR=f"203.0.113.{n + 1}")
    last = AuditEvent.objects.filter(action="login.failed").order_by("sequence").last()
    assert (
        last is not None and last.detail["account_failures"] == 3 and last.detail["address"] == "203.0.113.3"
    )


def test_one_address_trying_many_accounts_is_paused_but_only_that_address(world: World) -> None:
    for n in range(20):
        attempt(f"nobody-{n}", "wrong-password", REMOTE_ADDR=ATTACKER)
    assert "Too many failed attempts" in attempt("gp", GOOD, REMOTE_ADDR=ATTACKER)
    assert attempt("gp", GOOD, REMOTE_ADDR=REAL_USER) == "ok"


def test_a_success_clears_only_that_accounts_failures_from_that_address(world: World) -> None:
    attempt("gp", "wrong-password", REMOTE_ADDR=ATTACKER)
    attempt("gp", "wrong-password", REMOTE_ADDR=REAL_USER)
    assert attempt("gp", GOOD, REMOTE_ADDR=REAL_USER) == "ok"
    assert list(LoginFailure.objects.values_list("ip_address", flat=True)) == [ATTACKER]


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ICP_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=REAL_USER)
    assert client_address(request) == ATTACKER


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        (PROXY, REAL_USER, REAL_USER),  # the proxy says who connected to it
        (PROXY, f"{ATTACKER}, {REAL_USER}", REAL_USER),  # a client's own header is to the left: ignored
        (PROXY, f"{REAL_USER}, 10.0.0.9", REAL_USER),  # a second trusted proxy is skipped
        (PROXY, "not-an-address", PROXY),  # unreadable: the proxy itself
        (PROXY, "", PROXY),
        (ATTACKER, REAL_USER, ATTACKER),  # not from the proxy: the header is ignored
    ],
)
def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(  # type: ignore[no-untyped-def]
    settings, peer: str, forwarded: str, client: str
) -> None:
    settings.ICP_TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


def test_behind_a_proxy_clients_are_throttled_apart_not_as_one(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ICP_TRUSTED_PROXIES = [PROXY]
    for _ in range(5):
        attempt("gp", "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert "Too many failed attempts" in attempt("gp", GOOD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert attempt("gp", GOOD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=REAL_USER) == "ok"
