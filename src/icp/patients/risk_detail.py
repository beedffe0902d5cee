"""What a page shows of a person's risk but no list filters or sorts on, kept as one value per row.

`RiskResult` has a column for each thing a worklist, the population page or an emergency list
filters, sorts or counts by (practice, rank, tier, age, categories, registers). The rest (the
scores' figures, the lists of deficits, codes and categories, the flags, the risk factors) is read
only when a page shows one person or a page of people, so it is kept in one column, `detail`: a JSON
array in the order of `RiskDetail`'s fields. A sync writes two million rows; a row of 17 columns
instead of 39 halves the app database's work per row (docs/adr/0204-a-narrow-risk-row.md).

The order of the fields is the stored format: `risk_sync` writes the array from `FIELDS` with
Arrow, `RiskDetailField` reads it back. A change to the fields needs a migration that rewrites the
column (or a sync of every ICP, which replaces every row).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


@dataclass(frozen=True)
class RiskDetail:
    """A person's scores in full, as the run computed them (docs/risk-stratification.md)."""

    efi_score: float = 0.0
    efi_deficits: int = 0
    efi_in_range: bool = True
    efi_deficit_list: list[str] = field(default_factory=list)
    hfrs_score: float = 0.0
    hfrs_in_range: bool = True
    hfrs_codes: list[str] = field(default_factory=list)
    charlson_score: int = 0
    charlson_quan2011: int = 0
    charlson_age_points: int = 0
    charlson_categories: list[str] = field(default_factory=list)
    registers: list[str] = field(default_factory=list)
    medicines_12m: int = 0
    polypharmacy_review: bool = False
    housebound: bool = False
    carer: bool = False
    cared_for: bool = False
    lives_alone: bool | None = None  # None: not recorded
    falls_12m: bool = False
    emergency_admissions_12m: int = 0
    ae_attendances_12m: int = 0
    risk_factors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def to_json(self) -> str:
        return json.dumps([getattr(self, f.name) for f in dataclasses.fields(self)], separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> RiskDetail:
        values = json.loads(text)
        if not isinstance(values, list) or len(values) != len(FIELDS):
            raise ValueError(f"a risk detail is a JSON array of {len(FIELDS)} values, in RiskDetail's order")
        return cls(**{name: _typed(name, value) for name, value in zip(FIELDS, values, strict=True)})


# The stored order (the JSON array's), and each field's Python type as declared.
FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(RiskDetail))
_TYPES: dict[str, str] = {f.name: str(f.type) for f in dataclasses.fields(RiskDetail)}


def _typed(name: str, value: Any) -> Any:
    """The value as its field's type: SQLite's JSON writes booleans as 0 and 1 (a migrated row)."""
    kind = _TYPES[name]
    if value is None:
        return None
    if kind.startswith("bool"):
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return [str(item) for item in value]


class RiskDetailField(models.TextField):  # type: ignore[type-arg]
    """A `RiskDetail` stored as its JSON array (text on both databases: no JSON check per row)."""

    description = "A person's risk detail (a JSON array)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> RiskDetail | None:
        return None if value is None else RiskDetail.from_json(value)

    def to_python(self, value: Any) -> RiskDetail | None:
        if value is None or isinstance(value, RiskDetail):
            return value
        try:
            return RiskDetail.from_json(value)
        except (TypeError, ValueError) as error:
            raise ValidationError(f"Not a risk detail: {error}") from error

    def value_to_string(self, obj: Any) -> str:
        """The stored text (what `dumpdata` writes and `loaddata` reads back)."""
        value = self.value_from_object(obj)
        return "" if value is None else self.get_prep_value(value) or ""

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, dict):
            value = RiskDetail(**value)
        if not isinstance(value, RiskDetail):
            raise TypeError(f"expected a RiskDetail, got {type(value).__name__}")
        return value.to_json()
