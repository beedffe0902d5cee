"""The subject-access page: the IG lead of a person's ICP downloads their record and access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from icp.audit.events import EventType
from icp.audit.log import deny
from icp.patients.models import PatientIndex
from icp.sharing import subject_access
from icp.sharing.policy import SUBJECT_ACCESS, decide_subject_access
from icp.sharing.views import current_user, forbidden


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_page(request: HttpRequest, patient_id: str) -> HttpResponse:
    """GET: what the export holds, and the button. POST: the file (JSON), audited."""
    user = current_user(request)
    if not PatientIndex.objects.filter(patient_id=patient_id).exists():
        raise Http404("No record with that id is available to you.")
    if request.method == "POST":
        try:
            produced = subject_access.export(patient_id=patient_id, by=user)
        except PermissionDenied as refused_export:
            return forbidden(request, str(refused_export))
        response = HttpResponse(produced.as_json(), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{produced.filename}"'
        return response
    patient, decisions = decide_subject_access(user, patient_id)
    refused = next((d for d in decisions.values() if not d.allowed), None)
    if patient is None or refused is not None:
        refusal = deny(
            action=EventType.SUBJECT_ACCESS_EXPORT,
            by=user,
            target_type="patient",
            target_id=patient_id[:64],
            patient_ref=patient_id[:64],
            purpose=SUBJECT_ACCESS,
            reason=refused.reason if refused else "unknown person",
        )
        return forbidden(request, str(refusal))
    return render(request, "sharing/subject_access.html", {"patient": patient})
