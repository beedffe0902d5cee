"""Every change to a referral, one function per verb (keyword-only, acting user `by=`).

- `create_referral`: the requester refers a person to a service (a draft, or requested at once).
- `move_referral`: move the Task as the table in `states` allows, for the user's party.
- `reroute_referral`: send a rejected referral to another service (a new referral replacing it).
- `cancel_referrals_for_death`: a recorded death cancels the person's open referrals.

Each checks permission (refusals are audited), writes in one transaction and records an event.
Who may act on a referral is the access decision's referral basis (`party_or_refuse`): an
organisation that is neither requester nor owner gets `PermissionDenied` (403); a party asking for a
move the table does not give it gets `IllegalMove` (422).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import has_transition_perm

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import asked_purpose, refuse, require_care_access
from icp.care.referrals.models import Need, Priority, Referral, Service, ServiceType
from icp.care.referrals.states import ACTIVE, FINAL, REASON_REQUIRED, Party, TaskStatus, why_not
from icp.partnership.models import User
from icp.patients.actions import close_relationships_from, open_relationship
from icp.patients.models import PatientIndex, RelationshipKind
from icp.sharing.policy import REFERRAL_CATEGORY, decide

SOCIAL_PRESCRIBING_REFERRAL = ("871731000000106", "Referral to social prescribing service")


class IllegalMove(ValidationError):
    """A move the table does not allow this party (HTTP 422, FHIR OperationOutcome business-rule)."""

    def __init__(self, reason: str) -> None:
        super().__init__({"status": [reason]})
        self.reason = reason


class VersionConflict(Exception):
    """The referral changed since the version the caller saw (HTTP 412)."""

    def __init__(self, current: int, expected: int) -> None:
        super().__init__(
            f"The referral has changed (version {current}, you sent {expected}); read it again and retry."
        )
        self.current = current


def _audit_target(referral: Referral) -> dict[str, Any]:
    return {
        "target_type": "care.referral",
        "target_id": referral.public_id,
        "patient_ref": referral.patient.patient_id,
    }


def party_or_refuse(
    user: Any, referral: Referral, action: EventType = EventType.CARE_ACCESS, purpose: str | None = None
) -> Party:
    """The user's side of the referral, as the access decision's referral basis answers it.

    The decision is audited as `action` (a read's own event; `care.access` before a change, as every
    care action asks). Refused (403, the decision has recorded it): an organisation party to neither
    side, a role that does no care work, the owner while the referral is a draft.
    """
    decision = decide(
        user,
        referral.patient,
        purpose or asked_purpose(user),
        REFERRAL_CATEGORY,
        action=action,
        referral=referral,
    )
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    return Party(decision.party)


def _clean_needs(needs: Iterable[str]) -> list[str]:
    needs = [str(n) for n in needs]
    unknown = [n for n in needs if n not in Need.values]
    if unknown:
        raise ValidationError({"needs": f"Unknown need(s) {unknown}; choose from {', '.join(Need.values)}."})
    return needs


def create_referral(
    *,
    patient: PatientIndex,
    service: Service,
    reason: str,
    by: User,
    needs: Iterable[str] = (),
    priority: str = Priority.ROUTINE,
    note: str = "",
    submit: bool = True,
    replaces: Referral | None = None,
    synthetic: bool = False,
) -> Referral:
    """Refer a person to a service of another organisation; `submit=False` keeps it as a draft."""
    require_care_access(by, patient, EventType.REFERRAL_CREATE)
    if by.organisation_id is None:
        raise PermissionDenied("Your account is not linked to an organisation.")
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Say why you are referring this person."
    if not service.active or not service.accepts_referrals:
        errors["service"] = f"{service.name} is not taking referrals."
    elif service.organisation_id == by.organisation_id:
        errors["service"] = "Refer to another organisation's service, not your own."
    if priority not in Priority.values:
        errors["priority"] = f"Choose one of: {', '.join(Priority.values)}."
    if patient.death_date is not None:
        errors["patient"] = "This person's death has been recorded; they cannot be referred."
    if errors:
        raise ValidationError(errors)
    code, display = service.referral_code, service.referral_display
    if not code and service.type == ServiceType.SOCIAL_PRESCRIBING:
        code, display = SOCIAL_PRESCRIBING_REFERRAL
    now = timezone.now()
    with transaction.atomic():
        referral = Referral(
            patient=patient,
            requester_organisation_id=by.organisation_id,
            requested_by=by,
            owner_organisation_id=service.organisation_id,
            service=service,
            service_name=service.name,
            code=code,
            code_display=display,
            reason=reason,
            needs=_clean_needs(needs),
            priority=priority,
            note=note.strip(),
            replaces=replaces,
            last_modified_by=by,
            synthetic=synthetic or patient.synthetic,
        )
        if submit:
            referral.to_requested()
            referral.requested_at = now
        referral.save()
        record(
            action=EventType.REFERRAL_CREATE,
            actor=by,
            **_audit_target(referral),
            detail={
                "status": referral.status,
                "owner": service.organisation.code,
                "service": service.public_id,
                "replaces": replaces.public_id if replaces else None,
            },
        )
    return referral


def _relationships(referral: Referral, source: TaskStatus, target: TaskStatus, by: User) -> None:
    """An accepted referral opens the owner's relationship with the person; its end closes it."""
    if target == TaskStatus.ACCEPTED:
        open_relationship(
            patient=referral.patient,
            kind=RelationshipKind.REFERRAL,
            source=referral,
            organisation=referral.owner_organisation,
            label=referral.service_name,
            by=by,
        )
    elif source in ACTIVE and target in FINAL:
        close_relationships_from(source=referral, by=by, ends=timezone.localdate())


