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

from icp.partnership.models import Area, Organisation, User
from icp.partnership.roles import OrganisationType, UserRole
from icp.patients.models import PatientIndex
from icp.records.warehouse import Warehouse
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


def _provenance(icp: str, n: int) -> dict[str, list[Any]]:
    return {
        "icp": [icp] * n,
        "source": ["sharing tests (synthetic)"] * n,
        "batch_id": ["t"] * n,
        "synthetic": [True] * n,
    }


@pytest.fixture
def warehouse(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, world: World) -> Warehouse:
    """A small real warehouse (Parquet + manifest) holding the world's patients' records."""
    import pyarrow as pa

    monkeypatch.setenv("ICP_DATA_DIR", str(tmp_path))
    store = Warehouse()
    people = [("pt-alice-0001", "NI-NOR-CA"), ("pt-bob-0002", "NI-NOR-CA"), ("pt-carol-0003", "NI-BEL-E")]
    with store.batch(kind="test", source="sharing tests") as batch:
        for patient_id, icp in people:
            short = patient_id.split("-")[1]
            batch.write(
                "condition",
                pa.table(
                    {
                        "condition_id": [f"{short}-c1", f"{short}-c2"],
                        "patient_id": [patient_id] * 2,
                        "code_system": ["snomed"] * 2,
                        "code": ["13645005", "44054006"],
                        "display": [
                            f"Chronic obstructive lung disease ({short})",
                            "Type 2 diabetes mellitus",
                        ],
                        "onset_date": [date(2015, 1, 1), date(2019, 6, 1)],
                        "clinical_status": ["active"] * 2,
                        **_provenance(icp, 2),
                    }
                ),
            )
            batch.write(
                "medication",
                pa.table(
                    {
                        "medication_id": [f"{short}-m1"],
                        "patient_id": [patient_id],
                        "code_system": ["dmd"],
                        "code": ["39113611000001102"],
                        "display": [f"Metformin 500mg tablets ({short})"],
                        "kind": ["statement"],
                        "status": ["active"],
                        "start_date": [date(2019, 6, 2)],
                        **_provenance(icp, 1),
                    }
                ),
            )
            batch.write(
                "observation",
                pa.table(
                    {
                        "observation_id": [f"{short}-o1", f"{short}-o2"],
                        "patient_id": [patient_id] * 2,
                        "code_system": ["snomed"] * 2,
                        "code": ["1000731000000107", "60621009"],
                        "display": [f"HbA1c ({short})", "Body mass index"],
                        "effective_date": [date(2026, 1, 10), date(2025, 11, 3)],
                        "value_number": [58.0, 31.2],
                        "value_unit": ["mmol/mol", "kg/m2"],
                        **_provenance(icp, 2),
                    }
                ),
            )
            batch.write(
                "encounter",
                pa.table(
                    {
                        "encounter_id": [f"{short}-e1"],
                        "patient_id": [patient_id],
                        "setting": ["inpatient"],
                        "admission_method": ["emergency"],
                        "start_date": [date(2025, 12, 1)],
                        "end_date": [date(2025, 12, 5)],
                        "provider_code": ["T-TRUST"],
                        "diagnoses": [
                            [
                                {
                                    "code_system": "icd10",
                                    "code": "J44.1",
                                    "display": f"COPD exacerbation ({short})",
                                    "rank": 1,
                                }
                            ]
                        ],
                        **_provenance(icp, 1),
                    }
                ),
            )
    return store
