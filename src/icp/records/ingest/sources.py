"""Finding and reading ingest inputs: Bulk Data NDJSON files, FHIR Bundles and folders of them.

NDJSON is read in fixed-size chunks and split into lines with NumPy, so memory stays bounded
whatever the file size and every line keeps its number. A Bundle is one JSON document: it is read
whole (one at a time), its `urn:uuid:` and other fullUrl references are rewritten to `Type/id`,
and each entry becomes one line of JSON for the same mapping query as NDJSON.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import pyarrow as pa

InputFormat = Literal["ndjson", "bundle"]
CHUNK_BYTES = 32 << 20
NDJSON_SUFFIXES = (".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
BUNDLE_SUFFIXES = (".json", ".json.gz")


class InputError(ValueError):
    """An input path cannot be used at all (missing, unreadable, not a FHIR format)."""


@dataclass(frozen=True)
class InputFile:
    path: Path
    format: InputFormat
    sha256: str
    size: int


def input_format(path: Path) -> InputFormat | None:
    name = path.name.lower()
    if name.endswith(NDJSON_SUFFIXES):
        return "ndjson"
    if name.endswith(BUNDLE_SUFFIXES):
        return "bundle"
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def find_inputs(paths: Sequence[Path | str]) -> list[InputFile]:
    """Every input file under `paths` (folders are walked), in a stable order, with its sha256.

    Raises InputError for a path that does not exist or a named file of an unknown kind; files of
    other kinds inside folders (README, SOURCE.md …) are passed over.
    """
    return [
        InputFile(path=path, format=kind, sha256=file_sha256(path), size=path.stat().st_size)
        for path, kind in list_inputs(paths)
    ]


def list_inputs(paths: Sequence[Path | str]) -> list[tuple[Path, InputFormat]]:
    """find_inputs without reading the files: checks the paths (InputError) and lists the inputs."""
    found: dict[Path, InputFormat] = {}
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                kind = input_format(child)
                if kind is not None:
                    found[child.resolve()] = kind
        else:
            kind = input_format(path)
            if kind is None:
                raise InputError(
                    f"{path}: not a FHIR input; expected .ndjson, .ndjson.gz (Bulk Data) or .json (Bundle)"
                )
            found[path.resolve()] = kind
    return sorted(found.items())


def _open(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def ndjson_lines(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[int, pa.StringArray]]:
    """The file's lines in chunks: (number of the chunk's first line, 1-based; the lines).

    Lines keep their trailing newline (JSON whitespace); no copy is made of the chunk's bytes.
    """
    first_line = 1
    rest = b""
    with _open(path) as handle:
        while True:
            block = handle.read(chunk_bytes)
            if not block:
                break
            if first_line == 1 and not rest and block.startswith(b"\xef\xbb\xbf"):
                block = block[3:]  # a UTF-8 byte-order mark (Windows tools write one) is not JSON
            buffer = rest + block if rest else block
            newlines = np.flatnonzero(np.frombuffer(buffer, dtype=np.uint8) == 10)
            if len(newlines) == 0:
                rest = buffer
                continue
            rest = buffer[int(newlines[-1]) + 1 :]
            yield first_line, _lines_array(buffer, newlines)
            first_line += len(newlines)
    if rest.strip():
        newlines = np.array([len(rest)], dtype=np.int64)
        yield first_line, _lines_array(rest + b"\n", newlines)


def _lines_array(buffer: bytes, newlines: np.ndarray[Any, Any]) -> pa.StringArray:
    if len(buffer) >= 2**31:
        raise InputError("chunk too large")  # cannot happen with CHUNK_BYTES-sized reads
    offsets = np.empty(len(newlines) + 1, dtype=np.int32)
    offsets[0] = 0
    offsets[1:] = newlines + 1
    array = pa.StringArray.from_buffers(len(newlines), pa.py_buffer(offsets), pa.py_buffer(buffer))
    return array


@dataclass(frozen=True)
class BundleProblem:
    """A Bundle file that cannot be read at all (it goes to quarantine as one record)."""

    line: int | None
    reason: str


def bundle_entries(path: Path) -> tuple[list[str], BundleProblem | None]:
    """The Bundle's resources as JSON lines, references resolved; or the reason it cannot be read.

    Entry i of the Bundle is line i + 1 of the result (quarantine reports it as `entry`).
    """
    try:
        with _open(path) as handle:
            bundle = json.load(handle)
    except json.JSONDecodeError as error:
        return [], BundleProblem(error.lineno, f"malformed JSON: {error.msg} (column {error.colno})")
    except (UnicodeDecodeError, OSError) as error:
        return [], BundleProblem(None, f"unreadable: {error}")
    if isinstance(bundle, dict) and "transactionTime" in bundle and "output" in bundle:
        return [], None  # a Bulk Data export manifest: its NDJSON files are read on their own
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        if isinstance(bundle, dict) and isinstance(bundle.get("resourceType"), str):
            return [json.dumps(bundle)], None  # a single resource in a .json file
        return [], BundleProblem(1, "not a FHIR Bundle or resource (no resourceType)")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        return [], BundleProblem(None, "Bundle.entry is not a list")
    full_urls: dict[str, str] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        if not resource.get("id") and isinstance(entry.get("fullUrl"), str):
            # Transaction bundles may give the id only in the fullUrl (urn:uuid:<id>).
            resource["id"] = entry["fullUrl"].rsplit(":", 1)[-1].rsplit("/", 1)[-1]
        full_url = entry.get("fullUrl")
        if isinstance(full_url, str) and resource.get("resourceType") and resource.get("id"):
            full_urls[full_url] = f"{resource['resourceType']}/{resource['id']}"
    lines = []
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            lines.append(json.dumps({"resourceType": None, "_problem": "entry has no resource"}))
            continue
        lines.append(json.dumps(resolve_references(resource, full_urls)))
    return lines, None


def resolve_references(value: Any, full_urls: dict[str, str]) -> Any:
    """`value` with every Reference.reference that names a Bundle entry's fullUrl made `Type/id`."""
    if isinstance(value, dict):
        resolved = {key: resolve_references(inner, full_urls) for key, inner in value.items()}
        reference = resolved.get("reference")
        if isinstance(reference, str) and reference in full_urls:
            resolved["reference"] = full_urls[reference]
        return resolved
    if isinstance(value, list):
        return [resolve_references(inner, full_urls) for inner in value]
    return value
