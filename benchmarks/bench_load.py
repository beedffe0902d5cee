"""Load: 50 simulated users on the production server (`icp serve`, gunicorn) over PostgreSQL.

Builds the synthetic demo (`icp demo --no-serve`, a small population) in a fresh PostgreSQL database
and data folder, serves it with `icp serve` on loopback (debug off), then runs 50 simulated users for
a bounded time. Each simulated user is a GP at the demo ICP's first practice with a login of their
own, made for the run as an operator makes one (`icp createuser`'s action), and signs in as a
production user does: the password, then two-factor (the demo's own accounts skip the second factor
only under `ICP_DEBUG=1`, and this server runs without it). The first sign-in sets up the
authenticator app: the key read from the set-up page, the code computed from it by RFC 6238
(`django_otp.oath.totp`) as a phone app does. The sign-in that is measured is a later one: password,
then the current code. Sign-ins go a few at a time before the measured window (Argon2 is slow on
purpose). Then, with 1 to 5 s of think time between requests, each user opens a mix of pages: the
practice worklist, a person's record, a person's risk page, a patient search by family name, FHIR
reads (Patient, Condition search) and referral updates (the GP refers one of their people to a
service in the directory: a form POST with its CSRF token, answered with a redirect to the new
referral).

Afterwards it checks: no request failed; every read was audited (new audit events of each page's
action at least as many as the successful requests); `icp audit verify` passes. It reports requests
per second, median and 95th-percentile latency per page, and each page's median when one user opens
it alone on the same server just before (the baseline), as a table and JSON
(benchmarks/results/load-<mode>.json). The client is asyncio + httpx, loopback only.

    python -m benchmarks load --quick      # 50 users, 60 s, 2,000 synthetic people
    python -m benchmarks load              # 50 users, 60 s, 5,000 synthetic people

`ICP_BENCH_DATABASE_URL` names the PostgreSQL server (default postgresql://postgres@127.0.0.1:5432);
the benchmark creates and drops its own database there. `ICP_WEB_WORKERS`/`ICP_WEB_THREADS` size the
server (default 3 workers x 8 threads on these 2-core machines, with the load generator beside them).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from base64 import b32decode
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from django_otp.oath import totp
from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]
USERS = 50
THINK_SECONDS = (1.0, 5.0)
KEEPALIVE_SECONDS = 3.0  # under the server's 5 s
SIGN_IN_SECONDS = 900  # the sign-ins before the window, all together, at most
TOTP_STEP = 30  # seconds: django-otp's default, what authenticator apps use
# Each page, and the audit action each successful request of it must have written.
AUDIT_ACTIONS = {
    "worklist": "worklist.view",
    "record": "record.read",
    "risk": "risk.person.view",
    "search": "patient.search",
    "fhir Patient": "fhir.read",
    "fhir Condition": "fhir.search",
    "referral": "referral.create",
}
WEIGHTS = {
    "worklist": 2,
    "record": 4,
    "risk": 2,
    "search": 2,
    "fhir Patient": 2,
    "fhir Condition": 1,
    "referral": 1,
}
# Pages that change data: a success is a redirect (302) to what was made, not a page (200).
WRITES = {"referral"}


@dataclass
class World:
    usernames: list[str]
    password: str
    practice: str
    patients: list[str]
    family_names: list[str]
    services: list[str]
    # Each referral is for a different person (a second open referral to one service is refused).
    to_refer: list[str] = field(default_factory=list)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # The time step of each login's last accepted code: a code is good once (django-otp refuses a
    # step it has already accepted), so a login's next sign-in waits for a later step.
    last_step: dict[str, int] = field(default_factory=dict)
    alone: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(data: Path, database_url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "ICP_TESTING", "ICP_DEBUG")
    }
    env.update(
        {
            "ICP_DATA_DIR": str(data),
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT / "src"),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SPARK_LOCAL_IP": "127.0.0.1",
        }
    )
    env.setdefault("ICP_WEB_WORKERS", "3")
    env.setdefault("ICP_WEB_THREADS", "8")
    return env


def _psql(server: str, statement: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-qc", statement], check=True, capture_output=True)


def _world(env: dict[str, str]) -> World:
    """Make the simulated GPs' logins (through Django, in a child process) and ask for their people."""
    code = """
import json, os
from icp.django_setup import setup_django
setup_django()
from icp.partnership.accounts import create_user
from icp.partnership.models import User
from icp.patients.models import PatientIndex
from icp.care.referrals.models import Service
gp = User.objects.filter(username__startswith="demo-", role="gp").order_by("username").first()
usernames = []
for number in range(int(os.environ["ICP_BENCH_USERS"])):
    user = create_user(
        username=f"bench-gp-{number:02d}", password=os.environ["ICP_BENCH_PASSWORD"], role="gp", by=None,
        home_area=gp.home_area, organisation=gp.organisation,
    )
    usernames.append(user.username)
from icp.sharing.policy import planning_opt_outs
# Not those who opted out of planning: their risk page is refused (403), as it should be.
people = PatientIndex.objects.filter(practice=gp.organisation, death_date__isnull=True).exclude(
    patient_id__in=planning_opt_outs(gp.home_area).patient_ids).order_by("patient_id")
services = Service.objects.filter(active=True, accepts_referrals=True).exclude(
    organisation=gp.organisation).exclude(type="social_prescribing").order_by("public_id")
print(json.dumps({
    "usernames": usernames, "practice": gp.organisation.code,
    "patients": list(people.values_list("patient_id", flat=True)[:400]),
    "family_names": sorted(set(people.values_list("family_name", flat=True)[:400]))[:100],
    "services": list(services.values_list("public_id", flat=True)[:20]),
}))
"""
    password = secrets.token_urlsafe(18)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "ICP_BENCH_USERS": str(USERS), "ICP_BENCH_PASSWORD": password},
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return World(password=password, **json.loads(result.stdout.strip().splitlines()[-1]))


