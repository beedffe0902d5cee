"""Care plans say when they stopped being active, so evaluation can count plans active on a day."""

from typing import Any

from django.db import migrations, models


def _ended_on_from_last_change(apps: Any, schema_editor: Any) -> None:
    # Plans ended before this field existed: the best date known is their last change.
    CarePlan = apps.get_model("care", "CarePlan")
    for plan in CarePlan.objects.exclude(status="active").only("id", "last_modified"):
        CarePlan.objects.filter(id=plan.id).update(ended_on=plan.last_modified.date())


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0009_emergency_lists"),
    ]

    operations = [
        migrations.AddField(
            model_name="careplan",
            name="ended_on",
            field=models.DateField(
                blank=True,
                help_text="When the plan stopped being active (completed, ended early)",
                null=True,
            ),
        ),
        migrations.RunPython(_ended_on_from_last_change, migrations.RunPython.noop),
    ]
