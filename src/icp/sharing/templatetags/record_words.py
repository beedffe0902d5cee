"""Template filters that put a record into words: terms for codes, units, settings, register names,
dates the NHS way ("1 March 2026") and how old a result is ("as at 31 March 2026, 8 months ago");
and the audit trail's codes (event types, roles, purposes, data categories) as the words they stand for.

The words themselves come from `icp.stratify.terms` (cited there); these only format.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from icp.audit.events import EventType
from icp.partnership.roles import UserRole
from icp.sharing.banner import spaced_number
from icp.sharing.vocabulary import DataCategory, Purpose
from icp.stratify import terms

register = template.Library()


@register.filter
def term(row: Mapping[str, Any], prefix: str = "") -> str:
    """The words for a coded row (`code_system`, `code`, `display`, or with a prefix: `type_code`)."""
    return str(
        terms.term(row.get(f"{prefix}code_system"), row.get(f"{prefix}code"), row.get(f"{prefix}display"))
    )


@register.filter
def term_object(row: Mapping[str, Any]) -> terms.Term:
    """The `Term` of a coded row, to tell a known term from a bare code in the template."""
    return terms.term(row.get("code_system"), row.get("code"), row.get("display"))


@register.filter
def code_name(row: Mapping[str, Any]) -> str:
    """The code system by name and the code ("SNOMED CT 271737000"), or '' when the row has no code."""
    code = (row.get("code") or "").strip()
    if not code:
        return ""
    system = row.get("code_system") or ""
    return f"{terms.SYSTEM_NAMES.get(system, system)} {code}"


@register.filter
def spaced(number: str | None) -> str:
    """An H&C or NHS number in 3-3-4 groups."""
    return spaced_number(number or "")


@register.filter
def unit(ucum: str | None) -> str:
    return terms.unit_words(ucum)


@register.filter
def measurement(row: Mapping[str, Any]) -> str:
    if row.get("value_number") is not None:
        return terms.value_words(row["value_number"], row.get("value_unit"))
    return str(row.get("value_display") or row.get("value_text") or "—")


@register.filter
def setting(row: Mapping[str, Any]) -> str:
    return terms.setting_words(row.get("setting"), row.get("admission_method"))


@register.filter
def register_names(keys: list[str] | None) -> str:
    return ", ".join(terms.register_name(k) for k in keys or []) or "none"


@register.filter
def status_words(value: str | None) -> str:
    return (value or "—").replace("_", " ").replace("-", " ").capitalize()


def _as_date(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def nhs_date(value: date | datetime | None) -> str:
    """ "1 March 2026": the NHS style (no leading zero, month in full)."""
    day = _as_date(value)
    return f"{day.day} {day:%B %Y}" if day else ""


def ago(then: date, today: date) -> str:
    """How long ago in words: "today", "3 days ago", "8 months ago", "2 years ago"."""
    days = (today - then).days
    if days < 0:
        return "in the future"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    months = (today.year - then.year) * 12 + today.month - then.month - (today.day < then.day)
    if months < 1:
        return f"{days} days ago"
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''} ago"
    return f"{months // 12} years ago"


@register.filter
def as_at(value: date | datetime | None) -> str:
    """ "31 March 2026, 8 months ago"."""
    day = _as_date(value)
    if day is None:
        return "date not known"
    return f"{nhs_date(day)}, {ago(day, timezone.localdate())}"


def _label(choices: Any, value: str | None) -> str:
    """A code's label in its vocabulary; the code itself when the vocabulary does not hold it
    (an event written before a word was added), so nothing recorded is ever hidden."""
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def event_words(action: str | None) -> str:
    """ "A page of a person's shared care record was shown." for `record.read`."""
    if not action:
        return ""
    try:
        return EventType(action).description or action
    except ValueError:
        return action


@register.filter
def role_words(role: str | None) -> str:
    return _label(UserRole, role)


@register.filter
def purpose_words(purpose: str | None) -> str:
    return _label(Purpose, purpose)


@register.filter
def category_words(category: str | None) -> str:
    return _label(DataCategory, category)