def _audit_counts(env: dict[str, str]) -> dict[str, int]:
    code = """
import json
from django.db.models import Count
from icp.django_setup import setup_django
setup_django()
from icp.audit.models import AuditEvent
print(json.dumps(dict(AuditEvent.objects.values_list("action").annotate(n=Count("id")))))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=300
    )
    return {k: int(v) for k, v in json.loads(result.stdout.strip().splitlines()[-1]).items()}


class Browser:
    """One simulated user's cookies. The session and CSRF cookies are Secure (production settings):
    over loopback HTTP the client sends them by hand, as a browser on https would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}

    def keep(self, response: httpx.Response) -> httpx.Response:
        for header in response.headers.get_list("set-cookie"):
            match = re.match(r"([^=;\s]+)=([^;]*)", header)
            if match:
                self.cookies[match.group(1)] = match.group(2)
        return response

    @property
    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    async def get(self, address: str) -> httpx.Response:
        return self.keep(await self.client.get(address, headers=self.header))

    async def post(self, address: str, form: dict[str, str]) -> httpx.Response:
        return self.keep(await self.client.post(address, data=form, headers=self.header))


def _form_token(page: httpx.Response) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError(f"{page.url.path} has no CSRF token ({page.status_code})")
    return token.group(1)


def _redirect(response: httpx.Response, expected: str) -> str:
    """Where a form sent the user: a redirect to a path starting with `expected`, else a failure."""
    target = response.headers.get("location", "")
    if response.status_code != 302 or not urlsplit(target).path.startswith(expected):
        raise RuntimeError(f"{response.request.url.path} answered {response.status_code}, to {target!r}")
    return target


async def _new_step(username: str, stats: Stats) -> None:
    """Wait for a later time step than the login's last accepted code (a code is good once)."""
    while int(time.time()) // TOTP_STEP <= stats.last_step.get(username, -1):
        await asyncio.sleep(TOTP_STEP - time.time() % TOTP_STEP + 0.05)


async def _code(username: str, key: bytes, stats: Stats) -> str:
    """The authenticator app's current code."""
    await _new_step(username, stats)
    stats.last_step[username] = int(time.time()) // TOTP_STEP
    return f"{totp(key, step=TOTP_STEP):06d}"


async def _password(browser: Browser, username: str, password: str) -> str:
    """The password step; returns the two-factor page it sends the user to."""
    page = await browser.get("/accounts/login/")
    response = await browser.post(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": _form_token(page)},
    )
    return _redirect(response, "/accounts/two-factor/")


async def _enrol(browser: Browser, username: str, password: str, stats: Stats) -> bytes:
    """A login's first sign-in: password, then set up the authenticator app from the key the page
    shows (typed in, as when the QR code cannot be scanned) and confirm it with a code."""
    step = await _password(browser, username, password)
    page = await browser.get(step)
    shown = re.search(r'<code class="icp-totp-key">([A-Z2-7 ]+)</code>', page.text)
    if shown is None:
        raise RuntimeError(f"the set-up page shows no key ({page.status_code}, {page.url.path})")
    base32 = shown.group(1).replace(" ", "")
    key = b32decode(base32 + "=" * (-len(base32) % 8))
    form = {"code": await _code(username, key, stats), "csrfmiddlewaretoken": _form_token(page)}
    form["next"] = "/"
    _redirect(await browser.post(urlsplit(step).path, form), "/")
    return key


