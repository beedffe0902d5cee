"""Template tags of the care pages: the worklist's "enrol the people ticked" form, the alert of
referrals past their service's stated time (on the home page, for the receiver and the referrer),
needs in words, and the NHS date input in the care pages' own forms."""

from __future__ import annotations

from typing import Any

from django import template

from icp.care import pathways
from icp.care.models import MdtList
from icp.care.referrals.models import need_words
from icp.care.referrals.queries import breach_alerts
from icp.webforms import date_field

register = template.Library()
register.filter("need_words", need_words)


@register.filter
def pathway_title(pathway_id: str) -> str:
    """A pathway's title ("Falls prevention") for its id; an id no definition has any more is kept."""
    found = pathways.load_all().get(pathway_id)
    return found.title if found is not None else pathway_id


@register.simple_tag
def date_input(name: str, label: str, id_prefix: str, value: Any = None, hint: str = "") -> Any:
    """The NHS date input for a hand-written form:
    `{% date_input "due_on" "Due" "due-"|add:plan.public_id default_due %}`."""
    return date_field(name, label, id_prefix=id_prefix, value=value or None, hint=hint)


@register.inclusion_tag("care/pathways/_enrol_selection.html", takes_context=True)
def enrol_selection_form(context: dict[str, Any], practice: Any) -> dict[str, Any]:
    request = context.get("request")
    return {
        "practice": practice,
        "pathways": pathways.load_all(),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
        "mdt_lists": MdtList.objects.filter(members=practice).order_by("name"),
    }


@register.inclusion_tag("care/referrals/_breach_alert.html", takes_context=True)
def referral_breach_alert(context: dict[str, Any]) -> dict[str, Any]:
    user = context.get("user")
    alerts = breach_alerts(user) if user is not None and getattr(user, "is_authenticated", False) else None
    return {"alerts": alerts}
