"""A background job as people see it: what it does, for which ICP, who started it, how far it is.

The queue (django-q2) only carries the job's id to a worker; everything a page shows lives here, and
the worker saves progress on this row as it goes, so the jobs page can show it while it runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from icp.partnership.models import Area


class JobKind(models.TextChoices):
    """What a job does (the runners are in `icp.jobs.kinds`)."""

    STRATIFY = "stratify", "Risk stratification refresh"
    INDICATORS = "indicators", "Indicator refresh"
    REPORT = "report", "Committee report (PDF)"
    AUDIT_EXPORT = "audit_export", "Audit trail export (CSV)"
    SUBJECT_ACCESS = "subject_access", "Subject-access export (JSON)"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    kind = models.CharField(max_length=32, choices=JobKind.choices)
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="jobs")
    # Null when the schedule started it.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    scheduled = models.BooleanField(default=False, help_text="Started by the schedule, not by a person")
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    # Progress as the job reports it: a percentage (estimated from the steps done) and the current step.
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    steps_done = models.PositiveIntegerField(default=0)
    # What it came to: a sentence, and for a report or an export the file it wrote (in the data folder).
    outcome = models.TextField(blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    queue_id = models.CharField(max_length=64, blank=True, help_text="The queue's task id")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["icp", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.icp.code} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