async def _login(browser: Browser, username: str, password: str, key: bytes, stats: Stats) -> None:
    """A later sign-in, as measured: password, then the current code."""
    started = time.perf_counter()
    step = await _password(browser, username, password)
    if not urlsplit(step).path == "/accounts/two-factor/":
        raise RuntimeError(f"signing in asked for {step!r}, not the code")
    page = await browser.get(step)
    form = {"code": await _code(username, key, stats), "csrfmiddlewaretoken": _form_token(page), "next": "/"}
    response = await browser.post("/accounts/two-factor/", form)
    _redirect(response, "/")
    stats.latencies["login"].append(time.perf_counter() - started)


def _address(page: str, world: World, rng: random.Random) -> str:
    person = rng.choice(world.patients)
    if page == "referral":
        return f"/care/person/{world.to_refer.pop() if world.to_refer else person}/refer/"
    return {
        "worklist": f"/care/practice/{world.practice}/worklist/",
        "record": f"/sharing/patients/{person}/",
        "risk": f"/care/person/{person}/risk/",
        "search": f"/sharing/patients/?name={rng.choice(world.family_names)}",
        "fhir Patient": f"/fhir/Patient/{person}",
        "fhir Condition": f"/fhir/Condition?patient={person}",
    }[page]


async def _request(
    browser: Browser, page: str, address: str, world: World, rng: random.Random
) -> httpx.Response:
    if page not in WRITES:
        return await browser.get(address)
    form = {
        "csrfmiddlewaretoken": browser.csrf,
        "service": rng.choice(world.services),
        "reason": "Load benchmark: synthetic referral",
        "priority": "routine",
        "submit": "send",
    }
    return await browser.post(address, form)


async def _user(number: int, browser: Browser, world: World, deadline: float, stats: Stats) -> None:
    rng = random.Random(number)
    pages, weights = list(WEIGHTS), list(WEIGHTS.values())
    await asyncio.sleep(rng.uniform(0, THINK_SECONDS[1]))  # users start over the first seconds
    while time.monotonic() < deadline:
        page = rng.choices(pages, weights)[0]
        started = time.perf_counter()
        try:
            response = await _request(browser, page, _address(page, world, rng), world, rng)
            if response.status_code == (302 if page in WRITES else 200):
                stats.latencies[page].append(time.perf_counter() - started)
            else:
                stats.failures[page].append(f"status {response.status_code}")
        except httpx.HTTPError as error:
            stats.failures[page].append(type(error).__name__)
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def _alone(browser: Browser, world: World, stats: Stats) -> None:
    """The baseline: each page three times by one user alone, before the 50 start (same server)."""
    rng = random.Random(0)
    for page in WEIGHTS:
        for _ in range(3):
            started = time.perf_counter()
            response = await _request(browser, page, _address(page, world, rng), world, rng)
            if response.status_code == (302 if page in WRITES else 200):
                stats.alone[page].append(time.perf_counter() - started)


async def _run_users(base: str, world: World, seconds: float) -> tuple[Stats, float]:
    """Sign the users in first (each login's first sign-in sets up its authenticator app; the
    measured sign-in is the next one), a few at a time and outside the measured window since Argon2
    is slow on purpose; then run them all for `seconds`. Returns the statistics and the window's
    length."""
    stats = Stats()
    # A connection idle for the server's keep-alive (5 s, `icp.site.server`) is closed by the server; a
    # request sent on it as it closes fails (RemoteProtocolError), which a browser answers by sending it
    # again. With think times up to 5 s that race is common, so the client lets a connection go first.
    limits = httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
    clients = [httpx.AsyncClient(base_url=base, timeout=60, limits=limits) for _ in world.usernames]
    gate = asyncio.Semaphore(4)

    async def sign_in(client: httpx.AsyncClient, username: str) -> Browser | None:
        try:
            async with gate:
                key = await _enrol(Browser(client), username, world.password, stats)
            await _new_step(username, stats)  # not holding a place in the queue meanwhile
            browser = Browser(client)
            async with gate:
                await _login(browser, username, world.password, key, stats)
            return browser
        except (RuntimeError, httpx.HTTPError) as error:
            stats.failures["login"].append(f"{type(error).__name__}: {error}")
            return None

    try:
        signed_in = await asyncio.wait_for(
            asyncio.gather(
                *(sign_in(client, name) for client, name in zip(clients, world.usernames, strict=True))
            ),
            timeout=SIGN_IN_SECONDS,
        )
        browsers = [browser for browser in signed_in if browser is not None]
        if not browsers:
            raise RuntimeError("no user could sign in: " + "; ".join(stats.failures["login"][:3]))
        await _alone(browsers[0], world, stats)
        began = time.monotonic()
        deadline = began + seconds
        await asyncio.gather(
            *(_user(number, browser, world, deadline, stats) for number, browser in enumerate(browsers))
        )
        return stats, time.monotonic() - began
    finally:
        for client in clients:
            await client.aclose()


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "icp", "serve", "--address", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError("icp serve did not answer /health within 120 s: " + log.read_text()[-2000:])


