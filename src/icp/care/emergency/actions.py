"""Emergency-response lists, one function per verb (keyword-only, acting user `by=`), audited.

- `build_emergency_list`: an ICP's IG lead or manager builds a list from the criteria below; given to
  a hub, each person on it becomes an emergency-response relationship of the hub's (so its workers
  may coordinate their support, as agreements and the person's choices allow).
- `record_outreach`: a contact with a person on a list: reached or not, the needs found.
- `refer_from_contact`: from a contact, refer the person to a hub or voluntary organisation.

Who is on a list is decided by `CRITERIA`, written with the pathway schema's criteria (registers,
scores and flags that risk stratification computes), after seed 004: care needs, living alone,
housebound, carers and the cared-for, severe frailty, end of life, learning disability.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import care_purpose, refuse, require_care_access
from icp.care.emergency.models import EmergencyList, EmergencyListEntry, OutreachContact
from icp.care.pathways.schema import Criterion
from icp.care.referrals.actions import create_referral
from icp.care.referrals.models import Need, Referral, Service, need_words
from icp.partnership.models import Area, Organisation, User
from icp.partnership.roles import OrganisationType
from icp.patients.actions import open_relationship
from icp.patients.models import PatientIndex, RelationshipKind, RiskResult
from icp.patients.risk_lookup import unlisted
from icp.sharing.actions import can_govern
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import Purpose

# Seed 004 (ICPs' COVID-19 reflections): the shielded and vulnerable, carers, food and digital poverty.
CRITERIA: dict[str, tuple[str, Criterion]] = {
    "care_needs": ("Has care needs (cared for)", Criterion(flag="cared_for")),
    "lives_alone": ("Lives alone", Criterion(flag="lives_alone")),
    "housebound": ("Housebound", Criterion(flag="housebound")),
    "carer": ("Is a carer", Criterion(flag="carer")),
    "severe_frailty": ("Severe frailty (eFI)", Criterion(score="efi_category", values=("severe",))),
    "end_of_life": ("End of life (palliative care register)", Criterion(register="palliative_care")),
    "learning_disability": ("Learning disability register", Criterion(register="learning_disability")),
}


def list_purpose(user: Any) -> str | None:
    """The purpose a user reads an emergency list for: emergency response where their role acts for
    it (ambulance, hospital clinicians), care coordination for hub and voluntary workers."""
    if Purpose.EMERGENCY in purposes_for(getattr(user, "role", "")):
        return Purpose.EMERGENCY
    return care_purpose(user)


# What a criterion reads of a person without a row, from the run's warehouse file.
FACT_COLUMNS = [
    "age",
    "registers",
    "efi_category",
    "hfrs_category",
    "tier",
    "housebound",
    "carer",
    "cared_for",
    "lives_alone",
]
# People looked up in the patient index at a time.
LOOKUP_CHUNK = 500


def _reasons(facts: dict[str, Any], criteria: list[str]) -> list[str]:
    return [CRITERIA[c][0] for c in criteria if CRITERIA[c][1].holds(facts)]


def _people_meeting(icp: Area, chosen: list[str]) -> Iterator[tuple[PatientIndex, list[str]]]:
    """The ICP's living people who meet any chosen criterion, with the reasons: everyone, the low
    tier included (a housebound 80-year-old at low risk of admission matters in a heatwave).

    The listed tiers from their rows; everyone else from the latest run's warehouse file
    (`risk_lookup.unlisted`), narrowed by Arrow to those who could meet a criterion before each is
    judged by the same `CRITERIA` (ADR 0212).
    """
    results = RiskResult.objects.filter(icp=icp, patient__death_date__isnull=True).select_related("patient")
    for result in results.iterator(chunk_size=2000):
        facts = {"age": result.age, "efi_category": result.efi_category, **result.detail.as_dict()}
        reasons = _reasons(facts, chosen)
        if reasons:
            yield result.patient, reasons
    others = unlisted(icp, FACT_COLUMNS)
    others = others.filter(_could_meet(others, [CRITERIA[c][1] for c in chosen]))
    for start in range(0, others.num_rows, LOOKUP_CHUNK):
        rows = {row["patient_id"]: row for row in others.slice(start, LOOKUP_CHUNK).to_pylist()}
        living = PatientIndex.objects.filter(icp=icp, patient_id__in=list(rows), death_date__isnull=True)
        for patient in living.order_by("patient_id"):
            reasons = _reasons(rows[patient.patient_id], chosen)
            if reasons:
                yield patient, reasons


def _could_meet(rows: pa.Table, criteria: list[Criterion]) -> pa.Array:
    """Which rows could meet any of the criteria (each judged afterwards by `Criterion.holds`)."""
    mask = pa.array([False] * rows.num_rows, pa.bool_())
    for criterion in criteria:
        if criterion.flag is not None:
            meets = pc.fill_null(rows.column(criterion.flag), False)
        elif criterion.score is not None:
            meets = pc.is_in(rows.column(criterion.score), pa.array(list(criterion.values)))
        elif criterion.register_name is not None:
            registers = rows.column("registers").combine_chunks()
            hits = pc.equal(pc.list_flatten(registers), criterion.register_name)
            holders = pc.filter(pc.list_parent_indices(registers), hits)
            meets = pc.is_in(pa.array(range(rows.num_rows), pa.int64()), pc.cast(holders, pa.int64()))
        else:
            meets = pc.greater_equal(pc.fill_null(rows.column("age"), 0), criterion.min_age or 0)
        mask = pc.or_(mask, meets)
    return mask


def build_emergency_list(
    *, icp: Area, name: str, criteria: Iterable[str], by: User, hub: Organisation | None = None
) -> EmergencyList:
    """Build a list of the ICP's living people who meet any of the criteria (with the reasons)."""
    if not can_govern(by, icp):
        raise refuse(
            by,
            EventType.EMERGENCY_LIST_BUILD,
            f"Only an IG lead or ICP manager of {icp.name} builds its lists.",
            target=icp,
        )
    chosen = list(dict.fromkeys(criteria))
    unknown = [c for c in chosen if c not in CRITERIA]
    if not chosen or unknown:
        raise ValidationError({"criteria": f"Choose from: {', '.join(CRITERIA)}."})
    if hub is not None and hub.type not in (
        OrganisationType.COMMUNITY_SUPPORT_HUB,
        OrganisationType.VOLUNTARY_ORGANISATION,
    ):
        raise ValidationError(
            {"hub": "A list is given to a community support hub or voluntary organisation."}
        )
    if not name.strip():
        raise ValidationError({"name": "Name the list."})
    today = timezone.localdate()
    with transaction.atomic():
        emergency_list = EmergencyList.objects.create(
            icp=icp, hub=hub, name=name.strip(), criteria=chosen, built_at=timezone.now(), built_by=by
        )
        added = 0
        for patient, reasons in _people_meeting(icp, chosen):
            entry = EmergencyListEntry.objects.create(
                emergency_list=emergency_list, patient=patient, reasons=reasons, added_on=today
            )
            added += 1
            if hub is not None:
                open_relationship(
                    patient=patient,
                    kind=RelationshipKind.EMERGENCY_RESPONSE,
                    source=entry,
                    organisation=hub,
                    label=emergency_list.name,
                    by=by,
                )
        record(
            action=EventType.EMERGENCY_LIST_BUILD,
            actor=by,
            target_type="care.emergencylist",
            target_id=emergency_list.public_id,
            purpose=Purpose.EMERGENCY,
            detail={"icp": icp.code, "hub": hub.code if hub else None, "criteria": chosen, "people": added},
        )
    return emergency_list


