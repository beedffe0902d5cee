"""A practice's case-finding worklist: who is on it, filtered and sorted by risk.

Filters: priority group (the ICP priority groups of `icp.partnership.priorities`, each found by
the rule in `CASE_FINDING`), condition register, tier, score band (eFI or HFRS category) and
age band, and "not yet reviewed" (no review recorded by the practice). Default and choice: the top
three tiers (very high, high, moderate), the ones the app database lists (ADR 0212), highest risk
first; the low tier is the population page's count, and each person's risk is on their record.
Each row carries its rank within the practice (1 = the practice's highest risk), beside the
ICP-wide rank of the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from icp.care.models import WorklistReview
from icp.partnership.models import Organisation
from icp.partnership.priorities import PriorityGroup
from icp.patients.models import LISTED_TIERS, RiskResult, RiskTier
from icp.stratify import terms

# How a practice's worklist finds the people of each ICP priority group (the vocabulary is
# partnership's, shared with business cases and plans). "Other" has no case-finding rule.
CASE_FINDING: dict[PriorityGroup, tuple[str, Q]] = {
    PriorityGroup.FRAIL_ELDERLY: (
        "65 and over with moderate or severe eFI",
        Q(age__gte=65, efi_category__in=["moderate", "severe"]),
    ),
    PriorityGroup.RESPIRATORY: ("on the COPD register", Q(registers_text__contains=",copd,")),
    PriorityGroup.DIABETES: ("on the diabetes register", Q(registers_text__contains=",diabetes,")),
    PriorityGroup.STROKE: ("on the stroke or TIA register", Q(registers_text__contains=",stroke_tia,")),
    PriorityGroup.PALLIATIVE: (
        "on the palliative care register",
        Q(registers_text__contains=",palliative_care,"),
    ),
    PriorityGroup.MENTAL_HEALTH: (
        "on the SMI or depression register",
        Q(registers_text__contains=",smi,") | Q(registers_text__contains=",depression,"),
    ),
}
AGE_BANDS: dict[str, tuple[str, int, int | None]] = {
    "0-17": ("0 to 17", 0, 17),
    "18-44": ("18 to 44", 18, 44),
    "45-64": ("45 to 64", 45, 64),
    "65-74": ("65 to 74", 65, 74),
    "75-84": ("75 to 84", 75, 84),
    "85+": ("85 and over", 85, None),
}
SCORE_BANDS: dict[str, tuple[str, Q]] = {
    **{f"efi_{c}": (f"eFI {c}", Q(efi_category=c)) for c in ("fit", "mild", "moderate", "severe")},
    **{f"hfrs_{c}": (f"HFRS {c}", Q(hfrs_category=c)) for c in ("low", "intermediate", "high")},
}
DEFAULT_TIERS = LISTED_TIERS


@dataclass(frozen=True)
class WorklistFilter:
    priority_group: str = ""
    register: str = ""
    tiers: tuple[str, ...] = DEFAULT_TIERS
    score_band: str = ""
    age_band: str = ""
    not_reviewed: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> WorklistFilter:
        """Read the filters from a query string, ignoring values that are not choices."""
        getlist = getattr(query, "getlist", None)
        tiers = tuple(t for t in (getlist("tier") if getlist else []) if t in LISTED_TIERS)
        group = str(query.get("priority_group", ""))
        register = str(query.get("register", ""))
        band = str(query.get("score_band", ""))
        age = str(query.get("age_band", ""))
        return cls(
            priority_group=group if group in CASE_FINDING else "",
            register=register if register in dict(terms.register_choices()) else "",
            tiers=tiers or DEFAULT_TIERS,
            score_band=band if band in SCORE_BANDS else "",
            age_band=age if age in AGE_BANDS else "",
            not_reviewed=str(query.get("not_reviewed", "")) in ("1", "on", "yes", "true"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "priority_group": self.priority_group,
            "register": self.register,
            "tiers": list(self.tiers),
            "score_band": self.score_band,
            "age_band": self.age_band,
            "not_reviewed": self.not_reviewed,
        }

    def query_string(self) -> str:
        pairs: list[tuple[str, str]] = [("tier", t) for t in self.tiers]
        for key in ("priority_group", "register", "score_band", "age_band"):
            value = getattr(self, key)
            if value:
                pairs.append((key, value))
        if self.not_reviewed:
            pairs.append(("not_reviewed", "1"))
        return urlencode(pairs)


def worklist_queryset(practice: Organisation, chosen: WorklistFilter) -> QuerySet[RiskResult]:
    rows = RiskResult.objects.filter(
        practice=practice, tier__in=chosen.tiers, patient__death_date__isnull=True
    ).select_related("patient")
    if chosen.priority_group:
        rows = rows.filter(CASE_FINDING[PriorityGroup(chosen.priority_group)][1])
    if chosen.register:
        rows = rows.filter(registers_text__contains=f",{chosen.register},")
    if chosen.score_band:
        rows = rows.filter(SCORE_BANDS[chosen.score_band][1])
    if chosen.age_band:
        _label, low, high = AGE_BANDS[chosen.age_band]
        rows = rows.filter(age__gte=low)
        if high is not None:
            rows = rows.filter(age__lte=high)
    if chosen.not_reviewed:
        rows = rows.exclude(Exists(WorklistReview.objects.filter(patient=OuterRef("patient"))))
    return rows.annotate(practice_rank=_practice_rank()).order_by("risk_rank")


def _practice_rank() -> CombinedExpression:
    """1 + how many living people of the same practice rank above this one in the run (whatever the
    filters: a person's place in their practice does not change with what the list shows)."""
    above = (
        RiskResult.objects.filter(
            practice=OuterRef("practice"),
            risk_rank__lt=OuterRef("risk_rank"),
            patient__death_date__isnull=True,
        )
        .order_by()
        .values("practice")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(above), Value(0)) + 1


def filter_form_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "priority_groups": [
            (group.value, f"{group.label} ({rule})") for group, (rule, _q) in CASE_FINDING.items()
        ],
        "registers": terms.register_choices(),
        "tiers": [(tier, label) for tier, label in RiskTier.choices if tier in LISTED_TIERS],
        "score_bands": [(k, label) for k, (label, _q) in SCORE_BANDS.items()],
        "age_bands": [(k, label) for k, (label, _low, _high) in AGE_BANDS.items()],
    }
