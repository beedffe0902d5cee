"""An MDT's meetings, their attendance, the cases discussed and the actions agreed.

A meeting belongs to an MDT list (`care.MdtList`, whose member organisations see the people on it).
Each case is one person discussed at one meeting; an action agreed on a case has an owning
organisation and a due date, and an action still open when the next meeting is scheduled is carried
to it (the case comes back on the next meeting's list, with its open actions).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from icp.care.models import MdtList
from icp.partnership.ids import new_public_id
from icp.partnership.models import Organisation
from icp.patients.models import PatientIndex


class MdtMeeting(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    mdt_list = models.ForeignKey(MdtList, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    virtual_link = models.URLField(blank=True, help_text="Video call link, for a virtual or hybrid meeting")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"MDT meeting {self.public_id}"


class MdtAttendance(models.Model):
    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=100, blank=True)
    virtual = models.BooleanField(default=False, help_text="Joined by the video link")

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} at {self.meeting}"


class CaseSource(models.TextChoices):
    WORKLIST = "worklist", "From a worklist"
    BY_HAND = "by_hand", "Added by hand"
    CARRIED = "carried", "Carried from the last meeting"


class MdtCase(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="cases")
    patient = models.ForeignKey(PatientIndex, on_delete=models.PROTECT, related_name="mdt_cases")
    source = models.CharField(max_length=12, choices=CaseSource.choices, default=CaseSource.BY_HAND)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    discussion = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    discussed = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "patient"], name="care_one_case_per_person_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"MDT case {self.public_id}"


class MdtAction(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    case = models.ForeignKey(MdtCase, on_delete=models.CASCADE, related_name="actions")
    raised_in = models.ForeignKey(MdtCase, on_delete=models.PROTECT, related_name="actions_raised")
    description = models.CharField(max_length=300)
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="mdt_actions")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"MDT action {self.public_id}"

    @property
    def open(self) -> bool:
        return self.done_on is None
