"""食堂收支公示 (校务公开): finance makes a closed month of the canteen's account public, or
withdraws it (撤回) to correct it.

A published month keeps its figures: what is booked for it afterwards shows as a correction
in the month it is booked in (see ledger.canteen). A month is withdrawn only while no later
month is public, since a later month's 累计结余 — and any correction it carries — stand on it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.canteen.models import PublishedMonth
from school_logistics.core.models import User
from school_logistics.ledger import canteen
from school_logistics.ledger.canteen import MonthAccount


class PublishRefused(Exception):
    """The month cannot be published or withdrawn; nothing changed."""


def published_months(school_id: int) -> dict[str, PublishedMonth]:
    """The school's public months: month → its notice."""
    notices = PublishedMonth.objects.filter(school_id=school_id).select_related("published_by")
    return {p.month: p for p in notices}


def published_at(notices: dict[str, PublishedMonth]) -> dict[str, dt.datetime]:
    return {month: p.published_at for month, p in notices.items()}


def school_accounts(school_id: int, notices: dict[str, PublishedMonth]) -> list[MonthAccount]:
    """The canteen's accounts as published: a late row of a public month is a correction."""
    return canteen.accounts(school_id, published=published_at(notices))


def publish_month(school_id: int, month: str, *, actor: User) -> PublishedMonth:
    """Make a closed month of the canteen's account public."""
    with transaction.atomic():
        notices = _locked(school_id)
        if month in notices:
            return notices[month]
        if month >= timezone.localdate().strftime("%Y-%m"):
            raise PublishRefused(_("%(m)s 尚未结账，月份结束后才能公示") % {"m": month})
        if month not in {a.month for a in school_accounts(school_id, notices)}:
            raise PublishRefused(_("%(m)s 食堂账上没有收支") % {"m": month})
        return PublishedMonth.objects.create(school_id=school_id, month=month, published_by=actor)


def withdraw_month(school_id: int, month: str, *, actor: User) -> None:
    """Withdraw a month's notice, unless a later month is public on top of it."""
    with transaction.atomic():
        later = sorted(m for m in _locked(school_id) if m > month)
        if later:
            raise PublishRefused(
                _("%(later)s 已公示，其累计结余含 %(m)s：不能再撤回 %(m)s，更正将计入入账当月")
                % {"later": "、".join(later), "m": month}
            )
        PublishedMonth.objects.filter(school_id=school_id, month=month).delete()


def _locked(school_id: int) -> dict[str, PublishedMonth]:
    """The school's notices, locked so that a publish and a withdrawal take turns."""
    notices = PublishedMonth.objects.select_for_update().filter(school_id=school_id)
    return {p.month: p for p in notices}
