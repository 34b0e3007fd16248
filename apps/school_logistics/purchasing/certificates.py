"""索证登记: a supplier is chosen (定标, 签订合同) or delivers (验收入库) only while its
certificates on file are valid; its page says whether they are valid, expiring or expired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from school_logistics.core.meta import Meta
from school_logistics.core.models import Document

# A certificate expiring within this many days is shown as 即将到期 (time to ask for the new one).
EXPIRING_DAYS = 30


def suppliers_data(names: set[str], school_id: int) -> dict[str, dict[str, Any]]:
    """Return the stored data of the school's suppliers named, in one query."""
    if not names:
        return {}
    qs = Document.objects.filter(doctype="Supplier", school_id=school_id, name__in=names)
    return {d.name: d.data for d in qs.only("name", "data")}


def problem_of(supplier: str, data: dict[str, Any], on: dt.date, day: str) -> str | None:
    """Why the supplier (its stored `data`) may not be chosen or deliver on `day` (开标日,
    签订日, 入库日): no certificates on file, or some expired by then; None when all are valid."""
    name = data.get("supplier_name") or supplier
    certificates = data.get("certificates") or []
    if not certificates:
        return _("供应商“%(s)s”没有登记证照，请先索证登记") % {"s": name}
    expired = [
        f"{c.get('cert_type')}（{_('有效期至')} {c.get('valid_until')}）"
        for c in certificates
        if c.get("valid_until") and c["valid_until"] < on.isoformat()
    ]
    if not expired:
        return None
    return _("供应商“%(s)s”的证照在%(day)s %(d)s 已过期：%(list)s") % {
        "s": name,
        "day": day,
        "d": on.isoformat(),
        "list": "、".join(expired),
    }


def certificate_problem(school_id: int, supplier: str, on: dt.date, day: str) -> str | None:
    """`problem_of` a supplier of the school, read by its name."""
    data = suppliers_data({supplier}, school_id).get(supplier, {})
    return problem_of(supplier, data, on, day)


def certificate_status(data: dict[str, Any], today: dt.date) -> tuple[str, str]:
    """Return the (label, badge style) of a supplier's certificates on `today`: 证照有效,
    即将到期 (within EXPIRING_DAYS), 证照过期, or 未索证 when none is on file."""
    certificates = data.get("certificates") or []
    if not certificates:
        return pgettext("certificates", "未索证"), "draft"
    days = sorted(c["valid_until"] for c in certificates if c.get("valid_until"))
    if not days:  # on file, none with an end date
        return pgettext("certificates", "证照有效"), "approved"
    first = days[0]
    if first < today.isoformat():
        return pgettext("certificates", "证照过期"), "rejected"
    if first <= (today + dt.timedelta(days=EXPIRING_DAYS)).isoformat():
        return pgettext("certificates", "即将到期"), "returned"
    return pgettext("certificates", "证照有效"), "approved"


def supplier_status(meta: Meta, doc: Document) -> tuple[str, str] | None:
    """The supplier list's 状态: its certificates (extensions.record_statuses)."""
    if meta.name != "Supplier":
        return None
    return certificate_status(doc.data, timezone.localdate())


def certificate_rows(data: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """Each certificate on file with its own (label, style), first to expire first."""
    rows = []
    for c in sorted(data.get("certificates") or [], key=lambda c: c.get("valid_until") or ""):
        label, style = certificate_status({"certificates": [c]}, today)
        rows.append({**c, "status": label, "style": style})
    return rows
