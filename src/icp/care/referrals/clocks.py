"""Referral clocks: time to accept, time to complete, and breaches of a service's stated times.

A requested referral breaches when it has waited longer than the service's `response_days` without
being accepted or rejected; an accepted one when it has been open longer than `completion_days`.
The requester sees its breaches in the outbox (the alert), the owner in the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from icp.care.referrals.models import Referral
from icp.care.referrals.states import ACTIVE, TaskStatus


@dataclass(frozen=True)
class Clock:
    waiting: timedelta | None  # since requested, while still requested
    time_to_accept: timedelta | None
    time_to_complete: timedelta | None
    open_for: timedelta | None  # since accepted, while active
    breach: str  # "" or what was breached, in words

    @property
    def breached(self) -> bool:
        return bool(self.breach)


def _days(delta: timedelta) -> str:
    days = delta.days
    return f"{days} day{'s' if days != 1 else ''}"


def clock(referral: Referral, now: datetime) -> Clock:
    status = referral.task_status
    service = referral.service
    waiting = (
        now - referral.requested_at if status == TaskStatus.REQUESTED and referral.requested_at else None
    )
    to_accept = (
        referral.accepted_at - referral.requested_at
        if referral.accepted_at and referral.requested_at
        else None
    )
    to_complete = (
        referral.ended_at - referral.accepted_at
        if status == TaskStatus.COMPLETED and referral.ended_at and referral.accepted_at
        else None
    )
    open_for = now - referral.accepted_at if status in ACTIVE and referral.accepted_at else None
    breach = ""
    if service is not None:
        limit = timedelta(days=service.response_days)
        if waiting is not None and waiting > limit:
            breach = f"waiting {_days(waiting)}: the service answers within {_days(limit)}"
        if open_for is not None and service.completion_days is not None:
            done_in = timedelta(days=service.completion_days)
            if open_for > done_in:
                breach = f"open {_days(open_for)}: the service completes within {_days(done_in)}"
    return Clock(waiting, to_accept, to_complete, open_for, breach)


@dataclass(frozen=True)
class Times:
    """Referral times for a set of referrals (the ICP manager's view), in days."""

    referrals: int
    accepted: int
    completed: int
    median_days_to_accept: float | None
    median_days_to_complete: float | None
    breaching_now: int


def times(referrals: list[Referral], now: datetime) -> Times:
    clocks = [clock(r, now) for r in referrals]
    accept = [c.time_to_accept.total_seconds() / 86400 for c in clocks if c.time_to_accept is not None]
    complete = [c.time_to_complete.total_seconds() / 86400 for c in clocks if c.time_to_complete is not None]
    return Times(
        referrals=len(referrals),
        accepted=len(accept),
        completed=len(complete),
        median_days_to_accept=round(median(accept), 1) if accept else None,
        median_days_to_complete=round(median(complete), 1) if complete else None,
        breaching_now=sum(1 for c in clocks if c.breached),
    )
