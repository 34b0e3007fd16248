"""Away periods: while a user is away, their new approval tasks go to a delegate."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow.models import Delegation
from school_logistics.workflow.routing import school_users

MAX_AWAY = dt.timedelta(days=90)


def set_away(
    user: User, *, delegate: str, starts: dt.datetime, ends: dt.datetime, actor: User
) -> Delegation:
    """Record an away period; only the user themself may set it."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("只能为自己设置代理人"))
    errors: dict[str, list[str]] = {}
    target = (
        school_users(user.school).filter(username=delegate.strip()).first() if user.school else None
    )
    if target is None:
        errors["delegate"] = [_("找不到本校在职成员")]
    elif target.pk == user.pk:
        errors["delegate"] = [_("代理人不能是自己")]
    if ends <= starts:
        errors["ends"] = [_("结束时间应晚于开始时间")]
    elif ends - starts > MAX_AWAY:
        errors["ends"] = [_("一次最长代理 90 天")]
    elif ends <= timezone.now():
        errors["ends"] = [_("结束时间已过")]
    if errors or target is None:  # no target is one of the errors
        raise DocumentValidationError(errors)
    with transaction.atomic():
        return Delegation.objects.create(user=user, delegate=target, starts=starts, ends=ends)


def end_away(delegation_id: int, *, actor: User) -> None:
    """End an away period now (the user is back early)."""
    with transaction.atomic():
        found = Delegation.objects.select_for_update().filter(pk=delegation_id, user=actor).first()
        if found is None:
            raise PermissionDenied(_("没有找到这条代理设置"))
        now = timezone.now()
        if found.ends > now:
            found.ends = max(now, found.starts)
            found.save(update_fields=["ends"])


def current_and_future(user: User) -> list[Delegation]:
    return list(
        Delegation.objects.filter(user=user, ends__gt=timezone.now())
        .select_related("delegate")
        .order_by("starts")
    )
