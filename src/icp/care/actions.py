"""Every change to care data, one function per verb (keyword-only, acting user `by=`).

Each checks permission through the access decision, writes in one transaction and records an audit
event.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.models import PatientIndex, ReviewStatus, WorklistReview
from icp.partnership.models import User
from icp.sharing.policy import decide
from icp.sharing.vocabulary import DataCategory, Purpose


def review_worklist_entry(
    *, patient: PatientIndex, status: str, by: User, reason: str = "", run_id: str = ""
) -> WorklistReview:
    """Mark a person on a case-finding worklist as reviewed, or as not appropriate (with a reason)."""
    decision = decide(
        by,
        patient,
        Purpose.RISK_STRATIFICATION,
        DataCategory.CONDITIONS,
        action=EventType.WORKLIST_REVIEW_ACCESS,
    )
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    if status not in ReviewStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(ReviewStatus.values)}."})
    reason = reason.strip()
    if status == ReviewStatus.NOT_APPROPRIATE and not reason:
        raise ValidationError({"reason": "Say why this person is not appropriate for the worklist."})
    review = WorklistReview(
        patient=patient,
        status=status,
        reason=reason,
        reviewed_by=by,
        reviewed_at=timezone.now(),
        run_id=run_id,
    )
    review.full_clean()
    with transaction.atomic():
        review.save()
        record(
            action=EventType.WORKLIST_REVIEW,
            actor=by,
            target=review,
            patient_ref=patient.patient_id,
            purpose=Purpose.RISK_STRATIFICATION,
            detail={"status": status, "run_id": run_id, "has_reason": bool(reason)},
        )
    return review
