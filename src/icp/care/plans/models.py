"""A person's care plan: what matters to them (goals, in their words) and who does what by when.

A `CarePlan` may come from a pathway enrolment (its steps become activities) or stand alone.
Each `Activity` has an owning organisation (and optionally a named user), a due date and a status
(FHIR CarePlan activity statuses); an activity past its due date and not done is overdue, and so is
a plan past its review date.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from icp.care.pathways.models import Enrolment
from icp.care.referrals.models import Referral
from icp.partnership.ids import new_public_id
from icp.partnership.models import Organisation
from icp.patients.models import PatientIndex


class PlanStatus(models.TextChoices):
    """FHIR request-status values a care plan uses here."""

    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    REVOKED = "revoked", "Ended early"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class GoalStatus(models.TextChoices):
    """FHIR goal lifecycle status values used here."""

    ACTIVE = "active", "Working on it"
    COMPLETED = "completed", "Achieved"
    CANCELLED = "cancelled", "No longer wanted"


class ActivityStatus(models.TextChoices):
    """FHIR CarePlan activity status values."""

    NOT_STARTED = "not-started", "Not started"
    SCHEDULED = "scheduled", "Booked"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Done"
    CANCELLED = "cancelled", "Cancelled"


DONE = (ActivityStatus.COMPLETED, ActivityStatus.CANCELLED)


class CarePlan(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    patient = models.ForeignKey(PatientIndex, on_delete=models.PROTECT, related_name="care_plans")
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.PROTECT, related_name="care_plans"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="care_plans_authored"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    review_on = models.DateField(help_text="When the plan is next reviewed with the person")
    last_reviewed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(
        null=True, blank=True, help_text="When the plan stopped being active (completed, ended early)"
    )
    last_modified = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Care plan {self.public_id}"

    def review_overdue(self, today: date) -> bool:
        return self.status == PlanStatus.ACTIVE and self.review_on < today


class Goal(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(help_text="What matters to the person, in their own words")
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    target_date = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Goal {self.public_id}"


class Activity(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="activities")
    description = models.CharField(max_length=300)
    step = models.CharField(max_length=64, blank=True, help_text="The pathway step it comes from")
    code = models.CharField(max_length=20, blank=True, help_text="SNOMED CT code of the intervention")
    code_display = models.CharField(max_length=200, blank=True)
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="care_activities"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="care_activities"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"Activity {self.public_id}"

    def overdue(self, today: date) -> bool:
        return self.status not in DONE and self.due_on < today
