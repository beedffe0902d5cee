"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Every endpoint requires a login (session or API token). Each app contributes a router.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

import icp
from icp.care.api import router as care_router
from icp.governance.api import router as governance_router
from icp.partnership.api import router as partnership_router
from icp.sharing.api import router as sharing_router
from icp.site.auth import API_AUTH

api = NinjaAPI(
    title="icp API",
    version=icp.__version__,
    description="The partnership registry, governance, sharing and care of an Integrated Care Partnership.",
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Permission denied"}, status=403)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/", partnership_router)
api.add_router("/governance/", governance_router)
api.add_router("/sharing/", sharing_router)
api.add_router("/care/", care_router)
