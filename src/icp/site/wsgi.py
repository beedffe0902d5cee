"""WSGI entry point for production servers (marks the process as serving: SECRET_KEY is then required)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icp.site.settings")
os.environ.setdefault("ICP_SERVE", "1")
application = get_wsgi_application()
