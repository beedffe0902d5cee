"""CareTeamMember, MdtList, MdtListEntry and Referral left `sharing` for `care` (state only: the tables stay)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0002_patient_index_in_patients"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CareTeamMember"),
                migrations.DeleteModel(name="MdtListEntry"),
                migrations.DeleteModel(name="MdtList"),
                migrations.DeleteModel(name="Referral"),
            ],
        ),
    ]
