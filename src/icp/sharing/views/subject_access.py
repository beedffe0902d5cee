"""The subject-access page: the IG lead of a person's ICP starts the export of their record and access
log, which runs as a background job (`icp.jobs`, kind subject_access) and is downloaded from its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from icp.patients.models import PatientIndex
from icp.sharing import subject_access
from icp.sharing.views import current_user, forbidden


@login_required
@require_GET
def subject_access_page(request: HttpRequest, patient_id: str) -> HttpResponse:
    """What the export holds, and the button that starts it (a POST to the jobs page)."""
    user = current_user(request)
    if not PatientIndex.objects.filter(patient_id=patient_id).exists():
        raise Http404("No record with that id is available to you.")
    try:
        patient, _ = subject_access.check(patient_id=patient_id, by=user)
    except PermissionDenied as refusal:
        return forbidden(request, str(refusal))
    return render(request, "sharing/subject_access.html", {"patient": patient})
