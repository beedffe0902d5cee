"""Referrals between organisations (FHIR ServiceRequest + Task) and the services directory.

One `Referral` row is both resources: what is asked for (`ServiceRequest`: the person, the service,
the reason, the code) and who must act and how far they have got (`Task`: requester, owner, status,
status reason, output). Its status moves only through the state machine below, which is built from
the table `states.MOVES` (django-fsm-2); `actions.move_referral` is the one way to call it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from icp.care.referrals.states import Party, TaskStatus, party_for, sources_of
from icp.partnership.ids import new_public_id
from icp.partnership.models import Area, Organisation
from icp.patients.models import PatientIndex


class ServiceType(models.TextChoices):
    SOCIAL_PRESCRIBING = "social_prescribing", "Social prescribing (link workers)"
    COMMUNITY_SUPPORT_HUB = "community_support_hub", "Community support hub"
    VOLUNTARY_SUPPORT = "voluntary_support", "Voluntary and community support"
    FALLS = "falls", "Falls prevention service"
    PULMONARY_REHABILITATION = "pulmonary_rehabilitation", "Pulmonary rehabilitation"
    RESPIRATORY = "respiratory", "Community respiratory team"
    PODIATRY = "podiatry", "Podiatry and foot protection"
    PALLIATIVE = "palliative", "Palliative and end of life care"
    MENTAL_HEALTH = "mental_health", "Mental health"
    COMMUNITY_NURSING = "community_nursing", "Community and district nursing"
    PHARMACY = "pharmacy", "Pharmacy service"
    OTHER = "other", "Other"


class Need(models.TextChoices):
    """Needs a person may have that a service meets (what the directory is searched by)."""

    FOOD = "food", "Food"
    MEDICINES = "medicines", "Medicines collection and delivery"
    LONELINESS = "loneliness", "Loneliness and isolation"
    DIGITAL_ACCESS = "digital_access", "Digital access"
    CARER_SUPPORT = "carer_support", "Support for carers"
    MOBILITY = "mobility", "Mobility and falls"
    MONEY = "money", "Money and benefits advice"
    HOUSING = "housing", "Housing"
    PHYSICAL_ACTIVITY = "physical_activity", "Physical activity"
    CLINICAL = "clinical", "Clinical care"


def need_words(needs: list[str] | None) -> str:
    """Needs as a person reads them ("food, digital access"); a code no longer in the list is kept."""
    return ", ".join(str(Need(need).label).lower() if need in Need.values else need for need in needs or [])


class Service(models.Model):
    """One service of a partner organisation, as the services directory lists it."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=ServiceType.choices, db_index=True)
    description = models.TextField(blank=True)
    eligibility = models.TextField(help_text="Who the service is for")
    needs = models.JSONField(default=list, help_text="Need codes the service meets (see Need)")
    capacity_per_week = models.PositiveIntegerField(null=True, blank=True, help_text="New referrals a week")
    hours = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="services")
    response_days = models.PositiveSmallIntegerField(
        default=5, help_text="The service's stated time to accept or reject a referral, in days"
    )
    completion_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The service's stated time to complete an accepted referral"
    )
    referral_code = models.CharField(max_length=20, blank=True, help_text="SNOMED CT code of a referral")
    referral_display = models.CharField(max_length=200, blank=True)
    accepts_referrals = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class Priority(models.TextChoices):
    """FHIR request-priority codes."""

    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    ASAP = "asap", "As soon as possible"


def _party_check(party: Party) -> Callable[[Any, Any], bool]:
    def check(referral: Any, user: Any) -> bool:
        return bool(referral.party_of(user) == party)

    return check


def _move(target: TaskStatus) -> Any:
    """One transition of the state machine: every source the table allows for `target`, for its party."""

    def move(self: Referral) -> None:
        """Move the Task to the target status (the table decides the sources and the party)."""

    move.__name__ = f"to_{target.value.replace('-', '_')}"
    return transition(
        field="status",
        source=[s.value for s in sources_of(target)],
        target=target.value,
        permission=_party_check(party_for(target)),
    )(move)


class Referral(models.Model):
    """A referral of a person from one organisation to another's service: ServiceRequest + Task."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    patient = models.ForeignKey(PatientIndex, on_delete=models.PROTECT, related_name="referrals")
    requester_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_requested"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Blank only for referrals recorded before the referral workflow",
    )
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_owned"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    service_name = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=20, blank=True, help_text="SNOMED CT code of what is requested")
    code_display = models.CharField(max_length=200, blank=True)
    reason = models.TextField(help_text="Why the person is referred (ServiceRequest.reasonCode text)")
    needs = models.JSONField(default=list, blank=True, help_text="Need codes (see Need)")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.ROUTINE)
    note = models.TextField(blank=True)
    status = FSMField(
        max_length=16,
        choices=[(s.value, s.label) for s in TaskStatus],
        default=TaskStatus.DRAFT.value,
        db_index=True,
    )
    status_reason = models.TextField(blank=True, help_text="Why it was rejected, cancelled, held or failed")
    output = models.TextField(blank=True, help_text="The outcome the owner returns (Task.output)")
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_modified = models.DateTimeField(auto_now=True)
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change (the FHIR ETag)")
    synthetic = models.BooleanField(default=False)

    # The state machine, one transition per target status, built from states.MOVES.
    to_requested = _move(TaskStatus.REQUESTED)
    to_accepted = _move(TaskStatus.ACCEPTED)
    to_rejected = _move(TaskStatus.REJECTED)
    to_in_progress = _move(TaskStatus.IN_PROGRESS)
    to_on_hold = _move(TaskStatus.ON_HOLD)
    to_completed = _move(TaskStatus.COMPLETED)
    to_failed = _move(TaskStatus.FAILED)
    to_cancelled = _move(TaskStatus.CANCELLED)
    to_entered_in_error = _move(TaskStatus.ENTERED_IN_ERROR)

    class Meta:
        db_table = "sharing_referral"  # the table predates the move from sharing
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner_organisation", "status"]),
            models.Index(fields=["requester_organisation", "status"]),
        ]

    def __str__(self) -> str:
        # Opaque ids only: this string can end up in logs.
        return f"Referral {self.public_id} ({self.status})"

    @property
    def task_status(self) -> TaskStatus:
        return TaskStatus(self.status)

    def party_of(self, user: Any) -> Party | None:
        """Which side the user's organisation is on, or None for an organisation party to neither."""
        organisation_id = getattr(user, "organisation_id", None)
        if organisation_id is None:
            return None
        if organisation_id == self.requester_organisation_id:
            return Party.REQUESTER
        if organisation_id == self.owner_organisation_id:
            return Party.OWNER
        return None

    def transition_to(self, target: TaskStatus) -> Any:
        """The bound transition method that moves to `target`."""
        return getattr(self, f"to_{target.value.replace('-', '_')}")
