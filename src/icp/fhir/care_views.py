"""FHIR R4 REST for care: read and search `ServiceRequest`, `Task`, `CarePlan`, `Goal` and
`CareTeam` (one per person: its members, coordinator and carers); `PUT` and
JSON Patch `PATCH` of a `Task` to move a referral as the table allows.

Care plans and goals are part of the person's record: every read is the access decision's
(`care_plans` category, purpose from `X-Purpose-Of-Use`), audited.

Access: the requester's and owner's organisations (their care staff) read and move, as the access
decision's referral basis answers (purpose from `X-Purpose-Of-Use`, else the user's care purpose);
anyone else gets 403 (audited). A move the table does not give that party: 422 OperationOutcome
(`business-rule`) with the reason. Versioned: reads send `ETag: W/"n"`; a write with `If-Match`
naming an older version gets 412. Writes need an API token (never a browser session), so they are
not exposed to cross-site requests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import jsonpatch
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from icp.audit.events import EventType
from icp.care.models import CareTeamMember
from icp.care.plans.models import CarePlan, Goal
from icp.care.referrals import actions, queries
from icp.care.referrals.models import Referral
from icp.care.referrals.states import TaskStatus
from icp.fhir import care
from icp.fhir.views import (
    FhirError,
    _authenticate,
    _count,
    _decide,
    _patient_param,
    _purpose,
    bundle,
    operation_outcome,
    respond,
)
from icp.inputs import InputError, whole_number
from icp.partnership.models import User
from icp.sharing.vocabulary import DataCategory

WRITE_METHODS = ("PUT", "PATCH")


def care_view(
    methods: tuple[str, ...],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Authenticate, allow only `methods`, and turn every refusal into an OperationOutcome."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = operation_outcome(405, "not-supported", f"{request.method} is not supported here.")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if request.method in WRITE_METHODS and not request.headers.get(
                    "Authorization", ""
                ).lower().startswith("bearer "):
                    raise FhirError(401, "login", "Changes need an API token: 'Authorization: Bearer <key>'.")
                user = _authenticate(request)
                return view(request, user, *args, **kwargs)
            except FhirError as error:
                return operation_outcome(error.status, error.code, error.message)
            except InputError as error:
                return operation_outcome(400, "invalid", str(error))
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                return operation_outcome(
                    413, "too-costly", f"The body is larger than the limit of {limit:,} bytes."
                )
            except PermissionDenied as error:
                return operation_outcome(403, "forbidden", str(error) or "Permission denied.")
            except Http404 as error:
                return operation_outcome(404, "not-found", str(error) or "Not found.")
            except actions.IllegalMove as error:
                return operation_outcome(422, "business-rule", error.reason)
            except actions.VersionConflict as error:
                return operation_outcome(412, "conflict", str(error))
            except ValidationError as error:
                messages = (
                    [f"{k}: {' '.join(v)}" for k, v in error.message_dict.items()]
                    if hasattr(error, "error_dict")
                    else error.messages
                )
                return operation_outcome(422, "invariant", "; ".join(messages))

        return wrapper

    return decorate


def _versioned(body: dict[str, Any], referral: Referral) -> HttpResponse:
    response = respond(body)
    response["ETag"] = care.etag(referral)
    response["Last-Modified"] = referral.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def _referral_purpose(request: HttpRequest) -> str | None:
    """The purpose a Task or ServiceRequest is read for: `X-Purpose-Of-Use` if sent, else the user's
    care purpose (a voluntary worker's is care coordination, not the FHIR API's default direct care)."""
    return _purpose(request) if request.headers.get("X-Purpose-Of-Use", "").strip() else None


def _organisation_param(value: str) -> str:
    return value.rsplit("/", 1)[-1].split("|")[-1]


def _search(request: HttpRequest, user: User) -> list[Referral]:
    """Referrals the user's organisation is party to, narrowed by the search parameters."""
    rows: QuerySet[Referral] = queries.visible_to(user)
    params = request.GET
    if params.get("status"):
        statuses = params["status"].split(",")
        unknown = [s for s in statuses if s not in TaskStatus.__members__.values()]
        if unknown:
            raise FhirError(400, "invalid", f"Unknown status {unknown[0]!r}.")
        rows = rows.filter(status__in=statuses)
    for name, field in (("owner", "owner_organisation__code"), ("requester", "requester_organisation__code")):
        if params.get(name):
            rows = rows.filter(**{field: _organisation_param(params[name])})
    patient = (params.get("patient") or params.get("subject") or params.get("for") or "").rsplit("/", 1)[-1]
    if patient:
        rows = rows.filter(patient__patient_id=patient)
    return queries.shown(
        user,
        list(rows.order_by("-created_at", "-id")[: _count(request)]),
        EventType.FHIR_SEARCH,
        _referral_purpose(request),
        resource=request.path.rsplit("/", 1)[-1],
    )


def search_view(to_resource: Callable[[Referral], dict[str, Any]]) -> Callable[..., HttpResponse]:
    @care_view(("GET",))
    def search(request: HttpRequest, user: User) -> HttpResponse:
        return respond(bundle(request, [to_resource(r) for r in _search(request, user)]))

    return search


def read_view(to_resource: Callable[[Referral], dict[str, Any]]) -> Callable[..., HttpResponse]:
    @care_view(("GET",))
    def read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
        referral, _party = queries.read(user, resource_id, EventType.FHIR_READ, _referral_purpose(request))
        return _versioned(to_resource(referral), referral)

    return read


