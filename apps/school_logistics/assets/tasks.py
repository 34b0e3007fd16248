"""Background jobs of the 校产 app, run by the scheduler (`run_scheduler`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from school_logistics.assets.services import LOAN
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import form_url
from school_logistics.notify.models import Notification
from school_logistics.notify.services import notify

EVENT = "loan_overdue"


def remind_overdue_loans(now: dt.datetime | None = None) -> int:
    """Remind each borrower of a loan past its due date, once a day; return how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    late = Document.objects.filter(
        doctype=LOAN,
        docstatus=DocStatus.SUBMITTED,
        data__returned_on=None,
        data__due_date__lt=today.isoformat(),
    ).exclude(
        pk__in=Notification.objects.filter(event=EVENT, created__gte=start).values("document_id")
    )
    label = get_meta(LOAN).label
    sent = 0
    for loan in late.select_related("school"):
        borrower = User.objects.filter(
            school_id=loan.school_id, username=loan.data.get("borrower"), is_active=True
        ).first()
        if borrower is None:
            continue
        context = {
            "doctype": label,
            "name": loan.name,
            "title": loan.title,
            "title_part": f"（{loan.title}）" if loan.title else "",
            "requester": borrower.display_name,
            "amount": "",
            "step": loan.workflow_state,
            "action": "归还",
        }
        with transaction.atomic():
            notify(
                [borrower], EVENT, context, document=loan, url=form_url(get_meta(LOAN), loan.name)
            )
        sent += 1
    return sent


# Hourly: a loan falls due at midnight; each is reminded once a day.
PERIODIC_JOBS = [(remind_overdue_loans, 60)]
