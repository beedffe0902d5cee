"""The code lists and weights that define every score, as CSV files with their source and version.

`codelists.csv` is the manifest: one row per file with its name, version, source, licence note and
SHA-256. A file that no longer matches its manifest hash is refused (`verify()`), so a change to a
code list is always a visible change of version. docs/risk-stratification.md explains each list.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pyarrow as pa

PACKAGE = "icp.stratify.codelists"


class CodeListError(ValueError):
    """A code list file is missing, malformed or does not match its manifest."""


@dataclass(frozen=True)
class CodeListFile:
    file: str
    name: str
    version: str
    source: str
    licence_note: str
    sha256: str


@dataclass(frozen=True)
class Band:
    """One category of a score: lower < score <= upper, with the inclusivity the paper gives."""

    category: str
    lower: float | None
    lower_inclusive: bool
    upper: float | None
    upper_inclusive: bool
    source: str

    def contains(self, value: float) -> bool:
        if self.lower is not None and (
            value < self.lower or (value == self.lower and not self.lower_inclusive)
        ):
            return False
        return not (
            self.upper is not None
            and (value > self.upper or (value == self.upper and not self.upper_inclusive))
        )


@dataclass(frozen=True)
class EfiDeficit:
    key: str
    label: str
    rule: str


@dataclass(frozen=True)
class CharlsonCategory:
    key: str
    label: str
    charlson_1987: int
    quan_2011: int


def _bytes(name: str) -> bytes:
    resource = files(PACKAGE).joinpath(name)
    if not resource.is_file():
        raise CodeListError(f"code list {name} is missing from {PACKAGE}")
    return resource.read_bytes()


def _rows(name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Read a CSV, checking its header and that every required field is filled in."""
    reader = csv.DictReader(io.StringIO(_bytes(name).decode("utf-8")))
    header = reader.fieldnames or []
    missing = [column for column in required if column not in header]
    if missing:
        raise CodeListError(f"{name}: header lacks column(s) {', '.join(missing)}; found {', '.join(header)}")
    rows = []
    for row in reader:
        for column in required:
            if not (row.get(column) or "").strip():
                raise CodeListError(f"{name} line {reader.line_num}: field {column!r} is empty")
        rows.append({k: (row.get(k) or "").strip() for k in (*required, *optional)})
    return rows


