"""People to review: the open care-plan activities a user's organisation owns (a pharmacy's
medication reviews, a trust team's home visits), soonest due first, each with its person.

A list of named people is a read of their records: each person is shown only when the access
decision allows the user's care purpose on their demographics and care plans, and the list is one audit event
naming whom it showed and how many it held back. Updating an activity is done on the person's care
page, through `care.plans.actions.update_activity`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.care.access import asked_purpose, refuse
from icp.care.plans.models import DONE, Activity, PlanStatus
from icp.partnership.models import User
from icp.sharing.policy import evaluate_people
from icp.sharing.vocabulary import DataCategory

# At most this many activities on the page: an organisation's day, not its archive.
LIMIT = 300
CATEGORIES = (DataCategory.DEMOGRAPHICS, DataCategory.CARE_PLANS)


@login_required
def people_to_review(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    organisation = user.organisation
    if organisation is None:
        raise refuse(
            user, EventType.ACTIVITY_LIST, "People to review are an organisation's: you belong to none."
        )
    purpose = asked_purpose(user)
    today = timezone.localdate()
    open_activities = (
        Activity.objects.filter(owner_organisation=organisation, care_plan__status=PlanStatus.ACTIVE)
        .exclude(status__in=DONE)
        .select_related("care_plan__patient", "care_plan__organisation")
        .order_by("due_on", "id")[:LIMIT]
    )
    activities = list(open_activities)
    patients = [activity.care_plan.patient for activity in activities]
    # The row names the person (demographics) and says what their plan asks (care plans): both.
    by_category = [evaluate_people(user, patients, purpose, category) for category in CATEGORIES]
    rows = [
        activity
        for activity, decisions in zip(activities, zip(*by_category, strict=True), strict=True)
        if all(decision.allowed for decision in decisions)
    ]
    hidden = len(activities) - len(rows)
    shown = sorted({activity.care_plan.patient.patient_id for activity in rows})
    record(
        action=EventType.ACTIVITY_LIST,
        actor=user,
        target=organisation,
        purpose=purpose,
        detail={"shown": shown, "activities": len(rows), "hidden_by_access_decision": hidden},
        subjects=shown,
    )
    return render(
        request,
        "care/plans/people_to_review.html",
        {
            "organisation": organisation,
            "rows": rows,
            "hidden": hidden,
            "overdue": sum(1 for activity in rows if activity.overdue(today)),
            "today": today,
        },
    )
