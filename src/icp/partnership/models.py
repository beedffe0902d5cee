"""The partnership's own structure: the area tree, organisations, people, users and committees.

Committee composition rules are data (`CompositionTemplate` and its `SeatRule`s, loaded from
`data/committee_templates.json`), so an NI Partnership Committee and an England ICP board are two
templates, not two code paths. See `composition.py` for the check.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from icp.partnership.roles import (
    ALLOWED_PARENTS,
    AreaLevel,
    Office,
    OrganisationType,
    ProfessionalRole,
    UserRole,
)


class Area(models.Model):
    """A node of the area tree (region, LCG area, ICB, ICP, place, federation, neighbourhood)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    external_code = models.CharField(max_length=32, blank=True, help_text="ODS or GSS code, where published")
    name_is_published = models.BooleanField(
        default=True, help_text="False when icp had to give the area a plain descriptive name"
    )
    status = models.CharField(max_length=64, blank=True, help_text="e.g. historic (pre July 2022)")
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = ALLOWED_PARENTS.get(self.level, set())
        if self.parent is None and allowed and self.level not in (AreaLevel.NATION, AreaLevel.ICB):
            raise ValidationError({"parent": f"A {self.get_level_display()} needs a parent area."})
        if self.parent is not None and self.parent.level not in allowed:
            level, parent_level = self.get_level_display(), self.parent.get_level_display()
            raise ValidationError({"parent": f"A {level} cannot sit under a {parent_level}."})

    def ancestors(self) -> list[Area]:
        chain: list[Area] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def icp(self) -> Area | None:
        """The ICP this area is, or lies within (None above ICP level)."""
        for node in [self, *self.ancestors()]:
            if node.level == AreaLevel.ICP:
                return node
        return None


class Organisation(models.Model):
    """A partner organisation. A GP practice belongs to exactly one ICP (`icp`)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=OrganisationType.choices, db_index=True)
    address = models.CharField(max_length=300, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    icp = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practices",
        limit_choices_to={"level": AreaLevel.ICP},
        help_text="For GP practices: the one ICP the practice belongs to",
    )
    areas_served = models.ManyToManyField(Area, blank=True, related_name="organisations")
    list_size = models.PositiveIntegerField(null=True, blank=True, help_text="Registered patients")
    list_size_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.type == OrganisationType.GP_PRACTICE and self.icp is None:
            raise ValidationError({"icp": "A GP practice belongs to exactly one ICP."})
        if self.icp is not None and self.icp.level != AreaLevel.ICP:
            raise ValidationError({"icp": "Choose an area at ICP level."})


class Person(models.Model):
    """Someone in the partnership: staff, members, service users and carers."""

    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    professional_role = models.CharField(max_length=40, choices=ProfessionalRole.choices)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login account. Its role says what the user may do; its home ICP bounds what it may edit."""

    role = models.CharField(max_length=32, choices=UserRole.choices, default=UserRole.COMMITTEE_MEMBER)
    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    home_area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="The ICP (or area) the user works for",
    )
    demo_account = models.BooleanField(
        default=False,
        help_text="Made by the synthetic demo: signs in with a password alone, and only under ICP_DEBUG=1",
    )

    def is_icp_manager_for(self, area: Area | None) -> bool:
        """True when this user manages the ICP that `area` lies in (superusers manage all)."""
        if self.is_superuser:
            return True
        if self.role != UserRole.ICP_MANAGER or area is None or self.home_area_id is None:
            return False
        icp = area.icp()
        return icp is not None and icp.pk == self.home_area_id


def home_icp(user: Any) -> Area | None:
    """The ICP a user works for: the ICP their home area is or lies within.

    None for an anonymous user, a user with no home area, or one whose home is above ICP level (an
    ICB reviewer, say). Every "is this the user's own ICP?" check asks this one function.
    """
    if getattr(user, "home_area_id", None) is None:
        return None
    home: Area = user.home_area
    return home.icp()


