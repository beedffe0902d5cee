"""Helpers shared by the governance pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from icp.partnership.models import User


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Log in first.")
    return user


def require(allowed: bool, message: str = "You do not have access to this page.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def add_action_errors(form: Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: field errors on their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def form_page(
    request: HttpRequest,
    form: Form,
    *,
    heading: str,
    back_url: str,
    intro: str = "",
    submit_label: str = "Save",
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "heading": heading,
        "back_url": back_url,
        "intro": intro,
        "submit_label": submit_label,
    }
    return render(request, "governance/form.html", context, status=400 if form.errors else 200)


def done(request: HttpRequest, text: str) -> None:
    messages.success(request, text)
