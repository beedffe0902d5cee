"""Risk-stratification pages: a practice's case-finding worklist (and its CSV), a person's risk page,
and the ICP population page (aggregates only).

Identifiable rows are shown only when the access decision allows them for risk stratification
(`sharing.policy`); every view is one audit event saying what was shown, never the names.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from icp.audit.events import EventType
from icp.audit.log import deny, record
from icp.care import population
from icp.care.actions import review_worklist_entry
from icp.care.models import ReviewStatus, WorklistReview
from icp.care.worklist import WorklistFilter, filter_form_choices, worklist_queryset
from icp.partnership.models import Area, Organisation, User, home_icp
from icp.partnership.roles import AreaLevel, OrganisationType, UserRole
from icp.patients.models import PatientIndex, RiskResult, RiskRun
from icp.patients.risk_lookup import risk_of
from icp.sharing.banner import patient_banner
from icp.sharing.policy import decide_many, planning_opt_outs, readable
from icp.sharing.pseudonyms import pseudonym
from icp.sharing.refusals import summarise
from icp.sharing.rules import purposes_for
from icp.sharing.vocabulary import DataCategory, Purpose
from icp.spreadsheet import csv_lines
from icp.stratify import frailty
from icp.stratify.explain import charlson_labels, deficit_labels
from icp.stratify.features import feature_words

PAGE_SIZE = 50
PURPOSE = Purpose.RISK_STRATIFICATION
CATEGORY = DataCategory.CONDITIONS


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _may_use_worklist(user: User, practice: Organisation) -> bool:
    """The practice's own clinicians, or an ICP analyst of the practice's ICP; the decision does the rest."""
    if PURPOSE not in purposes_for(user.role):
        return False
    if user.organisation_id == practice.pk:
        return True
    home = home_icp(user)
    return user.role == UserRole.ANALYST and home is not None and home.pk == practice.icp_id


def _pseudonymised(user: User, practice: Organisation) -> bool:
    """An analyst sees another organisation's list only as pseudonyms: case finding by name is direct care."""
    return user.organisation_id != practice.pk


def _allowed_rows(
    user: User, results: list[RiskResult], practice: Organisation
) -> tuple[list[RiskResult], int]:
    """The rows this user may see: by name where the access decision allows (one decision per person,
    audited by the caller); as pseudonyms for an analyst, leaving out people who opted out of planning.
    """
    if _pseudonymised(user, practice):
        opted_out = planning_opt_outs(practice.icp)
        shown_rows = [r for r in results if r.patient.patient_id not in opted_out.patient_ids]
        return shown_rows, len(results) - len(shown_rows)
    return readable(user, results, lambda result: result.patient, PURPOSE, CATEGORY)


def _latest_reviews(patients: list[int]) -> dict[int, WorklistReview]:
    latest: dict[int, WorklistReview] = {}
    for review in WorklistReview.objects.filter(patient_id__in=patients).select_related("reviewed_by"):
        latest.setdefault(review.patient_id, review)  # ordered newest first
    return latest


def _practice_or_refuse(request: HttpRequest, code: str, action: EventType) -> tuple[User, Organisation]:
    user = _user(request)
    practice = get_object_or_404(Organisation, code=code, type=OrganisationType.GP_PRACTICE)
    if not _may_use_worklist(user, practice):
        raise deny(
            action=action,
            by=user,
            target=practice,
            purpose=PURPOSE,
            reason="Only the practice's own clinicians, or an analyst of its ICP, may see its worklist.",
        )
    return user, practice


@login_required
def worklist(request: HttpRequest, code: str) -> HttpResponse:
    user, practice = _practice_or_refuse(request, code, EventType.WORKLIST_VIEW)
    chosen = WorklistFilter.from_query(request.GET)
    queryset = worklist_queryset(practice, chosen)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows, hidden = _allowed_rows(user, list(page.object_list), practice)
    pseudonymised = _pseudonymised(user, practice)
    reviews = {} if pseudonymised else _latest_reviews([r.patient_id for r in rows])
    record(
        action=EventType.WORKLIST_VIEW,
        actor=user,
        target=practice,
        purpose=PURPOSE,
        detail={
            "filters": chosen.as_dict(),
            "page": page.number,
            "shown": [r.patient.patient_id for r in rows],
            "hidden_by_access_decision": hidden,
            "pseudonymised": pseudonymised,
        },
        subjects=[r.patient.patient_id for r in rows],
    )
    context = {
        "practice": practice,
        "page": page,
        "pseudonymised": pseudonymised,
        "rows": [(r, reviews.get(r.patient_id), pseudonym(r.patient.patient_id)) for r in rows],
        "hidden": hidden,
        "total": page.paginator.count,
        "filters": chosen,
        "choices": filter_form_choices(),
        "query": chosen.query_string(),
        "all_query": dataclasses.replace(chosen, not_reviewed=False).query_string(),
        "own_practice": user.organisation_id == practice.pk,
        "run": RiskRun.objects.filter(icp_id=practice.icp_id).first(),
        "review_statuses": ReviewStatus.choices,
    }
    return render(request, "care/worklist.html", context)


