"""FHIR R4 mapping of care's work: a referral as a `ServiceRequest` and its `Task`.

One `care.Referral` row is both resources, with the same opaque id. The Task's status is the
referral's status (FHIR TaskStatus); the ServiceRequest's status follows it (draft → draft; open
→ active; completed → completed; ended otherwise → revoked; entered-in-error). Organisations are
referenced by their code (`Organization/<code>`) with the ODS identifier system.
"""

from __future__ import annotations

from typing import Any

from icp.care.needs import reason_codings
from icp.care.referrals.models import Need, Referral
from icp.care.referrals.states import TaskStatus
from icp.fhir.mapping import SYNTHETIC_TAG
from icp.fhir.resources import ODS
from icp.partnership.models import Organisation

SNOMED = "http://snomed.info/sct"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"

_REQUEST_STATUS = {
    TaskStatus.DRAFT: "draft",
    TaskStatus.REQUESTED: "active",
    TaskStatus.ACCEPTED: "active",
    TaskStatus.IN_PROGRESS: "active",
    TaskStatus.ON_HOLD: "on-hold",
    TaskStatus.COMPLETED: "completed",
    TaskStatus.REJECTED: "revoked",
    TaskStatus.FAILED: "revoked",
    TaskStatus.CANCELLED: "revoked",
    TaskStatus.ENTERED_IN_ERROR: "entered-in-error",
}


def subject(patient_id: str) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def _drop_empty(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


def organisation_reference(organisation: Organisation) -> dict[str, Any]:
    return {
        "reference": f"Organization/{organisation.code}",
        "identifier": {"system": ODS, "value": organisation.code},
        "display": organisation.name,
    }


def _meta(referral: Referral) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "versionId": str(referral.version),
        "lastUpdated": referral.last_modified.isoformat(),
    }
    if referral.synthetic:
        meta["tag"] = [SYNTHETIC_TAG]
    return meta


def etag(referral: Referral) -> str:
    return f'W/"{referral.version}"'


def service_request(referral: Referral) -> dict[str, Any]:
    code: dict[str, Any] = (
        {"coding": [{"system": SNOMED, "code": referral.code, "display": referral.code_display}]}
        if referral.code
        else {}
    )
    if referral.service_name:
        code["text"] = referral.service_name
    return _drop_empty(
        {
            "resourceType": "ServiceRequest",
            "id": referral.public_id,
            "meta": _meta(referral),
            "status": _REQUEST_STATUS[referral.task_status],
            "intent": "order",
            "priority": referral.priority,
            "code": code,
            "subject": subject(referral.patient.patient_id),
            "authoredOn": (referral.requested_at or referral.created_at).isoformat(),
            "requester": organisation_reference(referral.requester_organisation),
            "performer": [organisation_reference(referral.owner_organisation)],
            # The reason in words, then each need found (with its SNOMED CT code where one exists).
            "reasonCode": [{"text": referral.reason}, *_needs(referral)],
            "replaces": [{"reference": f"ServiceRequest/{referral.replaces.public_id}"}]
            if referral.replaces
            else [],
            "note": [{"text": referral.note}] if referral.note else [],
        }
    )


def _needs(referral: Referral) -> list[dict[str, Any]]:
    labels = dict(Need.choices)
    needs = referral.needs
    return [_drop_empty({"coding": reason_codings([n]), "text": labels.get(n, n)}) for n in needs]


def task(referral: Referral) -> dict[str, Any]:
    return _drop_empty(
        {
            "resourceType": "Task",
            "id": referral.public_id,
            "meta": _meta(referral),
            "basedOn": [{"reference": f"ServiceRequest/{referral.public_id}"}],
            "status": referral.status,
            "statusReason": {"text": referral.status_reason} if referral.status_reason else {},
            "intent": "order",
            "priority": referral.priority,
            "code": {
                "coding": [{"system": TASK_CODE, "code": "fulfill", "display": "Fulfill the focal request"}]
            },
            "focus": {"reference": f"ServiceRequest/{referral.public_id}"},
            "for": subject(referral.patient.patient_id),
            "authoredOn": referral.created_at.isoformat(),
            "lastModified": referral.last_modified.isoformat(),
            "requester": organisation_reference(referral.requester_organisation),
            "owner": organisation_reference(referral.owner_organisation),
            "output": [{"type": {"text": "outcome"}, "valueString": referral.output}]
            if referral.output
            else [],
        }
    )


