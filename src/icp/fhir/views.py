"""The FHIR R4 REST API: read and search, every answer through the access decision.

Authentication is an API token (`Authorization: Bearer <key>`) or a logged-in session. The purpose
of use comes from the `X-Purpose-Of-Use` header, as a v3 ActReason code (TREAT, CAREMGT, ETREAT,
POPHLTH, HOPERAT) or an icp purpose code; direct care when absent. Searches of clinical resources
need `patient=` (there is no population search here: that is the warehouse's job). Refusals are
OperationOutcomes with the decision's reason, which never names a patient detail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.audit.models import AuditEvent
from icp.fhir import mapping, resources
from icp.fhir.capability import capability_statement
from icp.inputs import InputError, calendar_date, whole_number
from icp.partnership.accounts import authenticate_api_key
from icp.partnership.models import User, home_icp
from icp.patients.models import PatientIndex
from icp.sharing.actions import can_record_choices
from icp.sharing.audit_trail import ig_lead_icp, scoped_events
from icp.sharing.models import PersonChoice
from icp.sharing.policy import Code, Decision, decide, latest_choices
from icp.sharing.record import find_owner, read_section
from icp.sharing.search import search_patients
from icp.sharing.vocabulary import DataCategory, Purpose

FHIR_JSON = "application/fhir+json"
MAX_COUNT = 200

# FHIR resource type → (data category, warehouse row → resource). The builders are the one mapping
# the Bulk export uses too. Medication rows are served as MedicationStatements whatever their kind
# (the API's statement of what the person takes); the export writes prescriptions as requests.
CLINICAL: dict[str, tuple[str, Callable[[mapping.Row], mapping.Resource]]] = {
    "Condition": (DataCategory.CONDITIONS, mapping.condition),
    "Observation": (DataCategory.OBSERVATIONS, mapping.observation),
    "MedicationStatement": (DataCategory.MEDICATIONS, mapping.medication_statement),
    "Encounter": (DataCategory.ENCOUNTERS, mapping.encounter),
}


class FhirError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def respond(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body, default=str), status=status, content_type=FHIR_JSON)


def operation_outcome(status: int, code: str, message: str) -> HttpResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }
    response = respond(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="icp"'
    return response


def _authenticate(request: HttpRequest) -> User:
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token_user = authenticate_api_key(header[7:])
        if token_user is not None:
            return token_user
    raise FhirError(
        401, "login", "Authentication required: send an API token as 'Authorization: Bearer <key>'."
    )


def _purpose(request: HttpRequest) -> str:
    value = request.headers.get("X-Purpose-Of-Use", "").strip()
    if not value:
        return Purpose.DIRECT_CARE
    if value.upper() in resources.PURPOSE_FROM_CODE:
        return resources.PURPOSE_FROM_CODE[value.upper()]
    if value in Purpose.values:
        return value
    codes = ", ".join(resources.PURPOSE_FROM_CODE)
    raise FhirError(
        400, "invalid", f"X-Purpose-Of-Use {value!r} is not one of {codes} or {', '.join(Purpose.values)}."
    )


def fhir_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Authenticate, and turn every refusal or error into an OperationOutcome."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            user = _authenticate(request)
            return view(request, user, *args, **kwargs)
        except FhirError as error:
            return operation_outcome(error.status, error.code, error.message)
        except InputError as error:
            return operation_outcome(400, "invalid", str(error))

    return require_GET(wrapper)


def _refuse(decision: Decision) -> FhirError:
    if decision.code == Code.UNKNOWN_PATIENT:
        return FhirError(404, "not-found", decision.reason)
    if decision.code == Code.UNAUTHENTICATED:
        return FhirError(401, "login", decision.reason)
    if decision.code in (Code.UNKNOWN_PURPOSE, Code.UNKNOWN_CATEGORY):
        return FhirError(400, "invalid", decision.reason)
    return FhirError(403, "forbidden", decision.reason)


def _decide(
    user: User, patient_id: str, purpose: str, category: str, action: EventType
) -> tuple[PatientIndex, Decision]:
    decision = decide(user, patient_id, purpose, category, action=action)
    if not decision.allowed:
        raise _refuse(decision)
    return PatientIndex.objects.select_related("practice", "icp").get(patient_id=patient_id), decision


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/")


def bundle(request: HttpRequest, resource_list: list[dict[str, Any]]) -> dict[str, Any]:
    base = _base(request)
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resource_list),
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [
            {"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resource_list
        ],
    }


def _patient_param(request: HttpRequest) -> str:
    value = request.GET.get("patient") or request.GET.get("subject") or ""
    value = value.removeprefix(_base(request)).removeprefix("Patient/")
    if not value:
        raise FhirError(
            400, "required", "Search by patient: give patient=<id> (population searches are not offered)."
        )
    return value


def _count(request: HttpRequest, default: int = 50) -> int:
    raw = request.GET.get("_count", "")
    if not raw:
        return default
    return min(whole_number(raw, "_count", minimum=1), MAX_COUNT)


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    return respond(capability_statement(_base(request)))


@fhir_view
def patient_read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    patient, _ = _decide(user, resource_id, _purpose(request), DataCategory.DEMOGRAPHICS, EventType.FHIR_READ)
    return respond(resources.patient(patient))


@fhir_view
def patient_search(request: HttpRequest, user: User) -> HttpResponse:
    identifier = request.GET.get("identifier", "")
    number = identifier.split("|", 1)[-1]
    name = " ".join(request.GET.get(key, "") for key in ("name", "family", "given")).strip()
    birth_date = None
    if request.GET.get("birthdate"):
        birth_date = calendar_date(request.GET["birthdate"].removeprefix("eq"), "birthdate")
    if request.GET.get("_id"):
        patient, _ = _decide(
            user, request.GET["_id"], _purpose(request), DataCategory.DEMOGRAPHICS, EventType.FHIR_SEARCH
        )
        return respond(bundle(request, [resources.patient(patient)]))
    result = search_patients(
        user, name=name, birth_date=birth_date, national_id=number, limit=_count(request, 25)
    )
    if result.refused:
        status = 400 if "Enter a name" in result.refused else 403
        raise FhirError(status, "forbidden" if status == 403 else "required", result.refused)
    return respond(bundle(request, [resources.patient(p) for p in result.patients]))


def clinical_read(resource_type: str) -> Callable[..., HttpResponse]:
    category, to_resource = CLINICAL[resource_type]

    @fhir_view
    def read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
        home = home_icp(user)
        owner = find_owner(category, resource_id, home.code) if home else None
        if owner is None:
            raise FhirError(404, "not-found", f"No {resource_type} with that id is available to you.")
        patient, decision = _decide(user, owner, _purpose(request), category, EventType.FHIR_READ)
        rows = read_section(decision, patient, category, record_id=resource_id, limit=1)
        if not rows:
            raise FhirError(404, "not-found", f"No {resource_type} with that id is available to you.")
        return respond(to_resource({**rows[0], "patient_id": patient.patient_id}))

    return read


def clinical_search(resource_type: str) -> Callable[..., HttpResponse]:
    category, to_resource = CLINICAL[resource_type]

    @fhir_view
    def search(request: HttpRequest, user: User) -> HttpResponse:
        patient_id = _patient_param(request)
        patient, decision = _decide(user, patient_id, _purpose(request), category, EventType.FHIR_SEARCH)
        rows = read_section(decision, patient, category, limit=_count(request))
        return respond(
            bundle(request, [to_resource({**row, "patient_id": patient.patient_id}) for row in rows])
        )

    return search


def _consents(patient: PatientIndex) -> list[dict[str, Any]]:
    in_force = {c.pk for c in latest_choices(patient, timezone.localdate()).values()}
    choices = patient.sharing_choices.select_related("recorded_by__organisation", "patient").order_by(
        "-effective_date", "-id"
    )
    return [resources.consent(choice, in_force=choice.pk in in_force) for choice in choices]


@fhir_view
def consent_search(request: HttpRequest, user: User) -> HttpResponse:
    patient, _ = _decide(
        user, _patient_param(request), _purpose(request), DataCategory.DEMOGRAPHICS, EventType.FHIR_SEARCH
    )
    return respond(bundle(request, _consents(patient)))


@fhir_view
def consent_read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    choice = PersonChoice.objects.select_related("patient").filter(public_id=resource_id).first()
    if choice is None:
        raise FhirError(404, "not-found", "No Consent with that id is available to you.")
    patient, _ = _decide(
        user, choice.patient.patient_id, _purpose(request), DataCategory.DEMOGRAPHICS, EventType.FHIR_READ
    )
    found = [c for c in _consents(patient) if c["id"] == choice.public_id]
    return respond(found[0])


def _audit_scope(request: HttpRequest, user: User, patient_id: str) -> Any:
    """IG leads read their ICP's trail; a person's practice reads that person's access log."""
    icp = ig_lead_icp(user)
    if icp is not None:
        return scoped_events(icp)
    patient = PatientIndex.objects.filter(patient_id=patient_id).first() if patient_id else None
    if patient is not None and can_record_choices(user, patient):
        return AuditEvent.objects.about(patient.patient_id)
    refusal = deny(
        action=EventType.FHIR_AUDIT,
        by=user,
        reason="not an IG lead or the person's practice",
        message=(
            "Only an IG lead, or the person's registered practice for their own log, can read audit events."
        ),
        patient_ref=patient_id[:64],
    )
    raise FhirError(403, "forbidden", str(refusal))


