"""The information-sharing demo: signed agreements between the demo ICP's partners (with one expired,
one draft and one gap left on purpose), care relationships and choices for a few synthetic people,
and a break glass awaiting the IG lead's review.

Logging in as different roles on the same person then shows different sections, each with its
reason. Idempotent: a second run finds what the first made. Everything goes through the actions, so
the demo's own changes are in the audit trail too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from icp.care import actions as care_actions
from icp.care.models import CareTeamMember, MdtList, MdtListEntry, Referral
from icp.care.referrals.actions import create_referral, move_referral
from icp.care.referrals.models import Service, ServiceType
from icp.care.referrals.states import TaskStatus
from icp.partnership.models import Area, Organisation, User
from icp.partnership.roles import AreaLevel, OrganisationType
from icp.patients.models import PatientIndex
from icp.sharing import actions
from icp.sharing.models import BreakGlass, DataSharingAgreement, PersonChoice
from icp.sharing.templates_data import agreement_templates
from icp.sharing.vocabulary import AgreementStatus, ChoiceKind, ChoiceValue, DataCategory, LegalBasis, Purpose

MDT_NAME = "Frailty MDT (synthetic)"


@dataclass
class DemoScenario:
    patient_id: str
    story: str
    try_as: str


@dataclass
class SharingDemoSummary:
    agreements: int = 0
    scenarios: list[DemoScenario] = field(default_factory=list)
    note: str = ""


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def _org(code: str) -> Organisation | None:
    return Organisation.objects.filter(code=code).first()


def _agreements(icp: Area, governor: User) -> int:
    """One signed agreement per template, plus an expired pilot and a draft with the council."""
    existing = set(icp.sharing_agreements.values_list("template", flat=True))
    start = timezone.localdate().replace(month=4, day=1)
    if start > timezone.localdate():
        start = start.replace(year=start.year - 1)
    for code in agreement_templates():
        if code in existing:
            continue
        parties = None
        if code == "community-support":
            # The council is left out on purpose: the register then shows the gap its referrals make.
            template = agreement_templates()[code]
            parties = [p for p in template.default_parties(icp) if p.type != OrganisationType.COUNCIL]
        agreement = actions.create_agreement_from_template(
            icp=icp, template=code, start_date=start, parties=parties, by=governor
        )
        actions.sign_agreement(agreement=agreement, by=governor, signed_on=start)
    practice = icp.practices.order_by("code").first()
    pharmacy_two, council = _org(f"{icp.code}-PH2"), _org(f"{icp.code}-CNCL")
    if "pilot" not in existing and practice and pharmacy_two:
        pilot = actions.create_agreement(
            icp=icp,
            title="Medicines review pilot (synthetic, ended)",
            parties=[practice, pharmacy_two],
            purposes=[Purpose.DIRECT_CARE],
            categories=[DataCategory.DEMOGRAPHICS, DataCategory.MEDICATIONS, DataCategory.CONDITIONS],
            legal_basis=LegalBasis.DIRECT_CARE,
            start_date=start - timedelta(days=365),
            end_date=start - timedelta(days=30),
            template="pilot",
            by=governor,
        )
        actions.sign_agreement(agreement=pilot, by=governor, signed_on=start - timedelta(days=365))
    if "council-draft" not in existing and practice and council:
        actions.create_agreement(
            icp=icp,
            title="Social care with the borough council (synthetic, draft)",
            parties=[practice, council],
            purposes=[Purpose.CARE_COORDINATION],
            categories=[DataCategory.DEMOGRAPHICS, DataCategory.SOCIAL_CARE, DataCategory.CARE_PLANS],
            legal_basis=LegalBasis.DIRECT_CARE,
            start_date=timezone.localdate(),
            template="council-draft",
            by=governor,
        )
    return icp.sharing_agreements.count()


def _people(icp: Area, practice: Organisation) -> list[PatientIndex]:
    """The five oldest living people registered at the demo GP's practice (the richest records)."""
    return list(
        PatientIndex.objects.filter(
            icp=icp, practice=practice, death_date__isnull=True, birth_date__isnull=False
        ).order_by("birth_date", "patient_id")[:5]
    )


def _team(patient: PatientIndex, organisation: Organisation | None, role: str, by: User) -> None:
    if (
        organisation
        and not CareTeamMember.objects.filter(patient=patient, organisation=organisation).exists()
    ):
        care_actions.add_care_team_member(patient=patient, organisation=organisation, role=role, by=by)


def _befriending(organisation: Organisation, icp: Area) -> Service:
    service, created = Service.objects.get_or_create(
        organisation=organisation,
        name="Befriending (synthetic)",
        defaults={
            "type": ServiceType.VOLUNTARY_SUPPORT,
            "eligibility": "Adults who are lonely or isolated",
            "needs": ["loneliness"],
            "synthetic": True,
        },
    )
    if created:
        service.areas.add(icp)
    return service


def _choice(patient: PatientIndex, kind: str, value: str, by: User, note: str) -> None:
    if not PersonChoice.objects.filter(patient=patient, kind=kind).exists():
        actions.record_choice(patient=patient, kind=kind, value=value, by=by, note=note)


