# RiskResult names its run (a key to RiskRun) instead of repeating the run's batch id, index date
# and model version in every row: the same three values for all of an ICP's rows, a fifth of each
# row's bytes in a two-million-row sync (ADR 0210).
#
# Every row keeps its run: the key is filled by one UPDATE from the RiskRun of the same batch and
# ICP. A row whose run was never recorded (none should exist: the sync writes both in one
# transaction) gets a RiskRun made from its own values first, so no row is lost. Backwards, the
# three columns are filled from the run again.

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q

TABLE = "care_riskresult"


def record_missing_runs(apps: Any, schema_editor: Any) -> None:
    """A RiskRun for every (batch, ICP) that rows name and no run records."""
    result = apps.get_model("patients", "RiskResult")
    run = apps.get_model("patients", "RiskRun")
    known = run.objects.values_list("run_id", "icp_id")
    named = (
        result.objects.values("run_label", "icp_id", "index_date", "model_version")
        .annotate(people=Count("id"), synthetic_rows=Count("id", filter=Q(synthetic=True)))
        .order_by()
    )
    have = set(known)
    for row in named:
        if (row["run_label"], row["icp_id"]) in have:
            continue
        run.objects.create(
            run_id=row["run_label"],
            icp_id=row["icp_id"],
            index_date=row["index_date"],
            model_version=row["model_version"],
            people=row["people"],
            synthetic=row["synthetic_rows"] > 0,
        )
        have.add((row["run_label"], row["icp_id"]))


def point_rows_at_their_run(apps: Any, schema_editor: Any) -> None:
    quote = schema_editor.quote_name
    run_table = quote("care_riskrun")
    table = quote(TABLE)
    # Only the models' own table and column names go into the text.
    schema_editor.execute(
        f"UPDATE {table} SET {quote('run_ref_id')} = (SELECT r.{quote('id')} FROM {run_table} r "  # noqa: S608
        f"WHERE r.{quote('run_id')} = {table}.{quote('run_label')} AND r.{quote('icp_id')} = {table}.{quote('icp_id')})"
    )


def restore_run_values(apps: Any, schema_editor: Any) -> None:
    """Backwards: each row's batch id, index date and model version again, from its run."""
    result = apps.get_model("patients", "RiskResult")
    run = apps.get_model("patients", "RiskRun")
    for each in run.objects.filter(Q(pk__in=result.objects.values("run_ref_id"))):
        result.objects.filter(run_ref_id=each.pk).update(
            run_label=each.run_id, index_date=each.index_date, model_version=each.model_version
        )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0008_risk_result_detail_in_one_column"),
    ]

    operations = [
        migrations.RenameField(model_name="riskresult", old_name="run_id", new_name="run_label"),
        # Nullable and by a name of its own while the old columns are still there.
        migrations.AddField(
            model_name="riskresult",
            name="run_ref",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="patients.riskrun",
            ),
        ),
        migrations.RunPython(record_missing_runs, migrations.RunPython.noop),
        # Loosened first, so that backwards the old columns come back empty, are filled from the
        # run by restore_run_values, and only then are made NOT NULL again.
        migrations.AlterField(
            model_name="riskresult",
            name="run_label",
            field=models.CharField(default="", help_text="The warehouse batch of the run", max_length=64),
        ),
        migrations.AlterField(model_name="riskresult", name="index_date", field=models.DateField(null=True)),
        migrations.AlterField(
            model_name="riskresult", name="model_version", field=models.CharField(default="", max_length=64)
        ),
        migrations.RunPython(point_rows_at_their_run, restore_run_values),
        migrations.RemoveField(model_name="riskresult", name="run_label"),
        migrations.RemoveField(model_name="riskresult", name="index_date"),
        migrations.RemoveField(model_name="riskresult", name="model_version"),
        migrations.RenameField(model_name="riskresult", old_name="run_ref", new_name="run"),
        migrations.AlterField(
            model_name="riskresult",
            name="run",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="patients.riskrun",
            ),
        ),
    ]
