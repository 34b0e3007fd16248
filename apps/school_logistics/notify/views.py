"""Notification pages: the bell's list, the user's channels, and the admin's settings."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core.models import Role, School, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.notify import admin_services, messages, reminders, services
from school_logistics.notify.models import (
    ChatKind,
    ChatWebhook,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    Notification,
    Preference,
)

PAGE = 50


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; opening the page does not mark them read."""
    user: User = request.user  # type: ignore[assignment]
    rows = (
        Notification.objects.filter(user=user)
        .annotate(settled=ExpressionWrapper(services.settled(user), output_field=BooleanField()))
        .order_by("-created")[:PAGE]
    )
    pref = Preference.objects.filter(user=user).first() or Preference(user=user)
    return render(request, "notify/list.html", {"rows": rows, "pref": pref})


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to its document."""
    user: User = request.user  # type: ignore[assignment]
    n = Notification.objects.filter(user=user, pk=pk).first()
    if n is None:
        return redirect("notify:list")
    services.mark_read(user, [n.pk])
    return redirect(n.url or "notify:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user)  # type: ignore[arg-type]
    flash.success(request, _("已全部标为已读"))
    return redirect("notify:list")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    services.set_preference(
        request.user,  # type: ignore[arg-type]
        email=request.POST.get("email") == "1",
        chat=request.POST.get("chat") == "1",
    )
    flash.success(request, _("通知方式已保存"))
    return redirect("notify:list")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The school admin's page: group-chat robot, message wording, date reminders, failed
    sends."""
    user: User = request.user  # type: ignore[assignment]
    school = admin_services.check_admin(user, user.school)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            _save_settings(request, user, school)
        except DocumentValidationError as exc:
            errors = exc.errors
        else:
            flash.success(request, _("通知设置已保存"))
            return redirect("notify:settings")
    custom = dict(MessageTemplate.objects.filter(school=school).values_list("event", "subject"))
    templates = [
        {
            "event": e,
            "what": _(what),
            "shipped": shipped,
            "custom": request.POST.get(f"t_{e}", custom.get(e, "")),
            "errors": errors.get(f"t_{e}", []),
        }
        for e, (what, shipped) in messages.EVENTS.items()
    ]
    failed = (
        Delivery.objects.filter(status=DeliveryStatus.FAILED, notification__user__school=school)
        .select_related("notification__user")
        .order_by("-pk")[:100]
    )
    return render(
        request,
        "notify/settings.html",
        {
            "hook": ChatWebhook.objects.filter(school=school).first(),
            "kinds": ChatKind.choices,
            "templates": templates,
            "sample": messages.sample_context(),
            "failed": failed,
            "errors": errors,
            "reminders": reminders.rules(school),
            "remindable": [
                (m, reminders.date_fields(m), reminders.user_fields(m))
                for m in reminders.remindable()
            ],
            "roles": Role.objects.all(),
            "posted": request.POST if request.POST.get("form") == "reminder" else {},
        },
        status=400 if errors else 200,
    )


def _save_settings(request: HttpRequest, user: User, school: School) -> None:
    form = request.POST.get("form")
    if form == "chat":
        admin_services.save_chat_webhook(
            school,
            kind=request.POST.get("kind", ""),
            url=request.POST.get("url", "").strip(),
            active=request.POST.get("active") == "1",
            actor=user,
        )
    elif form == "templates":
        admin_services.save_templates(
            school,
            {event: request.POST.get(f"t_{event}", "") for event in messages.EVENTS},
            actor=user,
        )
    elif form == "reminder":
        reminders.save_reminder(school, request.POST, actor=user)
    elif form == "reminder_delete":
        pk = request.POST.get("pk", "")
        reminders.delete_reminder(school, int(pk) if pk.isdigit() else 0, actor=user)
    elif form == "retry":
        ids = [int(i) for i in request.POST.getlist("delivery") if i.isdigit()]
        allowed = Delivery.objects.filter(pk__in=ids, notification__user__school=school)
        services.retry_failed(allowed.values_list("pk", flat=True))