@fhir_view
def audit_search(request: HttpRequest, user: User) -> HttpResponse:
    patient_id = request.GET.get("patient", "").removeprefix("Patient/")
    events = _audit_scope(request, user, patient_id)
    if patient_id:
        events = events.about(patient_id)
    for prefix, lookup in (("ge", "gte"), ("le", "lte"), ("gt", "gt"), ("lt", "lt")):
        for value in request.GET.getlist("date"):
            if value.startswith(prefix):
                day = calendar_date(value[2:], f"date ({value[:2]})")
                events = events.filter(**{f"occurred_at__date__{lookup}": day})
    if request.GET.get("outcome"):
        events = events.filter(
            outcome={"0": "allowed", "4": "denied"}.get(request.GET["outcome"], request.GET["outcome"])
        )
    found = list(events.order_by("-id")[: _count(request)])
    record(
        action=EventType.FHIR_AUDIT, actor=user, patient_ref=patient_id[:64], detail={"results": len(found)}
    )
    names = ig_lead_icp(user) is not None
    return respond(
        bundle(request, [resources.audit_event(e, show_user=names, about=patient_id) for e in found])
    )


@fhir_view
def audit_read(request: HttpRequest, user: User, resource_id: str) -> HttpResponse:
    event = AuditEvent.objects.filter(hash=resource_id).first()
    if event is None:
        raise FhirError(404, "not-found", "No AuditEvent with that id is available to you.")
    if not _audit_scope(request, user, event.patient_ref).filter(pk=event.pk).exists():
        raise FhirError(404, "not-found", "No AuditEvent with that id is available to you.")
    record(
        action=EventType.FHIR_AUDIT, actor=user, patient_ref=event.patient_ref, detail={"event": event.hash}
    )
    return respond(resources.audit_event(event, show_user=ig_lead_icp(user) is not None))


def not_supported(request: HttpRequest, resource_type: str, rest: str = "") -> HttpResponse:
    return operation_outcome(404, "not-supported", f"{resource_type} is not served here; see /fhir/metadata.")
