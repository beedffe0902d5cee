"""The agreement register (with its gaps), agreements made from templates, signing and withdrawal."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from icp.partnership.models import Area, home_icp
from icp.partnership.roles import AreaLevel
from icp.sharing import actions
from icp.sharing.forms import AgreementForm, TemplateChoiceForm, WithdrawForm
from icp.sharing.gaps import agreement_gaps
from icp.sharing.models import DataSharingAgreement
from icp.sharing.templates_data import agreement_templates
from icp.sharing.views import current_user, forbidden
from icp.sharing.vocabulary import DataCategory, Purpose


def _icp_for(request: HttpRequest) -> Area | None:
    user = current_user(request)
    code = request.GET.get("icp")
    if code and user.is_superuser:
        return Area.objects.filter(code=code, level=AreaLevel.ICP).first()
    return home_icp(user)


def _labels(values: list[str], choices: list[tuple[str, str]]) -> list[str]:
    names = dict(choices)
    return [names.get(v, v) for v in values]


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The ICP's agreements with their status today, and the pairs of partners with no agreement."""
    user = current_user(request)
    icp = _icp_for(request)
    if icp is None:
        return forbidden(request, "Your account is not linked to an ICP.")
    today = timezone.localdate()
    agreements = list(icp.sharing_agreements.prefetch_related("parties").order_by("-start_date", "reference"))
    rows = [
        {
            "agreement": a,
            "status": a.effective_status(today),
            "in_force": a.in_force(today),
            "purposes": _labels(a.purposes, Purpose.choices),
            "categories": _labels(a.categories, DataCategory.choices),
            "ends_soon": a.in_force(today)
            and a.end_date is not None
            and a.end_date <= today + timedelta(days=60),
        }
        for a in agreements
    ]
    return render(
        request,
        "sharing/register.html",
        {
            "icp": icp,
            "rows": rows,
            "gaps": agreement_gaps(icp, today),
            "can_govern": actions.can_govern(user, icp),
            "today": today,
        },
    )


@login_required
def new_agreement(request: HttpRequest) -> HttpResponse:
    """Step 1: choose a template. Step 2: check the pre-filled parties, purposes and dates; save a draft."""
    user = current_user(request)
    icp = _icp_for(request)
    if icp is None or not actions.can_govern(user, icp):
        return forbidden(request, "Only an IG lead or ICP manager of this ICP can draft agreements.")
    template = agreement_templates().get(request.GET.get("template", "") or request.POST.get("template", ""))
    if template is None:
        return render(
            request,
            "sharing/agreement_template.html",
            {
                "icp": icp,
                "form": TemplateChoiceForm(),
                # Each template by the title it gives this ICP's agreement, not by its code.
                "templates": [(t, t.title_for(icp)) for t in agreement_templates().values()],
            },
        )
    if request.method == "POST":
        form = AgreementForm(request.POST, icp=icp)
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = actions.create_agreement(
                    icp=icp,
                    title=data["title"],
                    parties=list(data["parties"]),
                    purposes=data["purposes"],
                    categories=data["categories"],
                    legal_basis=data["legal_basis"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    template=template.code,
                    by=user,
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect("sharing:agreement", pk=agreement.pk)
    else:
        start = timezone.localdate()
        form = AgreementForm(
            icp=icp,
            initial={
                "title": template.title_for(icp),
                "parties": template.default_parties(icp),
                "purposes": list(template.purposes),
                "categories": list(template.categories),
                "legal_basis": template.legal_basis,
                "start_date": start,
                "end_date": actions.add_months(start, template.months) - timedelta(days=1),
                "template": template.code,
            },
        )
    return render(request, "sharing/agreement_form.html", {"icp": icp, "form": form, "template": template})


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    agreement = get_object_or_404(DataSharingAgreement.objects.select_related("icp", "signed_by"), pk=pk)
    home = home_icp(user)
    if not user.is_superuser and (home is None or home.pk != agreement.icp_id):
        return forbidden(request, "This agreement belongs to another ICP.")
    governor = actions.can_govern(user, agreement.icp)
    error = ""
    if request.method == "POST" and governor:
        try:
            if request.POST.get("verb") == "sign":
                actions.sign_agreement(agreement=agreement, by=user)
            elif request.POST.get("verb") == "withdraw":
                withdraw = WithdrawForm(request.POST)
                if not withdraw.is_valid():
                    raise ValidationError({"reason": "Say why the agreement is withdrawn."})
                actions.withdraw_agreement(
                    agreement=agreement, reason=withdraw.cleaned_data["reason"], by=user
                )
            return redirect(reverse("sharing:agreement", kwargs={"pk": agreement.pk}))
        except (ValidationError, PermissionDenied) as failure:
            error = " ".join(failure.messages) if isinstance(failure, ValidationError) else str(failure)
    elif request.method == "POST":
        return forbidden(
            request, "Only an IG lead or ICP manager of this ICP can sign or withdraw agreements."
        )
    today = timezone.localdate()
    return render(
        request,
        "sharing/agreement.html",
        {
            "agreement": agreement,
            "status": agreement.effective_status(today),
            "parties": agreement.parties.order_by("type", "name"),
            "purposes": _labels(agreement.purposes, Purpose.choices),
            "categories": _labels(agreement.categories, DataCategory.choices),
            "can_govern": governor,
            "withdraw_form": WithdrawForm(),
            "error": error,
        },
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(request, "sharing/index.html", {"icp": home_icp(user)})
