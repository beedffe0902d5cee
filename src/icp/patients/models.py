"""The app database's view of people: the patient index, their latest risk, and their care relationships.

The warehouse holds the records; `PatientIndex` holds just enough (identity, registered practice,
ICP, dates of birth and death) for care plans, referrals, consent and audit to have real foreign
keys. `patient_id` is the warehouse's opaque id and the only id used in URLs and logs.
`RiskResult` / `RiskRun` are the index's latest risk, synced after each stratification run: a row
for each person a list can show (the `LISTED_TIERS`), and `RiskCount`, the run's counts of everyone
for the population page. Everyone's full result stays in the warehouse, where
`icp.patients.risk_lookup` reads a person the app database holds no row for (ADR 0212).

`CareRelationship` is one legitimate relationship between a person and an organisation (or one of
its users): care team, referral, MDT list, pathway enrolment, emergency response. The registered
practice is not stored here: it is derived from `PatientIndex.practice` (see `relationships.py`).
Rows are written only through `icp.patients.actions`. These models kept the tables they had in
`care` (`db_table`), so moving them lost no row (docs/adr/0060-patients-floor.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from icp.partnership.models import Area, Organisation
from icp.patients.risk_detail import RiskDetail, RiskDetailField
from icp.stratify.explain import sentence


class PatientIndex(models.Model):
    patient_id = models.CharField(max_length=64, unique=True, help_text="Opaque warehouse id")
    # The person this source record belongs to (record linkage, docs/linkage.md): the patient_id of
    # the person's primary record, shared by every source's record of them. Blank until synced.
    person_id = models.CharField(max_length=64, blank=True, db_index=True, help_text="Linked person")
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
        db_table = "care_patientindex"  # the table predates the patients app (ADR 0060)
        verbose_name = "patient"
        verbose_name_plural = "patient index"
        indexes = [models.Index(fields=["icp", "practice"])]

    def __str__(self) -> str:
        # Opaque id only: this string can end up in logs and admin history.
        return f"Patient {self.patient_id}"

    @property
    def person(self) -> str:
        """The person's id (the record's own id while it is linked to no other)."""
        return self.person_id or self.patient_id

    def linked_records(self) -> models.QuerySet[PatientIndex]:
        """Every source record of this person, this one included, primary record first."""
        return PatientIndex.objects.filter(Q(person_id=self.person) | Q(pk=self.pk)).order_by(
            models.Case(models.When(patient_id=self.person, then=0), default=1), "patient_id"
        )


class RiskTier(models.TextChoices):
    VERY_HIGH = "very_high", "Very high"
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


# The tiers the app database holds a row for: the ones worklists offer (ADR 0212).
# The rest of the population (the low tier, four people in five) is counted in `RiskCount` and
# read from the run's warehouse file when one person's risk is shown (`icp.patients.risk_lookup`).
LISTED_TIERS: tuple[str, ...] = (RiskTier.VERY_HIGH.value, RiskTier.HIGH.value, RiskTier.MODERATE.value)
# The population page's age bands: (label, lowest age, highest age or None for no limit).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-44", 18, 44),
    ("45-64", 45, 64),
    ("65-74", 65, 74),
    ("75-84", 75, 84),
    ("85+", 85, None),
)
# eFI categories counted as frail on the population page.
FRAIL_EFI = ("moderate", "severe")


class RiskResult(models.Model):
    """A person's latest risk-stratification results, synced from the warehouse after each run.

    Only people in the `LISTED_TIERS` have a row (ADR 0212); `icp.patients.risk_lookup.risk_of`
    finds anyone's, from this table or the run's warehouse file.

    The warehouse keeps every run (table `risk_result`); this row is the newest, for worklists and
    pages. A column for what lists filter, sort and count by (registers as ",name," text so that
    filtering by register works on SQLite and PostgreSQL alike); the scores' figures, lists and
    flags in `detail` (a `RiskDetail`), shown for one person or a page of people (ADR 0204).
    """

    patient = models.OneToOneField(PatientIndex, on_delete=models.CASCADE, related_name="risk")
    # No index of their own, nor on the run, tier or frailty category: (icp, tier) and (practice,
    # risk_rank) below serve every lookup, by ICP or by practice, and each index is one more B-tree
    # a two-million-row sync builds (ADR 0192, 0202). Counts are plain integers, not Django's
    # positive ones: those add a CHECK per column that SQLite evaluates for every row a sync writes
    # (a quarter of its insert time) to guard values the run computed and the warehouse holds.
    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="risk_results", db_index=False)
    practice = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_results",
        db_index=False,
    )
    # The run the row comes from: its batch, index date and model are the run's, held once there,
    # not repeated in two million rows (a fifth of each row's bytes, ADR 0210). Like the keys above,
    # no index of its own: every row of an ICP has the same run, found from the ICP.
    run = models.ForeignKey("RiskRun", on_delete=models.PROTECT, related_name="results", db_index=False)
    age = models.SmallIntegerField()
    sex = models.CharField(max_length=16, blank=True)
    deprivation_quintile = models.SmallIntegerField(null=True, blank=True)
    efi_category = models.CharField(max_length=16)
    hfrs_category = models.CharField(max_length=16)
    registers_text = models.CharField(max_length=400, blank=True, help_text="',copd,diabetes,' for filtering")
    model_risk = models.FloatField(
        null=True, blank=True, help_text="None: ranked by the rule-based order, no model"
    )
    risk_rank = models.IntegerField(help_text="1 = highest risk in the ICP")
    tier = models.CharField(max_length=16, choices=RiskTier.choices)
    synthetic = models.BooleanField(default=False)
    # Everything else a page shows of the person: one column, read when a page shows them (ADR 0204).
    detail = RiskDetailField(default=RiskDetail)

    class Meta:
        db_table = "care_riskresult"
        indexes = [
            models.Index(fields=["practice", "risk_rank"]),
            models.Index(fields=["icp", "tier"]),
        ]

    def __str__(self) -> str:
        return f"Risk of patient {self.patient.patient_id}"

    @property
    def reasons(self) -> str:
        """Why, in plain words: derived from the stored scores when shown, not stored for everyone
        (a worklist page shows a few dozen people; a sync writes two million, docs/adr/0165)."""
        row = {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}
        return sentence(row | self.detail.as_dict())


class RiskCount(models.Model):
    """How many of an ICP's people a run put in each cell of the population page (ADR 0212).

    Written by the sync for everyone synced, every tier: the page counts from these few thousand
    rows, not from a row per person. Aggregates only: no person is named.
    """

    icp = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="risk_counts")
    run = models.ForeignKey("RiskRun", on_delete=models.CASCADE, related_name="counts")
    practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_counts"
    )
    age_band = models.CharField(max_length=8, help_text="One of AGE_BANDS' labels")
    deprivation_quintile = models.SmallIntegerField(null=True, blank=True)
    tier = models.CharField(max_length=16, choices=RiskTier.choices)
    frail = models.BooleanField(help_text="eFI moderate or severe")
    synthetic = models.BooleanField(default=False)
    people = models.IntegerField()

    class Meta:
        verbose_name = "risk count"

    def __str__(self) -> str:
        return f"{self.people} people, {self.icp_id}, {self.tier}"


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
        db_table = "care_riskrun"
        ordering = ["-synced_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["run_id", "icp"], name="care_riskrun_unique_run_icp")]

    def __str__(self) -> str:
        return f"Stratification run {self.run_id} of {self.icp.code}"


class RelationshipKind(models.TextChoices):
    """The kinds of legitimate relationship. The registered practice is derived, never stored."""

    REGISTERED_PRACTICE = "registered_practice", "Registered practice"
    CARE_TEAM = "care_team", "Care team"
    REFERRAL = "referral", "Referral"
    MDT_LIST = "mdt_list", "MDT list"
    PATHWAY_ENROLMENT = "pathway_enrolment", "Pathway enrolment"
    EMERGENCY_RESPONSE = "emergency_response", "Emergency response"


# The kinds a CareRelationship row may hold (the registered practice is read from the index).
STORED_KINDS = tuple(kind for kind in RelationshipKind if kind != RelationshipKind.REGISTERED_PRACTICE)


class CareRelationshipQuerySet(models.QuerySet["CareRelationship"]):
    def current(self, on: date) -> CareRelationshipQuerySet:
        """Relationships holding on `on`: started on or before it and not yet ended (`ends` is exclusive)."""
        return self.filter(starts__lte=on).filter(Q(ends__isnull=True) | Q(ends__gt=on))

    def held_by(self, *, organisation_id: int | None, user: Any) -> CareRelationshipQuerySet:
        """Relationships a user holds: their organisation's (whole or naming them), or naming them alone."""
        user_id = getattr(user, "pk", None)
        mine = Q(user_id=user_id, organisation__isnull=True) if user_id is not None else Q(pk__in=[])
        if organisation_id is not None:
            whole = Q(user__isnull=True) | (Q(user_id=user_id) if user_id is not None else Q(pk__in=[]))
            mine |= Q(organisation_id=organisation_id) & whole
        return self.filter(mine)