def create_demo_sharing(*, icp_code: str) -> SharingDemoSummary:
    """Make (or find) the sharing demo for `icp_code` (after the partnership demo and population)."""
    summary = SharingDemoSummary()
    with transaction.atomic():
        icp = Area.objects.get(code=icp_code, level=AreaLevel.ICP)
        governor, manager, gp = _user("demo-iglead"), _user("demo-manager"), _user("demo-gp")
        pharmacist, trust, voluntary = (
            _user("demo-pharmacist"),
            _user("demo-trustclinician"),
            _user("demo-voluntary"),
        )
        summary.agreements = _agreements(icp, governor)
        assert gp.organisation is not None
        people = _people(icp, gp.organisation)
        if len(people) < 5:
            summary.note = "No synthetic people in this ICP yet: run `icp synth`, then `icp demo` again."
            return summary
        shared, withdrawn, opted_out, withheld, stranger = people
        hub, council = _org(f"{icp.code}-HUB"), _org(f"{icp.code}-CNCL")
        # 1. Shared care: the pharmacy and the trust in the care team, a referral to the volunteers,
        #    a place on the frailty MDT's list, and a referral to the council (which has no agreement).
        _team(shared, pharmacist.organisation, "community pharmacist", gp)
        _team(shared, trust.organisation, "community frailty team", gp)
        assert voluntary.organisation is not None
        if not Referral.objects.filter(patient=shared, owner_organisation=voluntary.organisation).exists():
            referral = create_referral(
                patient=shared,
                service=_befriending(voluntary.organisation, icp),
                reason="Lives alone and lonely since a bereavement (synthetic)",
                by=gp,
            )
            move_referral(referral=referral, to_status=TaskStatus.ACCEPTED, by=voluntary)
        # The council adapts the home: in the care team, though it has signed no agreement (a gap).
        _team(shared, council, "home adaptations", gp)
        mdt = MdtList.objects.filter(icp=icp, name=MDT_NAME).first()
        if mdt is None:
            members = [o for o in (gp.organisation, trust.organisation, hub) if o is not None]
            mdt = care_actions.create_mdt_list(icp=icp, name=MDT_NAME, members=members, by=manager)
        if not MdtListEntry.objects.filter(mdt_list=mdt, patient=shared).exists():
            care_actions.add_to_mdt_list(mdt_list=mdt, patient=shared, by=gp)
        summary.scenarios.append(
            DemoScenario(
                shared.patient_id,
                "Shared care: pharmacy and trust in the care team, referred to volunteers, on an MDT list",
                "demo-gp, demo-pharmacist, demo-voluntary (care coordination), demo-trustclinician",
            )
        )
        # 2. Consent withdrawn: the pharmacy is in the care team, but the person said no to sharing.
        _team(withdrawn, pharmacist.organisation, "community pharmacist", gp)
        _choice(
            withdrawn,
            ChoiceKind.DIRECT_CARE_CONSENT,
            ChoiceValue.WITHDRAWN,
            gp,
            "Asked at the practice (synthetic)",
        )
        summary.scenarios.append(
            DemoScenario(
                withdrawn.patient_id,
                "Consent to share withdrawn: only the registered practice sees the record",
                "demo-gp, demo-pharmacist",
            )
        )
        # 3. Planning opt-out: left out of risk stratification and evaluation, seen for direct care.
        _choice(
            opted_out,
            ChoiceKind.PLANNING_OPT_OUT,
            ChoiceValue.OPTED_OUT,
            gp,
            "Opt-out form received (synthetic)",
        )
        summary.scenarios.append(
            DemoScenario(
                opted_out.patient_id,
                "Opted out of planning: denied for risk stratification, allowed for direct care",
                "demo-gp (switch purpose), demo-analyst",
            )
        )
        # 4. Sensitive records withheld: the trust's social worker sees the record but not safeguarding.
        _team(withheld, trust.organisation, "social work", gp)
        _choice(
            withheld,
            ChoiceKind.SENSITIVE_WITHHELD,
            ChoiceValue.WITHHELD,
            gp,
            "Safeguarding and social care withheld (synthetic)",
        )
        summary.scenarios.append(
            DemoScenario(
                withheld.patient_id,
                "Sensitive records withheld from other organisations",
                "demo-socialworker, demo-gp",
            )
        )
        # 5. No relationship: the pharmacist broke glass in an emergency, awaiting the IG lead's review.
        if not BreakGlass.objects.filter(user=pharmacist, patient=stranger).exists():
            actions.break_glass(
                patient=stranger,
                reason="Collapsed at the pharmacy counter; checking medicines before the ambulance arrives"
                " (synthetic demo)",
                by=pharmacist,
            )
        summary.scenarios.append(
            DemoScenario(
                stranger.patient_id,
                "No relationship; the pharmacist's break glass awaits review",
                "demo-pharmacist, demo-ambulance (emergency), demo-iglead (Break-glass review)",
            )
        )
    assert DataSharingAgreement.objects.filter(icp__code=icp_code, status=AgreementStatus.SIGNED).exists()
    return summary


def print_demo_sharing(console: Console, summary: SharingDemoSummary) -> None:
    """Tell the person running the demo which synthetic people to open, as whom."""
    if summary.note:
        console.print(f"Information sharing: {summary.agreements} agreements. {summary.note}")
        return
    table = Table(title=f"Shared care record: synthetic people to try ({summary.agreements} agreements)")
    table.add_column("Open /sharing/patients/<id>/")
    table.add_column("Story")
    table.add_column("Log in as")
    for scenario in summary.scenarios:
        table.add_row(scenario.patient_id, scenario.story, scenario.try_as)
    console.print(table)
