"""A small sharing world for the tests: the demo ICP's partners, users by role, patients, agreements.

Built with the real actions and the real database; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from icp.care.models import PatientIndex
from icp.partnership.models import Area, Organisation, User
from icp.partnership.roles import OrganisationType, UserRole
from icp.sharing import actions
from icp.sharing.models import DataSharingAgreement
from icp.sharing.vocabulary import DataCategory, LegalBasis, Purpose

ALL_CATEGORIES = list(DataCategory.values)


@dataclass
class World:
    icp: Area
    other_icp: Area
    orgs: dict[str, Organisation]
    users: dict[str, User]
    patients: dict[str, PatientIndex]
    governor: User
    make_agreement: Callable[..., DataSharingAgreement]
    extra: dict[str, Any] = field(default_factory=dict)


def _org(code: str, name: str, type_: str, icp: Area) -> Organisation:
    organisation = Organisation.objects.create(code=code, name=name, type=type_)
    organisation.areas_served.add(icp)
    return organisation


@pytest.fixture
def world(db: None, icp_area: Area, other_icp: Area) -> World:
    practices = list(icp_area.practices.order_by("code")[:2])
    other_practice = other_icp.practices.order_by("code").first()
    assert other_practice is not None
    orgs = {
        "practice_a": practices[0],
        "practice_b": practices[1],
        "other_practice": other_practice,
        "pharmacy": _org("T-PH1", "Test Pharmacy (synthetic)", OrganisationType.COMMUNITY_PHARMACY, icp_area),
        "trust": _org("T-TRUST", "Test Trust (synthetic)", OrganisationType.TRUST, icp_area),
        "ambulance": _org("T-AMB", "Test Ambulance (synthetic)", OrganisationType.AMBULANCE, icp_area),
        "voluntary": _org(
            "T-VOL", "Test Volunteers (synthetic)", OrganisationType.VOLUNTARY_ORGANISATION, icp_area
        ),
        "lcg": _org("T-LCG", "Test LCG (synthetic)", OrganisationType.COMMISSIONER, icp_area),
    }

    def user(name: str, role: str, org: str, icp: Area = icp_area) -> User:
        return User.objects.create_user(
            username=name, password="correct-horse-battery", role=role, organisation=orgs[org], home_area=icp
        )

    users = {
        "gp": user("gp", UserRole.GP, "practice_a"),
        "gp_b": user("gp_b", UserRole.GP, "practice_b"),
        "nurse": user("nurse", UserRole.PRACTICE_NURSE, "practice_a"),
        "pharmacist": user("pharmacist", UserRole.PHARMACIST, "pharmacy"),
        "trust": user("trust", UserRole.TRUST_CLINICIAN, "trust"),
        "trust_2": user("trust_2", UserRole.TRUST_CLINICIAN, "trust"),
        "socialworker": user("socialworker", UserRole.SOCIAL_WORKER, "trust"),
        "ambulance": user("ambulance", UserRole.AMBULANCE, "ambulance"),
        "voluntary": user("voluntary", UserRole.VOLUNTARY_WORKER, "voluntary"),
        "analyst": user("analyst", UserRole.ANALYST, "lcg"),
        "manager": user("manager", UserRole.ICP_MANAGER, "lcg"),
        "iglead": user("iglead", UserRole.IG_LEAD, "trust"),
        "other_gp": user("other_gp", UserRole.GP, "other_practice", other_icp),
    }

    def patient(
        patient_id: str, practice: str, icp: Area, given: str, family: str, born: date, number: str
    ) -> PatientIndex:
        return PatientIndex.objects.create(
            patient_id=patient_id,
            national_id=number,
            national_id_system="https://fhir.hscni.net/Id/hcn",
            given_name=given,
            family_name=family,
            sex="female",
            birth_date=born,
            practice=orgs[practice],
            icp=icp,
            synthetic=True,
        )

    patients = {
        "alice": patient(
            "pt-alice-0001", "practice_a", icp_area, "Alice", "Zephyrine", date(1941, 3, 2), "3201234567"
        ),
        "bob": patient(
            "pt-bob-0002", "practice_b", icp_area, "Bob", "Quillfeather", date(1950, 7, 9), "3209876543"
        ),
        "carol": patient(
            "pt-carol-0003",
            "other_practice",
            other_icp,
            "Carol",
            "Umberfield",
            date(1939, 1, 5),
            "3205550123",
        ),
    }

    def make_agreement(
        parties: list[str],
        purposes: list[str],
        categories: list[str] | None = None,
        *,
        icp: Area = icp_area,
        sign: bool = True,
        start: date | None = None,
        end: date | None = None,
    ) -> DataSharingAgreement:
        governor_for = governor if icp == icp_area else other_governor
        agreement = actions.create_agreement(
            icp=icp,
            title="Test agreement (synthetic)",
            parties=[orgs[p] for p in parties],
            purposes=purposes,
            categories=categories or ALL_CATEGORIES,
            legal_basis=LegalBasis.DIRECT_CARE,
            start_date=start or timezone.localdate() - timedelta(days=30),
            end_date=end,
            by=governor_for,
        )
        if sign:
            actions.sign_agreement(agreement=agreement, by=governor_for)
        return agreement

    governor = users["iglead"]
    other_governor = User.objects.create_user(
        username="other_iglead",
        password="correct-horse-battery",
        role=UserRole.IG_LEAD,
        organisation=orgs["other_practice"],
        home_area=other_icp,
    )
    return World(icp_area, other_icp, orgs, users, patients, governor, make_agreement)


@pytest.fixture
def shared_world(world: World) -> World:
    """The world with the usual agreements signed: direct care, emergency, coordination, planning."""
    world.make_agreement(
        ["practice_a", "practice_b", "pharmacy", "trust", "ambulance"],
        [Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION, Purpose.EMERGENCY],
    )
    world.make_agreement(
        ["practice_a", "trust", "voluntary"],
        [Purpose.CARE_COORDINATION],
        [DataCategory.DEMOGRAPHICS, DataCategory.CARE_PLANS, DataCategory.SOCIAL_CARE],
    )
    world.make_agreement(
        ["practice_a", "practice_b", "lcg"],
        [Purpose.RISK_STRATIFICATION, Purpose.PLANNING],
    )
    world.make_agreement(["other_practice", "ambulance"], [Purpose.DIRECT_CARE], icp=world.other_icp)
    return world
