"""Where icp keeps its files: the one place that reads ICP_DATA_DIR (shared by Django and the pure core)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The folder for the warehouse and the embedded database (`ICP_DATA_DIR`, default `./data`)."""
    return Path(os.environ.get("ICP_DATA_DIR", "data")).resolve()


def models_dir() -> Path:
    """The folder of saved admission-model versions (`<data folder>/models`)."""
    return data_dir() / "models"
