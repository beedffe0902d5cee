"""The IG lead's audit trail: which events an ICP's IG lead may read, their filters, and the CSV export.

The audit page (a filtered view and a quick filtered CSV), the FHIR `AuditEvent` search and the
audit-trail export job (the whole ICP over a date range, written to a file by `icp worker`) all read
the trail through these functions, so the three never disagree about what an IG lead sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.audit.models import AuditEvent
from icp.partnership.models import Area, User, home_icp
from icp.partnership.roles import UserRole
from icp.spreadsheet import csv_lines

CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor_username",
    "actor_organisation",
    "actor_role",
    "action",
    "patient_ref",
    "purpose",
    "outcome",
    "reason",
    "category",
    "hash",
)
# A long export reports its progress this many times (each a tenth of the events).
PROGRESS_REPORTS = 10


def ig_lead_icp(user: Any) -> Area | None:
    """The ICP whose audit trail the user may read: an IG lead's own ICP."""
    if user is None or getattr(user, "role", None) != UserRole.IG_LEAD or not user.is_active:
        return None
    return home_icp(user)


def scoped_events(icp: Area) -> QuerySet[AuditEvent]:
    """Events about the ICP's people (and its partnership), and everything its own users did."""
    users = User.objects.filter(home_area=icp).values("pk")
    return AuditEvent.objects.filter(Q(detail__icp=icp.code) | Q(actor_id__in=users))


def filter_events(events: QuerySet[AuditEvent], data: dict[str, Any]) -> QuerySet[AuditEvent]:
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        events = events.filter(occurred_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
    if data.get("date_to"):
        events = events.filter(occurred_at__lte=datetime.combine(data["date_to"], time.max, tzinfo=tz))
    for field, column in (
        ("actor", "actor_username"),
        ("organisation", "actor_organisation"),
        ("patient", "patient_ref"),
        ("action", "action"),
        ("outcome", "outcome"),
        ("purpose", "purpose"),
    ):
        if data.get(field):
            events = events.filter(**{column: data[field]})
    return events


def csv_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    for event in events.iterator(chunk_size=2000):
        values = {name: getattr(event, name, "") for name in CSV_COLUMNS}
        values["occurred_at"] = event.occurred_at.isoformat()
        values["category"] = event.detail.get("category", "")
        yield [values[name] for name in CSV_COLUMNS]


def parse_period(date_from: str, date_to: str) -> tuple[date, date]:
    """An export's period from two ISO dates; ValueError naming the field for a missing or bad one."""
    found: dict[str, date] = {}
    for field, value in (("date_from", date_from), ("date_to", date_to)):
        if not value:
            raise ValueError(f"{field}: a date is needed (YYYY-MM-DD)")
        try:
            found[field] = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{field}: {value[:20]!r} is not a date (expected YYYY-MM-DD)") from None
    if found["date_from"] > found["date_to"]:
        raise ValueError("date_to: the period ends before it starts")
    return found["date_from"], found["date_to"]


def export_period(
    *, icp: Area, by: Any, date_from: date, date_to: date, out: IO[str], progress: Callable[[str], None]
) -> int:
    """Write the ICP's whole audit trail from `date_from` to `date_to` (inclusive) as CSV to `out`,
    oldest first, for the ICP's IG lead (checked now, at the time of the export). Audited; returns the
    number of events written."""
    if (mine := ig_lead_icp(by)) is None or mine.pk != icp.pk:
        raise deny(
            action=EventType.AUDIT_EXPORT,
            by=by,
            target=icp,
            reason="not the IG lead of this ICP",
            message="Only the ICP's information-governance lead can export its audit trail.",
        )
    period = {"date_from": date_from, "date_to": date_to}
    events = filter_events(scoped_events(icp), period).order_by("id")
    total = events.count()
    every = max(1, -(-total // PROGRESS_REPORTS))
    written = -1  # the header line is not an event
    for line in csv_lines(CSV_COLUMNS, csv_rows(events)):
        out.write(line)
        written += 1
        if written and written % every == 0:
            progress(f"{written:,} of {total:,} events written…")
    record(
        action=EventType.AUDIT_EXPORT,
        actor=by,
        detail={
            "icp": icp.code,
            "filters": {key: value.isoformat() for key, value in period.items()},
            "events": written,
        },
    )
    return written