class CareRelationship(models.Model):
    """One legitimate relationship between a person and an organisation (or one named user of it).

    It holds on the days `starts <= day < ends` (`ends` blank: open). The record that created it is
    named by `source_type` ("app_label.model") and `source_id` (its primary key as text): a plain
    reference rather than a content-type foreign key, so that it reads the same in audit events and
    exports, survives a dump and restore into another database, and lets the patients floor know
    nothing of the apps above it (docs/adr/0060-patients-floor.md).
    """

    patient = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="care_relationships")
    kind = models.CharField(max_length=24, choices=RelationshipKind.choices, db_index=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_relationships",
        help_text="Blank: the relationship is with one user alone",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_relationships",
        help_text="Blank: the whole organisation's team",
    )
    label = models.CharField(
        max_length=200, blank=True, help_text="e.g. the care-team role, the service, the MDT list's name"
    )
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True, help_text="The first day it no longer holds; blank: open")
    source_type = models.CharField(max_length=100, help_text="The record that created it: 'app_label.model'")
    source_id = models.CharField(max_length=64)
    opened_at = models.DateTimeField(auto_now_add=True)

    objects = CareRelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "starts", "id"]
        indexes = [
            models.Index(fields=["patient", "organisation"], name="patients_rel_patient_org_idx"),
            models.Index(fields=["source_type", "source_id"], name="patients_rel_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(user__isnull=False),
                name="patients_relationship_has_a_party",
            ),
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
                name="patients_relationship_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="registered_practice"), name="patients_relationship_practice_is_derived"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of patient {self.patient.patient_id}"

    def describe(self) -> str:
        """The relationship in words, as the access decision gives it as its reason."""
        if self.kind == RelationshipKind.CARE_TEAM:
            return f"member of the care team ({self.label or 'organisation'})"
        if self.kind == RelationshipKind.REFERRAL:
            return f"open referral to your service since {self.starts:%d %b %Y}"
        if self.kind == RelationshipKind.MDT_LIST:
            return f"on the MDT list {self.label}"
        if self.kind == RelationshipKind.PATHWAY_ENROLMENT:
            return f"enrolled on the pathway {self.label}".rstrip()
        if self.kind == RelationshipKind.EMERGENCY_RESPONSE:
            return f"on the emergency-response list {self.label}".rstrip()
        return str(self.get_kind_display()).lower()


class LinkStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for review"
    LINKED = "linked", "Same person"
    APART = "apart", "Not the same person"


class LinkReview(models.Model):
    """A pair of source records that record linkage could not decide, or a reviewer's decision on one.

    `icp link` adds the pairs whose match probability falls between the two thresholds (and those
    the exact rule and the model disagree on); an information-governance lead or data manager
    decides them. Decided pairs are kept: every later `icp link` obeys them (`linked` pairs are
    joined, `apart` pairs are never joined), and splitting a person records its pairs as `apart`.
    `left` sorts before `right` by patient id, so a pair has one row.
    """

    icp = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="link_reviews")
    left = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(PatientIndex, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField(help_text="The model's match probability when last linked")
    reason = models.CharField(max_length=200, help_text="Why the pair needs a person to decide")
    status = models.CharField(
        max_length=16, choices=LinkStatus.choices, default=LinkStatus.WAITING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="patients_linkreview_one_per_pair"),
        ]

    def __str__(self) -> str:
        return f"Link review {self.pk} ({self.get_status_display()})"
