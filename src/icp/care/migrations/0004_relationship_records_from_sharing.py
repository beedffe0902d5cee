"""Care takes over CareTeamMember, MdtList, MdtListEntry and Referral from `sharing`, keeping their tables.

State only: the tables `sharing_careteammember`, `sharing_mdtlist`, `sharing_mdtlist_members`,
`sharing_mdtlistentry` and `sharing_referral` stay (the models name them with `db_table`), and the
content types follow the models (docs/adr/0060-patients-floor.md).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("careteammember", "mdtlist", "mdtlistentry", "referral")


def move_content_types(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="care", model=model).exists():
            ContentType.objects.filter(app_label="sharing", model=model).update(app_label="care")


def move_content_types_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="sharing", model=model).exists():
            ContentType.objects.filter(app_label="care", model=model).update(app_label="sharing")


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0003_patient_index_to_patients"),
        ("sharing", "0003_relationship_records_to_care"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnership", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CareTeamMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                blank=True, help_text="e.g. district nurse, key worker", max_length=100
                            ),
                        ),
                        ("start_date", models.DateField()),
                        (
                            "end_date",
                            models.DateField(blank=True, help_text="The last day in the team", null=True),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="care_team_roles",
                                to="partnership.organisation",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="care_team",
                                to="patients.patientindex",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                help_text="Blank: the whole organisation's team",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="care_team_roles",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sharing_careteammember",
                        "ordering": ["patient", "start_date"],
                    },
                ),
                migrations.CreateModel(
                    name="MdtList",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "icp",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="mdt_lists",
                                to="partnership.area",
                            ),
                        ),
                        (
                            "members",
                            models.ManyToManyField(related_name="mdt_lists", to="partnership.organisation"),
                        ),
                    ],
                    options={
                        "db_table": "sharing_mdtlist",
                        "ordering": ["icp__code", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="MdtListEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("added_on", models.DateField()),
                        (
                            "removed_on",
                            models.DateField(blank=True, help_text="The first day off the list", null=True),
                        ),
                        (
                            "mdt_list",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="entries",
                                to="care.mdtlist",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="mdt_entries",
                                to="patients.patientindex",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sharing_mdtlistentry",
                        "verbose_name_plural": "MDT list entries",
                        "ordering": ["mdt_list", "added_on"],
                    },
                ),
                migrations.CreateModel(
                    name="Referral",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("service", models.CharField(blank=True, max_length=200)),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8
                            ),
                        ),
                        ("opened_on", models.DateField()),
                        ("closed_on", models.DateField(blank=True, null=True)),
                        (
                            "from_organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals_made",
                                to="partnership.organisation",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sharing_referrals",
                                to="patients.patientindex",
                            ),
                        ),
                        (
                            "to_organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="referrals_received",
                                to="partnership.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sharing_referral",
                        "ordering": ["-opened_on"],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
