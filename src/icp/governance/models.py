"""Governance models, one module per part of the issue (meetings, cases, projects, plans, ECHO)."""

from icp.governance.cases.models import (
    BenefitMeasurement,
    BusinessCase,
    CaseBenefit,
    CaseTransition,
    FundingRequest,
    Indicator,
    StaffRequest,
)
from icp.governance.echo.models import EchoAggregate, EchoAttendance, EchoNetwork, EchoSession
from icp.governance.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Paper,
    QuorumRule,
)
from icp.governance.plans.models import (
    AnnualPlan,
    Milestone,
    MilestoneUpdate,
    Objective,
    Project,
    ProjectSite,
    Strategy,
    StrategyOutcome,
    StrategyPriority,
)

__all__ = [
    "ActionItem",
    "AgendaItem",
    "AnnualPlan",
    "Attendance",
    "BenefitMeasurement",
    "BusinessCase",
    "CaseBenefit",
    "CaseTransition",
    "Decision",
    "EchoAggregate",
    "EchoAttendance",
    "EchoNetwork",
    "EchoSession",
    "FundingRequest",
    "Indicator",
    "Meeting",
    "Milestone",
    "MilestoneUpdate",
    "Objective",
    "Paper",
    "Project",
    "ProjectSite",
    "QuorumRule",
    "StaffRequest",
    "Strategy",
    "StrategyOutcome",
    "StrategyPriority",
]
