"""Evaluation pages: the ICP's indicators (SPC), practice comparison (funnel), inequalities, the
quarterly committee report (HTML and tagged PDF) and the CSV downloads.

All aggregate and disclosure-controlled (read from the published tables): for anyone working in the
ICP or in the area above it. Each view is one audit event, with the purpose "planning".
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.text import slugify

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.evaluation import summary
from icp.evaluation.benefits import targets_for
from icp.evaluation.charts import funnel_svg, quintile_svg
from icp.evaluation.published import TABLES, catalogue, table
from icp.evaluation.report import report_pdf
from icp.partnership.models import Area, Organisation, User
from icp.partnership.roles import AreaLevel
from icp.sharing.vocabulary import Purpose
from icp.spreadsheet import safe_cell

PURPOSE = Purpose.PLANNING


def _may_see(user: User, icp: Area) -> bool:
    """People whose home is the ICP or an area above it (an LCG area's analyst sees its ICPs)."""
    if user.is_superuser:
        return True
    home = user.home_area
    return home is not None and (home.pk == icp.pk or home.pk in {a.pk for a in icp.ancestors()})


VIEW, DOWNLOAD = EventType.EVALUATION_VIEW, EventType.EVALUATION_DOWNLOAD


def _icp_or_refuse(request: HttpRequest, code: str, page: str) -> tuple[User, Area]:
    user = request.user
    assert isinstance(user, User)
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    if not _may_see(user, icp):
        reason = "Evaluation figures are for people working in this ICP or its area."
        raise deny(
            action=DOWNLOAD if page == "download" else VIEW,
            by=user,
            reason=reason,
            target=icp,
            purpose=PURPOSE,
            detail={"page": page},
        )
    return user, icp


@login_required
def indicators(request: HttpRequest, code: str) -> HttpResponse:
    user, icp = _icp_or_refuse(request, code, "indicators")
    charts, synthetic = summary.indicator_charts(icp.code, targets=targets_for(icp.code))
    record(action=VIEW, actor=user, target=icp, purpose=PURPOSE, detail={"page": "indicators"})
    return render(
        request,
        "evaluation/indicators.html",
        {"icp": icp, "charts": charts, "synthetic": synthetic, "tables": TABLES},
    )


@login_required
def practices(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    user, icp = _icp_or_refuse(request, code, "practices")
    if indicator not in catalogue():
        raise Http404("No such indicator")
    funnel = summary.practice_funnel(icp.code, indicator)
    scale = catalogue()[indicator].multiplier
    names = dict(Organisation.objects.filter(icp=icp).values_list("code", "name"))
    record(
        action=VIEW,
        actor=user,
        target=icp,
        purpose=PURPOSE,
        detail={"page": "practices", "indicator": indicator},
    )
    context = {
        "icp": icp,
        "info": catalogue()[indicator],
        "funnel": funnel,
        "svg": funnel_svg(funnel, element_id=f"funnel-{indicator}") if funnel else "",
        "rows": [
            (point, names.get(point.label, point.label), f"{point.rate * scale:,.2f}")
            for point in funnel.points
        ]
        if funnel
        else [],
        "target": f"{funnel.target * scale:,.2f}" if funnel else "",
        "not_shown": [(names.get(c, c), months) for c, months in funnel.not_shown] if funnel else [],
    }
    return render(request, "evaluation/practices.html", context)


@login_required
def inequalities(request: HttpRequest, code: str) -> HttpResponse:
    user, icp = _icp_or_refuse(request, code, "inequalities")
    found, synthetic = summary.inequalities(icp.code)
    record(action=VIEW, actor=user, target=icp, purpose=PURPOSE, detail={"page": "inequalities"})
    charts = [(entry, quintile_svg(entry, element_id=f"quintiles-{entry.info.id}")) for entry in found]
    return render(
        request, "evaluation/inequalities.html", {"icp": icp, "charts": charts, "synthetic": synthetic}
    )


def _report_context(icp: Area, quarter: str | None) -> dict[str, object]:
    label = quarter or summary.latest_quarter(icp.code)
    if label is None:
        return {"icp": icp, "quarter": None}
    try:
        first, last = summary.quarter_bounds(label)
    except ValueError as error:
        raise Http404(str(error)) from None
    charts, synthetic = summary.indicator_charts(icp.code, until=last, targets=targets_for(icp.code))
    found, _ = summary.inequalities(icp.code)
    totals = summary.quarter_totals(icp.code, label)
    return {
        "icp": icp,
        "quarter": label,
        "first": first,
        "last": last,
        "charts": charts,
        "summary_rows": [(item, totals.get(item.info.id, ("-", "-", "-"))) for item in charts],
        "inequalities": [(entry, quintile_svg(entry, element_id=f"q-{entry.info.id}")) for entry in found],
        "synthetic": synthetic,
    }


def report_document(icp: Area, quarter: str | None) -> tuple[str | None, str]:
    """The report's quarter and its printable HTML (what the PDF is laid out from), with no request:
    the background job that makes the PDF calls this. The quarter is None when none is published."""
    context = _report_context(icp, quarter)
    label = context["quarter"]
    if label is None:
        return None, ""
    return str(label), render_to_string("evaluation/report_document.html", context)


@login_required
def report(request: HttpRequest, code: str) -> HttpResponse:
    user, icp = _icp_or_refuse(request, code, "report")
    context = _report_context(icp, request.GET.get("quarter"))
    record(
        action=VIEW,
        actor=user,
        target=icp,
        purpose=PURPOSE,
        detail={"quarter": context["quarter"]},
    )
    return render(request, "evaluation/report.html", context)


@login_required
def report_as_pdf(request: HttpRequest, code: str) -> HttpResponse:
    user, icp = _icp_or_refuse(request, code, "report")
    context = _report_context(icp, request.GET.get("quarter"))
    if context["quarter"] is None:
        raise Http404("No quarter has been published for this ICP yet")
    html = render_to_string("evaluation/report_document.html", context, request=request)
    record(
        action=VIEW,
        actor=user,
        target=icp,
        purpose=PURPOSE,
        detail={"page": "report", "quarter": context["quarter"], "format": "pdf"},
    )
    response = HttpResponse(
        report_pdf(html, base_url=request.build_absolute_uri("/")), content_type="application/pdf"
    )
    name = slugify(f"{icp.code}-evaluation-{context['quarter']}")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def download(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """A published table's rows for the ICP as CSV: aggregate and already disclosure-controlled."""
    user, icp = _icp_or_refuse(request, code, "download")
    if name not in TABLES:
        raise Http404("No such table")
    rows = table(name, icp.code)
    record(
        action=DOWNLOAD,
        actor=user,
        target=icp,
        purpose=PURPOSE,
        detail={"table": name, "rows": len(rows)},
    )
    # Text cells go through the one rule that neutralises formulas (practice and indicator names are
    # text an administrator typed); numbers and dates keep pandas' own formatting.
    safe = rows.rename(columns=safe_cell).apply(lambda column: column.map(safe_cell))
    response = HttpResponse(safe.to_csv(index=False), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{icp.code}-{name}.csv"'
    return response
