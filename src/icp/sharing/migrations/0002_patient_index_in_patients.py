"""Point sharing's foreign keys at `patients.PatientIndex` (same table: state only)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _patient(related_name: str, on_delete):  # type: ignore[no-untyped-def]
    return models.ForeignKey(on_delete=on_delete, related_name=related_name, to="patients.patientindex")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_initial"),
        ("patients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="personchoice",
                    name="patient",
                    field=_patient("sharing_choices", django.db.models.deletion.CASCADE),
                ),
                migrations.AlterField(
                    model_name="breakglass",
                    name="patient",
                    field=_patient("break_glasses", django.db.models.deletion.PROTECT),
                ),
                migrations.AlterField(
                    model_name="careteammember",
                    name="patient",
                    field=_patient("care_team", django.db.models.deletion.CASCADE),
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="patient",
                    field=_patient("sharing_referrals", django.db.models.deletion.CASCADE),
                ),
                migrations.AlterField(
                    model_name="mdtlistentry",
                    name="patient",
                    field=_patient("mdt_entries", django.db.models.deletion.CASCADE),
                ),
            ],
        ),
    ]
