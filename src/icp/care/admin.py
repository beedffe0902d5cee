"""Read-only admin views of care's records: every change goes through `icp.care.actions`."""

from __future__ import annotations

from django.contrib import admin

from icp.audit.admin import ReadOnlyAdmin
from icp.care.models import CareTeamMember, MdtList, Referral

admin.site.register([CareTeamMember, Referral, MdtList], ReadOnlyAdmin)
