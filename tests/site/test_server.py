"""`icp serve` runs the production server for real, on loopback, over a SQLite file: 20 concurrent
record reads all succeed and are all audited, the chain verifies, the access log holds no query
string, and the health check answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from icp.site.server import ACCESS_LOG_FORMAT, server_options

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("production-server")


@dataclass
class Server:
    url: str
    token: str
    patient: str
    log: Path
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str = "") -> tuple[int, dict[str, str], bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback only)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("served")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ICP_TESTING")
    }
    env.update(
        {
            "ICP_DATA_DIR": str(data),
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            "SECRET_KEY": "a-test-secret-key-for-the-served-site-only-0123456789",
            "ICP_WEB_WORKERS": "2",
            "ICP_WEB_THREADS": "8",
        }
    )
    env.pop("ICP_DEBUG", None)
    world = subprocess.run(
        [sys.executable, "-m", "tests.site.serve_world"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert world.returncode == 0, world.stderr[-3000:]
    facts = json.loads(world.stdout.strip().splitlines()[-1])
    port = _free_port()
    log = data / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "icp", "serve", "--address", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # A loaded two-core machine has taken over 120 s to boot two workers.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if _get(f"{url}/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("icp serve did not answer /health within 300 s:\n" + log.read_text()[-3000:])
        yield Server(url, facts["token"], facts["patient"], log, env)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_production_server_is_gunicorn_and_warns_about_sqlite(server: Server) -> None:
    text = " ".join(server.log.read_text().split())  # the console wraps long lines
    assert "production wants PostgreSQL" in text
    assert "Booting worker" in text and "gthread" in text


def test_twenty_concurrent_record_reads_on_sqlite_all_succeed_and_are_all_audited(server: Server) -> None:
    before = _audit_count(server)
    url = f"{server.url}/fhir/Patient/{server.patient}"
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: _get(url, server.token), range(20)))
    assert [status for status, _, _ in results] == [200] * 20
    assert all(json.loads(body)["id"] == server.patient for _, _, body in results)
    assert _audit_count(server) - before >= 20
    verify = subprocess.run(
        [sys.executable, "-m", "icp", "audit", "verify"],
        env=server.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _audit_count(server: Server) -> int:
    import sqlite3

    with sqlite3.connect(Path(server.env["ICP_DATA_DIR"]) / "icp.sqlite3", timeout=30) as db:
        return int(
            db.execute("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'fhir.read'").fetchone()[0]
        )


def test_the_access_log_never_carries_a_query_string(server: Server) -> None:
    status, _, _ = _get(f"{server.url}/fhir/Patient?family=Zephyrine&birthdate=1941-03-02", server.token)
    assert status in (200, 400)
    time.sleep(0.5)  # the access log line is written after the response
    text = server.log.read_text()
    assert '"GET /fhir/Patient HTTP/1.1"' in text
    assert "Zephyrine" not in text and "1941-03-02" not in text


def test_the_health_check_and_the_security_headers(server: Server) -> None:
    status, headers, body = _get(f"{server.url}/health")
    assert status == 200 and json.loads(body) == {"status": "ok", "database": "sqlite"}
    status, headers, _ = _get(f"{server.url}/fhir/Patient/{server.patient}", server.token)
    assert "no-store" in headers["Cache-Control"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "same-origin"


def test_static_files_are_served_compressed_with_long_caching(server: Server) -> None:
    manifest = json.loads((Path(server.env["ICP_DATA_DIR"]) / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["icp/icp.css"]
    address = f"{server.url}/static/{hashed}"
    request = urllib.request.Request(address, headers={"Accept-Encoding": "gzip"})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
        assert response.headers["Content-Encoding"] == "gzip"
        assert "immutable" in response.headers["Cache-Control"]


def test_workers_and_threads_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_WEB_WORKERS", "3")
    monkeypatch.setenv("ICP_WEB_THREADS", "6")
    options = server_options("127.0.0.1:9000")
    assert (options["workers"], options["threads"], options["bind"]) == (3, 6, ["127.0.0.1:9000"])
    assert (
        "%(U)s" in ACCESS_LOG_FORMAT and "%(r)s" not in ACCESS_LOG_FORMAT and "%(q)s" not in ACCESS_LOG_FORMAT
    )
    monkeypatch.setenv("ICP_WEB_WORKERS", "none")
    with pytest.raises(SystemExit, match="ICP_WEB_WORKERS='none'"):
        server_options("127.0.0.1:9000")
