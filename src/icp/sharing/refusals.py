"""A refusal said once: the denied sections of a page grouped by why, each with what the user can do.

A page that asks the access decision for several categories gets one answer per category; when
they are refused for the same reason, saying it under every heading buries the record and the way
forward. `summarise` groups the refused decisions by the kind of refusal and adds, for each, what the user
can do about it (ask for access, or break glass with a reason where the decision allows it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from icp.sharing.policy import OVERRIDABLE, Code, Decision
from icp.sharing.vocabulary import DataCategory

# What a user can do about each kind of refusal, in words they can act on.
WHAT_TO_DO: dict[str, str] = {
    Code.NO_RELATIONSHIP: (
        "If you are caring for this person, ask their registered practice to add your organisation "
        "to their care team, or have them referred to your service: the relationship then lets you see it."
    ),
    Code.NO_AGREEMENT: (
        "Ask your information-governance lead: your organisation needs a signed data sharing "
        "agreement in this ICP that covers it."
    ),
    Code.AGREEMENT_NOT_IN_FORCE: "Ask your information-governance lead to renew or sign the agreement.",
    Code.AGREEMENT_PURPOSE: (
        "Ask your information-governance lead: no agreement of your organisation covers this purpose."
    ),
    Code.AGREEMENT_CATEGORY: (
        "Ask your information-governance lead: your organisation's agreements do not share these sections."
    ),
    Code.OTHER_ICP: "Ask the person's own ICP, or their registered practice, for what you need.",
    Code.CONSENT_WITHDRAWN: (
        "This is the person's choice. Talk to them, or to their GP practice, if you need this information."
    ),
    Code.SENSITIVE_WITHHELD: (
        "This is the person's choice. Talk to them, or to their GP practice, if you need this information."
    ),
    Code.ROLE_CATEGORY: "Your role does not see these sections: ask a colleague whose role does.",
    Code.ROLE_PURPOSE: "Your role does not see records for this purpose: choose another purpose.",
    Code.NOT_IDENTIFIABLE: "Choose a direct care purpose to open a named record.",
    Code.OPTED_OUT: "The person has opted out of this use of their record.",
}


@dataclass
class Refusal:
    """Sections refused for one reason."""

    code: str
    reason: str
    what_to_do: str
    sections: list[str] = field(default_factory=list)
    overridable: bool = False


def summarise(decisions: Iterable[Decision]) -> list[Refusal]:
    """The refused decisions, one `Refusal` per kind of refusal, in the order first met."""
    labels = dict(DataCategory.choices)
    grouped: dict[str, Refusal] = {}
    for decision in decisions:
        if decision.allowed:
            continue
        refusal = grouped.get(decision.code)
        if refusal is None:
            refusal = grouped[decision.code] = Refusal(
                code=str(decision.code),
                reason=decision.reason,
                what_to_do=WHAT_TO_DO.get(decision.code, ""),
                overridable=decision.code in OVERRIDABLE,
            )
        elif decision.reason not in refusal.reason and decision.code != Code.ROLE_CATEGORY:
            refusal.reason = f"{refusal.reason} {decision.reason}"
        refusal.sections.append(str(labels.get(decision.category, decision.category)))
    role = grouped.get(Code.ROLE_CATEGORY)
    if role is not None and len(role.sections) > 1:
        # "A Pharmacist may not see encounters." said once for all the sections the role never sees.
        who = role.reason.split(" may not see ")[0]
        role.reason = f"{who} may not see {', '.join(s.lower() for s in role.sections)}."
    return list(grouped.values())
