"""The policy tables: which login roles may act for which purposes and see which data categories.

These are the role part of the access decision (`policy.decide`); the agreement, relationship and
choice parts come from the database. docs/information-sharing.md prints these tables, and a test
checks that the document and this module agree.
"""

from __future__ import annotations

from icp.partnership.roles import UserRole
from icp.sharing.vocabulary import INDIVIDUAL_CARE_PURPOSES, DataCategory, Purpose

_ALL = frozenset(DataCategory.values)
_CLINICAL_RECORD = frozenset(
    {
        DataCategory.DEMOGRAPHICS,
        DataCategory.CONDITIONS,
        DataCategory.MEDICATIONS,
        DataCategory.OBSERVATIONS,
        DataCategory.ENCOUNTERS,
        DataCategory.CARE_PLANS,
    }
)
_POPULATION_ANALYSIS = frozenset(
    {
        DataCategory.DEMOGRAPHICS,
        DataCategory.CONDITIONS,
        DataCategory.MEDICATIONS,
        DataCategory.OBSERVATIONS,
        DataCategory.ENCOUNTERS,
    }
)
_COORDINATION = frozenset({DataCategory.DEMOGRAPHICS, DataCategory.CARE_PLANS, DataCategory.SOCIAL_CARE})

# Purposes each role may act for. Emergency response is for the ambulance service and hospital
# clinicians (the emergency department); anyone else in an emergency uses break glass, which is
# reviewed. Roles absent here (IG lead, committee member, reviewer) never see a person's record.
ROLE_PURPOSES: dict[str, frozenset[str]] = {
    UserRole.GP: frozenset(
        {Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION, Purpose.RISK_STRATIFICATION, Purpose.PLANNING}
    ),
    UserRole.PRACTICE_NURSE: frozenset(
        {Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION, Purpose.RISK_STRATIFICATION}
    ),
    UserRole.PHARMACIST: frozenset({Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION}),
    UserRole.TRUST_CLINICIAN: frozenset({Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION, Purpose.EMERGENCY}),
    UserRole.SOCIAL_WORKER: frozenset({Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION}),
    UserRole.AHP: frozenset({Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION}),
    UserRole.AMBULANCE: frozenset({Purpose.DIRECT_CARE, Purpose.EMERGENCY}),
    UserRole.VOLUNTARY_WORKER: frozenset({Purpose.CARE_COORDINATION}),
    UserRole.HUB_WORKER: frozenset({Purpose.CARE_COORDINATION}),
    UserRole.ANALYST: frozenset({Purpose.RISK_STRATIFICATION, Purpose.PLANNING}),
    UserRole.ICP_MANAGER: frozenset({Purpose.PLANNING}),
}

# Data categories each role may ever see, whatever the agreements say (need to know).
ROLE_CATEGORIES: dict[str, frozenset[str]] = {
    UserRole.GP: _ALL,
    UserRole.TRUST_CLINICIAN: _ALL,
    UserRole.PRACTICE_NURSE: _CLINICAL_RECORD | {DataCategory.SOCIAL_CARE},
    UserRole.PHARMACIST: frozenset(
        {
            DataCategory.DEMOGRAPHICS,
            DataCategory.CONDITIONS,
            DataCategory.MEDICATIONS,
            DataCategory.OBSERVATIONS,
            DataCategory.CARE_PLANS,
        }
    ),
    UserRole.SOCIAL_WORKER: frozenset(
        {
            DataCategory.DEMOGRAPHICS,
            DataCategory.CONDITIONS,
            DataCategory.ENCOUNTERS,
            DataCategory.CARE_PLANS,
            DataCategory.SOCIAL_CARE,
            DataCategory.SAFEGUARDING,
        }
    ),
    UserRole.AHP: _CLINICAL_RECORD,
    UserRole.AMBULANCE: _CLINICAL_RECORD,
    UserRole.VOLUNTARY_WORKER: _COORDINATION,
    UserRole.HUB_WORKER: _COORDINATION,
    UserRole.ANALYST: _POPULATION_ANALYSIS,
    UserRole.ICP_MANAGER: _POPULATION_ANALYSIS,
}

# Break glass: who may override a denial in an emergency (clinicians and social workers).
BREAK_GLASS_ROLES = frozenset(
    {
        UserRole.GP,
        UserRole.PRACTICE_NURSE,
        UserRole.PHARMACIST,
        UserRole.TRUST_CLINICIAN,
        UserRole.SOCIAL_WORKER,
        UserRole.AHP,
        UserRole.AMBULANCE,
    }
)
# Roles that administer agreements and choices for their ICP.
GOVERNANCE_ROLES = frozenset({UserRole.IG_LEAD, UserRole.ICP_MANAGER})
# Roles that can open identifiable records, and so sign in with a second factor (icp.site.two_factor):
# every role that may act for one person's care or in an emergency, and the roles that see named
# people in access logs, choices and subject-access exports. An analyst (pseudonymised outputs
# only), a committee member and a reviewer never see a named record.
TWO_FACTOR_ROLES = frozenset(
    {
        role
        for role, purposes in ROLE_PURPOSES.items()
        if purposes & (INDIVIDUAL_CARE_PURPOSES | {Purpose.EMERGENCY})
    }
    | GOVERNANCE_ROLES
)


def purposes_for(role: str) -> frozenset[str]:
    return ROLE_PURPOSES.get(role, frozenset())


def categories_for(role: str) -> frozenset[str]:
    return ROLE_CATEGORIES.get(role, frozenset())


def role_table_markdown() -> str:
    """The role tables as Markdown, as docs/information-sharing.md prints them (a test compares)."""
    from icp.partnership.roles import UserRole as Role
    from icp.sharing.vocabulary import DataCategory as Category
    from icp.sharing.vocabulary import Purpose as Why

    purposes = list(Why)
    categories = list(Category)
    header = "| Role | " + " | ".join(str(p.label) for p in purposes) + " |"
    lines = [header, "|" + "---|" * (len(purposes) + 1)]
    for role in Role:
        marks = ["yes" if p in purposes_for(role) else "—" for p in purposes]
        lines.append(f"| {role.label} | " + " | ".join(marks) + " |")
    lines += [
        "",
        "| Role | " + " | ".join(str(c.label) for c in categories) + " |",
        "|" + "---|" * (len(categories) + 1),
    ]
    for role in Role:
        marks = ["yes" if c in categories_for(role) else "—" for c in categories]
        lines.append(f"| {role.label} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"
