"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Every endpoint requires a login (session or API token). Each app contributes a router.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

import icp
from icp.care.api import router as care_router
from icp.governance.api import router as governance_router
from icp.partnership.api import router as partnership_router
from icp.sharing.api import router as sharing_router
from icp.site.auth import API_AUTH

# What every operation can answer besides its own success, and why: each is a JSON object with a
# `detail` (a sentence, or for 422 the fields and what was expected). Documented on every operation so
# a client (and schemathesis, in `make test`) knows them; an operation that documents one itself
# with a more precise schema keeps its own.
ERRORS: dict[str, str] = {
    "400": "The body could not be read (not JSON, or not in the declared encoding).",
    "401": "Not logged in: no session and no valid API token (`Authorization: Bearer <key>`).",
    "403": "Refused: the user's role or relationship does not allow this (the refusal is audited).",
    "404": "Not found, or not available to this user.",
    "422": "The request's parameters or body are not what the operation expects (which, and why).",
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"title": "Detail", "description": "What went wrong"}},
    "required": ["detail"],
    "title": "Error",
}


class Api(NinjaAPI):
    """django-ninja's API with the errors every operation can answer documented on each."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Error", ERROR_SCHEMA)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                # django-ninja keys an operation's own responses by number (403) and JSON keys are
                # strings: mixing the two wrote "403" twice, which JSON.parse forgives but Swagger UI's
                # YAML reader refuses ("duplicated mapping key"), and the generic answer hid the
                # operation's own. One kind of key, the string OpenAPI names.
                responses = {str(status): answer for status, answer in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, description in ERRORS.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        },
                    )
        return schema


api = Api(
    title="icp API",
    version=icp.__version__,
    description="The partnership registry, governance, sharing and care of an Integrated Care Partnership.",
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Permission denied"}, status=403)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def value_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number beyond what the database holds (an id of forty digits, say) is bad input: a 400."""
    return api.create_response(
        request, {"detail": "A value is out of range: ids and numbers must fit a 64-bit integer."}, status=400
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/", partnership_router)
api.add_router("/governance/", governance_router)
api.add_router("/sharing/", sharing_router)
api.add_router("/care/", care_router)
