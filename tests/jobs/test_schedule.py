"""The nightly schedule: a row of the queue's schedule table at ICP_NIGHTLY_AT (local time)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import Schedule

from icp.jobs import schedule

pytestmark = pytest.mark.django_db


def test_the_next_run_is_the_next_time_of_day_after_now() -> None:
    now = timezone.make_aware(dt.datetime(2026, 12, 1, 1, 0))
    assert timezone.localtime(schedule.next_run(dt.time(2, 30), now)).hour == 2
    later = timezone.make_aware(dt.datetime(2026, 12, 1, 3, 0))
    assert timezone.localtime(schedule.next_run(dt.time(2, 30), later)).day == 2


def test_ensure_makes_one_daily_row_and_follows_the_configured_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "daily at 02:30" in schedule.ensure()
    assert "daily at 02:30" in schedule.ensure()
    row = Schedule.objects.get()
    assert (row.func, row.schedule_type, row.repeats) == (schedule.FUNCTION, Schedule.DAILY, -1)
    monkeypatch.setenv("ICP_NIGHTLY_AT", "23:15")
    schedule.ensure()
    row = Schedule.objects.get()
    assert timezone.localtime(row.next_run).strftime("%H:%M") == "23:15"


def test_a_time_that_is_not_a_time_of_day_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICP_NIGHTLY_AT", "half two")
    with pytest.raises(schedule.ScheduleError, match="expected a time of day as HH:MM"):
        schedule.ensure()


def test_an_overdue_night_is_kept_so_a_worker_started_late_still_runs_it() -> None:
    schedule.ensure()
    overdue = timezone.now() - dt.timedelta(hours=3)
    Schedule.objects.update(next_run=overdue)
    schedule.ensure()
    assert Schedule.objects.get().next_run == overdue
