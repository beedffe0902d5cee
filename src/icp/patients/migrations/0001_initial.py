"""Move PatientIndex, RiskResult and RiskRun from `care` to `patients`, keeping their tables and rows.

State only: the tables `care_patientindex`, `care_riskresult` and `care_riskrun` stay as they are
(the models name them with `db_table`), so an existing database loses nothing. The content types
follow the models, so permissions and admin history keep pointing at them (docs/adr/0060-patients-floor.md).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("patientindex", "riskresult", "riskrun")


def move_content_types(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="patients", model=model).exists():
            ContentType.objects.filter(app_label="care", model=model).update(app_label="patients")


def move_content_types_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="care", model=model).exists():
            ContentType.objects.filter(app_label="patients", model=model).update(app_label="care")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("care", "0002_risk_results"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnership", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="PatientIndex",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "patient_id",
                            models.CharField(help_text="Opaque warehouse id", max_length=64, unique=True),
                        ),
                        (
                            "national_id",
                            models.CharField(
                                blank=True, db_index=True, help_text="H&C or NHS number", max_length=16
                            ),
                        ),
                        ("national_id_system", models.CharField(blank=True, max_length=64)),
                        ("given_name", models.CharField(blank=True, max_length=100)),
                        ("family_name", models.CharField(blank=True, db_index=True, max_length=100)),
                        ("sex", models.CharField(blank=True, max_length=16)),
                        ("birth_date", models.DateField(blank=True, db_index=True, null=True)),
                        ("death_date", models.DateField(blank=True, null=True)),
                        (
                            "registered",
                            models.BooleanField(
                                default=True, help_text="False: attached to the ICP as unregistered"
                            ),
                        ),
                        (
                            "deprivation_quintile",
                            models.PositiveSmallIntegerField(
                                blank=True, help_text="1 = most deprived", null=True
                            ),
                        ),
                        ("synthetic", models.BooleanField(default=False)),
                        ("source", models.CharField(blank=True, max_length=100)),
                        ("synced_at", models.DateTimeField(auto_now=True)),
                        (
                            "icp",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="patients",
                                to="partnership.area",
                            ),
                        ),
                        (
                            "practice",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="registered_patients",
                                to="partnership.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "care_patientindex",
                        "verbose_name": "patient",
                        "verbose_name_plural": "patient index",
                        "indexes": [
                            models.Index(fields=["icp", "practice"], name="care_patien_icp_id_e46920_idx")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RiskResult",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "run_id",
                            models.CharField(
                                db_index=True, help_text="The warehouse batch of the run", max_length=64
                            ),
                        ),
                        ("index_date", models.DateField()),
                        ("model_version", models.CharField(max_length=64)),
                        ("age", models.PositiveSmallIntegerField()),
                        ("sex", models.CharField(blank=True, max_length=16)),
                        ("deprivation_quintile", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("efi_score", models.FloatField()),
                        ("efi_deficits", models.PositiveSmallIntegerField()),
                        ("efi_category", models.CharField(db_index=True, max_length=16)),
                        ("efi_in_range", models.BooleanField()),
                        ("efi_deficit_list", models.JSONField(default=list)),
                        ("hfrs_score", models.FloatField()),
                        ("hfrs_category", models.CharField(max_length=16)),
                        ("hfrs_in_range", models.BooleanField()),
                        ("hfrs_codes", models.JSONField(default=list)),
                        ("charlson_score", models.PositiveSmallIntegerField()),
                        ("charlson_quan2011", models.PositiveSmallIntegerField()),
                        ("charlson_age_points", models.PositiveSmallIntegerField()),
                        ("charlson_categories", models.JSONField(default=list)),
                        ("registers", models.JSONField(default=list)),
                        (
                            "registers_text",
                            models.CharField(
                                blank=True, help_text="',copd,diabetes,' for filtering", max_length=400
                            ),
                        ),
                        ("medicines_12m", models.PositiveSmallIntegerField(default=0)),
                        ("polypharmacy_review", models.BooleanField(default=False)),
                        ("housebound", models.BooleanField(default=False)),
                        ("carer", models.BooleanField(default=False)),
                        ("cared_for", models.BooleanField(default=False)),
                        (
                            "lives_alone",
                            models.BooleanField(blank=True, help_text="None: not recorded", null=True),
                        ),
                        ("falls_12m", models.BooleanField(default=False)),
                        ("emergency_admissions_12m", models.PositiveSmallIntegerField(default=0)),
                        ("ae_attendances_12m", models.PositiveSmallIntegerField(default=0)),
                        ("model_risk", models.FloatField()),
                        ("risk_rank", models.PositiveIntegerField(help_text="1 = highest risk in the ICP")),
                        (
                            "tier",
                            models.CharField(
                                choices=[
                                    ("very_high", "Very high"),
                                    ("high", "High"),
                                    ("moderate", "Moderate"),
                                    ("low", "Low"),
                                ],
                                db_index=True,
                                max_length=16,
                            ),
                        ),
                        ("risk_factors", models.JSONField(default=list)),
                        ("reasons", models.TextField(blank=True, help_text="Why, in plain words")),
                        ("synthetic", models.BooleanField(default=False)),
                        ("synced_at", models.DateTimeField(auto_now=True)),
                        (
                            "icp",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="risk_results",
                                to="partnership.area",
                            ),
                        ),
                        (
                            "patient",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="risk",
                                to="patients.patientindex",
                            ),
                        ),
                        (
                            "practice",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="risk_results",
                                to="partnership.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "care_riskresult",
                        "indexes": [
                            models.Index(
                                fields=["practice", "risk_rank"], name="care_riskre_practic_691bff_idx"
                            ),
                            models.Index(fields=["icp", "tier"], name="care_riskre_icp_id_53e370_idx"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RiskRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "run_id",
                            models.CharField(help_text="The warehouse batch of the run", max_length=64),
                        ),
                        ("index_date", models.DateField()),
                        ("model_version", models.CharField(max_length=64)),
                        ("codelist_versions", models.JSONField(default=dict)),
                        ("engine", models.CharField(default="duckdb", max_length=16)),
                        ("people", models.PositiveIntegerField()),
                        ("planning_opt_outs_left_out", models.PositiveIntegerField(default=0)),
                        ("synthetic", models.BooleanField(default=False)),
                        ("synced_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "icp",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="risk_runs",
                                to="partnership.area",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "care_riskrun",
                        "ordering": ["-synced_at", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("run_id", "icp"), name="care_riskrun_unique_run_icp"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
