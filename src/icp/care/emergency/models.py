"""Emergency-response lists, their entries and the outreach contacts made to the people on them.

A list belongs to an ICP and may be given to a community support hub. Its entries are built from
what risk stratification computes per person (registers, scores, flags), each with the reasons the
person is on it. An outreach contact records whether the person was reached and the needs found
(food, medicines, loneliness, digital access ...), coded where SNOMED CT has a code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from icp.care.referrals.models import Referral
from icp.partnership.ids import new_public_id
from icp.partnership.models import Area, Organisation
from icp.patients.models import PatientIndex


class EmergencyList(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="emergency_lists")
    hub = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_lists",
        help_text="The community support hub working the list; blank: the ICP's whole list",
    )
    name = models.CharField(max_length=200)
    criteria = models.JSONField(default=list, help_text="The criteria ids the list was built from")
    built_at = models.DateTimeField()
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["icp__code", "name"]

    def __str__(self) -> str:
        return f"Emergency-response list {self.public_id}"


class EmergencyListEntry(models.Model):
    emergency_list = models.ForeignKey(EmergencyList, on_delete=models.CASCADE, related_name="entries")
    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="emergency_entries")
    reasons = models.JSONField(default=list)
    added_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["emergency_list", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["emergency_list", "patient"],
                condition=models.Q(removed_on__isnull=True),
                name="care_one_open_emergency_entry",
            )
        ]

    def __str__(self) -> str:
        return f"Emergency-list entry {self.pk}"


class OutreachContact(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    entry = models.ForeignKey(EmergencyListEntry, on_delete=models.CASCADE, related_name="contacts")
    contacted_at = models.DateTimeField()
    contacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reached = models.BooleanField()
    needs = models.JSONField(default=list, help_text="Need codes found (see referrals.models.Need)")
    note = models.TextField(blank=True)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="outreach_contacts"
    )

    class Meta:
        ordering = ["-contacted_at", "-id"]

    def __str__(self) -> str:
        return f"Outreach contact {self.public_id}"
