"""icp.config: the data folder, and keys made on first use and kept owner-only in it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from icp.config import KeyFileError, data_dir, key_in_data_dir


def test_data_dir_follows_icp_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path / "here"))
    assert data_dir() == (tmp_path / "here").resolve()


def test_a_key_is_made_on_first_use_owner_only_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    key = key_in_data_dir("secret_key", folder=folder)
    assert len(key) >= 60
    assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
    assert key_in_data_dir("secret_key", folder=folder) == key
    assert list(folder.iterdir()) == [folder / "secret_key"]  # no temporary file left behind


def test_each_data_folder_and_each_name_gets_its_own_random_key(tmp_path: Path) -> None:
    first = key_in_data_dir("secret_key", folder=tmp_path / "one")
    assert key_in_data_dir("secret_key", folder=tmp_path / "two") != first
    assert key_in_data_dir("audit_key", folder=tmp_path / "one") != first


def test_a_key_readable_by_others_is_tightened_to_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("an-existing-key\n", encoding="ascii")
    path.chmod(0o644)
    assert key_in_data_dir("secret_key", folder=tmp_path) == "an-existing-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_key_file_is_refused_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("", encoding="ascii")
    with pytest.raises(KeyFileError, match=r"secret_key is empty"):
        key_in_data_dir("secret_key", folder=tmp_path)


@pytest.mark.parametrize("name", ["", "../secret", ".hidden"])
def test_a_key_name_must_be_a_plain_file_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        key_in_data_dir(name, folder=tmp_path)


def _ask(folder: str) -> str:
    return key_in_data_dir("secret_key", folder=Path(folder))


def test_processes_asking_at_once_all_get_the_same_key(tmp_path: Path) -> None:
    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = set(pool.map(_ask, [str(tmp_path)] * 16))
    assert len(keys) == 1


def _in_a_fresh_shell(data: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run our interpreter as a fresh shell would: no SECRET_KEY, no ICP_DEBUG, no test settings."""
    environment = {"PATH": os.environ["PATH"], "HOME": str(data.parent), "ICP_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_batch_commands_work_in_a_fresh_shell_without_secret_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for command in ("migrate", "check"):
        done = _in_a_fresh_shell(data, "-m", "icp", command)
        assert done.returncode == 0, done.stdout + done.stderr
    key_file = data / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text(encoding="ascii").strip() not in (done.stdout + done.stderr)


def test_a_production_server_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    done = _in_a_fresh_shell(tmp_path / "data", "-m", "icp", "serve")
    assert done.returncode == 2
    assert "SECRET_KEY is not set" in done.stdout


def test_the_wsgi_entry_point_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    done = _in_a_fresh_shell(tmp_path / "data", "-c", "import icp.site.wsgi")
    assert done.returncode != 0
    assert "A production server needs an explicit key" in done.stderr
    assert not (tmp_path / "data" / "secret_key").exists()
