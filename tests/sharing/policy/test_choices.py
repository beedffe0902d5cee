"""The person's choices in force (`policy.choices`): the latest of each kind on the day decides, and
the planning opt-outs population jobs leave out.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from icp.patients.models import PatientIndex
from icp.sharing import actions
from icp.sharing.policy import decide, planning_opt_outs
from icp.sharing.vocabulary import ChoiceKind, ChoiceValue, DataCategory, Purpose
from tests.sharing.conftest import World
from tests.sharing.policy.conftest import add_team, choose

C = DataCategory
P = Purpose


def test_consent_given_again_lifts_the_withdrawal(shared_world: World) -> None:
    w = shared_world
    add_team(w, "alice", "pharmacy")
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.WITHDRAWN, days_ago=5)
    choose(w, "alice", ChoiceKind.DIRECT_CARE_CONSENT, ChoiceValue.GIVEN, days_ago=1)
    assert decide(w.users["pharmacist"], w.patients["alice"], P.DIRECT_CARE).allowed


def test_choice_dated_in_the_future_is_refused(shared_world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        choose(shared_world, "alice", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT, days_ago=-2)


def test_planning_opt_outs_lists_the_people_to_leave_out_with_a_count(shared_world: World) -> None:
    w = shared_world
    choose(w, "alice", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT, days_ago=3)
    choose(w, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_OUT, days_ago=3)
    choose(w, "bob", ChoiceKind.PLANNING_OPT_OUT, ChoiceValue.OPTED_IN, days_ago=1)
    actions.record_choice(
        patient=w.patients["carol"],
        kind=ChoiceKind.PLANNING_OPT_OUT,
        value=ChoiceValue.OPTED_OUT,
        by=w.users["other_gp"],
    )
    everyone = planning_opt_outs()
    assert everyone.patient_ids == {"pt-alice-0001", "pt-carol-0003"} and everyone.count == 2
    ours = planning_opt_outs(w.icp)
    assert ours.count == 1 and "pt-alice-0001" in ours and "pt-bob-0002" not in ours
    # On a day before Bob opted back in, he was out.
    assert "pt-bob-0002" in planning_opt_outs("NI-NOR-CA", on=timezone.localdate() - timedelta(days=2))
    assert isinstance(PatientIndex.objects.get(patient_id="pt-alice-0001"), PatientIndex)
