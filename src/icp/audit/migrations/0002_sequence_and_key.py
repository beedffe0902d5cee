"""Number the existing events and make room for the key id (issue 13: a chain that cannot be rewritten).

Existing events keep their plain SHA-256 hashes (key_id empty) and are numbered 1, 2, 3 … in id
order; the first keyed event appended after them anchors them (`icp audit upgrade` appends one on
purpose). The numbering runs in one UPDATE with a window function (SQLite 3.33+ and PostgreSQL), so
large trails upgrade quickly.
"""

from django.db import migrations, models

NUMBER_EVENTS = """
UPDATE audit_auditevent SET sequence = numbered.position
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS position FROM audit_auditevent) AS numbered
WHERE audit_auditevent.id = numbered.id
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Which audit key signed the hash; empty: legacy SHA-256",
                max_length=16,
            ),
        ),
        migrations.RunSQL(NUMBER_EVENTS, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.BigIntegerField(
                help_text="Position in the chain: 1, 2, 3 … with no gaps", unique=True
            ),
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["sequence"]}),
        migrations.AlterField(
            model_name="auditevent",
            name="patient_ref",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="Opaque patient id, never an NHS or H&C number",
                max_length=64,
            ),
        ),
    ]
