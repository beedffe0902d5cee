"""Starting a job: the ICP's managers and analysts may, for their own ICP; others are refused and
the refusal is audited; the job is queued for the worker once its row is committed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django_q.models import OrmQ

from icp.audit.models import AuditEvent
from icp.jobs import actions
from icp.jobs.models import Job, JobKind, JobStatus
from icp.partnership.models import Area, User
from icp.partnership.roles import UserRole

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [UserRole.ICP_MANAGER, UserRole.ANALYST])
def test_a_manager_or_analyst_of_the_icp_queues_a_refresh_and_it_is_audited(
    role: str, icp_area: Area, make_user: Callable[..., User], django_capture_on_commit_callbacks
) -> None:
    person = make_user(role)
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.start(kind=JobKind.STRATIFY, icp=icp_area, by=person)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.started_by == person and not job.scheduled
    assert job.queue_id, "the queue's task id is kept on the job"
    assert OrmQ.objects.count() == 1  # the ORM broker's queue, in the app database
    event = AuditEvent.objects.get(action="job.start")
    assert event.actor_username == person.username and event.detail["kind"] == "stratify"


@pytest.mark.parametrize("role", [UserRole.GP, UserRole.IG_LEAD, UserRole.COMMITTEE_MEMBER])
def test_other_roles_are_refused_and_the_refusal_is_audited(
    role: str, icp_area: Area, make_user: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        actions.start(kind=JobKind.INDICATORS, icp=icp_area, by=make_user(role))
    assert not Job.objects.exists()
    assert AuditEvent.objects.get(action="job.start").outcome == "denied"


def test_a_manager_of_another_icp_is_refused(
    icp_area: Area, other_icp: Area, make_user: Callable[..., User]
) -> None:
    elsewhere = make_user(UserRole.ICP_MANAGER, icp=other_icp.code)
    with pytest.raises(PermissionDenied):
        actions.start(kind=JobKind.STRATIFY, icp=icp_area, by=elsewhere)
    assert actions.may_start(elsewhere, JobKind.STRATIFY, other_icp)


def test_the_schedule_starts_a_job_with_no_person(icp_area: Area) -> None:
    job = actions.start(kind=JobKind.INDICATORS, icp=icp_area, by=None)
    assert job.scheduled and job.started_by is None
    assert AuditEvent.objects.get(action="job.start").detail["scheduled"] is True


def test_an_unknown_kind_or_an_area_that_is_not_an_icp_is_refused(icp_area: Area) -> None:
    with pytest.raises(ValueError, match="kind 'shred'"):
        actions.start(kind="shred", icp=icp_area, by=None)
    with pytest.raises(ValueError, match="not an ICP"):
        actions.start(kind=JobKind.STRATIFY, icp=icp_area.parent, by=None)  # type: ignore[arg-type]
