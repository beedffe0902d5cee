"""The one function the queue runs: carry out a `Job`, saving its progress on the row as it goes.

`run(job_id)` is what `icp worker` calls for each task; it never raises for a job that fails (the
job row says it failed and why, the audit trail records it) so the queue does not retry a refresh
half-way through. The progress callback writes straight to the row (one small UPDATE a step), so the
jobs page shows each step while the job runs.
"""

from __future__ import annotations

import logging
import traceback

from django.db.models import F
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import record
from icp.audit.models import Outcome as AuditOutcome
from icp.jobs.kinds import KINDS
from icp.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)
# What the page keeps of a failure's message: enough to act on, bounded.
MESSAGE_LIMIT = 500


def run(job_id: int) -> str:
    """Carry out one job; returns its status (the queue keeps it as the task's result)."""
    job = Job.objects.select_related("icp", "started_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        # Delivered twice (a worker restarted mid-task): the first delivery owns it.
        return job.status
    kind = KINDS[job.kind]
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), step="Starting…"
    )
    if not claimed:
        return JobStatus.RUNNING

    def note(step: str) -> None:
        Job.objects.filter(pk=job.pk).update(step=step[:200], steps_done=F("steps_done") + 1)
        done = Job.objects.values_list("steps_done", flat=True).get(pk=job.pk)
        # Held below 100 until the job has really finished: the step count is an estimate.
        Job.objects.filter(pk=job.pk).update(progress=min(95, round(100 * done / kind.expected_steps)))

    try:
        outcome = kind.run(job, note)
    except Exception as error:
        # The message goes on the job (for the people who may see it); the log gets the job and the
        # error's type only, never a message that might quote data.
        # Not logger.exception: a traceback's last line is the message. Where it failed is enough.
        where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
        logger.error(
            "job %s (%s) failed: %s at %s",
            job.pk,
            job.kind,
            type(error).__name__,
            f"{where.filename}:{where.lineno}" if where else "unknown place",
        )
        message = f"{error}"[:MESSAGE_LIMIT] or type(error).__name__
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), outcome=message
        )
        _audit(job, AuditOutcome.FAILED, message)
        return JobStatus.FAILED
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        finished_at=timezone.now(),
        progress=100,
        step="Finished",
        outcome=outcome.summary,
        result_file=str(outcome.file) if outcome.file else "",
    )
    _audit(job, AuditOutcome.SUCCESS, "")
    return JobStatus.DONE


def _audit(job: Job, outcome: str, reason: str) -> None:
    record(
        action=EventType.JOB_FINISH,
        actor=job.started_by,
        target=job,
        outcome=outcome,
        reason=reason,
        detail={"kind": job.kind, "icp": job.icp.code, "scheduled": job.scheduled},
    )
