# RiskResult without the per-row CHECK (">= 0") of Django's positive integer fields and without the
# single-column indexes no query uses (run, frailty category, tier): each national sync evaluated
# ten checks and rebuilt three more indexes for two million rows (ADR 0202).
#
# The thirteen field changes are one change of the table: on SQLite, where a constraint can only go
# with a copy of the table, it is copied once (thirteen AlterFields copied it thirteen times: four
# minutes for all of NI); on PostgreSQL the checks and indexes are dropped in place.

from typing import Any

from django.db import migrations, models

TABLE = "care_riskresult"
UNCHECKED = {
    "age",
    "deprivation_quintile",
    "efi_deficits",
    "charlson_score",
    "charlson_quan2011",
    "charlson_age_points",
    "medicines_12m",
    "emergency_admissions_12m",
    "ae_attendances_12m",
    "risk_rank",
}
UNINDEXED = {("run_id",), ("efi_category",), ("tier",)}


def rebuild(apps: Any, schema_editor: Any) -> None:
    """Bring the table to the new definition in one step (the state already has it)."""
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        # Django's own table copy, from the model as it now stands: one copy for all thirteen.
        schema_editor._remake_table(apps.get_model("patients", "RiskResult"))
        return
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    quote = schema_editor.quote_name
    for name, found in sorted(constraints.items()):
        columns = tuple(found["columns"] or ())
        if found["check"] and set(columns) <= UNCHECKED and columns:
            schema_editor.execute(f"ALTER TABLE {quote(TABLE)} DROP CONSTRAINT {quote(name)}")
        elif found["index"] and not found["unique"] and not found["primary_key"] and columns in UNINDEXED:
            schema_editor.execute(f"DROP INDEX {quote(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_risk_result_without_duplicate_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="riskresult",
                    name="ae_attendances_12m",
                    field=models.SmallIntegerField(default=0),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="age",
                    field=models.SmallIntegerField(),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="charlson_age_points",
                    field=models.SmallIntegerField(),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="charlson_quan2011",
                    field=models.SmallIntegerField(),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="charlson_score",
                    field=models.SmallIntegerField(),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="deprivation_quintile",
                    field=models.SmallIntegerField(blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="efi_category",
                    field=models.CharField(max_length=16),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="efi_deficits",
                    field=models.SmallIntegerField(),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="emergency_admissions_12m",
                    field=models.SmallIntegerField(default=0),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="medicines_12m",
                    field=models.SmallIntegerField(default=0),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="risk_rank",
                    field=models.IntegerField(help_text="1 = highest risk in the ICP"),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="run_id",
                    field=models.CharField(help_text="The warehouse batch of the run", max_length=64),
                ),
                migrations.AlterField(
                    model_name="riskresult",
                    name="tier",
                    field=models.CharField(
                        choices=[
                            ("very_high", "Very high"),
                            ("high", "High"),
                            ("moderate", "Moderate"),
                            ("low", "Low"),
                        ],
                        max_length=16,
                    ),
                ),
            ]
        ),
        # Backwards the table stays as it is: nothing relies on the checks or the indexes.
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