def task_change(body: dict[str, Any]) -> tuple[str, str, str]:
    """What a PUT or patched Task asks for: (status, status reason, output). Raises ValueError."""
    if not isinstance(body, dict) or body.get("resourceType") != "Task":
        raise ValueError("The body must be a Task resource.")
    status = body.get("status")
    if not isinstance(status, str):
        raise ValueError("Task.status is required.")
    reason = body.get("statusReason") or {}
    outputs = body.get("output") or []
    if not isinstance(reason, dict) or not isinstance(outputs, list):
        raise ValueError("Task.statusReason must be a CodeableConcept and Task.output a list.")
    output = next((str(o.get("valueString", "")) for o in outputs if isinstance(o, dict)), "")
    return status, str(reason.get("text", "")), output


def _plan_meta(care_plan: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "versionId": str(care_plan.version),
        "lastUpdated": care_plan.last_modified.isoformat(),
    }
    if care_plan.synthetic:
        meta["tag"] = [SYNTHETIC_TAG]
    return meta


def goal(item: Any) -> dict[str, Any]:
    """A goal in the person's own words: `expressedBy` is the person."""
    care_plan = item.care_plan
    return _drop_empty(
        {
            "resourceType": "Goal",
            "id": item.public_id,
            "meta": {"tag": [SYNTHETIC_TAG]} if care_plan.synthetic else {},
            "lifecycleStatus": item.status,
            "description": {"text": item.description},
            "subject": subject(care_plan.patient.patient_id),
            "expressedBy": subject(care_plan.patient.patient_id),
            "startDate": item.recorded_at.date().isoformat(),
            "target": [{"dueDate": item.target_date.isoformat()}] if item.target_date else [],
        }
    )


def care_plan(plan: Any) -> dict[str, Any]:
    activities = []
    for activity in plan.activities.all():
        detail: dict[str, Any] = {
            "status": activity.status,
            "description": activity.description,
            "scheduledString": f"due {activity.due_on.isoformat()}",
            "performer": [organisation_reference(activity.owner_organisation)],
        }
        if activity.code:
            detail["code"] = {
                "coding": [{"system": SNOMED, "code": activity.code, "display": activity.code_display}]
            }
        entry: dict[str, Any] = {"detail": detail}
        if activity.outcome:
            entry["progress"] = [{"text": activity.outcome}]
        if activity.referral_id:
            entry["reference"] = {"reference": f"ServiceRequest/{activity.referral.public_id}"}
            entry.pop("detail")
        activities.append(entry)
    notes = [{"text": f"Next review with the person: {plan.review_on.isoformat()}."}]
    if plan.enrolment_id:
        notes.append(
            {"text": f"From the {plan.enrolment.pathway} pathway (version {plan.enrolment.pathway_version})."}
        )
    return _drop_empty(
        {
            "resourceType": "CarePlan",
            "id": plan.public_id,
            "meta": _plan_meta(plan),
            "status": plan.status,
            "intent": "plan",
            "title": plan.title,
            "subject": subject(plan.patient.patient_id),
            "period": {"start": plan.created_at.date().isoformat()},
            "created": plan.created_at.isoformat(),
            "author": organisation_reference(plan.organisation),
            "goal": [{"reference": f"Goal/{g.public_id}"} for g in plan.goals.all()],
            "activity": activities,
            "note": notes,
        }
    )


def care_team_id(patient_id: str) -> str:
    return f"team-{patient_id}"


def care_team(patient: Any, members: list[Any], carers: list[Any]) -> dict[str, Any]:
    """A person's care team: partner organisations (and named users), the coordinator, and carers."""
    participants: list[dict[str, Any]] = []
    for member in members:
        role = member.role or "care team member"
        if member.coordinator:
            role = f"care coordinator ({role})"
        entry: dict[str, Any] = {
            "role": [{"text": role}],
            "member": organisation_reference(member.organisation),
            "period": _drop_empty(
                {
                    "start": member.start_date.isoformat(),
                    "end": member.end_date.isoformat() if member.end_date else None,
                }
            ),
        }
        if member.user_id:
            entry["member"] = {"display": member.user.get_full_name() or member.user.username}
            entry["onBehalfOf"] = organisation_reference(member.organisation)
        participants.append(entry)
    for carer in carers:
        who = subject(carer.carer_patient.patient_id) if carer.carer_patient_id else {"display": carer.name}
        participants.append(
            {
                "role": [{"text": f"{'unpaid ' if carer.unpaid else ''}carer ({carer.relationship})"}],
                "member": who,
                "period": _drop_empty(
                    {
                        "start": carer.start_date.isoformat(),
                        "end": carer.end_date.isoformat() if carer.end_date else None,
                    }
                ),
            }
        )
    return _drop_empty(
        {
            "resourceType": "CareTeam",
            "id": care_team_id(patient.patient_id),
            "meta": {"tag": [SYNTHETIC_TAG]} if patient.synthetic else {},
            "status": "active",
            "name": "Care team",
            "subject": subject(patient.patient_id),
            "participant": participants,
        }
    )
