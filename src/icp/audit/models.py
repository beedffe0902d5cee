"""The audit event: one immutable row per read, denial, break-glass or change.

Events are append-only: the model refuses updates and deletes, each row carries its sequence number
and a keyed hash over its fields and the hash of the row before it, so an edit made behind icp's back
(in SQL, say) breaks the chain and is reported by `icp audit verify` (icp.audit.verify). Actor
details are copied as text rather than foreign keys so that later changes to users or organisations
cannot rewrite history.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def about(self, patient_ref: str) -> AuditEventQuerySet:
        """Every event about one person: those naming them (`patient_ref`) and those about several
        people at once that list them among their subjects (a search's hits, a worklist, an export).
        The one query behind a person's access log, on the web, in FHIR and in a subject-access export."""
        named = self.filter(patient_ref=patient_ref).values("pk")
        listed = AuditEventSubject.objects.filter(patient_ref=patient_ref).values("event_id")
        return self.filter(models.Q(pk__in=named) | models.Q(pk__in=listed))

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"
    BREAK_GLASS = "break-glass", "Break glass"
    FAILED = "failed", "Failed"


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_organisation = models.CharField(max_length=64, blank=True, help_text="Organisation code")
    actor_role = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64, db_index=True, help_text="e.g. membership.create, record.read")
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    patient_ref = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Opaque patient id, never an NHS or H&C number"
    )
    purpose = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    sequence = models.BigIntegerField(unique=True, help_text="Position in the chain: 1, 2, 3 … with no gaps")
    key_id = models.CharField(
        max_length=16,
        blank=True,
        default="",
        help_text="Which audit key signed the hash; empty: legacy SHA-256",
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        actor = self.actor_username or "system"
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {actor} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEventSubjectQuerySet(models.QuerySet["AuditEventSubject"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit event subjects cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit event subjects cannot be deleted")


class AuditEventSubject(models.Model):
    """One person an event was about, for an event about several at once (a search's hits, a worklist
    page, a worklist export): the index that lets a person's access log find every such event.

    The event commits to its subjects: its hashed detail carries their count and a digest of their
    sorted ids (`detail["subjects"]`), so `icp audit verify` reports a subject row removed, added or
    changed. Append-only like the events.
    """

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    patient_ref = models.CharField(max_length=64, db_index=True, help_text="Opaque patient id")

    objects: ClassVar[models.Manager[AuditEventSubject]] = AuditEventSubjectQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "patient_ref"], name="one_row_per_subject")]

    def __str__(self) -> str:
        return f"{self.patient_ref} in event {self.event_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit event subjects cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit event subjects cannot be deleted")
