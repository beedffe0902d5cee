"""One person across sources, in the app: run linkage for an ICP, and review, link and split by hand.

`run_linkage(area=…)` (what `icp link` calls) links the ICP's warehouse records with the reviewers'
decisions so far (`icp.records.linkage.run.link`), writes `patient.person_id` to the warehouse,
syncs the patient index (which copies it), and replaces the ICP's waiting review pairs with the
new ones.

The verbs an information-governance lead uses on the review page, each audited and refused
(through `audit.deny`) to anyone else:
- `link_pair`: the two records are the same person; their persons become one;
- `keep_apart`: they are not; no later run joins them;
- `split_record`: take one record out of the person it was linked to (undo a wrong link); it is
  kept apart from every other record of that person from then on.

Each writes the new `person_id` to the patient index and the warehouse at once. Access follows the
person (`icp.patients.relationships`), so the next access decision sees the new persons: nothing
cached to clear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.partnership.models import Area, home_icp
from icp.partnership.roles import UserRole
from icp.patients.models import LinkReview, LinkStatus, PatientIndex
from icp.patients.sync import sync_patient_index
from icp.records.identifiers import is_valid
from icp.records.linkage.persons import RecordFacts, primary_record
from icp.records.linkage.run import Decisions, Thresholds, link, read_patients, write_person_ids
from icp.records.warehouse import Warehouse

REVIEWER_ROLES = frozenset({UserRole.IG_LEAD})


class LinkageError(ValueError):
    """The ICP is unknown or has no records to link."""


@dataclass(frozen=True)
class LinkSummary:
    area: str
    records: int
    persons: int
    links_by_rule: dict[str, int]
    waiting: int
    decided: int
    batch_id: str
    thresholds: Thresholds
    model_card: dict[str, Any] = field(default_factory=dict)


def _decisions(area: Area) -> Decisions:
    rows = LinkReview.objects.filter(icp=area).exclude(status=LinkStatus.WAITING)
    pairs = rows.values_list("left__patient_id", "right__patient_id", "status")
    return Decisions.of(
        same=[(left, right) for left, right, status in pairs if status == LinkStatus.LINKED],
        apart=[(left, right) for left, right, status in pairs if status == LinkStatus.APART],
    )


def _update_index(person_of: dict[str, str]) -> int:
    """Set `person_id` on the index rows whose person changed; returns how many changed."""
    changed = 0
    current = dict(
        PatientIndex.objects.filter(patient_id__in=list(person_of)).values_list("patient_id", "person_id")
    )
    by_person: dict[str, list[str]] = {}
    for patient_id, person_id in person_of.items():
        if patient_id in current and current[patient_id] != person_id:
            by_person.setdefault(person_id, []).append(patient_id)
    for person_id, patient_ids in by_person.items():
        for start in range(0, len(patient_ids), 1000):
            changed += PatientIndex.objects.filter(patient_id__in=patient_ids[start : start + 1000]).update(
                person_id=person_id
            )
    return changed


def run_linkage(
    *,
    area: str,
    thresholds: Thresholds | None = None,
    warehouse: Warehouse | None = None,
    by: Any = None,
    seed: int = 42,
) -> LinkSummary:
    """Link the ICP's records into persons; write them and the new review pairs. `by`: None for the CLI."""
    warehouse = warehouse or Warehouse()
    icp = Area.objects.filter(code=area).first()
    if icp is None:
        raise LinkageError(f"unknown ICP {area!r}: run `icp load-structure` first, or check the code")
    patients = read_patients(warehouse, area)
    if patients.num_rows == 0:
        raise LinkageError(f"no records of {area} in the warehouse: run `icp synth` or `icp ingest` first")
    decisions = _decisions(icp)
    result = link(patients, decisions=decisions, thresholds=thresholds, seed=seed)
    detail = {
        "records": result.records,
        "persons": result.persons.count,
        "links_by_rule": result.links_by_rule,
        "waiting_for_review": len(result.review),
        "thresholds": {"link": result.thresholds.link, "review": result.thresholds.review},
        "model": result.model_card,
    }
    batch_id = write_person_ids(warehouse, area, result.persons.person_of, detail=detail)
    # The index takes the new persons (and any record it did not hold yet) the one way it always does.
    sync_patient_index(areas=[area], warehouse=warehouse, by=by)
    index = {
        patient_id: pk
        for patient_id, pk in PatientIndex.objects.filter(icp=icp).values_list("patient_id", "id")
    }
    with transaction.atomic():
        LinkReview.objects.filter(icp=icp, status=LinkStatus.WAITING).delete()
        LinkReview.objects.bulk_create(
            [
                LinkReview(
                    icp=icp,
                    left_id=index[pair.left],
                    right_id=index[pair.right],
                    match_probability=pair.match_probability,
                    reason=pair.reason[:200],
                )
                for pair in result.review
                if pair.left in index and pair.right in index
            ],
            ignore_conflicts=True,  # a decided pair is never put back in the queue
        )
        waiting = LinkReview.objects.filter(icp=icp, status=LinkStatus.WAITING).count()
        record(
            action=EventType.LINKAGE_RUN,
            actor=by,
            target_type="records.batch",
            target_id=batch_id,
            detail={
                "icp": area,
                "records": result.records,
                "persons": result.persons.count,
                "links_by_rule": result.links_by_rule,
                "waiting_for_review": waiting,
            },
        )
    return LinkSummary(
        area=area,
        records=result.records,
        persons=result.persons.count,
        links_by_rule=result.links_by_rule,
        waiting=waiting,
        decided=len(decisions.same) + len(decisions.apart),
        batch_id=batch_id,
        thresholds=result.thresholds,
        model_card=result.model_card,
    )