def _milliseconds(values: list[float], quantile: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0] * 1000, 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(quantile * 100) - 1] * 1000, 1)


def main(quick: bool = True) -> dict[str, Any]:
    console = Console()
    seconds, people = (60.0, 2_000) if quick else (60.0, 5_000)
    server = os.environ.get("ICP_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
    database = f"icp_bench_load_{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory(prefix="icp-bench-load-") as temporary:
        env = _environment(Path(temporary) / "data", f"{server}/{database}")
        _psql(server, f"CREATE DATABASE {database}")
        try:
            started = time.perf_counter()
            demo = subprocess.run(
                [sys.executable, "-m", "icp", "demo", "--no-serve"],
                env={**env, "ICP_DEBUG": "1", "ICP_DEMO_PEOPLE": str(people)},
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=1800,
                check=False,
            )
            if demo.returncode != 0:
                raise RuntimeError("icp demo failed: " + demo.stdout[-2000:] + demo.stderr[-2000:])
            console.print(
                f"Demo ({people:,} synthetic people) on PostgreSQL in {time.perf_counter() - started:.0f} s"
            )
            world = _world(env)
            world.to_refer = list(world.patients)
            random.Random(1).shuffle(world.to_refer)
            before = _audit_counts(env)
            port = _free_port()
            process = _serve(env, port, Path(temporary) / "server.log")
            try:
                stats, elapsed = asyncio.run(_run_users(f"http://127.0.0.1:{port}", world, seconds))
            finally:
                process.terminate()
                process.wait(timeout=60)
                # The server's own word on failures (worker timeouts, errors), not its access lines.
                server_problems = [
                    line
                    for line in (Path(temporary) / "server.log").read_text(errors="replace").splitlines()
                    if "[CRITICAL]" in line or "[ERROR]" in line or "level=ERROR" in line
                ][:20]
            after = _audit_counts(env)
            verify = subprocess.run(
                [sys.executable, "-m", "icp", "audit", "verify"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        finally:
            _psql(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    pages: dict[str, Any] = {}
    for page in ["login", *WEIGHTS]:
        done = stats.latencies.get(page, [])
        action = AUDIT_ACTIONS.get(page)
        audited = after.get(action, 0) - before.get(action, 0) if action else None
        pages[page] = {
            "requests": len(done),
            "errors": len(stats.failures.get(page, [])),
            # Logins happen before the measured window: their rate is not a load figure.
            "rps": None if page == "login" else round(len(done) / elapsed, 2),
            "p50_ms": _milliseconds(done, 0.50),
            "p95_ms": _milliseconds(done, 0.95),
            "alone_median_ms": _milliseconds(stats.alone.get(page, []), 0.50),
            "audit_action": action,
            "audit_events": audited,
            "audited": audited is None or audited >= len(done),
        }
    total = sum(p["requests"] for name, p in pages.items() if name != "login")
    result = {
        "benchmark": "load",
        "mode": "quick" if quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": round(os.getloadavg()[0], 1),
        },
        "server": {
            "workers": int(env["ICP_WEB_WORKERS"]),
            "threads": int(env["ICP_WEB_THREADS"]),
            "database": "postgresql",
        },
        "users": USERS,
        "think_seconds": list(THINK_SECONDS),
        "seconds": round(elapsed, 1),
        "synthetic_people": people,
        "requests": total,
        "rps": round(total / elapsed, 2),
        "errors": sum(p["errors"] for p in pages.values()),
        "failures": {page: sorted(set(reasons))[:5] for page, reasons in stats.failures.items()},
        "server_problems": server_problems,
        "every_read_audited": all(p["audited"] for p in pages.values()),
        "audit_verify_passed": verify.returncode == 0,
        "pages": pages,
    }
    table = Table(title=f"{USERS} users, {elapsed:.0f} s, gunicorn on PostgreSQL (synthetic data)")
    for column in ("page", "requests", "errors", "req/s", "p50 ms", "p95 ms", "alone ms", "audit events"):
        table.add_column(column, justify="left" if column == "page" else "right")
    for page, row in pages.items():
        table.add_row(
            page,
            str(row["requests"]),
            str(row["errors"]),
            "" if row["rps"] is None else f"{row['rps']:.2f}",
            f"{row['p50_ms']:.0f}",
            f"{row['p95_ms']:.0f}",
            f"{row['alone_median_ms']:.0f}",
            "" if row["audit_events"] is None else f"{row['audit_events']} {row['audit_action']}",
        )
    console.print(table)
    console.print(
        f"{total} requests, {result['rps']} req/s, {result['errors']} errors; every read audited: "
        f"{result['every_read_audited']}; "
        f"icp audit verify: {'passed' if result['audit_verify_passed'] else 'FAILED'}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{result['mode']}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    console.print(f"Wrote {out.relative_to(ROOT)}")
    return result


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
