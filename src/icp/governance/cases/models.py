"""Business cases: what an ICP asks its commissioning body (LCG in NI, ICB in England) to fund,
the benefits it promises against measurable indicators, and the history of its lifecycle."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from icp.governance.vocab import CaseStatus, IndicatorDirection
from icp.partnership.models import Area, Organisation, Person
from icp.partnership.priorities import PriorityGroup
from icp.partnership.roles import AreaLevel

_NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Indicator(models.Model):
    """A measurable indicator a benefit is tied to. The evaluation capability computes indicators
    from the records warehouse; until it covers one, measured values are entered by hand."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60, help_text="e.g. admissions per 1,000 people aged 75+")
    direction = models.CharField(max_length=8, choices=IndicatorDirection.choices)
    definition = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BusinessCase(models.Model):
    title = models.CharField(max_length=200)
    icp = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="business_cases",
        limit_choices_to={"level": AreaLevel.ICP},
    )
    priority_group = models.CharField(max_length=20, choices=PriorityGroup.choices)
    problem = models.TextField(help_text="The problem the case addresses, with evidence")
    proposal = models.TextField(help_text="What the ICP proposes to do")
    risks = models.TextField(blank=True)
    sponsors = models.ManyToManyField(Person, blank=True, related_name="sponsored_cases")
    partner_organisations = models.ManyToManyField(Organisation, blank=True, related_name="business_cases")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    status_since = models.DateTimeField()
    # Set on submission from the ICP's place in the area tree (its LCG area or ICB), so the case
    # stays with the body it was sent to even if the tree is later reorganised.
    commissioning_body = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="cases_to_review"
    )
    money_approved = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=_NOT_NEGATIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def money_requested(self) -> Decimal:
        return sum((line.amount for line in self.funding_requests.all()), Decimal("0"))


class FundingRequest(models.Model):
    """Money requested for one financial year (e.g. 2026/27)."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="funding_requests")
    financial_year = models.CharField(max_length=7, help_text="e.g. 2026/27")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=_NOT_NEGATIVE)
    recurrent = models.BooleanField(default=False)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["case", "financial_year"]

    def __str__(self) -> str:
        return f"{self.financial_year}: £{self.amount}"


class StaffRequest(models.Model):
    """Staff requested, in whole-time equivalents (WTE) by role, for one financial year."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="staff_requests")
    financial_year = models.CharField(max_length=7)
    role = models.CharField(max_length=120, help_text="e.g. Band 6 community respiratory nurse")
    wte = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["case", "financial_year", "role"]

    def __str__(self) -> str:
        return f"{self.wte} WTE {self.role} ({self.financial_year})"


class CaseBenefit(models.Model):
    """An expected benefit, tied to an indicator with a baseline and a target."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="benefits")
    description = models.CharField(max_length=300)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="benefits")
    baseline = models.DecimalField(max_digits=14, decimal_places=3)
    baseline_period = models.CharField(max_length=60, blank=True, help_text="e.g. 2024/25")
    target = models.DecimalField(max_digits=14, decimal_places=3)
    target_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.description


class BenefitMeasurement(models.Model):
    """A measured value of a benefit's indicator, entered by hand (or later by the evaluation)."""

    benefit = models.ForeignKey(CaseBenefit, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=3)
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=60, default="entered by hand")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["benefit", "measured_on"]

    def __str__(self) -> str:
        return f"{self.value} on {self.measured_on}"


class CaseTransition(models.Model):
    """One step of a case's lifecycle: who moved it, from what to what, when, and why."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="transitions")
    verb = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_status} → {self.to_status}"
