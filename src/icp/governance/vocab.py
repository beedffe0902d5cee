"""The vocabularies of governance: meeting modes, attendance, outcomes, case statuses, RAG states."""

from __future__ import annotations

from django.db import models


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual (video)"
    HYBRID = "hybrid", "Hybrid (in person and video)"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MinutesStatus(models.TextChoices):
    NONE = "none", "Not yet written"
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class AgendaPurpose(models.TextChoices):
    DECISION = "decision", "For decision"
    DISCUSSION = "discussion", "For discussion"
    INFORMATION = "information", "For information"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class DecisionOutcome(models.TextChoices):
    AGREED = "agreed", "Agreed"
    NOT_AGREED = "not_agreed", "Not agreed"
    DEFERRED = "deferred", "Deferred"
    NOTED = "noted", "Noted"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    NOT_APPROVED = "not_approved", "Not approved"
    RETURNED = "returned", "Returned for changes"
    IN_IMPLEMENTATION = "in_implementation", "In implementation"
    EVALUATED = "evaluated", "Evaluated"
    CLOSED = "closed", "Closed"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class Rag(models.TextChoices):
    """Red / amber / green, plus blue for complete (the "BRAG" convention of NHS programme boards)."""

    RED = "red", "Red: off track"
    AMBER = "amber", "Amber: at risk"
    GREEN = "green", "Green: on track"
    COMPLETE = "complete", "Blue: complete"


class IndicatorDirection(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
