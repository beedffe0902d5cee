"""Carers, recorded as people linked to the person they care for (so planning can count them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from icp.partnership.ids import new_public_id
from icp.patients.models import PatientIndex


class Carer(models.Model):
    """A carer of a person: someone in the patient index (preferred), or named when they are not."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="carers")
    carer_patient = models.ForeignKey(
        PatientIndex,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cares_for",
        help_text="The carer, when they are in the patient index",
    )
    name = models.CharField(max_length=200, blank=True, help_text="The carer's name, when not in the index")
    relationship = models.CharField(max_length=100, help_text="e.g. daughter, husband, neighbour")
    contact = models.CharField(max_length=200, blank=True)
    unpaid = models.BooleanField(default=True, help_text="An unpaid carer (family, friend, neighbour)")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["patient", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(carer_patient__isnull=False) | ~models.Q(name=""),
                name="care_carer_is_someone",
            )
        ]

    def __str__(self) -> str:
        return f"Carer {self.public_id}"