# -- the reviewer's verbs ------------------------------------------------------------------------


def may_review(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", None) in REVIEWER_ROLES
        and home_icp(user) is not None
    )


def _require_reviewer(by: Any, icp: Area, action: EventType, target: PatientIndex) -> None:
    reason = ""
    if not may_review(by):
        reason = "Only an information-governance lead reviews record linkage."
    elif home_icp(by) != icp:
        reason = "This person is not in the ICP your account works for."
    if reason:
        raise deny(
            action=action,
            by=by,
            target_type="patient",
            target_id=target.patient_id,
            patient_ref=target.patient_id,
            reason=reason,
        )


def _facts(record: PatientIndex) -> RecordFacts:
    return RecordFacts(
        source=record.source, registered=record.registered, has_number=is_valid(record.national_id)
    )


def _set_persons(icp: Area, groups: Iterable[list[PatientIndex]]) -> dict[str, str]:
    """Give each group one person (its primary record's id): index rows now, the warehouse in one commit."""
    person_of: dict[str, str] = {}
    for members in groups:
        primary = primary_record({m.patient_id: _facts(m) for m in members})
        person_of.update({member.patient_id: primary for member in members})
    _update_index(person_of)
    return person_of


def _write_warehouse(
    icp: Area, person_of: dict[str, str], action: EventType, warehouse: Warehouse | None
) -> None:
    write_person_ids(warehouse or Warehouse(), icp.code, person_of, detail={"by": str(action)})


def _members(record: PatientIndex) -> list[PatientIndex]:
    return list(
        PatientIndex.objects.filter(Q(person_id=record.person) | Q(pk=record.pk)).order_by("patient_id")
    )


def _decide(review: LinkReview, status: str, by: Any) -> None:
    review.status = status
    review.decided_by = by
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])


def link_pair(*, review: LinkReview, by: Any, warehouse: Warehouse | None = None) -> LinkReview:
    """The two records of `review` are the same person: join their persons."""
    action = EventType.LINKAGE_LINK
    _require_reviewer(by, review.icp, action, review.left)
    with transaction.atomic():
        members = {m.pk: m for m in [*_members(review.left), *_members(review.right)]}
        person_of = _set_persons(review.icp, [list(members.values())])
        _decide(review, LinkStatus.LINKED, by)
        _audit(action, by, review, person_of[review.left.patient_id], len(members))
    _write_warehouse(review.icp, person_of, action, warehouse)
    return review


def keep_apart(*, review: LinkReview, by: Any) -> LinkReview:
    """The two records of `review` are not the same person: no run will join them."""
    action = EventType.LINKAGE_KEEP_APART
    _require_reviewer(by, review.icp, action, review.left)
    left, right = (PatientIndex.objects.get(pk=pk) for pk in (review.left_id, review.right_id))
    if left.person == right.person:
        raise ValidationError(
            {"review": "These records are already one person: split one of them off instead."}
        )
    with transaction.atomic():
        _decide(review, LinkStatus.APART, by)
        _audit(action, by, review, "", 0)
    return review


def split_record(*, patient: PatientIndex, by: Any, warehouse: Warehouse | None = None) -> PatientIndex:
    """Take `patient` (one source record) out of its person: it becomes a person of its own."""
    action = EventType.LINKAGE_SPLIT
    _require_reviewer(by, patient.icp, action, patient)
    members = _members(patient)
    others = [m for m in members if m.pk != patient.pk]
    if not others:
        raise ValidationError(
            {"patient": "This record is not linked to any other: there is nothing to split."}
        )
    with transaction.atomic():
        person_of = _set_persons(patient.icp, [[patient], others])
        now = timezone.now()
        for other in others:
            left, right = sorted((patient, other), key=lambda m: m.patient_id)
            LinkReview.objects.update_or_create(
                left=left,
                right=right,
                defaults={
                    "icp": patient.icp,
                    "status": LinkStatus.APART,
                    "decided_by": by,
                    "decided_at": now,
                },
                create_defaults={
                    "icp": patient.icp,
                    "status": LinkStatus.APART,
                    "decided_by": by,
                    "decided_at": now,
                    "match_probability": 0.0,
                    "reason": "split from a linked person",
                },
            )
        record(
            action=action,
            actor=by,
            target_type="patient",
            target_id=patient.patient_id,
            patient_ref=patient.patient_id,
            detail={
                "icp": patient.icp.code,
                "left_person_records": len(others),
                "was_person": patient.person,
            },
        )
    _write_warehouse(patient.icp, person_of, action, warehouse)
    patient.refresh_from_db()
    return patient


def _audit(action: EventType, by: Any, review: LinkReview, person_id: str, records: int) -> None:
    record(
        action=action,
        actor=by,
        target=review,
        patient_ref=review.left.patient_id,
        detail={
            "icp": review.icp.code,
            "left": review.left.patient_id,
            "right": review.right.patient_id,
            "match_probability": round(review.match_probability, 4),
            "person": person_id,
            "records_in_person": records,
        },
    )


def require_review_access(user: Any) -> Area:
    """The ICP whose review queue `user` may work on, or PermissionDenied (audited by the caller)."""
    icp = home_icp(user) if may_review(user) else None
    if icp is None:
        raise PermissionDenied("Only an information-governance lead reviews record linkage.")
    return icp
