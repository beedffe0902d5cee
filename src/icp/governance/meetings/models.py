"""Committee meetings: the quorum rule, agenda items with papers, attendance, decisions and actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from icp.governance.meetings.storage import paper_storage
from icp.governance.vocab import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AgendaPurpose,
    AttendanceStatus,
    DecisionOutcome,
    MeetingMode,
    MeetingStatus,
    MinutesStatus,
)
from icp.partnership.models import Committee, Person


class QuorumRule(models.Model):
    """A committee's quorum, as data: a share of the filled seats, a floor, and whether the chair
    or vice chair must be present. The default (no row) is half the filled seats plus the chair or
    vice chair, the usual standing order of an NI Partnership Committee."""

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, related_name="quorum_rule")
    share_of_filled_seats = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Share of the seats filled on the day that must be present, e.g. 0.50 for half",
    )
    minimum_present = models.PositiveSmallIntegerField(
        default=0, help_text="A floor: at least this many members present, whatever the share"
    )
    chair_or_vice_chair_required = models.BooleanField(default=True)
    deputies_count = models.BooleanField(
        default=True, help_text="A deputy attending for a member counts towards the quorum"
    )
    source = models.CharField(max_length=300, blank=True, help_text="e.g. standing orders, section 4")

    def __str__(self) -> str:
        return f"Quorum of {self.committee}"

    @property
    def share_in_words(self) -> str:
        words = {Decimal("0.5"): "half", Decimal("1"): "all", Decimal("0.25"): "a quarter"}
        share = Decimal(self.share_of_filled_seats).normalize()
        return words.get(share, f"{share * 100:.0f}%")


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200, default="Partnership Committee meeting")
    date = models.DateField(db_index=True)
    start_time = models.TimeField(null=True, blank=True)
    mode = models.CharField(max_length=16, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True, help_text="The link members use to join a virtual meeting")
    status = models.CharField(max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    minutes = models.TextField(blank=True)
    minutes_status = models.CharField(
        max_length=16, choices=MinutesStatus.choices, default=MinutesStatus.NONE
    )
    minutes_approved_on = models.DateField(null=True, blank=True)
    # Filled when the minutes are approved: the quorum check's verdict and its explanation.
    quorate = models.BooleanField(null=True, blank=True)
    quorum_note = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-date", "-start_time"]

    def __str__(self) -> str:
        return f"{self.committee} — {self.date:%d %B %Y}"

    def clean(self) -> None:
        if self.mode in (MeetingMode.VIRTUAL, MeetingMode.HYBRID) and not self.video_link:
            raise ValidationError({"video_link": "A virtual or hybrid meeting needs its video link."})
        if self.mode == MeetingMode.IN_PERSON and not self.location:
            raise ValidationError({"location": "An in-person meeting needs a location."})


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=16, choices=AgendaPurpose.choices, default=AgendaPurpose.DISCUSSION)
    presenter = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="unique_agenda_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Paper(models.Model):
    """A file attached to an agenda item, kept in private storage (see `storage.py`)."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    file = models.FileField(storage=paper_storage, upload_to="%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agenda_item", "title"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Who came: a member present, sending apologies or absent; or a deputy attending for one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices)
    deputy_for = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputised_by",
        help_text="The member this person attended in place of",
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = models.TextField()
    proposed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="proposed_decisions"
    )
    seconded_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="seconded_decisions"
    )
    outcome = models.CharField(max_length=16, choices=DecisionOutcome.choices)

    class Meta:
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(models.Model):
    """An action agreed by a committee (usually at a meeting): what, who, by when."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="action_items")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    description = models.TextField()
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="action_items")
    due_date = models.DateField(db_index=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    progress_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue(self, on: date | None = None) -> bool:
        return self.status in OPEN_ACTION_STATUSES and self.due_date < (on or date.today())
