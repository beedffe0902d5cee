"""The patient index and risk left `care` for `patients` (state only: the tables stay)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_risk_results"),
        ("patients", "0001_initial"),
        ("sharing", "0002_patient_index_in_patients"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="worklistreview",
                    name="patient",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="worklist_reviews",
                        to="patients.patientindex",
                    ),
                ),
                migrations.DeleteModel(name="RiskResult"),
                migrations.DeleteModel(name="RiskRun"),
                migrations.DeleteModel(name="PatientIndex"),
            ],
        ),
    ]
