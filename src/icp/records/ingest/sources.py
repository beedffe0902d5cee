"""Finding and reading ingest inputs: Bulk Data NDJSON files, FHIR Bundles and folders of them.

NDJSON is read in fixed-size chunks and split into lines with NumPy, so memory stays bounded
whatever the file size and every line keeps its number. A Bundle is one JSON document: it is read
whole (one at a time) and each entry's resource becomes one line of JSON, beside its fullUrl, for
the same mapping query as NDJSON (which resolves references to fullUrls).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import msgspec
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
    listed = list_inputs(paths)
    # Two files at a time: hashlib lets go of the GIL while it hashes, so both cores read and hash.
    with ThreadPoolExecutor(max_workers=2) as pool:
        digests = list(pool.map(file_sha256, [path for path, _kind in listed]))
    return [
        InputFile(path=path, format=kind, sha256=digest, size=path.stat().st_size)
        for (path, kind), digest in zip(listed, digests, strict=True)
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


@dataclass(frozen=True)
class BundleEntries:
    """A Bundle's resources, entry i as line i + 1: each resource's JSON as the Bundle gave it (a
    placeholder for an entry without one), and the entry's fullUrl when it is a string."""

    texts: list[bytes]
    full_urls: list[str | None]


# An entry without a resource: a line that stage 1 puts aside ("no resourceType").
NO_RESOURCE = b'{"resourceType": null, "_problem": "entry has no resource"}'


class _Entry(msgspec.Struct):
    fullUrl: Any = None
    resource: msgspec.Raw = msgspec.Raw()


class _Bundle(msgspec.Struct):
    resourceType: Any = None
    entry: list[_Entry] | None = None


_BUNDLE = msgspec.json.Decoder(_Bundle)


def _resource_text(raw: msgspec.Raw) -> bytes:
    text = bytes(raw)
    return text if text.lstrip()[:1] == b"{" else NO_RESOURCE


def read_bundle(path: Path) -> tuple[BundleEntries, BundleProblem | None]:
    """The Bundle's resources as JSON lines with their fullUrls; or the reason it cannot be read.

    The usual Bundle is split by a typed decoder that keeps each resource's bytes as they are (no
    parse into Python objects, no re-serialising); anything else (a single resource in a .json
    file, a Bulk Data manifest, malformed JSON) is read with `json` to say what it is. References to
    other entries' fullUrls are resolved in SQL (stage.py), where the mapping reads them.
    """
    try:
        with _open(path) as handle:
            data = handle.read()
    except OSError as error:
        return BundleEntries([], []), BundleProblem(None, f"unreadable: {error}")
    try:
        bundle = _BUNDLE.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        bundle = None
    if bundle is not None and bundle.resourceType == "Bundle":
        entries = bundle.entry or []
        return BundleEntries(
            [_resource_text(e.resource) for e in entries],
            [e.fullUrl if isinstance(e.fullUrl, str) else None for e in entries],
        ), None
    return _read_bundle_slowly(data)


def _read_bundle_slowly(data: bytes) -> tuple[BundleEntries, BundleProblem | None]:
    none = BundleEntries([], [])
    try:
        bundle = json.loads(data)
    except json.JSONDecodeError as error:
        return none, BundleProblem(error.lineno, f"malformed JSON: {error.msg} (column {error.colno})")
    except UnicodeDecodeError as error:
        return none, BundleProblem(None, f"unreadable: {error}")
    if isinstance(bundle, dict) and "transactionTime" in bundle and "output" in bundle:
        return none, None  # a Bulk Data export manifest: its NDJSON files are read on their own
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        if isinstance(bundle, dict) and isinstance(bundle.get("resourceType"), str):
            return BundleEntries([json.dumps(bundle).encode()], [None]), None  # a single resource
        return none, BundleProblem(1, "not a FHIR Bundle or resource (no resourceType)")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        return none, BundleProblem(None, "Bundle.entry is not a list")
    texts, full_urls = [], []
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
        texts.append(json.dumps(resource).encode() if isinstance(resource, dict) else NO_RESOURCE)
        full_urls.append(full_url if isinstance(full_url, str) else None)
    return BundleEntries(texts, full_urls), None