@login_required
def worklist_csv(request: HttpRequest, code: str) -> StreamingHttpResponse:
    user, practice = _practice_or_refuse(request, code, EventType.WORKLIST_EXPORT)
    chosen = WorklistFilter.from_query(request.GET)
    rows, hidden = _allowed_rows(user, list(worklist_queryset(practice, chosen)), practice)
    pseudonymised = _pseudonymised(user, practice)
    reviews = {} if pseudonymised else _latest_reviews([r.patient_id for r in rows])
    record(
        action=EventType.WORKLIST_EXPORT,
        actor=user,
        target=practice,
        purpose=PURPOSE,
        detail={
            "filters": chosen.as_dict(),
            "rows": len(rows),
            "people": [r.patient.patient_id for r in rows],
            "hidden_by_access_decision": hidden,
            "pseudonymised": pseudonymised,
        },
        subjects=[r.patient.patient_id for r in rows],
    )

    header = [
        "rank",
        "pseudonym" if pseudonymised else "patient_id",
        "national_id",
        "name",
        "age",
        "sex",
        "tier",
        "model_risk",
        "efi",
        "efi_category",
        "hfrs",
        "charlson",
        "registers",
        "why",
        "review",
        "synthetic",
    ]

    def lines() -> Any:
        for r in rows:
            review = reviews.get(r.patient_id)
            yield (
                [
                    r.risk_rank,
                    *(
                        (pseudonym(r.patient.patient_id), "", "")
                        if pseudonymised
                        else (
                            r.patient.patient_id,
                            r.patient.national_id,
                            f"{r.patient.given_name} {r.patient.family_name}".strip(),
                        )
                    ),
                    r.age,
                    r.sex,
                    r.get_tier_display(),
                    "" if r.model_risk is None else f"{r.model_risk:.4f}",
                    f"{r.detail.efi_score:.3f}",
                    r.efi_category,
                    f"{r.detail.hfrs_score:.1f}",
                    r.detail.charlson_score,
                    " ".join(r.detail.registers),
                    r.reasons,
                    review.get_status_display() if review else "",
                    "yes" if r.synthetic else "no",
                ]
            )

    response = StreamingHttpResponse(csv_lines(header, lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="worklist-{practice.code}.csv"'
    return response


@login_required
@require_POST
def review(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = _user(request)
    patient = get_object_or_404(PatientIndex, patient_id=patient_id)
    # The run the review answers: the ICP's latest, without reading the person's risk before the
    # action's access decision has been made.
    run = RiskRun.objects.filter(icp_id=patient.icp_id).first()
    try:
        review_worklist_entry(
            patient=patient,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            run_id=run.run_id if run else "",
            by=user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    back = request.POST.get("next", "")
    if back.startswith("/care/"):
        return redirect(back)
    return redirect("care:person-risk", patient_id=patient.patient_id)


@login_required
def person_risk(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = _user(request)
    decisions = decide_many(
        user,
        patient_id[:64],
        PURPOSE,
        [DataCategory.DEMOGRAPHICS, CATEGORY],
        action=EventType.RISK_PERSON_VIEW,
    )
    decision = decisions[CATEGORY]
    if not decision.allowed:
        return render(
            request,
            "care/risk_denied.html",
            {"reason": decision.reason, "refusals": summarise([decision])},
            status=403,
        )
    patient = get_object_or_404(PatientIndex.objects.select_related("practice", "icp"), patient_id=patient_id)
    result = risk_of(patient)
    context = {
        "patient": patient,
        "banner": patient_banner(user, patient, decisions.values(), page="care:person-risk"),
        "result": result,
        "deficits": deficit_labels(result.detail.efi_deficit_list) if result else [],
        "charlson": charlson_labels(result.detail.charlson_categories) if result else [],
        "hfrs_codes": population.hfrs_code_rows(result.detail.hfrs_codes) if result else [],
        "factors": [
            (feature_words(f.split("=")[0]), f.split("=")[1])
            for f in (result.detail.risk_factors if result else [])
        ],
        "reviews": WorklistReview.objects.filter(patient=patient).select_related("reviewed_by")[:10],
        "review_statuses": ReviewStatus.choices,
        "efi_minimum_age": frailty.EFI_MINIMUM_AGE,
        "hfrs_minimum_age": frailty.HFRS_MINIMUM_AGE,
    }
    return render(request, "care/person_risk.html", context)


def _population_icp_or_refuse(user: User, code: str) -> Area:
    """The ICP whose population figures are asked for, if the user works in it (or is a superuser)."""
    icp = get_object_or_404(Area, code=code, level=AreaLevel.ICP)
    home = home_icp(user)
    if not (user.is_superuser or (home is not None and home.pk == icp.pk)):
        raise deny(
            action=EventType.POPULATION_VIEW,
            by=user,
            target=icp,
            purpose=PURPOSE,
            reason="Population figures are for people working in this ICP.",
        )
    return icp


@login_required
def icp_population(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    icp = _population_icp_or_refuse(user, code)

    def worklist_of(practice: Organisation) -> str | None:
        return reverse("care:worklist", args=[practice.code]) if _may_use_worklist(user, practice) else None

    summary = population.summarise(icp, practice_link=worklist_of)
    record(
        action=EventType.POPULATION_VIEW,
        actor=user,
        target=icp,
        purpose=Purpose.PLANNING,
        detail={"people": summary.people},
    )
    return render(request, "care/population.html", {"icp": icp, "summary": summary})


@login_required
def pyramid_svg(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    icp = _population_icp_or_refuse(user, code)
    summary = population.summarise(icp)
    return HttpResponse(population.pyramid_svg(summary), content_type="image/svg+xml")
