"""Checks on uploaded meeting papers: allowed types by extension *and* content, and a size limit.

The browser's declared content type is not trusted: the file's first bytes must match what its
extension claims (PDF signature, an Office Open XML or OpenDocument zip, or plain UTF-8 text).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_PAPER_BYTES = 10 * 1024 * 1024

# extension → (content type served, kind of content check)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml"),
    ".odt": ("application/vnd.oasis.opendocument.text", "opendocument"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "opendocument"),
    ".txt": ("text/plain; charset=utf-8", "text"),
    ".csv": ("text/csv; charset=utf-8", "text"),
}


@dataclass(frozen=True)
class CheckedPaper:
    original_name: str
    extension: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def _looks_like(kind: str, content: bytes) -> bool:
    if kind == "pdf":
        return content.startswith(b"%PDF-")
    if kind in ("ooxml", "opendocument"):
        if not content.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names if kind == "ooxml" else "mimetype" in names
    if kind == "text":
        if b"\x00" in content:
            return False
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def check_paper(upload: UploadedFile[bytes], *, max_bytes: int = MAX_PAPER_BYTES) -> CheckedPaper:
    """Read and check an upload; raise ValidationError naming the file and what was expected."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        allowed = ", ".join(sorted(ALLOWED_TYPES))
        raise ValidationError(
            f"{name or 'The file'}: type {extension or '(none)'} is not accepted; use {allowed}."
        )
    size = upload.size or 0
    if size > max_bytes:
        raise ValidationError(
            f"{name}: {size / 1_048_576:.1f} MB is over the {max_bytes / 1_048_576:.0f} MB limit for a paper."
        )
    if size == 0:
        raise ValidationError(f"{name}: the file is empty.")
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(f"{name}: over the {max_bytes / 1_048_576:.0f} MB limit for a paper.")
    content_type, kind = ALLOWED_TYPES[extension]
    if not _looks_like(kind, content):
        raise ValidationError(f"{name}: the contents are not a valid {extension} file.")
    return CheckedPaper(
        original_name=name,
        extension=extension,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
