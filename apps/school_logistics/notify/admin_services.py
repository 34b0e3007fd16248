"""A school admin's notification settings: the group-chat robot and the message templates."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from school_logistics.core.models import School, User
from school_logistics.core.permissions import is_admin
from school_logistics.core.validation import DocumentValidationError
from school_logistics.notify import messages
from school_logistics.notify.models import (
    ChatKind,
    ChatWebhook,
    MessageTemplate,
    refresh_notice_settings,
)


def check_admin(user: User, school: School | None) -> School:
    """Refuse anyone but an admin of this school (a user of no school has none); return it."""
    if school is None or not (is_admin(user) and school.pk in user.school_ids()):
        raise PermissionDenied(_("只有本校系统管理员可以修改通知设置"))
    return school


def save_chat_webhook(
    school: School, *, kind: str, url: str, active: bool, actor: User
) -> ChatWebhook:
    """Set the school's group-chat robot address (WeCom or DingTalk)."""
    check_admin(actor, school)
    if kind not in ChatKind.values:
        raise DocumentValidationError.single(_("请选择机器人类型"), "kind")
    try:
        URLValidator(schemes=["https", "http"])(url)
    except Exception as exc:  # noqa: BLE001  (Django raises ValidationError with its own text)
        raise DocumentValidationError.single(_("机器人地址不是有效的网址"), "url") from exc
    with transaction.atomic():
        hook, _created = ChatWebhook.objects.update_or_create(
            school=school, defaults={"kind": kind, "url": url, "is_active": active}
        )
    return hook


def save_template(
    school: School, event: str, subject: str, *, actor: User
) -> MessageTemplate | None:
    """Save an admin's wording for an event; an empty text goes back to the shipped wording."""
    check_admin(actor, school)
    if event not in messages.EVENTS:
        raise DocumentValidationError.single(_("未知的通知类型"), "event")
    subject = subject.strip()
    with transaction.atomic():
        if not subject:
            MessageTemplate.objects.filter(school=school, event=event).delete()
            refresh_notice_settings(school.pk)  # a queryset delete skips the model's own
            return None
        try:
            messages.check(subject)
        except messages.TemplateProblem as exc:
            raise DocumentValidationError.single(str(exc), "subject") from exc
        template, _created = MessageTemplate.objects.update_or_create(
            school=school, event=event, defaults={"subject": subject, "modified_by": actor}
        )
    return template


def save_templates(school: School, subjects: dict[str, str], *, actor: User) -> None:
    """Save the wording of several events at once; one bad box saves none and names its label.

    Errors are keyed `t_<event>` as the settings page names its boxes, so each shows by its box.
    """
    check_admin(actor, school)
    errors: dict[str, list[str]] = {}
    for event, text in subjects.items():
        if event not in messages.EVENTS:
            errors["__all__"] = [_("未知的通知类型")]
            continue
        if not text.strip():
            continue
        try:
            messages.check(text.strip())
        except messages.TemplateProblem as exc:
            label = _(messages.EVENTS[event][0])
            errors[f"t_{event}"] = [_("“%(label)s”：%(error)s") % {"label": label, "error": exc}]
    if errors:
        raise DocumentValidationError(errors)
    with transaction.atomic():
        for event, text in subjects.items():
            save_template(school, event, text, actor=actor)
