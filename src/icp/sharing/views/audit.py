"""The IG lead's pages: the audit trail with filters and CSV export, and the break-glass review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.partnership.models import User
from icp.sharing import actions
from icp.sharing.audit_trail import CSV_COLUMNS, csv_rows, filter_events, ig_lead_icp, scoped_events
from icp.sharing.forms import AuditFilterForm, ReviewForm
from icp.sharing.models import BreakGlass, ReviewOutcome
from icp.sharing.views import current_user, forbidden
from icp.spreadsheet import csv_lines

# The most events the audit page's CSV streams while the IG lead waits; beyond it, the export job.
INLINE_LIMIT = 10_000


def _refuse(request: HttpRequest, user: User, action: EventType) -> HttpResponse:
    refusal = deny(
        action=action,
        by=user,
        reason="not an IG lead",
        message="Only an information-governance lead can see the audit trail.",
    )
    return forbidden(request, str(refusal))


@login_required
def audit_events(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The audit trail of the IG lead's ICP, filtered; `?format=csv` exports the filtered events."""
    user = current_user(request)
    icp = ig_lead_icp(user)
    export = request.GET.get("format") == "csv"
    if icp is None:
        return _refuse(request, user, EventType.AUDIT_EXPORT if export else EventType.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = filter_events(scoped_events(icp), data).order_by("-id")
    filters = {key: str(value) for key, value in data.items() if value}
    if export and events[INLINE_LIMIT : INLINE_LIMIT + 1].exists():
        # Too long to stream while the IG lead waits: the export job writes it in the background.
        messages.info(
            request,
            f"More than {INLINE_LIMIT:,} events match: narrow the filters, or start an audit trail export "
            "for the period from the background jobs page.",
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    if export:
        record(action=EventType.AUDIT_EXPORT, actor=user, detail={"icp": icp.code, "filters": filters})
        response = StreamingHttpResponse(
            csv_lines(CSV_COLUMNS, csv_rows(events)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="audit-{icp.code}-{timezone.localdate()}.csv"'
        )
        return response
    record(action=EventType.AUDIT_VIEW, actor=user, detail={"icp": icp.code, "filters": filters})
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sharing/audit.html",
        {
            "icp": icp,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filters": filters,
            "inline_limit": INLINE_LIMIT,
        },
    )


@login_required
def break_glass_review(request: HttpRequest) -> HttpResponse:
    """Every break glass on the IG lead's ICP's people, those awaiting review first."""
    user = current_user(request)
    icp = ig_lead_icp(user)
    if icp is None:
        return _refuse(request, user, EventType.BREAK_GLASS_LIST)
    if request.method == "POST":
        glass = get_object_or_404(BreakGlass.objects.select_related("patient"), pk=request.POST.get("glass"))
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                actions.review_break_glass(glass=glass, by=user, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as error:
                messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                return render(request, "sharing/forbidden.html", {"message": " ".join(messages)}, status=400)
            return redirect(request.path)
    overrides = (
        BreakGlass.objects.filter(patient__icp=icp)
        .select_related("user", "user__organisation", "patient", "reviewed_by")
        .order_by("review_outcome", "-started_at")
    )
    pending = [g for g in overrides if g.review_outcome == ReviewOutcome.PENDING]
    reviewed = [g for g in overrides if g.review_outcome != ReviewOutcome.PENDING]
    record(action=EventType.BREAK_GLASS_LIST, actor=user, detail={"icp": icp.code, "pending": len(pending)})
    return render(
        request,
        "sharing/break_glass_review.html",
        {
            "icp": icp,
            "pending": pending,
            "reviewed": reviewed[:100],
            "form": ReviewForm(),
            "now": timezone.now(),
        },
    )
