"""Pathway caseloads: who is enrolled at a practice (identifiable, for its clinicians), and how many
per pathway and practice across an ICP (aggregate, small numbers suppressed, for planning)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from icp.care import pathways
from icp.care.pathways.models import Enrolment
from icp.measure.disclosure import shown
from icp.partnership.models import Area, Organisation


def practice_caseload(practice: Organisation, pathway_id: str = "") -> QuerySet[Enrolment]:
    """Open enrolments of people registered at the practice (optionally one pathway)."""
    rows = Enrolment.objects.filter(patient__practice=practice, ended_on__isnull=True).select_related(
        "patient", "enrolled_by"
    )
    if pathway_id:
        rows = rows.filter(pathway=pathway_id)
    return rows.order_by("next_review_on", "id")


@dataclass(frozen=True)
class CaseloadRow:
    practice: str
    counts: dict[str, str]  # pathway id -> shown count
    overdue_reviews: str


def icp_caseloads(icp: Area, today: date) -> tuple[list[CaseloadRow], dict[str, str]]:
    """Open enrolments per practice and pathway in an ICP, counts under 8 suppressed, and the totals."""
    rows = (
        Enrolment.objects.filter(patient__icp=icp, ended_on__isnull=True)
        .values("patient__practice__name", "pathway")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(next_review_on__lt=today)))
    )
    by_practice: dict[str, dict[str, int]] = {}
    overdue: dict[str, int] = {}
    totals: dict[str, int] = dict.fromkeys(pathways.load_all(), 0)
    for row in rows:
        name = row["patient__practice__name"] or "No registered practice"
        by_practice.setdefault(name, {})[row["pathway"]] = row["n"]
        overdue[name] = overdue.get(name, 0) + row["overdue"]
        totals[row["pathway"]] = totals.get(row["pathway"], 0) + row["n"]
    table = [
        CaseloadRow(
            practice=name,
            counts={pid: shown(counts.get(pid, 0)) for pid in totals},
            overdue_reviews=shown(overdue.get(name, 0)),
        )
        for name, counts in sorted(by_practice.items())
    ]
    return table, {pid: shown(n) for pid, n in totals.items()}
