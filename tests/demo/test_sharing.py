"""The sharing demo: idempotent, and different roles see different sections of the same person."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from icp.care.models import CareTeamMember, Referral
from icp.demo.partnership import DEMO_ICP, create_demo_partnership
from icp.demo.sharing import create_demo_sharing
from icp.partnership.models import Area, User
from icp.patients.models import PatientIndex
from icp.sharing.models import BreakGlass, DataSharingAgreement, PersonChoice
from icp.sharing.vocabulary import AgreementStatus


@pytest.fixture
def demo(db: None) -> list[PatientIndex]:
    create_demo_partnership(password="violet-harbour-lantern-42")
    icp = Area.objects.get(code=DEMO_ICP)
    practice = User.objects.get(username="demo-gp").organisation
    return [
        PatientIndex.objects.create(
            patient_id=f"pt-demo-{n}",
            given_name=f"Given{n}",
            family_name=f"Synthetic{n}",
            birth_date=date(1930 + n, 1, 1),
            national_id=f"320000000{n}",
            practice=practice,
            icp=icp,
            synthetic=True,
        )
        for n in range(6)
    ]


def test_the_demo_is_idempotent(demo: list[PatientIndex]) -> None:
    first = create_demo_sharing(icp_code=DEMO_ICP)
    counts = [
        m.objects.count() for m in (DataSharingAgreement, CareTeamMember, Referral, PersonChoice, BreakGlass)
    ]
    second = create_demo_sharing(icp_code=DEMO_ICP)
    assert counts == [
        m.objects.count() for m in (DataSharingAgreement, CareTeamMember, Referral, PersonChoice, BreakGlass)
    ]
    assert first.agreements == second.agreements == 7 and len(second.scenarios) == 5
    statuses = {a.reference: a.effective_status(date.today()) for a in DataSharingAgreement.objects.all()}
    assert sorted(statuses.values()).count(AgreementStatus.SIGNED) == 5
    assert AgreementStatus.EXPIRED in statuses.values() and AgreementStatus.DRAFT in statuses.values()


def test_without_people_the_demo_makes_agreements_and_says_what_to_do(db: None) -> None:
    create_demo_partnership(password="violet-harbour-lantern-42")
    summary = create_demo_sharing(icp_code=DEMO_ICP)
    assert summary.agreements == 7 and "icp synth" in summary.note and not summary.scenarios


def test_roles_see_different_sections_of_the_same_person(client: Client, demo: list[PatientIndex]) -> None:
    summary = create_demo_sharing(icp_code=DEMO_ICP)
    shared, withdrawn = summary.scenarios[0].patient_id, summary.scenarios[1].patient_id

    def page(username: str, patient_id: str, purpose: str = "direct_care") -> str:
        client.force_login(User.objects.get(username=username))
        return client.get(f"/sharing/patients/{patient_id}/?purpose={purpose}").content.decode()

    gp, pharmacist = page("demo-gp", shared), page("demo-pharmacist", shared)
    voluntary = page("demo-voluntary", shared, "care_coordination")
    # A refusal is said once, at the top, naming the sections withheld (issue 14).
    assert "Not shown to you" not in gp
    assert "Not shown to you" in pharmacist and "Safeguarding-sensitive" in pharmacist
    assert "SYNTHETIC0" in pharmacist
    assert "Not shown to you" in voluntary and "may not see conditions" in voluntary
    assert "withdrawn consent" in page("demo-pharmacist", withdrawn)
    assert "withdrawn consent" not in page("demo-gp", withdrawn)
    client.force_login(User.objects.get(username="demo-iglead"))
    review = client.get("/sharing/break-glass/").content.decode()
    assert "demo-pharmacist" in review and "Collapsed at the pharmacy counter" in review
    register = client.get("/sharing/agreements/").content.decode()
    assert "Borough Council (synthetic)" in register  # the council's referral without an agreement is a gap
