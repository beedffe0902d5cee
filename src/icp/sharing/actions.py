"""Every change to information-sharing data, one function per verb.

Each action takes keyword-only arguments and the acting user (`by`), checks permission, writes in
one transaction and records an audit event. Views, the API, the demo and tests all call these.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.audit.models import Outcome
from icp.partnership.models import Area, Organisation, User, home_icp
from icp.partnership.roles import UserRole
from icp.patients.models import PatientIndex
from icp.sharing.models import BreakGlass, DataSharingAgreement, PersonChoice, ReviewOutcome
from icp.sharing.rules import BREAK_GLASS_ROLES, GOVERNANCE_ROLES
from icp.sharing.templates_data import agreement_templates
from icp.sharing.vocabulary import (
    CHOICE_VALUES,
    DEFAULT_SENSITIVE_CATEGORIES,
    AgreementStatus,
    ChoiceKind,
    DataCategory,
    LegalBasis,
    Purpose,
)

BREAK_GLASS_MINIMUM_REASON = 15


def break_glass_hours() -> int:
    """How long a break glass lasts (`ICP_BREAK_GLASS_HOURS`, default 4 hours: one shift's emergency)."""
    return int(getattr(settings, "ICP_BREAK_GLASS_HOURS", 4))


def can_govern(user: Any, icp: Area) -> bool:
    """IG leads and ICP managers of an ICP administer its agreements (superusers everywhere)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    home = home_icp(user)
    return user.role in GOVERNANCE_ROLES and home is not None and home.pk == icp.pk


def _require_governor(by: Any, icp: Area, action: EventType, target: Any = None) -> None:
    if not can_govern(by, icp):
        raise deny(
            action=action,
            by=by,
            target=target,
            reason=f"Only an IG lead or ICP manager of {icp.name} can do this.",
        )


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _next_reference(icp: Area) -> str:
    prefix = f"DSA-{icp.code}-"
    count = DataSharingAgreement.objects.filter(reference__startswith=prefix).count()
    number = count + 1
    while DataSharingAgreement.objects.filter(reference=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


def _agreement_detail(agreement: DataSharingAgreement) -> dict[str, Any]:
    return {
        "reference": agreement.reference,
        "icp": agreement.icp.code,
        "parties": sorted(agreement.parties.values_list("code", flat=True)),
        "purposes": list(agreement.purposes),
        "categories": list(agreement.categories),
        "legal_basis": agreement.legal_basis,
        "start_date": agreement.start_date.isoformat(),
        "end_date": agreement.end_date.isoformat() if agreement.end_date else None,
        "status": agreement.status,
    }


def create_agreement(
    *,
    icp: Area,
    title: str,
    parties: list[Organisation],
    purposes: list[str],
    categories: list[str],
    legal_basis: str,
    start_date: date,
    by: User,
    end_date: date | None = None,
    template: str = "",
    notes: str = "",
) -> DataSharingAgreement:
    """Draft a data sharing agreement for `icp` between `parties`."""
    _require_governor(by, icp, EventType.AGREEMENT_CREATE)
    errors: dict[str, str] = {}
    if len({p.pk for p in parties}) < 2:
        errors["parties"] = "An agreement needs at least two party organisations."
    bad_purposes = [p for p in purposes if p not in Purpose.values]
    if not purposes or bad_purposes:
        errors["purposes"] = (
            f"Choose purposes from {', '.join(Purpose.values)} (got {bad_purposes or 'none'})."
        )
    bad_categories = [c for c in categories if c not in DataCategory.values]
    if not categories or bad_categories:
        errors["categories"] = (
            f"Choose data categories from {', '.join(DataCategory.values)} (got {bad_categories or 'none'})."
        )
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = f"Choose a legal basis from {', '.join(LegalBasis.values)}."
    if end_date is not None and end_date < start_date:
        errors["end_date"] = "The end date is before the start date."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = DataSharingAgreement.objects.create(
            reference=_next_reference(icp),
            title=title,
            icp=icp,
            purposes=list(dict.fromkeys(purposes)),
            categories=list(dict.fromkeys(categories)),
            legal_basis=legal_basis,
            start_date=start_date,
            end_date=end_date,
            template=template,
            notes=notes,
            created_by=by,
        )
        agreement.parties.set(parties)
        record(
            action=EventType.AGREEMENT_CREATE, actor=by, target=agreement, detail=_agreement_detail(agreement)
        )
    return agreement


def create_agreement_from_template(
    *,
    icp: Area,
    template: str,
    by: User,
    start_date: date | None = None,
    parties: list[Organisation] | None = None,
) -> DataSharingAgreement:
    """Draft an agreement from a template: its purposes, categories, legal basis, parties and term."""
    found = agreement_templates().get(template)
    if found is None:
        raise ValidationError(
            {"template": f"No template {template!r}; choose from {list(agreement_templates())}."}
        )
    start = start_date or timezone.localdate()
    return create_agreement(
        icp=icp,
        title=found.title_for(icp),
        parties=parties if parties is not None else found.default_parties(icp),
        purposes=list(found.purposes),
        categories=list(found.categories),
        legal_basis=found.legal_basis,
        start_date=start,
        end_date=add_months(start, found.months) - timedelta(days=1),
        template=found.code,
        by=by,
    )


def sign_agreement(
    *, agreement: DataSharingAgreement, by: User, signed_on: date | None = None
) -> DataSharingAgreement:
    """Record that all parties have signed: the agreement comes into force on its start date."""
    _require_governor(by, agreement.icp, EventType.AGREEMENT_SIGN, agreement)
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError(
            {"status": f"Only a draft can be signed; this one is {agreement.get_status_display()}."}
        )
    with transaction.atomic():
        agreement.status = AgreementStatus.SIGNED
        agreement.signed_on = signed_on or timezone.localdate()
        agreement.signed_by = by
        agreement.save(update_fields=["status", "signed_on", "signed_by"])
        record(
            action=EventType.AGREEMENT_SIGN, actor=by, target=agreement, detail=_agreement_detail(agreement)
        )
    return agreement


def withdraw_agreement(*, agreement: DataSharingAgreement, reason: str, by: User) -> DataSharingAgreement:
    """Withdraw an agreement: sharing under it stops at once."""
    _require_governor(by, agreement.icp, EventType.AGREEMENT_WITHDRAW, agreement)
    if agreement.status == AgreementStatus.WITHDRAWN:
        raise ValidationError({"status": "This agreement is already withdrawn."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the agreement is withdrawn."})
    with transaction.atomic():
        agreement.status = AgreementStatus.WITHDRAWN
        agreement.withdrawn_on = timezone.localdate()
        agreement.save(update_fields=["status", "withdrawn_on"])
        record(
            action=EventType.AGREEMENT_WITHDRAW,
            actor=by,
            target=agreement,
            reason=reason,
            detail=_agreement_detail(agreement),
        )
    return agreement


def can_record_choices(user: Any, patient: PatientIndex) -> bool:
    """The person's registered practice (GP, practice nurse) or their ICP's IG lead records choices."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in (UserRole.GP, UserRole.PRACTICE_NURSE):
        return patient.practice_id is not None and user.organisation_id == patient.practice_id
    home = home_icp(user)
    return user.role == UserRole.IG_LEAD and home is not None and home.pk == patient.icp_id


def record_choice(
    *,
    patient: PatientIndex,
    kind: str,
    value: str,
    by: User,
    effective_date: date | None = None,
    categories: list[str] | None = None,
    note: str = "",
) -> PersonChoice:
    """Record a person's choice about their record (consent, opt-out, sensitive records withheld)."""
    if not can_record_choices(by, patient):
        raise deny(
            action=EventType.CHOICE_RECORD,
            by=by,
            reason="Only the person's registered practice or their ICP's IG lead can record their choices.",
            patient_ref=patient.patient_id,
            target_type="patient",
            target_id=patient.patient_id,
        )
    if kind not in CHOICE_VALUES:
        raise ValidationError({"kind": f"Choose a kind from {', '.join(ChoiceKind.values)}."})
    if value not in CHOICE_VALUES[kind]:
        raise ValidationError({"value": f"For {kind}, choose {' or '.join(CHOICE_VALUES[kind])}."})
    chosen = list(categories or [])
    if kind == ChoiceKind.SENSITIVE_WITHHELD:
        unknown = [c for c in chosen if c not in DataCategory.values]
        if unknown:
            raise ValidationError({"categories": f"Unknown categories {unknown}."})
        if value == CHOICE_VALUES[kind][0] and not chosen:
            chosen = [str(c) for c in DEFAULT_SENSITIVE_CATEGORIES]
    elif chosen:
        raise ValidationError({"categories": "Only a sensitive-records choice names categories."})
    day = effective_date or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"effective_date": "A choice cannot be recorded for a future day."})
    with transaction.atomic():
        choice = PersonChoice.objects.create(
            patient=patient,
            kind=kind,
            value=value,
            categories=chosen,
            effective_date=day,
            recorded_by=by,
            note=note,
        )
        record(
            action=EventType.CHOICE_RECORD,
            actor=by,
            target=choice,
            patient_ref=patient.patient_id,
            detail={
                "kind": kind,
                "value": value,
                "categories": chosen,
                "effective_date": day.isoformat(),
                "icp": patient.icp.code,
            },
        )
    return choice


