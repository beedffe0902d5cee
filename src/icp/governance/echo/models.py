"""Project ECHO learning networks: networks, their sessions and attendance, and the aggregate
tables (sessions and participants per network over a period) that `icp echo import` loads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from icp.partnership.models import Area, Person
from icp.partnership.roles import OrganisationType, ProfessionalRole


class EchoNetwork(models.Model):
    name = models.CharField(max_length=200, unique=True)
    topic = models.CharField(max_length=200, blank=True)
    hub = models.CharField(max_length=200, blank=True, help_text="Who runs it, e.g. Project ECHO NI")
    audience = models.CharField(max_length=300, blank=True, help_text="e.g. care home staff")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="echo_networks"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EchoSession(models.Model):
    network = models.ForeignKey(EchoNetwork, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    topic = models.CharField(max_length=200)
    presenters = models.CharField(max_length=300, blank=True)
    case_presentations = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["network", "date"]

    def __str__(self) -> str:
        return f"{self.network}: {self.topic} ({self.date})"


class EchoAttendance(models.Model):
    """Attendance at a session: a named person, or a count of people of one organisation type/role."""

    session = models.ForeignKey(EchoSession, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    organisation_type = models.CharField(max_length=32, choices=OrganisationType.choices, blank=True)
    role = models.CharField(max_length=40, choices=ProfessionalRole.choices, blank=True)

    def __str__(self) -> str:
        return (
            f"{self.person}"
            if self.person_id
            else f"{self.count} people, {self.get_role_display() or self.get_organisation_type_display()}"
        )

    def clean(self) -> None:
        if self.person_id is not None and self.count != 1:
            raise ValidationError({"count": "A named person counts once; use a count row for groups."})


class EchoAggregate(models.Model):
    """A reported total for a network over a period (as in the seed's appendix table)."""

    network = models.ForeignKey(EchoNetwork, on_delete=models.CASCADE, related_name="aggregates")
    period_start = models.DateField()
    period_end = models.DateField()
    sessions = models.PositiveIntegerField()
    participants = models.PositiveIntegerField()
    source = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["network", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "period_start", "period_end"], name="one_aggregate_per_network_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.sessions} sessions, {self.participants} participants"
