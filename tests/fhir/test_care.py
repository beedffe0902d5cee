"""The FHIR mapping of a referral: one row, a ServiceRequest and a Task with the same id."""

from __future__ import annotations

from collections.abc import Callable

from icp.care.referrals.actions import move_referral, reroute_referral
from icp.care.referrals.models import Referral, Service
from icp.care.referrals.states import TaskStatus
from icp.fhir import care
from tests.care.referrals.conftest import make_referral, other_service, service
from tests.fhir.test_views import valid
from tests.sharing.conftest import World

__all__ = ["make_referral", "other_service", "service"]


def test_a_referral_is_a_service_request_and_a_task(
    shared_world: World, make_referral: Callable[..., Referral], other_service: Service
) -> None:
    referral = make_referral(TaskStatus.REQUESTED)
    move_referral(
        referral=referral, to_status="rejected", by=shared_world.users["voluntary"], reason="Full (synthetic)"
    )
    new = reroute_referral(referral=referral, to_service=other_service, by=shared_world.users["gp"])
    request, task = valid(care.service_request(new)), valid(care.task(new))
    assert request["id"] == task["id"] == new.public_id
    assert task["focus"] == {"reference": f"ServiceRequest/{new.public_id}"}
    assert task["for"] == {"reference": "Patient/pt-alice-0001"}
    assert task["owner"]["reference"] == "Organization/T-TRUST" and task["status"] == "requested"
    assert request["replaces"] == [{"reference": f"ServiceRequest/{referral.public_id}"}]
    assert request["status"] == "active" and request["reasonCode"][0]["text"] == referral.reason
    assert task["meta"]["tag"][0]["code"] == "HTEST"  # synthetic people are labelled so
    rejected = valid(care.task(referral))
    assert rejected["statusReason"] == {"text": "Full (synthetic)"}
    assert valid(care.service_request(referral))["status"] == "revoked"


def test_a_completed_task_carries_its_outcome(
    shared_world: World, make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(TaskStatus.ACCEPTED)
    move_referral(
        referral=referral,
        to_status="completed",
        by=shared_world.users["voluntary"],
        output="Befriender visits weekly",
    )
    task = valid(care.task(referral))
    assert task["output"] == [{"type": {"text": "outcome"}, "valueString": "Befriender visits weekly"}]
    assert care.task_change(task) == ("completed", "", "Befriender visits weekly")
