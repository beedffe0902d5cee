"""Enrolment of a person in a care pathway (the definitions themselves are YAML, not rows)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from icp.partnership.ids import new_public_id
from icp.partnership.models import Organisation
from icp.patients.models import PatientIndex


class LeaveReason(models.TextChoices):
    """Why a person leaves a pathway."""

    GOALS_MET = "goals_met", "Goals met: care continues as usual"
    DECLINED = "declined", "The person declined or withdrew"
    NO_LONGER_ELIGIBLE = "no_longer_eligible", "No longer meets the entry criteria"
    MOVED_AWAY = "moved_away", "Moved away or changed practice"
    TRANSFERRED = "transferred", "Transferred to another pathway"
    DIED = "died", "Died"
    ENTERED_IN_ERROR = "entered_in_error", "Enrolled in error"


class Enrolment(models.Model):
    """A person on a pathway: who enrolled them, why, when it is reviewed, and when and why it ended."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    patient = models.ForeignKey(PatientIndex, on_delete=models.PROTECT, related_name="enrolments")
    pathway = models.CharField(max_length=32, db_index=True, help_text="The pathway definition's id")
    pathway_version = models.CharField(max_length=16)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(help_text="Why this person was enrolled")
    entry_reasons = models.JSONField(
        default=list, blank=True, help_text="The entry criteria met at enrolment (empty: clinical judgement)"
    )
    started_on = models.DateField()
    next_review_on = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=LeaveReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "pathway"],
                condition=Q(ended_on__isnull=True),
                name="care_one_open_enrolment_per_pathway",
            )
        ]
        indexes = [models.Index(fields=["organisation", "pathway", "ended_on"])]

    def __str__(self) -> str:
        return f"Enrolment {self.public_id} in {self.pathway}"

    @property
    def open(self) -> bool:
        return self.ended_on is None
