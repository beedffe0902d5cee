"""Template filters for governance pages: money, RAG tags and case-status tags."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

_RAG_COLOURS = {"red": "red", "amber": "orange", "green": "green", "complete": "blue"}
_RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete"}
_STATUS_COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "under_review": "purple",
    "approved": "green",
    "not_approved": "red",
    "returned": "orange",
    "in_implementation": "aqua-green",
    "evaluated": "blue",
    "closed": "grey",
}


@register.filter
def money(value: object) -> str:
    """Decimal('120000.00') -> '£120,000'; pence shown only when there are any."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


@register.filter
def rag_tag(rag: str) -> SafeString:
    colour = _RAG_COLOURS.get(rag, "grey")
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', colour, _RAG_WORDS.get(rag, rag)
    )


@register.filter
def status_tag(case: object) -> SafeString:
    status = getattr(case, "status", "")
    label = getattr(case, "get_status_display", lambda: status)()
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', _STATUS_COLOURS.get(status, "grey"), label
    )


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)
