# The plain-words explanation is derived from the stored scores when shown (RiskResult.reasons),
# not stored for every person at every sync (docs/adr/0165-bulk-risk-sync.md).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_risk_without_a_model"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="riskresult",
            name="reasons",
        ),
    ]
