"""Fill `patients.CareRelationship` from the care records that existed before it (docs/adr/0060-patients-floor.md).

One row per care-team entry, per referral (with the receiving organisation) and per MDT-list entry
and member organisation, naming the record it came from. Dates follow the access decision's rules as
they were: a care-team `end_date` is the last day in the team (so the relationship ends the day
after), a referral holds while open (a closed one ended on `closed_on`), an MDT entry until
`removed_on`. The registered practice is not copied: it stays derived from the patient index.
Running it again adds nothing (rows already made from a record are skipped).
"""

from datetime import timedelta

from django.db import migrations

BATCH_SIZE = 2000


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    CareRelationship = apps.get_model("patients", "CareRelationship")
    CareTeamMember = apps.get_model("care", "CareTeamMember")
    Referral = apps.get_model("care", "Referral")
    MdtListEntry = apps.get_model("care", "MdtListEntry")
    done = set(CareRelationship.objects.values_list("source_type", "source_id", "organisation_id", "user_id"))
    rows = []

    def add(source_type, source_id, **fields):  # type: ignore[no-untyped-def]
        key = (source_type, str(source_id), fields.get("organisation_id"), fields.get("user_id"))
        if key not in done:
            done.add(key)
            rows.append(CareRelationship(source_type=source_type, source_id=str(source_id), **fields))

    for member in CareTeamMember.objects.order_by("pk").iterator():
        add(
            "care.careteammember",
            member.pk,
            patient_id=member.patient_id,
            kind="care_team",
            organisation_id=member.organisation_id,
            user_id=member.user_id,
            label=member.role,
            starts=member.start_date,
            ends=max(member.end_date + timedelta(days=1), member.start_date) if member.end_date else None,
        )
    for referral in Referral.objects.order_by("pk").iterator():
        ends = None
        if referral.status != "open":
            ends = max(referral.closed_on or referral.opened_on, referral.opened_on)
        add(
            "care.referral",
            referral.pk,
            patient_id=referral.patient_id,
            kind="referral",
            organisation_id=referral.to_organisation_id,
            user_id=None,
            label=referral.service[:200],
            starts=referral.opened_on,
            ends=ends,
        )
    for entry in MdtListEntry.objects.select_related("mdt_list").order_by("pk").iterator():
        for organisation_id in entry.mdt_list.members.order_by("pk").values_list("pk", flat=True):
            add(
                "care.mdtlistentry",
                entry.pk,
                patient_id=entry.patient_id,
                kind="mdt_list",
                organisation_id=organisation_id,
                user_id=None,
                label=entry.mdt_list.name[:200],
                starts=entry.added_on,
                ends=max(entry.removed_on, entry.added_on) if entry.removed_on else None,
            )
    CareRelationship.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def empty(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Going back: drop the rows this migration made (the care records themselves are untouched)."""
    CareRelationship = apps.get_model("patients", "CareRelationship")
    CareRelationship.objects.filter(
        source_type__in=["care.careteammember", "care.referral", "care.mdtlistentry"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0004_relationship_records_from_sharing"),
        ("patients", "0002_carerelationship"),
    ]

    operations = [migrations.RunPython(fill, empty)]
