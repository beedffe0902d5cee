"""The patient banner at the top of every person page: who this is, and what matters first.

Who: name, age, sex, date of birth, H&C/NHS number and registered practice, shown only when the
page's access decision for demographics allowed it (otherwise the banner names the record by its
opaque id alone). What matters: consent withdrawn, sensitive records withheld and the planning
opt-out, shown only to those who may know them:

- the person's registered practice and their ICP's IG lead, who record these choices
  (`actions.can_record_choices`), see every choice in force;
- anyone else learns a choice only when it has just shaped one of their own decisions on this page
  (a section refused, or shown only under break glass, because of it) — a user with no business
  with the person learns nothing about their choices (docs/adr/0040-access-decision.md).

The banner makes no access decision and reads no record of its own: it takes the decisions the page
made (each already audited) and the index row those decisions allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from icp.patients.models import PatientIndex
from icp.sharing import actions
from icp.sharing.policy import Code, Decision, latest_choices
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import (
    DEFAULT_SENSITIVE_CATEGORIES,
    ChoiceKind,
    ChoiceValue,
    DataCategory,
    Purpose,
)


@dataclass(frozen=True)
class Alert:
    """One thing that matters before anything else on the page."""

    title: str
    detail: str
    code: str


@dataclass
class Banner:
    patient: PatientIndex
    identified: bool
    age: int | None = None
    national_id: str = ""
    alerts: list[Alert] = field(default_factory=list)
    links: list[tuple[str, str, bool]] = field(default_factory=list)  # (label, url, is this page)


# The person's pages, and the purpose a role needs for each (the page itself still decides).
PERSON_PAGES = (
    ("Shared care record", "sharing:patient", (Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION)),
    ("Risk scores", "care:person-risk", (Purpose.RISK_STRATIFICATION,)),
    ("Care: pathways, plans, referrals", "care:person", (Purpose.CARE_COORDINATION, Purpose.DIRECT_CARE)),
)


def person_links(user: Any, patient: PatientIndex, current: str) -> list[tuple[str, str, bool]]:
    """Links between the person's pages this user's role has a purpose for (the risk page and the
    shared record link to each other; both to the care page)."""
    allowed = purposes_for(getattr(user, "role", ""))
    return [
        (label, reverse(name, kwargs={"patient_id": patient.patient_id}), name == current)
        for label, name, purposes in PERSON_PAGES
        if allowed.intersection(purposes)
    ]


def age_on(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def spaced_number(number: str) -> str:
    """An H&C or NHS number in the 3-3-4 groups people read it in ("943 476 5919")."""
    digits = (number or "").replace(" ", "")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 and digits.isdigit() else number


def _category_words(categories: Iterable[str]) -> str:
    labels = dict(DataCategory.choices)
    return ", ".join(str(labels.get(c, c)).lower() for c in categories)


def _alerts_from_choices(patient: PatientIndex, on: date) -> list[Alert]:
    in_force = latest_choices(patient, on)
    alerts = []
    consent = in_force.get(ChoiceKind.DIRECT_CARE_CONSENT)
    if consent is not None and consent.value == ChoiceValue.WITHDRAWN:
        alerts.append(
            Alert(
                "Consent to share withdrawn",
                f"Since {consent.effective_date.day} {consent.effective_date:%B %Y}: other organisations "
                "do not see this record (except under break glass).",
                Code.CONSENT_WITHDRAWN,
            )
        )
    withheld = in_force.get(ChoiceKind.SENSITIVE_WITHHELD)
    if withheld is not None and withheld.value == ChoiceValue.WITHHELD:
        categories = withheld.categories or sorted(DEFAULT_SENSITIVE_CATEGORIES)
        alerts.append(
            Alert(
                "Sensitive records withheld",
                f"Not shared beyond the practice: {_category_words(categories)}.",
                Code.SENSITIVE_WITHHELD,
            )
        )
    opt_out = in_force.get(ChoiceKind.PLANNING_OPT_OUT)
    if opt_out is not None and opt_out.value == ChoiceValue.OPTED_OUT:
        alerts.append(
            Alert(
                "Opted out of planning and research",
                "Left out of population figures, pseudonymised lists and evaluation; direct care is "
                "not affected.",
                Code.OPTED_OUT,
            )
        )
    return alerts


def _alerts_from_decisions(decisions: Iterable[Decision]) -> list[Alert]:
    consent = [d for d in decisions if Code.CONSENT_WITHDRAWN in (d.code, d.overridden)]
    withheld = [d.category for d in decisions if Code.SENSITIVE_WITHHELD in (d.code, d.overridden)]
    alerts = []
    if consent:
        alerts.append(
            Alert(
                "Consent to share withdrawn",
                "This person has withdrawn consent to share their record beyond their GP practice.",
                Code.CONSENT_WITHDRAWN,
            )
        )
    if withheld:
        alerts.append(
            Alert(
                "Sensitive records withheld",
                f"This person has asked for these records to be withheld: {_category_words(withheld)}.",
                Code.SENSITIVE_WITHHELD,
            )
        )
    return alerts


def patient_banner(
    user: Any,
    patient: PatientIndex,
    decisions: Iterable[Decision],
    *,
    page: str,
    on: date | None = None,
) -> Banner:
    """The banner for `patient` on the page named `page` (a URL name), whose (audited) decisions
    for `user` were `decisions`."""
    decisions = list(decisions)
    on = on or timezone.localdate()
    identified = any(d.allowed and d.category == DataCategory.DEMOGRAPHICS for d in decisions)
    links = person_links(user, patient, page)
    if not identified:
        return Banner(
            patient=patient, identified=False, alerts=_alerts_from_decisions(decisions), links=links
        )
    if actions.can_record_choices(user, patient):
        alerts = _alerts_from_choices(patient, on)
    else:
        alerts = _alerts_from_decisions(decisions)
    return Banner(
        patient=patient,
        identified=True,
        age=age_on(patient.birth_date, patient.death_date or on),
        national_id=spaced_number(patient.national_id),
        alerts=alerts,
        links=links,
    )
