# RiskResult keeps no index of its own on icp or practice: (icp, tier) and (practice, risk_rank) serve
# those lookups, and each index is one more B-tree a national sync updates (ADR 0192).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0003_user_demo_account"),
        ("patients", "0005_person_id_and_link_review"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskresult",
            name="icp",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="risk_results",
                to="partnership.area",
            ),
        ),
        migrations.AlterField(
            model_name="riskresult",
            name="practice",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="risk_results",
                to="partnership.organisation",
            ),
        ),
    ]
