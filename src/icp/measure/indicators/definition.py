"""Indicator definitions: one YAML file each under `definitions/`, read into plain dataclasses.

A definition says what is counted (numerator), over what (denominator), for whom (age and sex
scope), over which period, which way is better, how its interval is worked out and whether it is
indirectly standardised, with every code list's source, version and address (docs/evaluation.md).
A file that does not fit is refused with its name and the field at fault.

A diagnosis-based numerator may carry `rules`, as the published specifications do: a rule names
some of the primary codes and what such a spell also needs — `only_with_any` (another diagnosis
in a list), `unless_any` (no diagnosis in a list) or `unless_procedure` (no procedure of the spell
in a list). The chronic ACSC indicator's J20-only-with-COPD and heart failure-unless-cardiac-surgery
conditions are written this way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFINITIONS = Path(__file__).resolve().parent / "definitions"

MEASURES = ("population_rate", "readmission", "deaths", "amputation", "snapshot", "referral_days")
PERIODS = ("month", "pooled_3y")
IMPROVEMENTS = ("up", "down", "neutral")
INTERVALS = ("byar", "wilson", "t")
STANDARDISATIONS = ("indirect_age_sex", "none")
SYSTEMS = ("icd10", "opcs4")


class DefinitionError(ValueError):
    """A definition file that does not fit the schema (the message names file and field)."""


@dataclass(frozen=True)
class CodeList:
    name: str
    system: str
    codes: tuple[str, ...]  # prefixes, upper case, no dots
    source: str
    version: str
    url: str
    approximation: str = ""


RULE_CONDITIONS = ("only_with_any", "unless_any", "unless_procedure")


@dataclass(frozen=True)
class Rule:
    """Spells whose primary code starts with one of `primary` count only if `condition` (one of
    RULE_CONDITIONS) holds for the code list `list_name`."""

    primary: tuple[str, ...]
    condition: str
    list_name: str


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    description: str
    measure: str
    numerator: dict[str, Any]
    denominator: dict[str, Any]
    age_min: int | None
    age_max: int | None
    sex: str
    multiplier: float
    unit: str
    period: str
    improvement: str
    interval: str
    standardisation: str
    code_lists: dict[str, CodeList] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)
    path: str = ""
    rules: tuple[Rule, ...] = ()

    def codes(self, name: str) -> tuple[str, ...]:
        return self.code_lists[name].codes


def _expand(start: str, end: str) -> list[str]:
    """3-character ICD-10 codes from `start` to `end` inclusive (S00..T98 → S00, S01, … T98)."""
    if len(start) != 3 or len(end) != 3 or start > end:
        raise ValueError(f"range {start}-{end} is not two 3-character codes in order")
    letters = [chr(c) for c in range(ord(start[0]), ord(end[0]) + 1)]
    return [
        f"{letter}{n:02d}" for letter in letters for n in range(100) if start <= f"{letter}{n:02d}" <= end
    ]


def _need(data: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
    if key not in data:
        raise DefinitionError(f"{where}: missing field {key!r}")
    value = data[key]
    if not isinstance(value, kind):
        raise DefinitionError(f"{where}: field {key!r} should be {getattr(kind, '__name__', kind)}")
    return value


def _choice(data: dict[str, Any], key: str, where: str, choices: tuple[str, ...]) -> str:
    value = _need(data, key, where)
    if value not in choices:
        raise DefinitionError(f"{where}: field {key!r} is {value!r}; expected one of {', '.join(choices)}")
    return str(value)


def _code_list(name: str, data: Any, where: str) -> CodeList:
    where = f"{where}: code_lists.{name}"
    if not isinstance(data, dict):
        raise DefinitionError(f"{where} should be a mapping")
    codes: list[str] = [str(code).upper().replace(".", "") for code in (data.get("codes") or {})]
    ranges = list(data.get("ranges") or [])
    if "range" in data:
        ranges.append(data["range"])
    for item in ranges:
        try:
            codes += _expand(str(item["from"]).upper(), str(item["to"]).upper())
        except (KeyError, TypeError, ValueError) as error:
            raise DefinitionError(f"{where}: bad range {item!r} ({error})") from error
    if not codes:
        raise DefinitionError(f"{where}: no codes")
    return CodeList(
        name=name,
        system=_choice(data, "system", where, SYSTEMS),
        codes=tuple(dict.fromkeys(codes)),
        source=" ".join(str(_need(data, "source", where)).split()),
        version=str(_need(data, "version", where)),
        url=str(_need(data, "url", where)),
        approximation=" ".join(str(data.get("approximation", "")).split()),
    )


def _rules(numerator: dict[str, Any], lists: dict[str, CodeList], where: str) -> tuple[Rule, ...]:
    raw = numerator.get("rules") or []
    if not isinstance(raw, list):
        raise DefinitionError(f"{where}: numerator.rules should be a list")
    primary_list = (numerator.get("diagnosis") or {}).get("list")
    rules = []
    for number, item in enumerate(raw, start=1):
        at = f"{where}: numerator.rules[{number}]"
        if not isinstance(item, dict) or not isinstance(item.get("primary"), list) or not item["primary"]:
            raise DefinitionError(f"{at} should name its primary codes as a list")
        conditions = [key for key in RULE_CONDITIONS if key in item]
        if len(conditions) != 1 or set(item) != {"primary", conditions[0]}:
            raise DefinitionError(f"{at} needs primary and one of {', '.join(RULE_CONDITIONS)}")
        list_name = str(item[conditions[0]])
        if list_name not in lists:
            raise DefinitionError(f"{at}: {conditions[0]} names {list_name!r}, not one of its code lists")
        codes = tuple(str(code).upper().replace(".", "") for code in item["primary"])
        known = lists[primary_list].codes if primary_list in lists else ()
        stray = [code for code in codes if not code.startswith(known)]
        if stray:
            raise DefinitionError(f"{at}: primary {', '.join(stray)} not in code list {primary_list!r}")
        system = lists[list_name].system
        wanted = "opcs4" if conditions[0] == "unless_procedure" else "icd10"
        if system != wanted:
            raise DefinitionError(f"{at}: {conditions[0]} needs an {wanted} list; {list_name!r} is {system}")
        rules.append(Rule(primary=codes, condition=conditions[0], list_name=list_name))
    return tuple(rules)


def parse(data: Any, where: str) -> Indicator:
    """One definition from its YAML mapping; `where` names the file in errors."""
    if not isinstance(data, dict):
        raise DefinitionError(f"{where}: a definition is a mapping of fields")
    scope = _need(data, "scope", where, dict)
    sex = scope.get("sex", "any")
    if sex not in ("any", "female", "male"):
        raise DefinitionError(f"{where}: scope.sex is {sex!r}; expected any, female or male")
    lists = _need(data, "code_lists", where, dict) if "code_lists" in data else {}
    source = data.get("source") or {}
    if not lists and not source:
        raise DefinitionError(f"{where}: needs a source or code lists with theirs")
    numerator = _need(data, "numerator", where, dict)
    code_lists = {name: _code_list(name, value, where) for name, value in lists.items()}
    return Indicator(
        id=_need(data, "id", where),
        title=_need(data, "title", where),
        description=" ".join(str(_need(data, "description", where)).split()),
        measure=_choice(data, "measure", where, MEASURES),
        numerator=numerator,
        denominator=_need(data, "denominator", where, dict),
        age_min=scope.get("age_min"),
        age_max=scope.get("age_max"),
        sex=sex,
        multiplier=float(_need(data, "multiplier", where, (int, float))),
        unit=_need(data, "unit", where),
        period=_choice(data, "period", where, PERIODS),
        improvement=_choice(data, "improvement", where, IMPROVEMENTS),
        interval=_choice(data, "interval", where, INTERVALS),
        standardisation=_choice(data, "standardisation", where, STANDARDISATIONS),
        code_lists=code_lists,
        source={str(k): " ".join(str(v).split()) for k, v in source.items()},
        path=where,
        rules=_rules(numerator, code_lists, where),
    )


def load(path: Path) -> Indicator:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path.name}: not valid YAML ({error})") from error
    indicator = parse(data, path.name)
    if indicator.id != path.stem:
        raise DefinitionError(f"{path.name}: id {indicator.id!r} should match the file name")
    return indicator


@cache
def indicators() -> tuple[Indicator, ...]:
    """Every definition under `definitions/`, in file-name order."""
    return tuple(load(path) for path in sorted(DEFINITIONS.glob("*.yaml")))


def indicator(indicator_id: str) -> Indicator:
    for candidate in indicators():
        if candidate.id == indicator_id:
            return candidate
    known = ", ".join(i.id for i in indicators())
    raise KeyError(f"no indicator {indicator_id!r}; known: {known}")
