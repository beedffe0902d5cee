"""Start Django from the CLI (the pure commands never need it)."""

from __future__ import annotations

import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icp.site.settings")
    import django

    django.setup()
