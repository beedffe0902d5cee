"""Where uploaded meeting papers live: a private folder outside the public media root.

Papers are never served by the web server directly; `views.papers.download_paper` checks access
and streams the file. The folder is `ICP_PAPERS_DIR` when set, else `<ICP_DATA_DIR>/private/papers`.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from icp.config import data_dir


def papers_dir() -> Path:
    configured = os.environ.get("ICP_PAPERS_DIR")
    return Path(configured).resolve() if configured else data_dir() / "private" / "papers"


@deconstructible
class PrivatePaperStorage(FileSystemStorage):
    """File storage with no public URL: the location is resolved when first used, not at import."""

    def __init__(self) -> None:
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self) -> str:
        return str(papers_dir())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Meeting papers have no public URL; link to the paper download view instead.")


paper_storage = PrivatePaperStorage()
