"""The questions callers ask (`policy.questions`): an unknown person, several categories at once (an
audit event each), and many people at once, decided as each alone from a fixed number of queries.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from icp.audit.models import AuditEvent
from icp.patients.models import PatientIndex
from icp.sharing import actions
from icp.sharing.policy import Code, decide, decide_many, evaluate_many, evaluate_people
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, Purpose
from tests.sharing.conftest import World
from tests.sharing.policy.conftest import add_team, choose, last_event, linked_record

C = DataCategory
P = Purpose


def test_unknown_patient_is_denied_without_saying_whether_it_exists(shared_world: World) -> None:
    decision = decide(shared_world.users["gp"], "pt-no-such-person", P.DIRECT_CARE)
    assert decision.code == Code.UNKNOWN_PATIENT
    assert "available to you" in decision.reason
    assert last_event().patient_ref == "pt-no-such-person"


# -- many categories at once, and the opt-out list ------------------------------------------------


def test_decide_many_audits_each_category(shared_world: World) -> None:
    w = shared_world
    before = AuditEvent.objects.count()
    decisions = decide_many(w.users["voluntary"], w.patients["alice"], P.CARE_COORDINATION, list(C.values))
    assert AuditEvent.objects.count() == before + len(C.values)
    assert decisions[C.CONDITIONS].code == Code.ROLE_CATEGORY
    assert decisions[C.DEMOGRAPHICS].code == Code.NO_RELATIONSHIP


# -- many people at once (worklists, caseloads, search hits) -----------------------------------------


def _mixed_people(world: World) -> list[PatientIndex]:
    """People whose decisions differ for different reasons: registered here or there, a relationship,
    choices made on a linked record, break glass, another ICP."""
    linked = linked_record(world, "alice", "practice_b")
    actions.record_choice(
        patient=linked,
        kind=ChoiceKind.DIRECT_CARE_CONSENT,
        value=ChoiceValue.WITHDRAWN,
        by=world.users["gp_b"],
    )
    add_team(world, "bob", "pharmacy")
    choose(world, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT)
    actions.break_glass(
        patient=world.patients["carol"],
        reason="Visiting patient collapsed at surgery",
        by=world.users["trust"],
    )
    return [world.patients["alice"], linked, world.patients["bob"], world.patients["carol"]]


@pytest.mark.parametrize("user", ["gp", "gp_b", "pharmacist", "trust", "ambulance", "analyst", "voluntary"])
@pytest.mark.parametrize("purpose", [P.DIRECT_CARE, P.CARE_COORDINATION, P.EMERGENCY, P.RISK_STRATIFICATION])
def test_many_people_at_once_are_decided_as_each_alone(shared_world: World, user: str, purpose: str) -> None:
    people = _mixed_people(shared_world)
    who = shared_world.users[user]
    for category in (C.DEMOGRAPHICS, C.MEDICATIONS):
        alone = [evaluate_many(who, person, purpose, [category])[1][category] for person in people]
        assert evaluate_people(who, people, purpose, category) == alone


def test_many_people_are_decided_from_a_fixed_number_of_queries(shared_world: World) -> None:
    """A worklist of thirty asks the database as often as one of three (no query per person)."""
    w = shared_world
    _mixed_people(w)
    for number in range(30):
        PatientIndex.objects.create(
            patient_id=f"pt-many-{number:04d}", practice=w.orgs["practice_a"], icp=w.icp, synthetic=True
        )
    everyone = list(PatientIndex.objects.filter(icp=w.icp).order_by("pk"))
    counts = []
    for people in (everyone[:3], everyone):
        for purpose in (P.DIRECT_CARE, P.RISK_STRATIFICATION):
            with CaptureQueriesContext(connection) as queries:
                decisions = evaluate_people(w.users["gp"], people, purpose, C.DEMOGRAPHICS)
            assert len(decisions) == len(people)
            counts.append((purpose, len(queries)))
    assert counts[:2] == counts[2:], counts
    assert AuditEvent.objects.filter(action="record.read").count() == 0  # the caller audits the list
