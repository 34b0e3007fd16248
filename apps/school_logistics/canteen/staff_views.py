"""持证上岗: a canteen worker's health certificate said expired (已过期) or due within a month
(即将到期) on the worker's page and, for the canteen, on its home page — whenever it is read,
for a date goes by without anyone saving the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.views.doctypes import form_url, list_url

STAFF = "Canteen Staff"
# A certificate ending within this many days is due for renewal: time to book the checkup.
DUE_DAYS = 30
# The home page names this many workers at most; it counts the rest.
SHOWN = 8


@dataclass(frozen=True)
class CertState:
    """Where a health certificate stands today."""

    expiry: dt.date
    days_left: int  # negative once expired

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def label(self) -> str:
        return _("已过期") if self.expired else _("即将到期")

    @property
    def style(self) -> str:
        return "danger" if self.expired else "warning"

    @property
    def detail(self) -> str:
        if self.expired:
            return _("%(d)s 到期，已过期 %(n)s 天") % {"d": self.expiry, "n": -self.days_left}
        if self.days_left == 0:
            return _("%(d)s 到期，今天到期") % {"d": self.expiry}
        return _("%(d)s 到期，还有 %(n)s 天") % {"d": self.expiry, "n": self.days_left}


def cert_state(expiry: object, today: dt.date) -> CertState | None:
    """The state of a certificate ending on `expiry` (ISO text or a date), or None while it
    has more than DUE_DAYS to run (or no date)."""
    try:
        day = expiry if isinstance(expiry, dt.date) else dt.date.fromisoformat(str(expiry)[:10])
    except ValueError:
        return None
    days_left = (day - today).days
    return CertState(day, days_left) if days_left <= DUE_DAYS else None


def health_cert_panel(request: HttpRequest, meta: Meta, document: Document | None) -> str:
    """On a worker's page: a certificate expired, or due within a month, and what to do."""
    if meta.name != STAFF or document is None:
        return ""
    state = cert_state(document.data.get("health_cert_expiry"), timezone.localdate())
    if state is None:
        return ""
    return render_to_string("canteen/_health_cert.html", {"state": state}, request=request)


@dataclass(frozen=True)
class DueWorker:
    name: str
    staff_name: str
    post: str
    state: CertState
    url: str


def due_workers(school_id: int, today: dt.date) -> list[DueWorker]:
    """The school's workers whose certificate has expired or ends within DUE_DAYS, soonest
    first (expired ones at the top)."""
    meta = get_meta(STAFF)
    until = (today + dt.timedelta(days=DUE_DAYS)).isoformat()
    # Dates are stored as ISO text, which sorts as they do.
    rows = (
        Document.objects.filter(
            doctype=STAFF, school_id=school_id, data__health_cert_expiry__lte=until
        )
        .order_by("data__health_cert_expiry", "name")
        .values_list("name", "data")
    )
    found = []
    for name, data in rows:
        state = cert_state(data.get("health_cert_expiry"), today)
        if state is not None:
            found.append(
                DueWorker(
                    name,
                    data.get("staff_name") or name,
                    data.get("post") or "",
                    state,
                    form_url(meta, name),
                )
            )
    return found


def health_cert_home_panel(request: HttpRequest) -> str:
    """On the home page of whoever keeps the workers' records: whose certificate has expired
    or is due, so that no one works without one."""
    user: User = request.user  # type: ignore[assignment]
    if not user.school_id or not permissions.has_permission(user, get_meta(STAFF), "write"):
        return ""
    workers = due_workers(user.school_id, timezone.localdate())
    if not workers:
        return ""
    context = {
        "workers": workers[:SHOWN],
        "more": len(workers) - SHOWN,
        "expired": sum(1 for w in workers if w.state.expired),
        "due": sum(1 for w in workers if not w.state.expired),
        # The list, the certificates ending first at the top.
        "list_url": f"{list_url(get_meta(STAFF))}?sort=health_cert_expiry&order=asc",
    }
    return render_to_string("canteen/_health_certs_home.html", context, request=request)
