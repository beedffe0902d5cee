"""The app database's view of people: a patient index synced from the records warehouse.

The warehouse holds the records; this index holds just enough (identity, registered practice, ICP,
dates of birth and death) for care plans, referrals, consent and audit to have real foreign keys.
`patient_id` is the warehouse's opaque id and the only id used in URLs and logs.
"""

from __future__ import annotations

from django.db import models

from icp.partnership.models import Area, Organisation


class PatientIndex(models.Model):
    patient_id = models.CharField(max_length=64, unique=True, help_text="Opaque warehouse id")
    national_id = models.CharField(max_length=16, blank=True, db_index=True, help_text="H&C or NHS number")
    national_id_system = models.CharField(max_length=64, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True, db_index=True)
    sex = models.CharField(max_length=16, blank=True)
    birth_date = models.DateField(null=True, blank=True, db_index=True)
    death_date = models.DateField(null=True, blank=True)
    practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="registered_patients"
    )
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="patients")
    registered = models.BooleanField(default=True, help_text="False: attached to the ICP as unregistered")
    deprivation_quintile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 = most deprived"
    )
    synthetic = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "patient"
        verbose_name_plural = "patient index"
        indexes = [models.Index(fields=["icp", "practice"])]

    def __str__(self) -> str:
        # Opaque id only: this string can end up in logs and admin history.
        return f"Patient {self.patient_id}"


class RiskTier(models.TextChoices):
    VERY_HIGH = "very_high", "Very high"
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


class RiskResult(models.Model):
    """A person's latest risk-stratification results, synced from the warehouse after each run.

    The warehouse keeps every run (table `risk_result`); this row is the newest, for worklists and
    pages. Lists (deficits, codes, categories, registers) are kept as JSON for display; registers
    also as ",name," text so that filtering by register works on SQLite and PostgreSQL alike.
    """

    patient = models.OneToOneField(PatientIndex, on_delete=models.CASCADE, related_name="risk")
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="risk_results")
    practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_results"
    )
    run_id = models.CharField(max_length=64, db_index=True, help_text="The warehouse batch of the run")
    index_date = models.DateField()
    model_version = models.CharField(max_length=64)
    age = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=16, blank=True)
    deprivation_quintile = models.PositiveSmallIntegerField(null=True, blank=True)
    efi_score = models.FloatField()
    efi_deficits = models.PositiveSmallIntegerField()
    efi_category = models.CharField(max_length=16, db_index=True)
    efi_in_range = models.BooleanField()
    efi_deficit_list = models.JSONField(default=list)
    hfrs_score = models.FloatField()
    hfrs_category = models.CharField(max_length=16)
    hfrs_in_range = models.BooleanField()
    hfrs_codes = models.JSONField(default=list)
    charlson_score = models.PositiveSmallIntegerField()
    charlson_quan2011 = models.PositiveSmallIntegerField()
    charlson_age_points = models.PositiveSmallIntegerField()
    charlson_categories = models.JSONField(default=list)
    registers = models.JSONField(default=list)
    registers_text = models.CharField(max_length=400, blank=True, help_text="',copd,diabetes,' for filtering")
    medicines_12m = models.PositiveSmallIntegerField(default=0)
    polypharmacy_review = models.BooleanField(default=False)
    housebound = models.BooleanField(default=False)
    carer = models.BooleanField(default=False)
    cared_for = models.BooleanField(default=False)
    lives_alone = models.BooleanField(null=True, blank=True, help_text="None: not recorded")
    falls_12m = models.BooleanField(default=False)
    emergency_admissions_12m = models.PositiveSmallIntegerField(default=0)
    ae_attendances_12m = models.PositiveSmallIntegerField(default=0)
    model_risk = models.FloatField()
    risk_rank = models.PositiveIntegerField(help_text="1 = highest risk in the ICP")
    tier = models.CharField(max_length=16, choices=RiskTier.choices, db_index=True)
    risk_factors = models.JSONField(default=list)
    reasons = models.TextField(blank=True, help_text="Why, in plain words")
    synthetic = models.BooleanField(default=False)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["practice", "risk_rank"]),
            models.Index(fields=["icp", "tier"]),
        ]

    def __str__(self) -> str:
        return f"Risk of patient {self.patient.patient_id}"


class ReviewStatus(models.TextChoices):
    REVIEWED = "reviewed", "Reviewed"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"


class WorklistReview(models.Model):
    """A practice's mark on a person on its case-finding worklist. Kept across runs."""

    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="worklist_reviews")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey("partnership.User", on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    run_id = models.CharField(max_length=64, blank=True, help_text="The run the person was listed in")

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} for patient {self.patient.patient_id}"


class RiskRun(models.Model):
    """One stratification run of one ICP, as synced: what it used and how many it left out."""

    run_id = models.CharField(max_length=64, help_text="The warehouse batch of the run")
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="risk_runs")
    index_date = models.DateField()
    model_version = models.CharField(max_length=64)
    codelist_versions = models.JSONField(default=dict)
    engine = models.CharField(max_length=16, default="duckdb")
    people = models.PositiveIntegerField()
    planning_opt_outs_left_out = models.PositiveIntegerField(default=0)
    synthetic = models.BooleanField(default=False)
    synced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-synced_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["run_id", "icp"], name="care_riskrun_unique_run_icp")]

    def __str__(self) -> str:
        return f"Stratification run {self.run_id} of {self.icp.code}"


# The care workflows' models live by subject in their own packages; importing them here is how
# Django finds them (they import PatientIndex from above, which is defined by now).
from icp.care.referrals.models import Referral, Service  # noqa: E402, I001
from icp.care.pathways.models import Enrolment  # noqa: E402
from icp.care.plans.models import Activity, CarePlan, Goal  # noqa: E402

__all__ = [
    "Activity",
    "CarePlan",
    "Enrolment",
    "Goal",
    "PatientIndex",
    "Referral",
    "RiskResult",
    "RiskRun",
    "Service",
    "WorklistReview",
]
