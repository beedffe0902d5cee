"""The commands' shared fixtures: an empty data folder of their own, and a console wide enough not to wrap."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "150")
    return tmp_path / "data"