class ApiToken(models.Model):
    """A bearer token for the JSON and FHIR APIs. Only a hash of the key is stored.

    Every token expires (`expires`, set when it is issued) and can be revoked (`revoked`); an expired
    or revoked token authenticates no one. The key is 32 random bytes, so a plain SHA-256 of it
    cannot be reversed by guessing: a slow password hash would only slow every API call.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(help_text="After this the token authenticates no one")
    revoked = models.DateTimeField(null=True, blank=True, help_text="When the token was revoked")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str, expires: datetime | None = None) -> tuple[ApiToken, str]:
        """Create a token; the plain key is returned once and never stored. Without `expires`, the
        token lives for the default lifetime (`ICP_API_TOKEN_DAYS`, 90 days)."""
        key = secrets.token_urlsafe(32)
        expires = expires or timezone.now() + timedelta(days=default_token_days())
        return cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), expires=expires), key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        """The token a presented key belongs to, whatever its state (None for an unknown key)."""
        return cls.objects.select_related("user").filter(key_hash=cls.hash_key(key.strip())).first()

    @property
    def status(self) -> str:
        """`revoked`, `expired` or `active`: what `icp token list` shows."""
        if self.revoked is not None:
            return "revoked"
        if self.expires <= timezone.now():
            return "expired"
        return "active"


def default_token_days() -> int:
    """How long a token lives unless its issuer says otherwise: `ICP_API_TOKEN_DAYS` (default 90)."""
    return int(getattr(settings, "ICP_API_TOKEN_DAYS", 90))


class CompositionTemplate(models.Model):
    """A committee composition rule set, e.g. the NI Partnership Committee template."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    chair_rule = models.CharField(
        max_length=20,
        choices=[("elected", "Elected by the members"), ("appointed", "Independent, appointed")],
        default="elected",
    )
    source = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.name


class SeatRule(models.Model):
    """One seat (or group of seats) a committee must fill: who may sit in it and how many."""

    template = models.ForeignKey(CompositionTemplate, on_delete=models.CASCADE, related_name="seats")
    code = models.SlugField(max_length=64)
    label = models.CharField(max_length=200)
    min_count = models.PositiveSmallIntegerField(default=1)
    max_count = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Blank: no upper limit")
    professional_roles = models.JSONField(default=list, help_text="Professional roles that may take the seat")
    organisation_types = models.JSONField(
        default=list, blank=True, help_text="Organisation types the member must come from (blank: any)"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="unique_seat_per_template")]

    def __str__(self) -> str:
        return self.label


class Committee(models.Model):
    """A governing body of an area: an NI Partnership Committee, an England ICP board …"""

    name = models.CharField(max_length=200)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="committees")
    template = models.ForeignKey(CompositionTemplate, on_delete=models.PROTECT, related_name="committees")
    established = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["area__code", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person holding a seat on a committee for a period, for an organisation."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    seat = models.ForeignKey(SeatRule, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    office = models.CharField(max_length=16, choices=Office.choices, default=Office.MEMBER)

    class Meta:
        ordering = ["committee", "seat__order", "start_date"]

    def __str__(self) -> str:
        return f"{self.person} — {self.seat} ({self.committee})"

    def is_current(self, on: date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    def clean(self) -> None:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})
        both_set = self.seat_id is not None and self.committee_id is not None
        if both_set and self.seat.template_id != self.committee.template_id:
            raise ValidationError({"seat": "That seat is not part of this committee's composition."})
        allowed = self.seat.professional_roles if self.seat_id is not None else []
        if allowed and self.person_id is not None and self.person.professional_role not in allowed:
            held = self.person.get_professional_role_display()
            words = ", ".join(str(ProfessionalRole(code).label) for code in allowed)
            message = f"{self.person} is recorded as “{held}”; the seat “{self.seat.label}” is for: {words}."
            raise ValidationError({"person": message})
        types = self.seat.organisation_types if self.seat_id is not None else []
        if types and (self.organisation is None or self.organisation.type not in types):
            words = ", ".join(str(OrganisationType(kind).label) for kind in types)
            message = f"The seat “{self.seat.label}” is held for an organisation of this kind: {words}."
            raise ValidationError({"organisation": message})


class ChairElection(models.Model):
    """The record of a chair (or vice chair) being elected or appointed."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="chair_elections")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="chair_elections")
    office = models.CharField(max_length=16, choices=Office.choices, default=Office.CHAIR)
    elected_on = models.DateField()
    term_ends = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=200, blank=True, help_text="e.g. elected unopposed at the AGM")
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_cast = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["committee", "-elected_on"]

    def __str__(self) -> str:
        return f"{self.person} {self.get_office_display()} of {self.committee} from {self.elected_on}"
