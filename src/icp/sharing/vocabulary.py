"""The words of information sharing: purposes, data categories, legal bases and choice kinds.

Kept apart from the models so that the policy tables (`rules.py`), templates and FHIR mapping can
name them without importing the models.
"""

from __future__ import annotations

from django.db import models


class Purpose(models.TextChoices):
    """Why someone wants to see a person's record."""

    DIRECT_CARE = "direct_care", "Direct care"
    CARE_COORDINATION = "care_coordination", "Care coordination"
    RISK_STRATIFICATION = "risk_stratification", "Risk stratification for case finding"
    PLANNING = "planning", "Service planning and evaluation"
    EMERGENCY = "emergency", "Emergency response"


# Purposes for which a person's planning and research opt-out applies (issue 5: "risk
# stratification and evaluation respect opt-outs").
PLANNING_PURPOSES = frozenset({Purpose.RISK_STRATIFICATION, Purpose.PLANNING})
# Purposes that never open a named record (Caldicott: the minimum necessary; planning and
# evaluation see aggregates or pseudonyms only).
NON_IDENTIFIABLE_PURPOSES = frozenset({Purpose.PLANNING})
# Purposes about one person's care, which need an individual legitimate relationship.
INDIVIDUAL_CARE_PURPOSES = frozenset({Purpose.DIRECT_CARE, Purpose.CARE_COORDINATION})


class DataCategory(models.TextChoices):
    """The parts of a record an agreement can cover and a page section can show."""

    DEMOGRAPHICS = "demographics", "Demographics"
    CONDITIONS = "conditions", "Conditions"
    MEDICATIONS = "medications", "Medications"
    OBSERVATIONS = "observations", "Observations"
    ENCOUNTERS = "encounters", "Encounters"
    CARE_PLANS = "care_plans", "Care plans"
    SOCIAL_CARE = "social_care", "Social care"
    SAFEGUARDING = "safeguarding", "Safeguarding-sensitive"


CLINICAL_CATEGORIES = frozenset(
    {
        DataCategory.CONDITIONS,
        DataCategory.MEDICATIONS,
        DataCategory.OBSERVATIONS,
        DataCategory.ENCOUNTERS,
    }
)


class LegalBasis(models.TextChoices):
    """UK GDPR lawful basis (Article 6) with the condition for health data (Article 9)."""

    DIRECT_CARE = (
        "art6_1e_art9_2h",
        "UK GDPR Art. 6(1)(e) public task and Art. 9(2)(h) provision of health or social care",
    )
    MANAGEMENT = (
        "art6_1e_art9_2h_management",
        "UK GDPR Art. 6(1)(e) public task and Art. 9(2)(h) management of health and social care systems",
    )
    VITAL_INTERESTS = (
        "art6_1d_art9_2c",
        "UK GDPR Art. 6(1)(d) and Art. 9(2)(c) vital interests",
    )
    EXPLICIT_CONSENT = "art6_1a_art9_2a", "UK GDPR Art. 6(1)(a) consent and Art. 9(2)(a) explicit consent"
    LEGAL_OBLIGATION = "art6_1c_art9_2g", "UK GDPR Art. 6(1)(c) legal obligation and Art. 9(2)(g)"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ChoiceKind(models.TextChoices):
    """The choices a person can make about their record."""

    DIRECT_CARE_CONSENT = "direct_care_consent", "Consent to share for direct care"
    PLANNING_OPT_OUT = "planning_opt_out", "Opt-out from planning and research"
    SENSITIVE_WITHHELD = "sensitive_withheld", "Sensitive records withheld from sharing"


class ChoiceValue(models.TextChoices):
    GIVEN = "given", "Given"
    WITHDRAWN = "withdrawn", "Withdrawn"
    OPTED_OUT = "opted_out", "Opted out"
    OPTED_IN = "opted_in", "Opt-out removed"
    WITHHELD = "withheld", "Withheld"
    RELEASED = "released", "Released for sharing"


# Which values each kind of choice may take; the first is the one that restricts sharing.
CHOICE_VALUES: dict[str, tuple[str, str]] = {
    ChoiceKind.DIRECT_CARE_CONSENT: (ChoiceValue.WITHDRAWN, ChoiceValue.GIVEN),
    ChoiceKind.PLANNING_OPT_OUT: (ChoiceValue.OPTED_OUT, ChoiceValue.OPTED_IN),
    ChoiceKind.SENSITIVE_WITHHELD: (ChoiceValue.WITHHELD, ChoiceValue.RELEASED),
}

# When a person withholds sensitive records without naming categories, these are withheld.
DEFAULT_SENSITIVE_CATEGORIES = (DataCategory.SAFEGUARDING, DataCategory.SOCIAL_CARE)