def _require_list_reader(by: User, entry: EmergencyListEntry, action: EventType) -> str:
    """The purpose the user works the list for, after the access decision allows this person."""
    emergency_list = entry.emergency_list
    if (
        emergency_list.hub_id is not None
        and by.organisation_id != emergency_list.hub_id
        and (Purpose.EMERGENCY not in purposes_for(by.role))
    ):
        raise refuse(by, action, "This list is worked by its hub.", target=emergency_list)
    purpose = list_purpose(by)
    if purpose == Purpose.EMERGENCY:
        from icp.sharing.policy import decide

        decision = decide(by, entry.patient, Purpose.EMERGENCY, action=EventType.CARE_ACCESS)
        if not decision.allowed:
            raise refuse(by, action, decision.reason, target=emergency_list)
    else:
        require_care_access(by, entry.patient, action)
    return str(purpose)


def record_outreach(
    *, entry: EmergencyListEntry, reached: bool, by: User, needs: Iterable[str] = (), note: str = ""
) -> OutreachContact:
    """Log a contact with a person on an emergency-response list."""
    purpose = _require_list_reader(by, entry, EventType.OUTREACH_RECORD)
    needs = [str(n) for n in needs]
    unknown = [n for n in needs if n not in Need.values]
    if unknown:
        raise ValidationError({"needs": f"Unknown need(s) {unknown}; choose from {', '.join(Need.values)}."})
    with transaction.atomic():
        contact = OutreachContact.objects.create(
            entry=entry,
            contacted_at=timezone.now(),
            contacted_by=by,
            reached=reached,
            needs=needs,
            note=note.strip(),
        )
        record(
            action=EventType.OUTREACH_RECORD,
            actor=by,
            target_type="care.outreachcontact",
            target_id=contact.public_id,
            patient_ref=entry.patient.patient_id,
            purpose=purpose,
            detail={"reached": reached, "needs": needs},
        )
    return contact


def refer_from_contact(*, contact: OutreachContact, service: Service, by: User, reason: str = "") -> Referral:
    """Refer the person contacted to a hub or voluntary organisation's service, for the needs found."""
    referral = create_referral(
        patient=contact.entry.patient,
        service=service,
        reason=reason.strip() or f"Needs found on outreach: {need_words(contact.needs) or 'see note'}.",
        needs=contact.needs,
        by=by,
    )
    contact.referral = referral
    contact.save(update_fields=["referral"])
    return referral
