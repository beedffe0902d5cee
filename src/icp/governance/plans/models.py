"""Projects and their spread across ICPs; the annual ICP plan with milestones; the integrated care
strategy of a system, whose outcomes link to projects, business cases and indicators."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from icp.governance.cases.models import BusinessCase, Indicator
from icp.governance.vocab import ProjectStatus, Rag
from icp.partnership.models import Area, Organisation, Person
from icp.partnership.priorities import PriorityGroup
from icp.partnership.roles import AreaLevel

_ICP_ONLY = {"level": AreaLevel.ICP}


class Project(models.Model):
    """A change being made: implementing an approved business case, or standing alone."""

    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    business_case = models.ForeignKey(
        BusinessCase, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    origin_icp = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="originated_projects", limit_choices_to=_ICP_ONLY
    )
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_projects")
    priority_group = models.CharField(max_length=20, choices=PriorityGroup.choices, blank=True)
    start_date = models.DateField()
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ProjectSite(models.Model):
    """An ICP where a project runs: the ICP it started in, or one that adopted it later."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sites")
    icp = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="project_sites", limit_choices_to=_ICP_ONLY
    )
    started_on = models.DateField()
    adopted = models.BooleanField(
        default=False, help_text="True when the ICP took the project up from another"
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "started_on"]
        constraints = [models.UniqueConstraint(fields=["project", "icp"], name="one_site_per_icp")]

    def __str__(self) -> str:
        return f"{self.project} in {self.icp}"


class AnnualPlan(models.Model):
    icp = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="annual_plans", limit_choices_to=_ICP_ONLY
    )
    year_starting = models.PositiveSmallIntegerField(help_text="The plan year starts 1 April of this year")
    title = models.CharField(max_length=200)
    agreed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["icp", "-year_starting"]
        constraints = [models.UniqueConstraint(fields=["icp", "year_starting"], name="one_plan_per_icp_year")]

    def __str__(self) -> str:
        return f"{self.icp} plan {self.financial_year}"

    @property
    def financial_year(self) -> str:
        return f"{self.year_starting}/{(self.year_starting + 1) % 100:02d}"


class Objective(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    priority_group = models.CharField(max_length=20, choices=PriorityGroup.choices, blank=True)

    class Meta:
        ordering = ["plan", "number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Milestone(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="milestones")
    due_date = models.DateField()
    rag = models.CharField(max_length=10, choices=Rag.choices, default=Rag.GREEN)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["objective", "due_date"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, on: date | None = None) -> bool:
        """Past its due date and not complete, whatever its RAG says."""
        return self.rag != Rag.COMPLETE and self.due_date < (on or date.today())

    def is_at_risk(self, on: date | None = None) -> bool:
        """Not yet overdue, but rated red or amber."""
        return not self.is_overdue(on) and self.rag in (Rag.RED, Rag.AMBER)


class MilestoneUpdate(models.Model):
    """A progress note, with the RAG status it set."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField()
    rag = models.CharField(max_length=10, choices=Rag.choices)
    note = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["milestone", "-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on}: {self.get_rag_display()}"


class Strategy(models.Model):
    """An integrated care strategy for a system (an ICB in England, an LCG area or region in NI)."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="strategies")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["area", "-period_start"]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.title


class StrategyPriority(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name_plural = "strategy priorities"

    def __str__(self) -> str:
        return self.title


class StrategyOutcome(models.Model):
    """An outcome the strategy seeks under a priority, and what serves it."""

    priority = models.ForeignKey(StrategyPriority, on_delete=models.CASCADE, related_name="outcomes")
    description = models.CharField(max_length=300)
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="strategy_outcomes")
    projects = models.ManyToManyField(Project, blank=True, related_name="strategy_outcomes")
    business_cases = models.ManyToManyField(BusinessCase, blank=True, related_name="strategy_outcomes")

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.description
