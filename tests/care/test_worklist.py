"""The worklist's priority groups are the partnership's one vocabulary, each with a finding rule."""

from __future__ import annotations

from icp.care.worklist import CASE_FINDING, WorklistFilter, filter_form_choices
from icp.governance.models import BusinessCase, Objective, Project
from icp.partnership.priorities import PriorityGroup


def test_every_priority_group_but_other_has_a_case_finding_rule() -> None:
    assert set(CASE_FINDING) == set(PriorityGroup) - {PriorityGroup.OTHER}


def test_the_filter_takes_the_shared_keys_and_ignores_anything_else() -> None:
    assert WorklistFilter.from_query({"priority_group": "frail_elderly"}).priority_group == "frail_elderly"
    assert WorklistFilter.from_query({"priority_group": "frail_older"}).priority_group == ""
    assert WorklistFilter.from_query({"priority_group": "other"}).priority_group == ""


def test_the_form_offers_each_group_by_its_shared_label_and_rule() -> None:
    offered = dict(filter_form_choices()["priority_groups"])
    assert offered["respiratory"] == "Respiratory (on the COPD register)"
    assert list(offered) == [group.value for group in CASE_FINDING]


def test_business_cases_plans_and_projects_file_under_the_same_groups() -> None:
    for model in (BusinessCase, Objective, Project):
        assert model._meta.get_field("priority_group").choices == PriorityGroup.choices
