"""Settings for the test run: the app's own settings with a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("ICP_TESTING", "1")
os.environ.setdefault("ICP_DATA_DIR", tempfile.mkdtemp(prefix="icp-test-data-"))

from icp.site.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

# Whitenoise expects the collected static folder to exist; the tests serve through the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
# The tests serve static files through the finders, with no collected manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# Each checkout gets its own PostgreSQL test database, so two test runs on one server (two worktrees,
# or a developer's run beside CI's) never collide on "test_<name>".
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    import hashlib
    from pathlib import Path as _Path

    _checkout = hashlib.sha256(str(_Path(__file__).resolve().parent).encode()).hexdigest()[:8]
    DATABASES["default"]["TEST"] = {"NAME": f"test_icp_{_checkout}"}  # noqa: F405