def _number(name: str, line: int, field: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise CodeListError(f"{name} line {line}: field {field!r} is {value!r}, expected a number") from None


@cache
def manifest() -> dict[str, CodeListFile]:
    rows = _rows("codelists.csv", ("file", "name", "version", "source", "licence_note", "sha256"))
    return {row["file"]: CodeListFile(**row) for row in rows}


def verify() -> list[str]:
    """Problems with the shipped files: each listed file must exist and match its SHA-256."""
    problems = []
    for entry in manifest().values():
        try:
            digest = hashlib.sha256(_bytes(entry.file)).hexdigest()
        except CodeListError as error:
            problems.append(str(error))
            continue
        if digest != entry.sha256:
            problems.append(
                f"{entry.file}: content changed (sha256 {digest[:12]}…, manifest {entry.sha256[:12]}…); "
                "bump its version and hash in codelists.csv"
            )
    return problems


def versions() -> dict[str, str]:
    """File → version, recorded with every run."""
    return {entry.file: entry.version for entry in manifest().values()}


@cache
def efi_deficits() -> tuple[EfiDeficit, ...]:
    rows = _rows("efi_deficits.csv", ("deficit", "label", "rule"))
    return tuple(EfiDeficit(key=r["deficit"], label=r["label"], rule=r["rule"]) for r in rows)


@cache
def efi_codes() -> pa.Table:
    rows = _rows("efi_codes.csv", ("deficit", "code_system", "code"), ("term",))
    known = {d.key for d in efi_deficits()}
    for number, row in enumerate(rows, start=2):
        if row["deficit"] not in known:
            raise CodeListError(f"efi_codes.csv line {number}: unknown deficit {row['deficit']!r}")
    return pa.Table.from_pylist(
        [{"list": "efi", "key": r["deficit"], "role": "include", **_code(r)} for r in rows], schema=_CODES
    )


_CODES = pa.schema(
    [
        pa.field("list", pa.string()),
        pa.field("key", pa.string()),
        pa.field("role", pa.string()),
        pa.field("code_system", pa.string()),
        pa.field("code", pa.string()),
    ]
)


def _code(row: dict[str, str]) -> dict[str, str]:
    return {"code_system": row["code_system"], "code": row["code"]}


@cache
def register_codes() -> pa.Table:
    rows = _rows("registers.csv", ("register", "role", "refset", "code"), ("term",))
    return pa.Table.from_pylist(
        [
            {
                "list": "register",
                "key": r["register"],
                "role": r["role"],
                "code_system": "snomed",
                "code": r["code"],
            }
            for r in rows
        ],
        schema=_CODES,
    )


def registers() -> tuple[str, ...]:
    """Register names in the order they are shown."""
    names = register_codes().column("key").to_pylist()
    return tuple(dict.fromkeys(names))


@cache
def flag_codes() -> pa.Table:
    rows = _rows("flags.csv", ("flag", "role", "code_system", "code"), ("term",))
    return pa.Table.from_pylist(
        [{"list": "flag", "key": r["flag"], "role": r["role"], **_code(r)} for r in rows], schema=_CODES
    )


@cache
def observation_codes() -> pa.Table:
    rows = _rows("observations.csv", ("measure", "code_system", "code"), ("unit",))
    return pa.Table.from_pylist(
        [{"list": "observation", "key": r["measure"], "role": "value", **_code(r)} for r in rows],
        schema=_CODES,
    )


@cache
def all_codes() -> pa.Table:
    """Every coded list in one table (list, key, role, code_system, code), joined once to the events."""
    return pa.concat_tables([efi_codes(), register_codes(), flag_codes()]).combine_chunks()


@cache
def hfrs_weights_tenths() -> dict[str, int]:
    """ICD-10 3-character code → HFRS weight in tenths of a point.

    Integers, so that sums are exact and identical on every engine (7.1 + 0.1 in floating point
    is not 7.2, and a boundary like 5.0 must not become 4.999…).
    """
    rows = _rows("hfrs_icd10.csv", ("code", "weight"), ("description",))
    weights = {}
    for number, row in enumerate(rows, start=2):
        value = _number("hfrs_icd10.csv", number, "weight", row["weight"])
        if len(row["code"]) != 3:
            raise CodeListError(f"hfrs_icd10.csv line {number}: code {row['code']!r} is not 3 characters")
        weights[row["code"]] = round(value * 10)
    return weights


@cache
def hfrs_descriptions() -> dict[str, str]:
    return {
        r["code"]: r["description"] for r in _rows("hfrs_icd10.csv", ("code", "weight"), ("description",))
    }


@cache
def charlson_prefixes() -> tuple[tuple[str, str], ...]:
    """(category, ICD-10 prefix without dot): a code belongs to a category if it starts with the prefix."""
    rows = _rows("charlson_quan2005_icd10.csv", ("category", "prefix"))
    known = {c.key for c in charlson_categories()}
    for number, row in enumerate(rows, start=2):
        if row["category"] not in known:
            raise CodeListError(
                f"charlson_quan2005_icd10.csv line {number}: unknown category {row['category']!r}"
            )
    return tuple((r["category"], r["prefix"]) for r in rows)


@cache
def charlson_categories() -> tuple[CharlsonCategory, ...]:
    rows = _rows("charlson_weights.csv", ("category", "label", "charlson_1987", "quan_2011"))
    out = []
    for number, row in enumerate(rows, start=2):
        if row["category"] == "age_points":
            continue
        out.append(
            CharlsonCategory(
                key=row["category"],
                label=row["label"],
                charlson_1987=int(
                    _number("charlson_weights.csv", number, "charlson_1987", row["charlson_1987"])
                ),
                quan_2011=int(_number("charlson_weights.csv", number, "quan_2011", row["quan_2011"])),
            )
        )
    return tuple(out)


# The Charlson hierarchy (Quan 2005 / Charlson 1987 "assign zero"): when the severe form is present
# the milder form scores nothing.
CHARLSON_HIERARCHY: dict[str, str] = {"diab": "diabwc", "mld": "msld", "canc": "metacanc"}


@cache
def bands(score: str) -> tuple[Band, ...]:
    rows = _rows(
        "categories.csv",
        ("score", "category", "source"),
        ("lower", "lower_inclusive", "upper", "upper_inclusive"),
    )
    out = []
    for number, row in enumerate(rows, start=2):
        if row["score"] != score:
            continue
        lower = _number("categories.csv", number, "lower", row["lower"]) if row["lower"] else None
        upper = _number("categories.csv", number, "upper", row["upper"]) if row["upper"] else None
        out.append(
            Band(
                category=row["category"],
                lower=lower,
                lower_inclusive=row["lower_inclusive"] == "true",
                upper=upper,
                upper_inclusive=row["upper_inclusive"] == "true",
                source=row["source"],
            )
        )
    if not out:
        raise CodeListError(f"categories.csv has no bands for score {score!r}")
    return tuple(out)


def categorise(score: str, value: float) -> str:
    """The category of `value` on `score` (efi or hfrs), by the published cut-points."""
    for band in bands(score):
        if band.contains(value):
            return band.category
    raise ValueError(f"{score} value {value} falls in no category")


@cache
def code_terms() -> dict[tuple[str, str], str]:
    """(code system, code) → the term the shipped code lists give it, as the list wrote it.

    The eFI, register, flag and observation lists carry a term beside every code (SNOMED CT,
    Read v2, CTV3, LOINC); the first list to name a code wins. `icp.stratify.terms` turns these
    into the words a page shows.
    """
    found: dict[tuple[str, str], str] = {}
    sources = (
        ("efi_codes.csv", ("deficit", "code_system", "code"), None),
        ("registers.csv", ("register", "role", "refset", "code"), "snomed"),
        ("flags.csv", ("flag", "role", "code_system", "code"), None),
        ("observations.csv", ("measure", "code_system", "code"), None),
    )
    for name, required, system in sources:
        for row in _rows(name, required, ("term",)):
            if row["term"]:
                found.setdefault((system or row["code_system"], row["code"]), row["term"])
    return found


@cache
def observation_measures() -> dict[tuple[str, str], tuple[str, str]]:
    """(code system, code) → (measure, unit as the list writes it) for the observations scored."""
    rows = _rows("observations.csv", ("measure", "code_system", "code"), ("unit",))
    return {(r["code_system"], r["code"]): (r["measure"], r["unit"]) for r in rows}
