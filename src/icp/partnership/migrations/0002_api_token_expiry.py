"""API tokens expire and can be revoked. Tokens issued before this get the default lifetime from now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import migrations, models
from django.utils import timezone

# The default lifetime (ICP_API_TOKEN_DAYS) as it stood when expiry was introduced.
EXISTING_TOKEN_DAYS = 90


def expire_existing_tokens(apps: Any, schema_editor: Any) -> None:
    token_model = apps.get_model("partnership", "ApiToken")
    token_model.objects.filter(expires__isnull=True).update(
        expires=timezone.now() + timedelta(days=EXISTING_TOKEN_DAYS)
    )


class Migration(migrations.Migration):
    dependencies = [("partnership", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(null=True, help_text="After this the token authenticates no one"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked",
            field=models.DateTimeField(blank=True, null=True, help_text="When the token was revoked"),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(help_text="After this the token authenticates no one"),
        ),
    ]
