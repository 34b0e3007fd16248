"""A button on one document that starts another (生成入库单, 申请报销, 按合同入库, 发起询价): run
the service, and open what it made, or go back saying why it was refused."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from school_logistics.core.models import Document
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError, refusal_text
from school_logistics.core.views.doctypes import form_url


def start_from(
    request: HttpRequest,
    start: Callable[[], Document],
    *,
    back_url: str,
    done: Callable[[Document], str],
) -> HttpResponse:
    """`start` makes the new draft; `done` says what was made and what to do with it."""
    try:
        made = start()
    except (DocumentStateError, DocumentValidationError) as exc:
        messages.error(request, refusal_text(exc))
        return redirect(back_url)
    messages.success(request, done(made))
    return redirect(form_url(get_meta(made.doctype), made.name))
