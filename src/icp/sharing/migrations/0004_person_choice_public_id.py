"""A person's choice gets an opaque public id (its FHIR Consent id), in place of `choice-<key>`.

Three steps, as a unique column added to rows already there needs: the column without its rule, a
different random id for each existing row, then the rule (unique, required)."""

from django.db import migrations, models

import icp.partnership.ids


def give_each_choice_an_id(apps, schema_editor):
    PersonChoice = apps.get_model("sharing", "PersonChoice")
    for choice in PersonChoice.objects.filter(public_id__isnull=True).only("pk").iterator():
        PersonChoice.objects.filter(pk=choice.pk).update(public_id=icp.partnership.ids.new_public_id())


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0003_relationship_records_to_care"),
    ]

    operations = [
        migrations.AddField(
            model_name="personchoice",
            name="public_id",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(give_each_choice_an_id, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="personchoice",
            name="public_id",
            field=models.CharField(
                default=icp.partnership.ids.new_public_id, editable=False, max_length=32, unique=True
            ),
        ),
    ]
