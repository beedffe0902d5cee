"""The services directory: each partner organisation's services, searchable by need, type and words.

The directory holds no person's data, so any logged-in user may search it (the pages and API still
need a login). Voluntary and community organisations and community support hubs list their
services here alongside statutory ones.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from icp.care.referrals.models import Need, Service, ServiceType
from icp.partnership.models import Area


def search_services(
    *, need: str = "", service_type: str = "", text: str = "", icp: Area | None = None
) -> QuerySet[Service]:
    """Active services, narrowed by need, type, words (name, description, eligibility) and ICP served."""
    rows = Service.objects.filter(active=True).select_related("organisation").prefetch_related("areas")
    if need in Need.values:
        # JSON lists are matched as text so the filter works on SQLite and PostgreSQL alike.
        rows = rows.filter(needs__icontains=f'"{need}"')
    if service_type in ServiceType.values:
        rows = rows.filter(type=service_type)
    for word in text.split()[:5]:
        rows = rows.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(eligibility__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    if icp is not None:
        rows = rows.filter(Q(areas=icp) | Q(organisation__icp=icp) | Q(organisation__areas_served=icp))
    return rows.distinct().order_by("name")
