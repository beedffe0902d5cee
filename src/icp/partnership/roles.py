"""The vocabularies of the registry: area levels, organisation types, professional and login roles."""

from __future__ import annotations

from django.db import models


class AreaLevel(models.TextChoices):
    """Typed levels of the area tree: Northern Ireland's and England's models both fit."""

    NATION = "nation", "Nation"
    REGION = "region", "Region"
    LCG_AREA = "lcg_area", "LCG area"
    ICB = "icb", "Integrated care board (ICS)"
    ICP = "icp", "Integrated care partnership"
    PLACE = "place", "Place"
    GP_FEDERATION = "gp_federation", "GP federation"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood / PCN / network"


# Which level may sit directly under which: NI region → LCG area → ICP → GP federation;
# England nation → ICB → ICP → place → neighbourhood (or ICB → place directly).
ALLOWED_PARENTS: dict[str, set[str]] = {
    AreaLevel.NATION: set(),
    AreaLevel.REGION: {AreaLevel.NATION},
    AreaLevel.LCG_AREA: {AreaLevel.REGION},
    AreaLevel.ICB: {AreaLevel.NATION, AreaLevel.REGION},
    AreaLevel.ICP: {AreaLevel.LCG_AREA, AreaLevel.ICB},
    AreaLevel.PLACE: {AreaLevel.ICB, AreaLevel.ICP},
    AreaLevel.GP_FEDERATION: {AreaLevel.ICP},
    AreaLevel.NEIGHBOURHOOD: {AreaLevel.PLACE, AreaLevel.ICP},
}


class OrganisationType(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice"
    COMMUNITY_PHARMACY = "community_pharmacy", "Community pharmacy"
    TRUST = "trust", "HSC / NHS trust"
    AMBULANCE = "ambulance", "Ambulance service"
    COUNCIL = "council", "Council"
    COMMUNITY_ORGANISATION = "community_organisation", "Community organisation"
    VOLUNTARY_ORGANISATION = "voluntary_organisation", "Voluntary organisation"
    COMMUNITY_SUPPORT_HUB = "community_support_hub", "Community support hub"
    COMMISSIONER = "commissioner", "ICB / LCG (commissioner)"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    OTHER = "other", "Other"


class ProfessionalRole(models.TextChoices):
    """What a person is, as the composition rules of committees speak of them."""

    GP = "gp", "GP"
    PRACTICE_NURSE = "practice_nurse", "Practice nurse"
    COMMUNITY_PHARMACIST = "community_pharmacist", "Community pharmacist"
    MEDICAL_SPECIALIST = "medical_specialist", "Medical specialist"
    NURSE = "nurse", "Nurse"
    AHP = "ahp", "Allied health professional"
    SOCIAL_WORKER = "social_worker", "Social worker"
    PARAMEDIC = "paramedic", "Ambulance service member"
    COMMUNITY_ORGANISATION_REP = "community_organisation_rep", "Community organisation representative"
    VOLUNTARY_ORGANISATION_REP = "voluntary_organisation_rep", "Voluntary organisation representative"
    COUNCIL_REP = "council_rep", "Council representative"
    SERVICE_USER = "service_user", "Service user"
    CARER = "carer", "Carer"
    MANAGER = "manager", "Manager"
    ANALYST = "analyst", "Analyst"
    HUB_WORKER = "hub_worker", "Community support hub worker"
    INDEPENDENT_CHAIR = "independent_chair", "Independent chair"
    PROGRAMME_DIRECTOR = "programme_director", "Programme director"
    NHS_PARTNER = "nhs_partner", "NHS partner body member"
    LOCAL_AUTHORITY = "local_authority", "Local authority member"
    VCSE_REP = "vcse_rep", "VCSE representative"
    OTHER = "other", "Other"


class UserRole(models.TextChoices):
    """Login roles: what a user may do in icp."""

    ICP_MANAGER = "icp_manager", "ICP manager"
    GP = "gp", "GP"
    PRACTICE_NURSE = "practice_nurse", "Practice nurse"
    PHARMACIST = "pharmacist", "Pharmacist"
    TRUST_CLINICIAN = "trust_clinician", "Trust clinician"
    SOCIAL_WORKER = "social_worker", "Social worker"
    AHP = "ahp", "Allied health professional"
    AMBULANCE = "ambulance", "Ambulance clinician"
    VOLUNTARY_WORKER = "voluntary_worker", "Voluntary-sector worker"
    HUB_WORKER = "hub_worker", "Community support hub worker"
    ANALYST = "analyst", "Analyst"
    IG_LEAD = "ig_lead", "Information-governance lead"
    COMMITTEE_MEMBER = "committee_member", "Committee member"
    REVIEWER = "reviewer", "Commissioner / reviewer"


CLINICAL_ROLES = frozenset(
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


class Office(models.TextChoices):
    MEMBER = "member", "Member"
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice chair"