def _apply(referral: Referral, target: TaskStatus, reason: str, output: str, by: User) -> None:
    """Fire the state machine's transition, stamp the clocks and open or close the relationship
    (the caller has checked the party)."""
    now = timezone.now()
    source = referral.task_status
    referral.transition_to(target)()
    if target == TaskStatus.REQUESTED:
        referral.requested_at = now
    if target == TaskStatus.ACCEPTED:
        referral.accepted_at = now
    if target in FINAL:
        referral.ended_at = now
    if reason:
        referral.status_reason = reason
    if output:
        referral.output = output
    referral.version += 1
    referral.last_modified_by = by
    referral.save()
    _relationships(referral, source, target, by)


def move_referral(
    *,
    referral: Referral,
    to_status: str,
    by: User,
    reason: str = "",
    output: str = "",
    expected_version: int | None = None,
) -> Referral:
    """Move a referral's Task to `to_status`, as the table allows for the user's party."""
    party = party_or_refuse(by, referral)
    try:
        target = TaskStatus(to_status)
    except ValueError:
        raise IllegalMove(
            f"{to_status!r} is not a Task status; use one of {', '.join(s.value for s in TaskStatus)}."
        ) from None
    reason, output = reason.strip(), output.strip()
    refusal = ""
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update()
            .select_related("patient", "owner_organisation")
            .get(pk=referral.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise VersionConflict(locked.version, expected_version)
        source = locked.task_status
        if target == TaskStatus.DRAFT or not has_transition_perm(locked.transition_to(target), by):
            refusal = why_not(source, target, party)
        elif target in REASON_REQUIRED and not reason:
            raise ValidationError({"reason": f"Say why the referral is {target.value}."})
        else:
            _apply(locked, target, reason, output, by)
            record(
                action=EventType.REFERRAL_MOVE,
                actor=by,
                **_audit_target(locked),
                detail={
                    "from": source.value,
                    "to": target.value,
                    "party": party.value,
                    "has_reason": bool(reason),
                    "has_output": bool(output),
                },
            )
    if refusal:
        # Recorded outside the transaction above, so the refusal stays in the chain.
        record(
            action=EventType.REFERRAL_MOVE,
            actor=by,
            outcome="denied",
            reason=refusal,
            **_audit_target(locked),
            detail={"from": source.value, "to": target.value, "party": party.value},
        )
        raise IllegalMove(refusal)
    for field in ("status", "status_reason", "output", "requested_at", "accepted_at", "ended_at", "version"):
        setattr(referral, field, getattr(locked, field))
    return referral


def reroute_referral(*, referral: Referral, to_service: Service, by: User, reason: str = "") -> Referral:
    """Send a rejected referral to another service: a new requested referral that replaces it."""
    party = party_or_refuse(by, referral)
    if party != Party.REQUESTER:
        raise refuse(
            by,
            EventType.REFERRAL_REROUTE,
            "Only the referring organisation can re-route a referral.",
            **_audit_target(referral),
        )
    if referral.status != TaskStatus.REJECTED:
        raise IllegalMove(f"Only a rejected referral can be re-routed; this one is {referral.status}.")
    if referral.replaced_by.exists():
        raise IllegalMove("This referral has already been re-routed.")
    if to_service.pk == referral.service_id:
        raise ValidationError({"service": "Choose a different service from the one that rejected it."})
    with transaction.atomic():
        new = create_referral(
            patient=referral.patient,
            service=to_service,
            reason=reason.strip() or referral.reason,
            by=by,
            needs=referral.needs,
            priority=referral.priority,
            note=referral.note,
            replaces=referral,
            synthetic=referral.synthetic,
        )
        record(
            action=EventType.REFERRAL_REROUTE,
            actor=by,
            **_audit_target(referral),
            detail={"new_referral": new.public_id, "service": to_service.public_id},
        )
    return new


def cancel_referrals_for_death(*, patient: PatientIndex, by: User) -> list[Referral]:
    """Cancel every open referral of a person whose death has been recorded (reason: died).

    Called by the action that records the death, inside its transaction; the moves are the table's
    own (every open status may move to cancelled), made on behalf of the requester.
    """
    cancelled = []
    open_statuses = [s.value for s in TaskStatus if s not in FINAL]
    for referral in Referral.objects.select_for_update().filter(patient=patient, status__in=open_statuses):
        source = referral.status
        _apply(referral, TaskStatus.CANCELLED, "The person has died.", "", by)
        record(
            action=EventType.REFERRAL_MOVE,
            actor=by,
            **_audit_target(referral),
            detail={"from": source, "to": TaskStatus.CANCELLED.value, "party": "death recorded"},
        )
        cancelled.append(referral)
    return cancelled


def is_active(referral: Referral) -> bool:
    return referral.task_status in ACTIVE