def _expected_version(request: HttpRequest) -> int | None:
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    value = header.removeprefix("W/").strip('"')
    try:
        return whole_number(value, "If-Match")
    except InputError:
        raise FhirError(400, "invalid", 'If-Match must be an ETag like W/"3".') from None


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise FhirError(400, "invalid", f"The body is not JSON: {error}") from error


@care_view(("GET", "PUT", "PATCH"))
def task_instance(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    """GET a Task; PUT a Task, or PATCH it with JSON Patch, to move the referral."""
    # Read (and so decided) before a write is looked at: a JSON Patch `test` on a Task the user may
    # not see would otherwise answer questions about it.
    referral, _party = queries.read(user, resource_id, EventType.FHIR_READ, _referral_purpose(request))
    if request.method == "GET":
        return _versioned(care.task(referral), referral)
    if request.method == "PATCH":
        if request.content_type != "application/json-patch+json":
            raise FhirError(415, "not-supported", "PATCH takes a JSON Patch (application/json-patch+json).")
        try:
            body = jsonpatch.apply_patch(care.task(referral), _body(request))
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError) as error:
            raise FhirError(422, "processing", f"The JSON Patch cannot be applied: {error}") from error
    else:
        body = _body(request)
    if isinstance(body, dict) and body.get("id") not in (None, referral.public_id):
        raise FhirError(400, "invalid", "The Task's id does not match the URL.")
    try:
        status, reason, output = care.task_change(body)
    except ValueError as error:
        raise FhirError(400, "invalid", str(error)) from error
    if status == referral.status:
        raise FhirError(
            422, "business-rule", f"The Task is already {status}; only its status can be changed here."
        )
    actions.move_referral(
        referral=referral,
        to_status=status,
        by=user,
        reason=reason,
        output=output,
        expected_version=_expected_version(request),
    )
    referral.refresh_from_db()
    return _versioned(care.task(referral), referral)


task_search = search_view(care.task)
service_request_search = search_view(care.service_request)
service_request_read = read_view(care.service_request)


def _plans_of(request: HttpRequest, user: User, patient_id: str, action: EventType) -> QuerySet[CarePlan]:
    """A person's care plans, once the access decision allows this user to see care plans."""
    patient, _decision = _decide(user, patient_id, _purpose(request), DataCategory.CARE_PLANS, action)
    return (
        CarePlan.objects.filter(patient=patient)
        .select_related("patient", "organisation", "enrolment")
        .prefetch_related("goals", "activities__owner_organisation", "activities__referral")
    )


@care_view(("GET",))
def care_plan_search(request: HttpRequest, user: User) -> HttpResponse:
    plans = _plans_of(request, user, _patient_param(request), EventType.FHIR_SEARCH)
    if request.GET.get("status"):
        plans = plans.filter(status__in=request.GET["status"].split(","))
    return respond(bundle(request, [care.care_plan(p) for p in plans[: _count(request)]]))


@care_view(("GET",))
def care_plan_read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    found = CarePlan.objects.filter(public_id=resource_id[:32]).select_related("patient").first()
    if found is None:
        raise FhirError(404, "not-found", "No CarePlan with that id is available to you.")
    plan = _plans_of(request, user, found.patient.patient_id, EventType.FHIR_READ).get(pk=found.pk)
    response = respond(care.care_plan(plan))
    response["ETag"] = f'W/"{plan.version}"'
    return response


@care_view(("GET",))
def goal_search(request: HttpRequest, user: User) -> HttpResponse:
    plans = _plans_of(request, user, _patient_param(request), EventType.FHIR_SEARCH)
    goals = Goal.objects.filter(care_plan__in=plans).select_related("care_plan__patient")
    if request.GET.get("lifecycle-status"):
        goals = goals.filter(status__in=request.GET["lifecycle-status"].split(","))
    return respond(bundle(request, [care.goal(g) for g in goals[: _count(request)]]))


@care_view(("GET",))
def goal_read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    found = Goal.objects.filter(public_id=resource_id[:32]).select_related("care_plan__patient").first()
    if found is None:
        raise FhirError(404, "not-found", "No Goal with that id is available to you.")
    _plans_of(request, user, found.care_plan.patient.patient_id, EventType.FHIR_READ)
    return respond(care.goal(found))


def _team(request: HttpRequest, user: User, patient_id: str, action: EventType) -> dict[str, Any]:
    patient, _decision = _decide(user, patient_id, _purpose(request), DataCategory.CARE_PLANS, action)
    today = timezone.localdate()
    members = list(
        CareTeamMember.objects.filter(patient=patient)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("organisation", "user")
    )
    carers = list(
        patient.carers.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).select_related(
            "carer_patient"
        )
    )
    return care.care_team(patient, members, carers)


@care_view(("GET",))
def care_team_search(request: HttpRequest, user: User) -> HttpResponse:
    return respond(bundle(request, [_team(request, user, _patient_param(request), EventType.FHIR_SEARCH)]))


@care_view(("GET",))
def care_team_read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    if not resource_id.startswith("team-"):
        raise FhirError(404, "not-found", "No CareTeam with that id is available to you.")
    return respond(_team(request, user, resource_id.removeprefix("team-"), EventType.FHIR_READ))
