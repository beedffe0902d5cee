"""Small template filters for numbers as people read them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    """12345 -> '12,345'; blanks stay blank."""
    if value is None or value == "":
        return ""
    try:
        return f"{int(str(value)):,}"
    except ValueError:
        return str(value)
