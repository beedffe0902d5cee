"""The IG lead's record-linkage pages: the queue, a pair side by side, a person's records, and the
decisions made there; everyone else is refused and the refusal audited."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from django.test import Client

from icp.audit.models import AuditEvent
from icp.patients.actions import Source, open_relationship
from icp.patients.linkage import link_pair, split_record
from icp.patients.models import LinkReview, LinkStatus, PatientIndex, RelationshipKind
from icp.records.identifiers import is_valid
from icp.records.warehouse import Warehouse
from icp.sharing.models import PersonChoice
from icp.sharing.policy import Code, decide, planning_opt_outs
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, Purpose
from tests.sharing.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust_alice(shared_world: World, warehouse: Warehouse) -> PatientIndex:
    """The trust's own record of Alice (its id, no practice, no number), waiting to be reviewed."""
    alice = shared_world.patients["alice"]
    with warehouse.batch(kind="ingest", source="trust PAS (synthetic)") as batch:
        batch.write(
            "patient",
            pa.table(
                {
                    "patient_id": ["tr-alice-9", "pt-alice-0001"],
                    "given_name": ["Alice", "Alice"],
                    "family_name": ["Zephyrene", "Zephyrine"],
                    "sex": ["female", "female"],
                    "birth_date": [date(1941, 3, 2)] * 2,
                    "postcode_district": ["BT52", "BT51"],
                    "registered": [False, True],
                    "icp": ["NI-NOR-CA"] * 2,
                    "synthetic": [True] * 2,
                }
            ),
        )
        batch.write(
            "encounter",
            pa.table(
                {
                    "encounter_id": ["tr-e9"],
                    "patient_id": ["tr-alice-9"],
                    "setting": ["ae"],
                    "start_date": [date(2026, 2, 1)],
                    "type_display": ["Fall at home"],
                    "diagnoses": [
                        [
                            {
                                "code_system": "icd10",
                                "code": "W19",
                                "display": "Fall at home (trust)",
                                "rank": 1,
                            }
                        ]
                    ],
                    "icp": ["NI-NOR-CA"],
                    "synthetic": [True],
                }
            ),
        )
    trust = PatientIndex.objects.create(
        patient_id="tr-alice-9",
        person_id="tr-alice-9",
        given_name="Alice",
        family_name="Zephyrene",
        sex="female",
        birth_date=date(1941, 3, 2),
        icp=alice.icp,
        registered=False,
        source="trust PAS (synthetic)",
        synthetic=True,
    )
    LinkReview.objects.create(
        icp=alice.icp, left=alice, right=trust, match_probability=0.93, reason="between the thresholds"
    )
    return trust


def test_the_ig_lead_sees_the_queue_and_the_pair_side_by_side(
    client: Client, shared_world: World, trust_alice: PatientIndex
) -> None:
    client.force_login(shared_world.users["iglead"])
    queue = client.get("/sharing/linkage/")
    assert queue.status_code == 200
    page = queue.content.decode()
    assert "Waiting for review (1)" in page and "93%" in page
    assert "Zephyrine" not in page  # the queue names no one
    review = LinkReview.objects.get()
    pair = client.get(f"/sharing/linkage/pairs/{review.pk}/").content.decode()
    assert "Zephyrine" in pair and "Zephyrene" in pair and "2 March 1941" in pair
    # Only ever the last four digits of a number, and whether it is valid.
    assert ("Valid, ends 4567" if is_valid("3201234567") else "Not valid") in pair
    assert "3201234567" not in pair
    assert "BT52" in pair
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"linkage.queue.view", "linkage.pair.view"} <= actions


def test_deciding_same_person_links_them_and_a_split_undoes_it(
    client: Client, shared_world: World, trust_alice: PatientIndex, warehouse: Warehouse
) -> None:
    client.force_login(shared_world.users["iglead"])
    review = LinkReview.objects.get()
    response = client.post(f"/sharing/linkage/pairs/{review.pk}/", {"decision": "same"})
    assert response.status_code == 302
    trust_alice.refresh_from_db()
    assert trust_alice.person == "pt-alice-0001"  # the registered record names the person
    rows = warehouse.read_arrow("patient", ["NI-NOR-CA"], columns=["patient_id", "person_id"]).to_pylist()
    assert {row["patient_id"]: row["person_id"] for row in rows}["tr-alice-9"] == "pt-alice-0001"
    person = client.get("/sharing/linkage/people/pt-alice-0001/").content.decode()
    assert "tr-alice-9" in person and "pt-alice-0001" in person
    split = client.post("/sharing/linkage/people/pt-alice-0001/", {"record": "tr-alice-9"})
    assert split.status_code == 302
    trust_alice.refresh_from_db()
    assert trust_alice.person == "tr-alice-9"
    review.refresh_from_db()
    assert review.status == LinkStatus.APART
    assert AuditEvent.objects.filter(action="linkage.link").exists()
    assert AuditEvent.objects.filter(action="linkage.split").exists()