def break_glass(
    *, patient: PatientIndex, reason: str, by: User, purpose: str = Purpose.DIRECT_CARE
) -> BreakGlass:
    """Override a denial in an emergency: allowed for clinicians, time-limited, reviewed by the IG lead."""
    if getattr(by, "role", None) not in BREAK_GLASS_ROLES:
        raise deny(
            action=EventType.BREAK_GLASS_START,
            by=by,
            reason="Only clinicians and social workers can break glass.",
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
        )
    if len(reason.strip()) < BREAK_GLASS_MINIMUM_REASON:
        raise ValidationError(
            {"reason": f"Say why this is an emergency (at least {BREAK_GLASS_MINIMUM_REASON} characters)."}
        )
    if purpose not in (Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION, Purpose.EMERGENCY):
        raise ValidationError({"purpose": "Break glass is for care in an emergency, not planning."})
    now = timezone.now()
    with transaction.atomic():
        glass = BreakGlass.objects.create(
            user=by,
            patient=patient,
            purpose=purpose,
            reason=reason.strip(),
            started_at=now,
            expires_at=now + timedelta(hours=break_glass_hours()),
        )
        record(
            action=EventType.BREAK_GLASS_START,
            actor=by,
            target=glass,
            patient_ref=patient.patient_id,
            purpose=purpose,
            outcome=Outcome.BREAK_GLASS,
            reason=glass.reason,
            detail={"expires_at": glass.expires_at.isoformat(), "icp": patient.icp.code},
        )
    return glass


