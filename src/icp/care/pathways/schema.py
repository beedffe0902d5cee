"""The shape of a care pathway definition, checked when the YAML is loaded (pydantic).

A definition says who enters the pathway (entry criteria over registers, scores and flags, all of
which the risk-stratification run already computes per person), what is done (steps: a standard
intervention with its SNOMED CT code, the roles that own it, when it is due and how often it is
reviewed), how the pathway is reviewed, how its success is measured, and where all of this comes
from (a NICE guideline or another national source). No Django here: the schema is pure.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SNOMED: Literal["http://snomed.info/sct"] = "http://snomed.info/sct"
ID_PATTERN = r"^[a-z][a-z0-9-]*$"
# Facts of a person's latest risk result that a criterion may name (see `entry_reasons`).
SCORES = ("efi_category", "hfrs_category", "tier")
FLAGS = ("housebound", "carer", "cared_for", "lives_alone", "falls_12m", "polypharmacy_review")
# Login roles that can own a pathway step (partnership.roles.UserRole values, care roles only).
OWNER_ROLES = (
    "gp",
    "practice_nurse",
    "pharmacist",
    "trust_clinician",
    "social_worker",
    "ahp",
    "ambulance",
    "voluntary_worker",
    "hub_worker",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A published source: a NICE guideline, a national service specification or a paper."""

    title: str = Field(min_length=5)
    publisher: str = Field(min_length=2)
    reference: str = Field(min_length=2, description="e.g. NG56, or a DOI")
    url: str = Field(pattern=r"^https://")
    year: int = Field(ge=1990, le=2100)


class Coding(_Strict):
    """A SNOMED CT concept for an intervention, and how its code was checked.

    `verified_in` names the code list file in icp that holds this code with this term (a test
    checks it). A step whose standard code could not be checked has `code: null` and a `note`
    saying so: no code is ever typed in from memory.
    """

    system: Literal["http://snomed.info/sct"] = SNOMED
    code: str | None = Field(default=None, pattern=r"^[1-9][0-9]{5,17}$")
    display: str = Field(min_length=3)
    verified_in: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _checked_or_explained(self) -> Coding:
        if self.code is None and not self.note:
            raise ValueError("a step without a code needs a note saying why no code is given")
        if self.code is not None and self.verified_in is None and not self.note:
            raise ValueError("a code not found in icp's code lists needs a note saying it is unverified")
        if self.code is None and self.verified_in is not None:
            raise ValueError("verified_in names a code list, but no code is given")
        return self


class Criterion(_Strict):
    """One test on a person's latest risk result: a register, a score band, a flag or an age."""

    # "register" would shadow BaseModel.register: the field is `register_name`, spelt `register` in YAML.
    register_name: str | None = Field(default=None, alias="register", pattern=r"^[a-z_]+$")
    score: Literal["efi_category", "hfrs_category", "tier"] | None = None
    values: tuple[str, ...] = ()
    flag: (
        Literal["housebound", "carer", "cared_for", "lives_alone", "falls_12m", "polypharmacy_review"] | None
    ) = None
    min_age: int | None = Field(default=None, ge=0, le=120)

    @model_validator(mode="after")
    def _exactly_one(self) -> Criterion:
        given = [
            name for name in ("register_name", "score", "flag", "min_age") if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(f"a criterion tests exactly one of register, score, flag, min_age (got {given})")
        if self.score is not None and not self.values:
            raise ValueError("a score criterion lists the values that qualify")
        if self.score is None and self.values:
            raise ValueError("values belong to a score criterion")
        return self

    def describe(self) -> str:
        if self.register_name is not None:
            return f"on the {self.register_name.replace('_', ' ')} register"
        if self.score is not None:
            return f"{self.score.replace('_', ' ')} {' or '.join(self.values)}"
        if self.flag is not None:
            return self.flag.replace("_12m", " in the last 12 months").replace("_", " ")
        return f"aged {self.min_age} or over"

    def holds(self, facts: dict[str, Any]) -> bool:
        if self.register_name is not None:
            return self.register_name in (facts.get("registers") or ())
        if self.score is not None:
            return str(facts.get(self.score, "")) in self.values
        if self.flag is not None:
            return bool(facts.get(self.flag))
        age = facts.get("age")
        return age is not None and self.min_age is not None and int(age) >= self.min_age


class Entry(_Strict):
    """Who enters: every criterion of `all_of`, and at least one of `any_of` when it is given."""

    description: str = Field(min_length=10)
    all_of: tuple[Criterion, ...] = ()
    any_of: tuple[Criterion, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> Entry:
        if not self.all_of and not self.any_of:
            raise ValueError("entry needs at least one criterion (all_of or any_of)")
        return self


class Step(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=3)
    intervention: Coding
    owner_roles: tuple[str, ...] = Field(min_length=1)
    due_within_days: int = Field(ge=0, le=730, description="From enrolment")
    review_every_days: int | None = Field(default=None, ge=1, le=1095)
    applies_if: Criterion | None = Field(default=None, description="Only for people meeting this")
    refer_to_service_type: str | None = Field(
        default=None, description="The services directory type this step refers to, if it is a referral"
    )

    @field_validator("owner_roles")
    @classmethod
    def _known_roles(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [role for role in roles if role not in OWNER_ROLES]
        if unknown:
            raise ValueError(f"unknown owner role(s) {unknown}; choose from {', '.join(OWNER_ROLES)}")
        return roles


class OutcomeMeasure(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=5)
    definition: str = Field(min_length=10)


class Pathway(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=3)
    version: str = Field(pattern=r"^\d{4}\.\d+\.\d+$")
    summary: str = Field(min_length=20)
    sources: tuple[Source, ...] = Field(min_length=1)
    entry: Entry
    steps: tuple[Step, ...] = Field(min_length=1)
    review_interval_days: int = Field(ge=7, le=730, description="How often each enrolment is reviewed")
    outcome_measures: tuple[OutcomeMeasure, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_step_ids(self) -> Pathway:
        ids = [step.id for step in self.steps]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"step ids must be unique; repeated: {', '.join(duplicates)}")
        return self

    def entry_reasons(self, facts: dict[str, Any]) -> list[str] | None:
        """Why a person with these facts meets the entry criteria, or None if they do not."""
        if not all(criterion.holds(facts) for criterion in self.entry.all_of):
            return None
        reasons = [criterion.describe() for criterion in self.entry.all_of]
        if self.entry.any_of:
            met = [criterion.describe() for criterion in self.entry.any_of if criterion.holds(facts)]
            if not met:
                return None
            reasons += met
        return reasons

    def steps_for(self, facts: dict[str, Any]) -> list[Step]:
        """The steps that apply to a person (a step with `applies_if` only when it holds)."""
        return [step for step in self.steps if step.applies_if is None or step.applies_if.holds(facts)]

    def registers_named(self) -> set[str]:
        criteria = [*self.entry.all_of, *self.entry.any_of]
        criteria += [step.applies_if for step in self.steps if step.applies_if is not None]
        return {c.register_name for c in criteria if c.register_name is not None}