def test_bad_input_gets_a_400_naming_what_was_expected(
    client: Client, shared_world: World, trust_alice: PatientIndex
) -> None:
    client.force_login(shared_world.users["iglead"])
    review = LinkReview.objects.get()
    response = client.post(f"/sharing/linkage/pairs/{review.pk}/", {"decision": "maybe"})
    assert response.status_code == 400
    assert "Choose whether the two records are the same person" in response.content.decode()
    response = client.post("/sharing/linkage/people/pt-alice-0001/", {"record": "pt-bob-0002"})
    assert response.status_code == 400
    assert client.get("/sharing/linkage/pairs/999999/").status_code == 404


@pytest.mark.parametrize("name", ["gp", "analyst", "trust"])
def test_anyone_but_an_ig_lead_is_refused_and_the_refusal_audited(
    client: Client, shared_world: World, trust_alice: PatientIndex, name: str
) -> None:
    client.force_login(shared_world.users[name])
    review = LinkReview.objects.get()
    assert client.get("/sharing/linkage/").status_code == 403
    assert client.post(f"/sharing/linkage/pairs/{review.pk}/", {"decision": "same"}).status_code == 403
    assert AuditEvent.objects.filter(action="linkage.queue.view", outcome="denied").count() == 1
    review.refresh_from_db()
    assert review.status == LinkStatus.WAITING


def test_an_ig_lead_of_another_icp_cannot_open_this_icps_pairs(
    client: Client, shared_world: World, trust_alice: PatientIndex
) -> None:
    other = type(shared_world.governor).objects.get(username="other_iglead")
    client.force_login(other)
    review = LinkReview.objects.get()
    assert client.get(f"/sharing/linkage/pairs/{review.pk}/").status_code == 404


def test_access_follows_the_person_and_is_decided_afresh_after_a_link_and_a_split(
    client: Client, shared_world: World, trust_alice: PatientIndex
) -> None:
    """The trust holds a referral on its own record of Alice; linked, it may see her GP record
    (and her GP sees the trust's rows); split again, neither follows."""
    alice = shared_world.patients["alice"]
    trust_user, iglead = shared_world.users["trust"], shared_world.users["iglead"]
    open_relationship(
        patient=trust_alice,
        kind=RelationshipKind.REFERRAL,
        source=Source("test.referral", "1"),
        organisation=shared_world.orgs["trust"],
        by=trust_user,
    )
    assert (
        decide(trust_user, alice, Purpose.DIRECT_CARE, DataCategory.ENCOUNTERS).code == Code.NO_RELATIONSHIP
    )
    client.force_login(shared_world.users["gp"])
    assert "Fall at home (trust)" not in client.get("/sharing/patients/pt-alice-0001/").content.decode()

    link_pair(review=LinkReview.objects.get(), by=iglead)
    alice.refresh_from_db()
    assert decide(trust_user, alice, Purpose.DIRECT_CARE, DataCategory.ENCOUNTERS).allowed
    page = client.get("/sharing/patients/pt-alice-0001/").content.decode()
    assert "Fall at home (trust)" in page and "COPD exacerbation (alice)" in page
    assert "brings together 2 records" in page and "trust PAS (synthetic)" in page

    split_record(patient=PatientIndex.objects.get(patient_id="tr-alice-9"), by=iglead)
    alice.refresh_from_db()
    assert (
        decide(trust_user, alice, Purpose.DIRECT_CARE, DataCategory.ENCOUNTERS).code == Code.NO_RELATIONSHIP
    )
    assert "Fall at home (trust)" not in client.get("/sharing/patients/pt-alice-0001/").content.decode()


def test_an_opt_out_on_one_record_holds_for_the_whole_person(
    shared_world: World, trust_alice: PatientIndex
) -> None:
    link_pair(review=LinkReview.objects.get(), by=shared_world.users["iglead"])
    PersonChoice.objects.create(
        patient=trust_alice,
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        effective_date=date(2026, 1, 1),
        recorded_by=shared_world.users["iglead"],
    )
    assert "pt-alice-0001" in planning_opt_outs("NI-NOR-CA")
