"""The business cases API: a case through its lifecycle by POST actions."""

from __future__ import annotations

from icp.governance.models import BusinessCase, Indicator
from icp.partnership.models import User
from tests.governance.clients import Api


def test_a_case_goes_from_draft_to_approved_through_post_actions(
    demo_manager: User, demo_reviewer: User, other_reviewer: User, indicator: Indicator
) -> None:
    manager, reviewer = Api(demo_manager), Api(demo_reviewer)
    created = manager.post(
        "/business-cases",
        {
            "icp": "NI-NOR-CA",
            "title": "Falls prevention",
            "priority_group": "frail_elderly",
            "problem": "Falls lead to admissions.",
            "proposal": "Strength and balance classes.",
            "funding": [{"financial_year": "2026/27", "amount": "50000"}],
            "staff": [{"financial_year": "2026/27", "role": "Physiotherapist", "wte": "1.5"}],
            "benefits": [
                {"description": "Fewer admissions", "indicator": indicator.code, "baseline": 52, "target": 45}
            ],
        },
    )
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["status"] == "draft" and case["money_requested"] == "50000.00"
    assert case["allowed_transitions"] == ["submit"]
    case_id = case["id"]
    assert reviewer.get("/business-cases").json() == []  # drafts are not sent yet
    assert manager.post(f"/business-cases/{case_id}/transitions/approve").status_code == 409
    assert manager.post(f"/business-cases/{case_id}/transitions/submit").json()["status"] == "submitted"
    assert [c["id"] for c in reviewer.get("/business-cases", body="NI-NOR").json()] == [case_id]
    assert (
        reviewer.post(f"/business-cases/{case_id}/transitions/start_review").json()["status"]
        == "under_review"
    )
    assert Api(other_reviewer).post(f"/business-cases/{case_id}/transitions/approve").status_code == 403
    assert manager.post(f"/business-cases/{case_id}/transitions/approve").status_code == 403
    illegal = reviewer.post(f"/business-cases/{case_id}/transitions/close")
    assert illegal.status_code == 409 and "under review" in illegal.json()["detail"]
    approved = reviewer.post(f"/business-cases/{case_id}/transitions/approve", {"money_approved": "40000"})
    assert approved.json()["status"] == "approved" and approved.json()["money_approved"] == "40000.00"
    assert BusinessCase.objects.get(pk=case_id).transitions.count() == 3


def test_an_unknown_indicator_is_refused(demo_manager: User) -> None:
    response = Api(demo_manager).post(
        "/business-cases",
        {
            "icp": "NI-NOR-CA",
            "title": "X",
            "priority_group": "other",
            "problem": "p",
            "proposal": "q",
            "benefits": [{"description": "d", "indicator": "no-such", "baseline": 1, "target": 2}],
        },
    )
    assert response.status_code == 422 and "no-such" in response.json()["detail"]
    assert not BusinessCase.objects.exists()
