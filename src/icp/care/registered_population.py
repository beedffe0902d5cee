"""An ICP's registered population at a glance (the ICP home page), from the patient index: by
practice, age band and deprivation quintile. Counts leave the page as `icp.measure.disclosure` has
them: a count from 1 to 7 is shown as "<8", others rounded to the nearest 5."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from icp.measure.disclosure import shown
from icp.partnership.models import Area
from icp.patients.models import PatientIndex

AGE_BANDS = ((0, 17), (18, 44), (45, 64), (65, 74), (75, 84), (85, None))
QUINTILE_LABELS = {1: "1 (most deprived)", 2: "2", 3: "3", 4: "4", 5: "5 (least deprived)"}


@dataclass(frozen=True)
class Row:
    label: str
    count: str


@dataclass(frozen=True)
class PopulationSummary:
    as_of: date
    total: str
    synthetic: int
    real: int
    by_practice: list[Row]
    by_age: list[Row]
    by_quintile: list[Row]

    @property
    def all_synthetic(self) -> bool:
        return self.real == 0 and self.synthetic > 0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def population_summary(icp: Area, as_of: date | None = None) -> PopulationSummary | None:
    """The living people of the ICP in the patient index on `as_of` (today), or None if it has none."""
    as_of = as_of or date.today()
    living = PatientIndex.objects.filter(icp=icp).filter(Q(death_date__isnull=True) | Q(death_date__gt=as_of))
    age_filters = {}
    for low, high in AGE_BANDS:
        born = Q(birth_date__lte=_years_before(as_of, low))
        if high is not None:
            born &= Q(birth_date__gt=_years_before(as_of, high + 1))
        age_filters[f"{low}-{high}" if high is not None else f"{low}+"] = Count("id", filter=born)
    totals = living.aggregate(
        total=Count("id"), synthetic=Count("id", filter=Q(synthetic=True)), **age_filters
    )
    if not totals["total"]:
        return None
    practices = (
        living.values("practice__code", "practice__name").annotate(n=Count("id")).order_by("practice__name")
    )
    quintiles = dict(living.values_list("deprivation_quintile").annotate(n=Count("id")))
    return PopulationSummary(
        as_of=as_of,
        total=shown(totals["total"]),
        synthetic=totals["synthetic"],
        real=totals["total"] - totals["synthetic"],
        by_practice=[Row(p["practice__name"] or "No registered practice", shown(p["n"])) for p in practices],
        by_age=[Row(label, shown(totals[label])) for label in age_filters],
        by_quintile=[Row(QUINTILE_LABELS[q], shown(quintiles.get(q, 0))) for q in QUINTILE_LABELS]
        + ([Row("Not known", shown(quintiles[None]))] if quintiles.get(None) else []),
    )
