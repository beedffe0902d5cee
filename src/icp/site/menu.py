"""The one header menu: the same on every page, showing only what the user's role may use.

Every page extends `base.html`, which renders `menu_for(user)` (put in the context by
`icp.site.context.site_context`). A link appears only when the page behind it would let the user in:
the rules here follow the checks the pages make (`care.risk_views`, `sharing.views`,
`evaluation.views`, `governance.access`), so a role is never shown a door that refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from icp.partnership.models import User, home_icp
from icp.partnership.roles import CLINICAL_ROLES, OrganisationType, UserRole
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import Purpose


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str


# Roles that receive and send referrals between organisations.
REFERRING_ROLES = CLINICAL_ROLES | {UserRole.VOLUNTARY_WORKER, UserRole.HUB_WORKER}
# Roles that read a person's shared record (direct care or care coordination).
RECORD_ROLES = REFERRING_ROLES
# Roles that see the partnership's population figures and indicators of their own ICP.
PLANNING_ROLES = frozenset({UserRole.ICP_MANAGER, UserRole.ANALYST})


def _practice_code(user: User) -> str | None:
    organisation = user.organisation
    if organisation is not None and organisation.type == OrganisationType.GP_PRACTICE:
        return organisation.code
    return None


def menu_for(user: User) -> list[MenuLink]:
    """The header menu of a logged-in user, in the order of their day's work."""
    role = user.role
    icp = home_icp(user)
    links = [MenuLink("Home", reverse("home"))]
    practice = _practice_code(user)
    if practice and Purpose.RISK_STRATIFICATION in purposes_for(role) and role in CLINICAL_ROLES:
        links.append(MenuLink("Worklist", reverse("care:worklist", args=[practice])))
    if role in RECORD_ROLES:
        links.append(MenuLink("Find a person", reverse("sharing:search")))
    if role in REFERRING_ROLES and user.organisation_id is not None:
        links.append(MenuLink("Referrals", reverse("care:inbox")))
    if role in CLINICAL_ROLES and user.organisation_id is not None:
        links.append(MenuLink("MDTs", reverse("care:mdt-lists")))
    if role in REFERRING_ROLES:
        links.append(MenuLink("Services", reverse("care:services")))
    if role == UserRole.HUB_WORKER and icp is not None:
        links.append(MenuLink("Emergency lists", reverse("care:emergency-lists")))
    if role == UserRole.IG_LEAD and icp is not None:
        links.append(MenuLink("Break glass", reverse("sharing:break-glass-review")))
        links.append(MenuLink("Audit trail", reverse("sharing:audit")))
        links.append(MenuLink("Record linkage", reverse("sharing:linkage")))
        # The audit-trail and subject-access exports run as background jobs, listed there.
        links.append(MenuLink("Exports", reverse("jobs:icp", args=[icp.code])))
    if role in (UserRole.IG_LEAD, UserRole.ICP_MANAGER) and icp is not None:
        links.append(MenuLink("Sharing agreements", reverse("sharing:register")))
    if role in PLANNING_ROLES and icp is not None:
        links.append(MenuLink("Risk population", reverse("care:population", args=[icp.code])))
        links.append(MenuLink("Indicators", reverse("evaluation:indicators", args=[icp.code])))
        links.append(MenuLink("Caseloads", reverse("care:icp-caseload", args=[icp.code])))
        links.append(MenuLink("Background jobs", reverse("jobs:icp", args=[icp.code])))
    if role in (UserRole.ICP_MANAGER, UserRole.COMMITTEE_MEMBER, UserRole.REVIEWER) or user.person_id:
        links.append(MenuLink("Governance", reverse("governance:home")))
    if user.is_staff:
        links.append(MenuLink("Admin", reverse("admin:index")))
    return links
