"""Prepare a fresh data folder for a real server under test: run as `python -m tests.site.serve_world`.

Creates the database, loads the reference structure, and adds one synthetic person registered at a
practice of the demo ICP, a GP there with an API token, and a signed direct-care agreement, all
through the real actions. Prints JSON: the token and the person's opaque id.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from icp.django_setup import setup_django


def main() -> None:
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    from icp.partnership.models import ApiToken, Area, User
    from icp.partnership.reference import load_structure
    from icp.partnership.roles import UserRole
    from icp.patients.models import PatientIndex
    from icp.sharing import actions
    from icp.sharing.vocabulary import DataCategory, LegalBasis, Purpose

    call_command("migrate", interactive=False, verbosity=0)
    load_structure()
    icp = Area.objects.get(code="NI-NOR-CA")
    practice = icp.practices.order_by("code").first()
    assert practice is not None
    governor = User.objects.create_user(
        username="iglead",
        password="correct-horse-battery",
        role=UserRole.IG_LEAD,
        home_area=icp,
        organisation=practice,
    )
    gp = User.objects.create_user(
        username="gp",
        password="correct-horse-battery",
        role=UserRole.GP,
        home_area=icp,
        organisation=practice,
    )
    agreement = actions.create_agreement(
        icp=icp,
        title="Direct care (synthetic test agreement)",
        parties=list(icp.practices.order_by("code")[:2]),
        purposes=[Purpose.DIRECT_CARE],
        categories=list(DataCategory.values),
        legal_basis=LegalBasis.DIRECT_CARE,
        start_date=timezone.localdate() - timedelta(days=1),
        by=governor,
    )
    actions.sign_agreement(agreement=agreement, by=governor)
    patient = PatientIndex.objects.create(
        patient_id="pt-serve-0001",
        national_id="3201234567",
        national_id_system="https://fhir.hscni.net/Id/hcn",
        given_name="Synthetic",
        family_name="Person",
        sex="female",
        birth_date=date(1941, 3, 2),
        practice=practice,
        icp=icp,
        synthetic=True,
    )
    _, token = ApiToken.issue(gp, "serve test")
    print(json.dumps({"token": token, "patient": patient.patient_id}))


if __name__ == "__main__":
    main()
