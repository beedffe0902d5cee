"""Shared fixtures: the reference structure loaded once per test database, and users by role."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from icp.partnership.models import Area, Organisation, User
from icp.partnership.reference import load_structure
from icp.partnership.roles import UserRole

DEMO_ICP = "NI-NOR-CA"
OTHER_ICP = "NI-BEL-E"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Every test database starts with the real reference structure (17 ICPs, 314 practices)."""
    with django_db_blocker.unblock():
        load_structure()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Transactional tests (live_server, transactional_db) end by emptying every table; once all of
    such a test's fixtures are torn down (the flush comes last), put the reference structure back so
    the tests after them in this worker still find it. A fixture cannot do this: pytest-django's own
    autouse live-server helper sets the database up first, so it is torn down after any fixture.
    After the worker's last test (no `nextitem`) the test database is already gone: nothing to do."""
    result = yield
    if nextitem is not None and {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            load_structure()
    return result


@pytest.fixture(autouse=True)
def audit_checkpoint_log(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each test writes the audit chain's checkpoints to a log of its own: a test database starts
    empty (or is flushed), and another test's checkpoints would rightly read as a truncated chain."""
    path = tmp_path_factory.mktemp("audit") / "audit-checkpoints.log"
    settings.AUDIT_CHECKPOINT_LOG = str(path)
    return path


@pytest.fixture(autouse=True)
def job_results_folder(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each test's jobs leave their files in a folder of their own: every test worker's database
    numbers its first job 1, so in the shared data folder two workers' reports took the same name
    and one emptied the other's."""
    from icp.jobs import kinds, views

    folder = tmp_path_factory.mktemp("jobs")
    monkeypatch.setattr(kinds, "results_dir", lambda: folder)
    monkeypatch.setattr(views, "results_dir", lambda: folder)
    return folder


@pytest.fixture(autouse=True)
def force_login_gives_both_factors(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(user)` stands for a finished sign-in: the password and, for a role that
    needs one, the second factor (a confirmed authenticator app, as django-otp marks a verified
    session). The sign-in steps themselves are tested through the real pages in
    tests/site/test_two_factor.py."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from icp.site.two_factor import needs_two_factor

    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        if needs_two_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def icp_area(db: None) -> Area:
    return Area.objects.get(code=DEMO_ICP)


@pytest.fixture
def other_icp(db: None) -> Area:
    return Area.objects.get(code=OTHER_ICP)


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: str = UserRole.COMMITTEE_MEMBER,
        icp: str | None = DEMO_ICP,
        organisation: Organisation | None = None,
        **extra: Any,
    ) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=f"{role}-{counter['n']}",
            password="correct-horse-battery",
            role=role,
            home_area=Area.objects.get(code=icp) if icp else None,
            organisation=organisation,
            **extra,
        )
        return user

    return make


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user(UserRole.ICP_MANAGER)


@pytest.fixture
def logged_in(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """One local Spark session (loopback only) shared by every Spark test in this worker.

    Mark Spark tests with `@pytest.mark.spark` and `@pytest.mark.xdist_group("spark")` so that
    they run in one worker and start one JVM.
    """
    pytest.importorskip("pyspark", reason="Spark tests need the spark extra: pip install -e '.[spark]'")
    from icp.records.engine import spark_session as start

    session = start(app_name="icp-tests")
    yield session
    session.stop()
    # py4j logs "Closing down clientserver connection" from __del__ at interpreter exit, after
    # pytest has closed its capture streams; keep that shutdown chatter out of the test output.
    logging.getLogger("py4j").setLevel(logging.WARNING)
