"""Care's own records: worklist reviews, the care team and MDT-list entries; and, by subject in
their own packages, referrals and services (`referrals/`), pathway enrolments (`pathways/`) and care
plans (`plans/`).

`CareTeamMember`, `Referral` and `MdtList` / `MdtListEntry` came here from `sharing` and kept their
tables (`db_table`); `Referral` has since become the full referral (ServiceRequest + Task).
Each opens and closes `patients.CareRelationship` rows through
`icp.care.actions`: the access decision reads those rows, never these (docs/adr/0060-patients-floor.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from icp.partnership.models import Area, Organisation
from icp.patients.models import PatientIndex


class ReviewStatus(models.TextChoices):
    REVIEWED = "reviewed", "Reviewed"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"


class WorklistReview(models.Model):
    """A practice's mark on a person on its case-finding worklist. Kept across runs."""

    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="worklist_reviews")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey("partnership.User", on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    run_id = models.CharField(max_length=64, blank=True, help_text="The run the person was listed in")

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} for patient {self.patient.patient_id}"


class CareTeamMember(models.Model):
    """An organisation (or one named user of it) in a person's care team (FHIR CareTeam participant).

    One current member may be the person's named care coordinator.
    """

    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="care_team")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="care_team_roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_team_roles",
        help_text="Blank: the whole organisation's team",
    )
    role = models.CharField(max_length=100, blank=True, help_text="e.g. district nurse, key worker")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="The last day in the team")
    coordinator = models.BooleanField(default=False, help_text="The person's named care coordinator")

    class Meta:
        db_table = "sharing_careteammember"  # the table predates the move from sharing
        ordering = ["patient", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(coordinator=True, end_date__isnull=True),
                name="care_one_current_coordinator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in the care team of {self.patient}"


class MdtList(models.Model):
    """A multidisciplinary team's case list; its member organisations may see the people on it."""

    name = models.CharField(max_length=200)
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="mdt_lists")
    members = models.ManyToManyField(Organisation, related_name="mdt_lists")

    class Meta:
        db_table = "sharing_mdtlist"  # and so its members table stays sharing_mdtlist_members
        ordering = ["icp__code", "name"]

    def __str__(self) -> str:
        return self.name


class MdtListEntry(models.Model):
    mdt_list = models.ForeignKey(MdtList, on_delete=models.CASCADE, related_name="entries")
    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="mdt_entries")
    added_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True, help_text="The first day off the list")

    class Meta:
        db_table = "sharing_mdtlistentry"
        ordering = ["mdt_list", "added_on"]
        verbose_name_plural = "MDT list entries"

    def __str__(self) -> str:
        return f"{self.patient} on {self.mdt_list}"


# The care workflows' models live by subject in their own packages; importing them here is how
# Django finds them.
from icp.care.referrals.models import Referral, Service  # noqa: E402, I001
from icp.care.pathways.models import Enrolment  # noqa: E402
from icp.care.plans.models import Activity, CarePlan, Goal  # noqa: E402
from icp.care.mdt.models import MdtAction, MdtAttendance, MdtCase, MdtMeeting  # noqa: E402
from icp.care.teams.models import Carer  # noqa: E402
from icp.care.emergency.models import EmergencyList, EmergencyListEntry, OutreachContact  # noqa: E402

__all__ = [
    "Activity",
    "CarePlan",
    "CareTeamMember",
    "Carer",
    "EmergencyList",
    "EmergencyListEntry",
    "Enrolment",
    "Goal",
    "MdtAction",
    "MdtAttendance",
    "MdtCase",
    "MdtList",
    "MdtListEntry",
    "MdtMeeting",
    "OutreachContact",
    "Referral",
    "ReviewStatus",
    "Service",
    "WorklistReview",
]