def can_review_break_glass(user: Any, glass: BreakGlass) -> bool:
    if not getattr(user, "is_authenticated", False) or user.role != UserRole.IG_LEAD:
        return False
    home = home_icp(user)
    return home is not None and home.pk == glass.patient.icp_id


def review_break_glass(*, glass: BreakGlass, outcome: str, by: User, note: str = "") -> BreakGlass:
    """The IG lead's verdict on a break glass: appropriate, or inappropriate (and followed up)."""
    if not can_review_break_glass(by, glass):
        raise deny(
            action=EventType.BREAK_GLASS_REVIEW,
            by=by,
            target=glass,
            reason="Only an IG lead of the person's ICP can review break glass.",
        )
    if outcome not in (ReviewOutcome.APPROPRIATE, ReviewOutcome.INAPPROPRIATE):
        raise ValidationError({"outcome": "Choose appropriate or inappropriate."})
    if outcome == ReviewOutcome.INAPPROPRIATE and not note.strip():
        raise ValidationError({"note": "Say what follow-up an inappropriate break glass needs."})
    if glass.user_id == by.pk:
        raise ValidationError({"outcome": "Nobody reviews their own break glass."})
    with transaction.atomic():
        glass.review_outcome = outcome
        glass.reviewed_by = by
        glass.reviewed_at = timezone.now()
        glass.review_note = note
        glass.save(update_fields=["review_outcome", "reviewed_by", "reviewed_at", "review_note"])
        record(
            action=EventType.BREAK_GLASS_REVIEW,
            actor=by,
            target=glass,
            patient_ref=glass.patient.patient_id,
            reason=note,
            detail={"outcome": outcome},
        )
    return glass
