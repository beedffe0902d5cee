"""The backup and restore procedure of docs/deployment.md, run for real with the `icp` command: a
backup restored into a fresh database passes `icp audit verify`; restored after later events, verify
fails until `icp audit restored` re-anchors the chain.

SQLite always (its online backup); PostgreSQL too in the PostgreSQL pass (pg_dump and pg_restore into
a fresh database on the same server).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.xdist_group("deployment")


def _icp(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "icp", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _environment(data: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ICP_TESTING")
    }
    env.update({"ICP_DATA_DIR": str(data), "PYTHONPATH": str(ROOT / "src")})
    env.pop("ICP_AUDIT_KEY", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _sqlite_backup(env: dict[str, str], target: Path) -> None:
    live = Path(env["ICP_DATA_DIR"]) / "icp.sqlite3"
    with sqlite3.connect(live) as source, sqlite3.connect(target) as copy:
        source.backup(copy)  # what `sqlite3 icp.sqlite3 ".backup target"` does: safe on a live database


def _sqlite_restore(env: dict[str, str], backup: Path) -> None:
    live = Path(env["ICP_DATA_DIR"]) / "icp.sqlite3"
    for leftover in (live, live.with_name("icp.sqlite3-wal"), live.with_name("icp.sqlite3-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(backup, live)


Procedure = tuple[Callable[[dict[str, str], Path], None], Callable[[dict[str, str], Path], None]]


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict[str, str], Procedure]]:
    """A data folder and database made with `icp migrate` and `icp load-structure` (which audits)."""
    if request.param == "sqlite":
        env = _environment(tmp_path / "data", None)
        yield env, (_sqlite_backup, _sqlite_restore)
        return
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        pytest.skip("the PostgreSQL procedure runs in the PostgreSQL pass (DATABASE_URL)")
    base = server.rsplit("/", 1)[0]
    names = [f"icp_deploy_{uuid.uuid4().hex[:8]}"]
    env = _environment(tmp_path / "data", f"{base}/{names[0]}")
    admin = f"{base}/postgres"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {names[0]}"], check=True, capture_output=True)

    def backup(env: dict[str, str], target: Path) -> None:
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(target), env["DATABASE_URL"]], check=True, capture_output=True
        )

    def restore(env: dict[str, str], dump: Path) -> None:
        names.append(f"icp_deploy_{uuid.uuid4().hex[:8]}")  # a fresh database for each restore
        subprocess.run(
            ["psql", admin, "-qc", f"CREATE DATABASE {names[-1]}"], check=True, capture_output=True
        )
        env["DATABASE_URL"] = f"{base}/{names[-1]}"
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", env["DATABASE_URL"], str(dump)],
            check=True,
            capture_output=True,
        )

    try:
        yield env, (backup, restore)
    finally:
        for name in names:
            subprocess.run(
                ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True
            )


def test_a_restored_backup_verifies_and_an_older_one_is_re_anchored_by_an_audited_event(
    site: tuple[dict[str, str], Procedure], tmp_path: Path
) -> None:
    env, (backup, restore) = site
    for step in (("migrate",), ("load-structure",)):
        assert _icp(env, *step).returncode == 0
    backup(env, tmp_path / "backup")
    restore(env, tmp_path / "backup")
    verified = _icp(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout

    backup(env, tmp_path / "older")
    assert _icp(env, "load-structure").returncode == 0  # events after the backup was taken
    restore(env, tmp_path / "older")
    truncated = _icp(env, "audit", "verify")
    assert truncated.returncode == 1 and "newest events were removed" in " ".join(truncated.stdout.split())
    reanchored = _icp(env, "audit", "restored", "--reason", "test restore of the earlier backup")
    assert reanchored.returncode == 0, reanchored.stdout
    assert "restored to sequence" in " ".join(reanchored.stdout.split())
    verified = _icp(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout
