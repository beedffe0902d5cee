"""Synthetic demo partners for one ICP: organisations, people, a committee with one vacant seat,
and one login per role. Every invented name is marked "(synthetic)".

Idempotent: a second run finds what the first made and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from icp.audit.events import EventType
from icp.audit.log import record
from icp.partnership.accounts import create_user
from icp.partnership.models import (
    Area,
    ChairElection,
    Committee,
    CompositionTemplate,
    Membership,
    Organisation,
    Person,
    User,
)
from icp.partnership.roles import AreaLevel, Office, OrganisationType, ProfessionalRole, UserRole

DEMO_ICP = "NI-NOR-CA"
TRUST_BY_LCG = {
    "NI-BEL": "Belfast HSC Trust",
    "NI-NOR": "Northern HSC Trust",
    "NI-SE": "South Eastern HSC Trust",
    "NI-SO": "Southern HSC Trust",
    "NI-WE": "Western HSC Trust",
}
COMMITTEE_START = date(2025, 4, 1)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str


def _org(code: str, name: str, type_: str, icp: Area, town: str = "") -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        code=code, defaults={"name": name, "type": type_, "town": town, "source": "synthetic demo data"}
    )
    organisation.areas_served.add(icp)
    return organisation


def _partners(icp: Area) -> dict[str, Organisation]:
    lcg = icp.parent
    assert lcg is not None
    suffix = icp.code
    practices = list(icp.practices.order_by("code")[:2])
    if len(practices) < 2:
        raise ValueError(f"{icp.code} has fewer than two practices; run `icp load-structure` first")
    return {
        "practice_a": practices[0],
        "practice_b": practices[1],
        "trust": _org(
            f"{lcg.code}-TRUST", TRUST_BY_LCG.get(lcg.code, f"{lcg.name} trust"), OrganisationType.TRUST, icp
        ),
        "ambulance": _org("NI-NIAS", "Northern Ireland Ambulance Service", OrganisationType.AMBULANCE, icp),
        "lcg": _org(
            f"{lcg.code}-LCG", f"{lcg.name.replace(' area', '')}", OrganisationType.COMMISSIONER, icp
        ),
        "pharmacy_a": _org(
            f"{suffix}-PH1", f"{icp.name} Pharmacy One (synthetic)", OrganisationType.COMMUNITY_PHARMACY, icp
        ),
        "pharmacy_b": _org(
            f"{suffix}-PH2", f"{icp.name} Pharmacy Two (synthetic)", OrganisationType.COMMUNITY_PHARMACY, icp
        ),
        "council": _org(
            f"{suffix}-CNCL", f"{icp.name} Borough Council (synthetic)", OrganisationType.COUNCIL, icp
        ),
        "voluntary": _org(
            f"{suffix}-VOL", "Age Well Volunteers (synthetic)", OrganisationType.VOLUNTARY_ORGANISATION, icp
        ),
        "community": _org(
            f"{suffix}-COM",
            "Riverside Community Association (synthetic)",
            OrganisationType.COMMUNITY_ORGANISATION,
            icp,
        ),
        "hub": _org(
            f"{suffix}-HUB",
            f"{icp.name} Community Support Hub (synthetic)",
            OrganisationType.COMMUNITY_SUPPORT_HUB,
            icp,
        ),
    }


# seat code, person name, professional role, organisation key. The carer's seat is left empty on
# purpose, so the composition check on the home page shows a vacancy.
_MEMBERS = [
    ("gp", "Dr Aoife Synthetic", ProfessionalRole.GP, "practice_a"),
    ("gp", "Dr Brendan Synthetic", ProfessionalRole.GP, "practice_b"),
    ("community-pharmacist", "Ciara Synthetic", ProfessionalRole.COMMUNITY_PHARMACIST, "pharmacy_a"),
    ("community-pharmacist", "Declan Synthetic", ProfessionalRole.COMMUNITY_PHARMACIST, "pharmacy_b"),
    ("service-user", "Eileen Synthetic", ProfessionalRole.SERVICE_USER, None),
    ("community-organisation", "Fergal Synthetic", ProfessionalRole.COMMUNITY_ORGANISATION_REP, "community"),
    ("voluntary-organisation", "Grainne Synthetic", ProfessionalRole.VOLUNTARY_ORGANISATION_REP, "voluntary"),
    ("council", "Cllr Hugh Synthetic", ProfessionalRole.COUNCIL_REP, "council"),
    ("trust-medical-specialist", "Dr Isobel Synthetic", ProfessionalRole.MEDICAL_SPECIALIST, "trust"),
    ("trust-nurse", "Joan Synthetic", ProfessionalRole.NURSE, "trust"),
    ("trust-ahp", "Kieran Synthetic", ProfessionalRole.AHP, "trust"),
    ("trust-social-worker", "Laura Synthetic", ProfessionalRole.SOCIAL_WORKER, "trust"),
    ("ambulance", "Martin Synthetic", ProfessionalRole.PARAMEDIC, "ambulance"),
]

# username suffix, login role, organisation key
_LOGINS = [
    ("manager", UserRole.ICP_MANAGER, "lcg"),
    ("gp", UserRole.GP, "practice_a"),
    ("nurse", UserRole.PRACTICE_NURSE, "practice_a"),
    ("pharmacist", UserRole.PHARMACIST, "pharmacy_a"),
    ("trustclinician", UserRole.TRUST_CLINICIAN, "trust"),
    ("socialworker", UserRole.SOCIAL_WORKER, "trust"),
    ("ahp", UserRole.AHP, "trust"),
    ("ambulance", UserRole.AMBULANCE, "ambulance"),
    ("voluntary", UserRole.VOLUNTARY_WORKER, "voluntary"),
    ("hub", UserRole.HUB_WORKER, "hub"),
    ("analyst", UserRole.ANALYST, "lcg"),
    ("iglead", UserRole.IG_LEAD, "trust"),
    ("member", UserRole.COMMITTEE_MEMBER, "community"),
    ("reviewer", UserRole.REVIEWER, "lcg"),
]


def _committee(icp: Area, partners: dict[str, Organisation]) -> Committee:
    template = CompositionTemplate.objects.get(code="ni-partnership-committee")
    committee, created = Committee.objects.get_or_create(
        area=icp,
        template=template,
        defaults={"name": f"{icp.name} Partnership Committee", "established": date(2014, 4, 1)},
    )
    if not created:
        return committee
    seats = {seat.code: seat for seat in template.seats.all()}
    for seat_code, name, professional_role, org_key in _MEMBERS:
        organisation = partners[org_key] if org_key else None
        person = Person.objects.create(
            name=name, professional_role=professional_role, organisation=organisation
        )
        Membership.objects.create(
            committee=committee,
            seat=seats[seat_code],
            person=person,
            organisation=organisation,
            start_date=COMMITTEE_START,
            end_date=date(2028, 3, 31),
        )
    chair = Membership.objects.get(committee=committee, person__name="Dr Aoife Synthetic")
    chair.office = Office.CHAIR
    chair.save(update_fields=["office"])
    ChairElection.objects.create(
        committee=committee,
        person=chair.person,
        office=Office.CHAIR,
        elected_on=COMMITTEE_START,
        term_ends=date(2028, 3, 31),
        method="Elected by the members at the first meeting of the year (synthetic)",
        votes_for=9,
        votes_cast=12,
    )
    return committee


# Logins that belong to a person holding a seat: the lay member is the committee's service user, so
# they see their own meetings and send their own apologies.
_SEATED_LOGINS = {"member": "Eileen Synthetic"}


def _logins(
    icp: Area, partners: dict[str, Organisation], committee: Committee, password: str
) -> list[DemoLogin]:
    logins = []
    for suffix, role, org_key in _LOGINS:
        username = f"demo-{suffix}"
        organisation = partners[org_key]
        user = User.objects.filter(username=username).first()
        if user is None:
            # The command line's own action (`by=None`): the demo is run by the server's operator.
            user = create_user(
                username=username,
                password=password,
                role=role,
                by=None,
                home_area=icp,
                organisation=organisation,
                first_name=suffix.capitalize(),
                last_name="(synthetic)",
                demo_account=True,
            )
        elif not user.demo_account:
            # A demo login made before demo accounts were marked (an older demo database).
            User.objects.filter(pk=user.pk).update(demo_account=True)
        seated = _SEATED_LOGINS.get(suffix)
        if seated and user.person_id is None:
            user.person = Membership.objects.get(committee=committee, person__name=seated).person
            user.save(update_fields=["person"])
        logins.append(DemoLogin(username, user.get_role_display(), organisation.name))
    return logins


def create_demo_partnership(*, password: str, icp_code: str = DEMO_ICP) -> list[DemoLogin]:
    """Make (or find) the demo partners, committee and logins for `icp_code`."""
    with transaction.atomic():
        icp = Area.objects.select_related("parent").get(code=icp_code, level=AreaLevel.ICP)
        partners = _partners(icp)
        committee = _committee(icp, partners)
        logins = _logins(icp, partners, committee, password)
        record(
            action=EventType.DEMO_PARTNERSHIP,
            target=committee,
            detail={"icp": icp.code, "logins": len(logins)},
        )
    return logins
