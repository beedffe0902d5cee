"""The schedule: the nightly refresh, kept as a row of the queue's own schedule table.

`icp worker` calls `ensure()` when it starts, so the schedule exists wherever a worker runs and
follows `ICP_NIGHTLY_AT` (local time, default 02:30). At that time the worker's scheduler calls
`nightly()`, which starts, for every ICP in both the warehouse and the app database, a risk
stratification refresh and then an indicator refresh (the indicators' one published set once, for
the first ICP: it covers them all). The jobs appear on each ICP's jobs page as started by the schedule.
"""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone

from icp.jobs.models import Job, JobKind

NAME = "icp nightly refresh"
FUNCTION = "icp.jobs.schedule.nightly"
DEFAULT_AT = "02:30"


class ScheduleError(ValueError):
    """The configured time is not a time of day."""


def nightly_at() -> dt.time:
    value = os.environ.get("ICP_NIGHTLY_AT", DEFAULT_AT)
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ScheduleError(
            f"ICP_NIGHTLY_AT={value!r}: expected a time of day as HH:MM, e.g. 02:30"
        ) from None


def next_run(at: dt.time, now: dt.datetime | None = None) -> dt.datetime:
    """The next time of day `at` (local time) after `now`."""
    now = timezone.localtime(now or timezone.now())
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)


def ensure() -> str:
    """Create or update the nightly schedule row; returns a sentence saying when it next runs.

    The configured time is kept on the row (as the call's `at` argument), so a row already at that
    time keeps its next run, even an overdue one (a worker that was down at 02:30 runs it on start);
    a changed `ICP_NIGHTLY_AT` moves it.
    """
    from django_q.models import Schedule

    at = nightly_at()
    kwargs = repr({"at": f"{at:%H:%M}"})
    existing = Schedule.objects.filter(name=NAME).first()
    if existing is not None and existing.kwargs == kwargs and existing.func == FUNCTION:
        due = existing.next_run
    else:
        due = next_run(at)
        Schedule.objects.update_or_create(
            name=NAME,
            defaults={
                "func": FUNCTION,
                "kwargs": kwargs,
                "schedule_type": Schedule.DAILY,
                "repeats": -1,
                "next_run": due,
            },
        )
    return f"Nightly refresh scheduled daily at {at:%H:%M}; next at {timezone.localtime(due):%d %B %Y %H:%M}."


def nightly(at: str = DEFAULT_AT) -> list[int]:
    """Start the night's refreshes (what the schedule calls; `at` is the time it was set for).
    Returns the ids of the jobs started."""
    from icp.jobs.actions import start
    from icp.partnership.models import Area
    from icp.partnership.roles import AreaLevel
    from icp.records.warehouse import Warehouse
    from icp.stratify.run import areas_in

    in_warehouse = set(areas_in(Warehouse()))
    icps = list(Area.objects.filter(level=AreaLevel.ICP, code__in=in_warehouse).order_by("code"))
    started: list[Job] = [start(kind=JobKind.STRATIFY, icp=icp, by=None) for icp in icps]
    if icps:
        started.append(start(kind=JobKind.INDICATORS, icp=icps[0], by=None))
    return [job.pk for job in started]
