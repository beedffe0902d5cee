"""Agreement templates: the starting points that make a new data sharing agreement a minutes' job.

The templates are data (`data/agreement_templates.json`, versioned with the code); a test checks
that every purpose, category, legal basis and party type in them is a known one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from icp.partnership.models import Area, Organisation
from icp.partnership.roles import OrganisationType
from icp.sharing.vocabulary import DataCategory, LegalBasis, Purpose

TEMPLATES_FILE = Path(__file__).parent / "data" / "agreement_templates.json"


@dataclass(frozen=True)
class AgreementTemplate:
    code: str
    title: str
    description: str
    purposes: tuple[str, ...]
    categories: tuple[str, ...]
    legal_basis: str
    party_types: tuple[str, ...]
    months: int

    def title_for(self, icp: Area) -> str:
        return self.title.replace("{icp}", icp.name)

    def default_parties(self, icp: Area) -> list[Organisation]:
        """The ICP's organisations of the template's types (its practices, and partners serving it)."""
        practices = (
            list(icp.practices.order_by("code")) if OrganisationType.GP_PRACTICE in self.party_types else []
        )
        others = list(
            icp.organisations.filter(type__in=self.party_types)
            .exclude(type=OrganisationType.GP_PRACTICE)
            .order_by("type", "code")
        )
        return practices + others


def _check(raw: dict[str, object], where: str) -> AgreementTemplate:
    def strings(name: str, allowed: list[str]) -> tuple[str, ...]:
        values = raw.get(name)
        if not isinstance(values, list) or not values:
            raise ValueError(f"{where}: {name} must be a non-empty list")
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"{where}: {name} has unknown value(s) {unknown}; expected one of {allowed}")
        return tuple(str(v) for v in values)

    legal_basis = str(raw.get("legal_basis", ""))
    if legal_basis not in LegalBasis.values:
        raise ValueError(f"{where}: legal_basis {legal_basis!r} is not one of {LegalBasis.values}")
    months = raw.get("months")
    if not isinstance(months, int) or months <= 0:
        raise ValueError(f"{where}: months must be a positive whole number")
    return AgreementTemplate(
        code=str(raw["code"]),
        title=str(raw["title"]),
        description=str(raw.get("description", "")),
        purposes=strings("purposes", list(Purpose.values)),
        categories=strings("categories", list(DataCategory.values)),
        legal_basis=legal_basis,
        party_types=strings("party_types", list(OrganisationType.values)),
        months=months,
    )


@cache
def agreement_templates() -> dict[str, AgreementTemplate]:
    data = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    templates = {}
    for index, raw in enumerate(data["templates"]):
        template = _check(raw, f"{TEMPLATES_FILE.name} template {index + 1} ({raw.get('code', '?')})")
        templates[template.code] = template
    return templates
