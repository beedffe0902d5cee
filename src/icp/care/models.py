"""The app database's view of people: a patient index synced from the records warehouse.

The warehouse holds the records; this index holds just enough (identity, registered practice, ICP,
dates of birth and death) for care plans, referrals, consent and audit to have real foreign keys.
`patient_id` is the warehouse's opaque id and the only id used in URLs and logs.
"""

from __future__ import annotations

from django.db import models

from icp.partnership.models import Area, Organisation


class PatientIndex(models.Model):
    patient_id = models.CharField(max_length=64, unique=True, help_text="Opaque warehouse id")
    national_id = models.CharField(max_length=16, blank=True, db_index=True, help_text="H&C or NHS number")
    national_id_system = models.CharField(max_length=64, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True, db_index=True)
    sex = models.CharField(max_length=16, blank=True)
    birth_date = models.DateField(null=True, blank=True, db_index=True)
    death_date = models.DateField(null=True, blank=True)
    practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="registered_patients"
    )
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="patients")
    registered = models.BooleanField(default=True, help_text="False: attached to the ICP as unregistered")
    deprivation_quintile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 = most deprived"
    )
    synthetic = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "patient"
        verbose_name_plural = "patient index"
        indexes = [models.Index(fields=["icp", "practice"])]

    def __str__(self) -> str:
        # Opaque id only: this string can end up in logs and admin history.
        return f"Patient {self.patient_id}"
