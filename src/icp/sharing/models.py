"""Information-sharing data: agreements, a person's choices, legitimate relationships, break glass.

- `DataSharingAgreement`: which organisations of an ICP share which data categories for which
  purposes, on what legal basis, from when to when, and whether it is signed.
- `PersonChoice`: a person's choices (direct-care consent, planning opt-out, sensitive records
  withheld), kept as a history: the latest row of each kind is in force.
- Legitimate relationships are not here: they are `patients.CareRelationship` rows, written by the
  care workflows (docs/adr/0060-patients-floor.md).
- `BreakGlass`: a clinician's time-limited emergency override, reviewed by the IG lead.
- `LoginFailure`: failed logins, for the login throttle.

Every change to these goes through `icp.sharing.actions`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models

from icp.partnership.ids import new_public_id
from icp.partnership.models import Area, Organisation
from icp.patients.models import PatientIndex
from icp.sharing.vocabulary import AgreementStatus, ChoiceKind, ChoiceValue, LegalBasis


class DataSharingAgreement(models.Model):
    reference = models.CharField(max_length=40, unique=True, help_text="e.g. DSA-NI-NOR-CA-0001")
    title = models.CharField(max_length=200)
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="sharing_agreements")
    parties = models.ManyToManyField(Organisation, related_name="sharing_agreements")
    purposes = models.JSONField(default=list, help_text="Purpose codes (see vocabulary.Purpose)")
    categories = models.JSONField(default=list, help_text="Data category codes (see vocabulary.DataCategory)")
    legal_basis = models.CharField(max_length=40, choices=LegalBasis.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Blank: until withdrawn")
    status = models.CharField(max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    template = models.CharField(max_length=64, blank=True, help_text="The template it was made from")
    signed_on = models.DateField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["icp__code", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def effective_status(self, on: date) -> str:
        """The status on a day: a signed agreement past its end date (or not yet started) is not in force."""
        if self.status == AgreementStatus.SIGNED and self.end_date is not None and self.end_date < on:
            return AgreementStatus.EXPIRED
        return str(self.status)

    def in_force(self, on: date) -> bool:
        return self.effective_status(on) == AgreementStatus.SIGNED and self.start_date <= on


class PersonChoice(models.Model):
    """One recorded choice of a person. History is kept: the latest of each kind is in force."""

    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="sharing_choices")
    # The FHIR Consent id: opaque, so it says nothing of how many choices there are or their order.
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(max_length=32, choices=ChoiceKind.choices)
    value = models.CharField(max_length=16, choices=ChoiceValue.choices)
    categories = models.JSONField(
        default=list, blank=True, help_text="For sensitive records withheld: the categories withheld"
    )
    effective_date = models.DateField(help_text="The day the person made the choice")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["patient", "kind", "-effective_date", "-id"]
        indexes = [models.Index(fields=["kind", "patient"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_value_display()} ({self.patient})"


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate: follow up"


class BreakGlass(models.Model):
    """A clinician's emergency override of a denial: time-limited and reviewed by the IG lead."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glasses")
    patient = models.ForeignKey(PatientIndex, on_delete=models.PROTECT, related_name="break_glasses")
    purpose = models.CharField(max_length=32)
    reason = models.TextField()
    denial_reason = models.TextField(blank=True, help_text="What the decision said before the override")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    review_outcome = models.CharField(
        max_length=16, choices=ReviewOutcome.choices, default=ReviewOutcome.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "break-glass overrides"

    def __str__(self) -> str:
        return f"Break glass by {self.user} on {self.patient} at {self.started_at:%Y-%m-%d %H:%M}"

    def active(self, at: datetime) -> bool:
        return self.started_at <= at < self.expires_at


class LoginFailure(models.Model):
    """One failed login, kept for the throttle window. The username is as typed; no password."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"failed login for {self.username} at {self.at:%Y-%m-%d %H:%M}"
