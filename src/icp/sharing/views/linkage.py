"""The IG lead's record-linkage pages: the review queue, a pair side by side, a person's records.

Only the fields needed to decide whether two records are one person are shown (source, names,
date of birth, sex, postcode district, the last four digits of a valid national number), never the
clinical record. Every page view and every decision is audited; the decisions are the actions in
`icp.patients.linkage` (link, keep apart, split), which write the new persons everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.partnership.models import Area, User
from icp.patients import linkage
from icp.patients.models import LinkReview, LinkStatus, PatientIndex
from icp.records.identifiers import is_valid, normalise
from icp.sharing.views import current_user, forbidden

DECISIONS = {"same": "Same person", "apart": "Not the same person"}


@dataclass(frozen=True)
class Identity:
    """One source record as the reviewer sees it: the minimum needed to judge a match."""

    patient_id: str
    source: str
    given_name: str
    family_name: str
    birth_date: date | None
    sex: str
    postcode_district: str
    number: str  # "ends 5919", or words saying there is none
    registered: bool

    @staticmethod
    def of(patient: PatientIndex, postcode: str = "") -> Identity:
        digits = normalise(patient.national_id)
        if is_valid(digits):
            number = f"valid, ends {digits[-4:]}"
        elif digits:
            number = "not valid"
        else:
            number = "none recorded"
        return Identity(
            patient_id=patient.patient_id,
            source=patient.source or "unknown source",
            given_name=patient.given_name,
            family_name=patient.family_name,
            birth_date=patient.birth_date,
            sex=patient.sex or "not recorded",
            postcode_district=postcode,
            number=number,
            registered=patient.registered and patient.practice_id is not None,
        )


def _reviewer(request: HttpRequest, action: EventType) -> tuple[User, Area | None, HttpResponse | None]:
    user = current_user(request)
    try:
        return user, linkage.require_review_access(user), None
    except PermissionDenied as error:
        refusal = deny(action=action, by=user, reason="not an IG lead", message=str(error))
        return user, None, forbidden(request, str(refusal))


def _districts(*patients: PatientIndex) -> dict[str, str]:
    """Postcode districts come from the warehouse's row (the index keeps no address)."""
    from icp.records.linkage.run import read_patients
    from icp.records.warehouse import Warehouse

    if not patients:
        return {}
    wanted = {patient.patient_id for patient in patients}
    areas = {patient.icp.code for patient in patients}
    found: dict[str, str] = {}
    for area in areas:
        rows = read_patients(Warehouse(), area).select(["patient_id", "postcode_district"]).to_pylist()
        found.update(
            {row["patient_id"]: row["postcode_district"] or "" for row in rows if row["patient_id"] in wanted}
        )
    return found


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The ICP's pairs waiting for review, most likely first, and the latest decisions."""
    user, icp, refused = _reviewer(request, EventType.LINKAGE_QUEUE_VIEW)
    if refused is not None or icp is None:
        return refused or forbidden(request, "Not available.")
    reviews = LinkReview.objects.filter(icp=icp).select_related("left", "right", "decided_by")
    waiting = list(reviews.filter(status=LinkStatus.WAITING)[:200])
    decided = list(reviews.exclude(status=LinkStatus.WAITING).order_by("-decided_at", "-id")[:50])
    total = reviews.filter(status=LinkStatus.WAITING).count()
    record(action=EventType.LINKAGE_QUEUE_VIEW, actor=user, detail={"icp": icp.code, "waiting": total})
    return render(
        request,
        "sharing/linkage_queue.html",
        {"icp": icp, "waiting": waiting, "decided": decided, "total": total},
    )


@login_required
def review_pair(request: HttpRequest, pk: int) -> HttpResponse:
    """Two records side by side; the reviewer says whether they are one person."""
    user, icp, refused = _reviewer(request, EventType.LINKAGE_PAIR_VIEW)
    if refused is not None or icp is None:
        return refused or forbidden(request, "Not available.")
    review = get_object_or_404(
        LinkReview.objects.select_related("left", "right", "left__icp"), pk=pk, icp=icp
    )
    error = ""
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in DECISIONS:
            error = "Choose whether the two records are the same person or not."
        elif review.status != LinkStatus.WAITING:
            error = "This pair has already been decided."
        else:
            try:
                if decision == "same":
                    linkage.link_pair(review=review, by=user)
                else:
                    linkage.keep_apart(review=review, by=user)
            except ValidationError as invalid:
                error = " ".join(invalid.messages)
            except PermissionDenied as denied:
                return forbidden(request, str(denied))
            else:
                return redirect("sharing:linkage")
    left, right = review.left, review.right
    districts = _districts(left, right)
    record(
        action=EventType.LINKAGE_PAIR_VIEW,
        actor=user,
        target=review,
        patient_ref=left.patient_id,
        detail={"icp": icp.code, "left": left.patient_id, "right": right.patient_id},
    )
    return render(
        request,
        "sharing/linkage_pair.html",
        {
            "icp": icp,
            "review": review,
            "records": [
                Identity.of(left, districts.get(left.patient_id, "")),
                Identity.of(right, districts.get(right.patient_id, "")),
            ],
            "decisions": DECISIONS,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def review_person(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Every source record linked into one person; the reviewer may take one out (split)."""
    user, icp, refused = _reviewer(request, EventType.LINKAGE_PAIR_VIEW)
    if refused is not None or icp is None:
        return refused or forbidden(request, "Not available.")
    patient = get_object_or_404(
        PatientIndex.objects.select_related("icp"), patient_id=patient_id[:64], icp=icp
    )
    error = ""
    if request.method == "POST":
        chosen = PatientIndex.objects.filter(patient_id=request.POST.get("record", "")[:64], icp=icp).first()
        if chosen is None or chosen.person != patient.person:
            error = "Choose one of this person's records to take out."
        else:
            try:
                linkage.split_record(patient=chosen, by=user)
            except ValidationError as invalid:
                error = " ".join(invalid.messages)
            except PermissionDenied as denied:
                return forbidden(request, str(denied))
            else:
                return redirect("sharing:linkage")
    members = list(patient.linked_records())
    districts = _districts(*members)
    record(
        action=EventType.LINKAGE_PAIR_VIEW,
        actor=user,
        target_type="patient",
        target_id=patient.patient_id,
        patient_ref=patient.patient_id,
        detail={"icp": icp.code, "person": patient.person, "records": len(members)},
    )
    return render(
        request,
        "sharing/linkage_person.html",
        {
            "icp": icp,
            "patient": patient,
            "records": [Identity.of(member, districts.get(member.patient_id, "")) for member in members],
            "error": error,
        },
        status=400 if error else 200,
    )
