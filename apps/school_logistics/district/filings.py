"""招标备案 (招标文件报教育局备案): once a tender is decided, 总务处 files it with the bureau; a
bureau user who looks after the school reads its papers (the tender and its voucher) and
accepts the filing or sends it back with what to correct, and the school files it again."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.models import Comment, Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import form_url
from school_logistics.district.access import bureau_users, schools_of
from school_logistics.district.models import FilingStatus, TenderFiling
from school_logistics.notify.services import notify

TENDER = "Tender"


def _context(tender: Document, who: str, action: str) -> dict[str, str]:
    return {
        "doctype": get_meta(TENDER).label,
        "name": tender.name,
        "title": tender.title,
        "title_part": f"（{tender.title}）" if tender.title else "",
        "requester": who,
        "amount": "",
        "step": "",
        "action": action,
    }


def _record(tender: Document, text: str, actor: User) -> None:
    Comment.objects.create(document=tender, actor=actor, content=text)


def file_tender(name: str, *, actor: User) -> TenderFiling:
    """File a decided tender with the bureau (again, once a returned filing is corrected)."""
    meta = get_meta(TENDER)
    tender = permissions.get_document(actor, meta, name, "submit")
    if tender.docstatus != DocStatus.SUBMITTED:
        raise DocumentStateError(_("招标/询价定标后才能报送备案"))
    bureau = list(bureau_users(tender.school_id))
    if not bureau:
        raise DocumentStateError(_("没有负责本校的教育局账号，无法报送备案"))
    now = timezone.now()
    with transaction.atomic():
        filing = TenderFiling.objects.select_for_update().filter(tender=tender).first()
        if filing is not None and filing.status != FilingStatus.RETURNED:
            raise DocumentStateError(_("已报送备案（%(s)s）") % {"s": filing.get_status_display()})
        again = filing is not None
        if filing is None:
            filing = TenderFiling(school_id=tender.school_id, tender=tender)
        filing.status, filing.filed_by, filing.filed_at = FilingStatus.FILED, actor, now
        filing.save()
        # The filing row holds the latest state; the tender's timeline keeps every turn.
        _record(tender, _("补正后再次报送教育局备案") if again else _("报送教育局备案"), actor)
        who = f"{tender.school.name}{actor.display_name}"
        notify(bureau, "filing", _context(tender, who, ""), document=tender,
               url=reverse("district:filings"))  # fmt: skip
    return filing


def review(pk: int, *, actor: User, accept: bool, note: str = "") -> TenderFiling:
    """Accept a filing (已备案) or send it back with what to correct (退回补正)."""
    schools = {s.pk for s in schools_of(actor)}
    note = note.strip()
    if not accept and not note:
        raise DocumentValidationError({"note": [_("退回补正请写明需要补正的内容")]})
    with transaction.atomic():
        filing = (
            TenderFiling.objects.select_for_update()
            .select_related("tender", "filed_by")
            .filter(pk=pk)
            .first()
        )
        if filing is None or filing.school_id not in schools:
            raise PermissionDenied(_("没有审查这份备案的权限"))
        if filing.status != FilingStatus.FILED:
            raise DocumentStateError(
                _("这份备案已处理（%(s)s）") % {"s": filing.get_status_display()}
            )
        filing.status = FilingStatus.ACCEPTED if accept else FilingStatus.RETURNED
        filing.reviewed_by, filing.reviewed_at, filing.note = actor, timezone.now(), note
        filing.save()
        said = _("教育局同意备案") if accept else _("教育局退回补正")
        _record(filing.tender, f"{said}：{note}" if note else said, actor)
        action = _("已备案") if accept else _("被退回补正：%(n)s") % {"n": note}
        tender = filing.tender
        notify([filing.filed_by], "filing_reviewed", _context(tender, actor.display_name, action),
               document=tender, url=form_url(get_meta(TENDER), tender.name))  # fmt: skip
    return filing
