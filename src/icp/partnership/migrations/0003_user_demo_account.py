"""The synthetic demo's own logins are marked: they alone may skip the second factor, and only in the demo."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("partnership", "0002_api_token_expiry")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="demo_account",
            field=models.BooleanField(
                default=False,
                help_text="Made by the synthetic demo: signs in with a password alone, and only under ICP_DEBUG=1",
            ),
        ),
    ]
