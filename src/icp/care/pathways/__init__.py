"""Care pathway definitions: YAML files under version control, checked against `schema.Pathway`.

`load_all()` reads every file in `definitions/` (cached); `get(pathway_id)` returns one. A file that
does not fit the schema stops the load with a `PathwayError` naming the file, the line and the
field, so a bad edit never reaches a running service unnoticed.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from icp.care.pathways.schema import Pathway

PATHWAY_IDS = ("frailty", "falls", "copd", "diabetes-foot", "stroke", "end-of-life", "smi")


class PathwayError(ValueError):
    """A pathway definition that cannot be used, with where and why."""


def _line_of(root: yaml.Node | None, location: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (or of its nearest parent)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for key in location:
        if isinstance(node, yaml.MappingNode):
            found = next((value for k, value in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node, line = found, found.start_mark.line + 1
    return line


def parse(text: str, source: str) -> Pathway:
    """Parse and check one definition; `source` names it in errors."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise PathwayError(f"{source}{where}: not valid YAML ({getattr(error, 'problem', error)})") from error
    if not isinstance(data, dict):
        raise PathwayError(
            f"{source}: a pathway definition is a mapping of fields, not {type(data).__name__}"
        )
    try:
        return Pathway.model_validate(data)
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            field = ".".join(str(part) for part in issue["loc"]) or "(top level)"
            line = _line_of(root, tuple(issue["loc"]))
            problems.append(f"{source} line {line}: {field}: {issue['msg']}")
        raise PathwayError("; ".join(problems)) from error


def load_file(path: Path) -> Pathway:
    pathway = parse(path.read_text(encoding="utf-8"), path.name)
    if f"{pathway.id}.yaml" != path.name:
        raise PathwayError(f"{path.name}: id {pathway.id!r} does not match the file name")
    return pathway


def definitions_folder() -> Path:
    return Path(str(resources.files("icp.care.pathways") / "definitions"))


@cache
def load_all() -> dict[str, Pathway]:
    """Every pathway definition, by id, in the order of PATHWAY_IDS then any others by name."""
    found = {p.id: p for p in (load_file(path) for path in sorted(definitions_folder().glob("*.yaml")))}
    missing = [pathway_id for pathway_id in PATHWAY_IDS if pathway_id not in found]
    if missing:
        raise PathwayError(f"pathway definitions missing: {', '.join(missing)}")
    ordered = {pathway_id: found[pathway_id] for pathway_id in PATHWAY_IDS}
    ordered.update({k: v for k, v in sorted(found.items()) if k not in ordered})
    return ordered


def get(pathway_id: str) -> Pathway:
    pathways = load_all()
    if pathway_id not in pathways:
        raise KeyError(f"No pathway {pathway_id!r}; choose one of {', '.join(pathways)}.")
    return pathways[pathway_id]


def eligible(facts: dict[str, Any]) -> dict[str, list[str]]:
    """The pathways whose entry criteria a person's facts meet, with the reasons."""
    matches = {}
    for pathway in load_all().values():
        reasons = pathway.entry_reasons(facts)
        if reasons is not None:
            matches[pathway.id] = reasons
    return matches
