"""A person's access log: every event about them, in words, for the web page, FHIR and the
subject-access export alike.

The events come from `AuditEvent.objects.about(patient_id)`: those naming the person and those about
several people at once that list them (a search's hits, a worklist page or export, a caseload, an MDT
meeting, an emergency list). For such an event the person's log says how many people it listed,
never who the others were. Usernames are shown only to the ICP's IG lead; everyone else sees the
organisation and role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from icp.audit.events import EventType
from icp.audit.models import AuditEvent, Outcome
from icp.partnership.models import Organisation
from icp.partnership.roles import UserRole
from icp.sharing.vocabulary import DataCategory, Purpose

ACCESS_LOG_LIMIT = 500

# Short names for the events a person most often meets in their log; others use their description.
_WHAT: dict[str, str] = {
    EventType.RECORD_READ: "Shared care record page",
    EventType.API_RECORD_READ: "Record read through the JSON API",
    EventType.API_DECISION: "Access checked through the JSON API",
    EventType.FHIR_READ: "Record read through the FHIR API",
    EventType.FHIR_SEARCH: "Record searched through the FHIR API",
    EventType.RISK_PERSON_VIEW: "Risk explanation page",
    EventType.PATIENT_SEARCH: "Search results",
    EventType.WORKLIST_VIEW: "Practice case-finding worklist",
    EventType.WORKLIST_EXPORT: "Practice case-finding worklist downloaded (CSV)",
    EventType.CHOICE_VIEW: "Choices page",
    EventType.CHOICE_RECORD: "A choice recorded",
    EventType.ACCESS_LOG_VIEW: "This access log",
    EventType.BREAK_GLASS_START: "Break glass",
    EventType.SUBJECT_ACCESS_EXPORT: "Subject-access export",
}


@dataclass(frozen=True)
class LogEntry:
    """One line of a person's access log, in words."""

    event: AuditEvent
    when: datetime
    organisation: str
    role: str
    username: str  # empty unless the reader may see usernames
    purpose: str
    what: str
    outcome: str  # Seen, Refused, Break glass, Done

    def as_dict(self) -> dict[str, Any]:
        return {
            "when": self.when.isoformat(),
            "organisation": self.organisation,
            "role": self.role,
            **({"user": self.username} if self.username else {}),
            "purpose": self.purpose,
            "what": self.what,
            "outcome": self.outcome,
            "event_sequence": self.event.sequence,
        }


def describe(event: AuditEvent, patient_id: str) -> str:
    """What the event was, for this person: the data category or the page, and for an event about
    several people, how many it listed (never who the others were)."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    category = dict(DataCategory.choices).get(detail.get("category", ""), "")
    try:
        what = _WHAT.get(event.action) or EventType(event.action).description.rstrip(".")
    except ValueError:
        what = event.action
    if category:
        what = f"{what}: {category}" if event.action != EventType.RECORD_ACCESS else str(category)
    listed = detail.get("subjects")
    if isinstance(listed, dict) and event.patient_ref != patient_id:
        count = int(listed.get("count") or 0)
        what += f" (listed among {count:,} {'person' if count == 1 else 'people'})"
    return what


def _outcome(event: AuditEvent) -> str:
    if event.outcome in (Outcome.DENIED, Outcome.FAILED):
        return "Refused"
    if event.outcome == Outcome.BREAK_GLASS:
        return "Break glass"
    return "Seen" if event.outcome == Outcome.ALLOWED else "Done"


def entries(patient_id: str, *, show_usernames: bool, limit: int = ACCESS_LOG_LIMIT) -> list[LogEntry]:
    """The person's access log, newest first (at most `limit` lines)."""
    events = list(AuditEvent.objects.about(patient_id).order_by("-sequence")[:limit])
    organisations = dict(
        Organisation.objects.filter(code__in={e.actor_organisation for e in events}).values_list(
            "code", "name"
        )
    )
    roles = dict(UserRole.choices)
    purposes = dict(Purpose.choices)
    return [
        LogEntry(
            event=event,
            when=event.occurred_at,
            organisation=organisations.get(event.actor_organisation, event.actor_organisation or "—"),
            role=str(roles.get(event.actor_role, event.actor_role or "—")),
            username=(event.actor_username or "(not logged in)") if show_usernames else "",
            purpose=str(purposes.get(event.purpose, event.purpose)),
            what=describe(event, patient_id),
            outcome=_outcome(event),
        )
        for event in events
    ]
