"""The user's away page: set or end a delegate for their approvals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import delegation


def _moment(value: str) -> object:
    parsed = parse_datetime(value.strip()) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@login_required
def away_page(request: HttpRequest) -> HttpResponse:
    """Show and set the user's away periods."""
    user: User = request.user  # type: ignore[assignment]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        starts, ends = (
            _moment(request.POST.get("starts", "")),
            _moment(request.POST.get("ends", "")),
        )
        if starts is None or ends is None:
            errors = {"starts": [_("请填写开始和结束时间")]}
        else:
            try:
                delegation.set_away(
                    user,
                    delegate=request.POST.get("delegate", ""),
                    starts=starts,  # type: ignore[arg-type]
                    ends=ends,  # type: ignore[arg-type]
                    actor=user,
                )
            except DocumentValidationError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("代理人已设置：期间的新审批将交给代理人处理"))
                return redirect("approvals:away")
    return render(
        request,
        "workflow/away.html",
        {
            "rows": delegation.current_and_future(user),
            "errors": errors,
            "posted": request.POST,
            "nav_approvals": True,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def end_away(request: HttpRequest, pk: int) -> HttpResponse:
    delegation.end_away(pk, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("代理已结束"))
    return redirect("approvals:away")
