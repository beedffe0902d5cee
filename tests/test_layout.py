"""The layout's rules that import-linter cannot see (its contracts, in pyproject.toml, cover imports)."""

from __future__ import annotations

import re
from pathlib import Path

import icp

SOURCE = Path(icp.__file__).resolve().parent
APPS = (
    "partnership",
    "audit",
    "patients",
    "sharing",
    "care",
    "governance",
    "evaluation",
    "fhir",
    "jobs",
    "site",
)
PURE = ("records", "stratify", "measure")


def test_no_module_named_demo_lives_outside_the_demo_package() -> None:
    modules = [path.relative_to(SOURCE) for path in SOURCE.rglob("*.py")]
    outside = [
        module
        for module in modules
        if module.parts[0] != "demo"
        and module != Path("cli/demo.py")
        and any(part.startswith("demo") for part in module.parts)
    ]
    assert outside == []


def test_no_pure_module_reads_an_apps_files_by_path() -> None:
    # Path(icp.__file__) / "partnership", … / "care" / …, files("icp.sharing"), joinpath("governance", …)
    apps = "|".join(APPS)
    by_path = re.compile(
        rf"""icp\.__file__|/\s*["']({apps})["']|files\(\s*["']icp\.({apps})|joinpath\(\s*["']({apps})["']"""
    )
    found = [
        f"{path.relative_to(SOURCE)}: {match.group(0)}"
        for package in PURE
        for path in (SOURCE / package).rglob("*.py")
        for match in by_path.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_every_decision_record_has_a_number_of_its_own() -> None:
    # Two ADRs sharing a number make "see ADR 0130" ambiguous (it happened once: now 0130 and 0170).
    adr = SOURCE.parents[1] / "docs" / "adr"
    numbers: dict[str, list[str]] = {}
    for path in sorted(adr.glob("*.md")):
        number = path.name.split("-", 1)[0]
        numbers.setdefault(number, []).append(path.name)
        assert re.fullmatch(r"\d{4}", number), f"{path.name}: expected NNNN-title.md"
        assert path.read_text(encoding="utf-8").startswith(f"# {number} "), f"{path.name}: heading's number"
    assert {number: names for number, names in numbers.items() if len(names) > 1} == {}
