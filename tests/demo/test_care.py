"""The care demo: the whole story, referrals in every state, idempotent."""

from __future__ import annotations

from datetime import date

import pytest

from icp.care.emergency.models import EmergencyList
from icp.care.mdt.models import MdtCase
from icp.care.pathways.models import Enrolment
from icp.care.plans.models import Activity, CarePlan
from icp.care.referrals.models import Referral
from icp.care.referrals.states import TaskStatus
from icp.demo.care import STORY_GOAL, create_demo_care
from icp.demo.partnership import DEMO_ICP, create_demo_partnership
from icp.demo.sharing import create_demo_sharing
from icp.partnership.models import Area, User
from icp.patients.models import PatientIndex, RiskResult
from tests.care.risk_rows import app_values, result_row


@pytest.fixture
def demo(db: None) -> list[PatientIndex]:
    create_demo_partnership(password="violet-harbour-lantern-42")
    icp = Area.objects.get(code=DEMO_ICP)
    practice = User.objects.get(username="demo-gp").organisation
    assert practice is not None
    people = []
    for n in range(16):
        patient = PatientIndex.objects.create(
            patient_id=f"pt-demo-{n:02d}",
            given_name=f"Given{n}",
            family_name=f"Synthetic{n}",
            birth_date=date(1930 + n, 1, 1),
            national_id=f"32000000{n:02d}",
            practice=practice,
            icp=icp,
            synthetic=True,
        )
        row = result_row(patient.patient_id, practice.code, risk_rank=n + 1, lives_alone=n % 2 == 0)
        RiskResult.objects.create(patient=patient, icp=icp, practice=practice, **app_values(row, icp))
        people.append(patient)
    create_demo_sharing(icp_code=DEMO_ICP)
    return people


def test_the_story_and_referrals_in_every_state(demo: list[PatientIndex]) -> None:
    summary = create_demo_care(icp_code=DEMO_ICP)
    story = PatientIndex.objects.get(patient_id=summary.story_patient)
    assert Enrolment.objects.get(patient=story).pathway == "frailty"
    assert CarePlan.objects.get(patient=story).goals.get().description == STORY_GOAL
    assert MdtCase.objects.filter(patient=story).count() == 2  # discussed, then carried forward
    completed = Referral.objects.get(patient=story, status=TaskStatus.COMPLETED)
    assert completed.output.startswith("Befriender visits every Tuesday")
    # Every status at least once (the sharing demo and the story add an accepted and a completed one).
    assert set(summary.referrals) == {s.value for s in TaskStatus} and min(summary.referrals.values()) >= 1
    gp, voluntary, pharmacist = (
        User.objects.get(username=f"demo-{u}") for u in ("gp", "voluntary", "pharmacist")
    )
    to_voluntary = Referral.objects.filter(
        requester_organisation=gp.organisation, owner_organisation=voluntary.organisation
    )
    assert to_voluntary.filter(status=TaskStatus.REQUESTED).exists()
    assert not to_voluntary.filter(requester_organisation=pharmacist.organisation).exists()
    assert not to_voluntary.filter(owner_organisation=pharmacist.organisation).exists()
    assert (
        Referral.objects.filter(requester_organisation=pharmacist.organisation, status="requested").count()
        == 1
    )
    assert EmergencyList.objects.get().entries.exists()
    # The story's plan asks the pharmacy for a medication review: the pharmacist's people to review.
    review = Activity.objects.get(owner_organisation=pharmacist.organisation)
    assert review.care_plan.patient == story and review.description.startswith("Structured medication review")


def test_the_care_demo_is_idempotent(demo: list[PatientIndex]) -> None:
    create_demo_care(icp_code=DEMO_ICP)
    counts = (
        Referral.objects.count(),
        Enrolment.objects.count(),
        MdtCase.objects.count(),
        EmergencyList.objects.count(),
        Activity.objects.count(),
    )
    create_demo_care(icp_code=DEMO_ICP)
    assert (
        Referral.objects.count(),
        Enrolment.objects.count(),
        MdtCase.objects.count(),
        EmergencyList.objects.count(),
        Activity.objects.count(),
    ) == counts
