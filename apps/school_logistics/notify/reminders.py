"""到期提醒: a school's admin names a date field of a kind of document (a supplier's certificate
expiry, a canteen worker's health certificate, a contract's end) and how many days ahead to
remind whom, and whether to remind again every few days; the scheduler then reminds them once
for each date, or once each turn of those days until the date is renewed or a month past."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.meta import DocField, Meta
from school_logistics.core.models import DocType, Document, Role, School, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import doctype_exists, get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import form_url
from school_logistics.notify.admin_services import check_admin
from school_logistics.notify.models import DateReminder, DateReminderSent
from school_logistics.notify.services import notify

EVENT = "date_due"
DATE_TYPES = ("Date", "Datetime")
MAX_DAYS = 365
MAX_REPEAT_DAYS = 90
# A date that passed before anyone was reminded of it (a rule made since) is still reminded
# within this many days: it says how long ago it was.
GRACE_DAYS = 30
# A repeating rule keeps reminding of a date still unchanged this long after it (a health
# certificate that lapsed: weekly until renewed), however late it was entered.
REPEAT_REACH_DAYS = 365


def date_fields(meta: Meta) -> list[DocField]:
    return [f for f in meta.value_fields if f.fieldtype in DATE_TYPES]


def user_fields(meta: Meta) -> list[DocField]:
    return [f for f in meta.value_fields if f.fieldtype == "User"]


def remindable() -> list[Meta]:
    """Every kind of document with a date field, by label."""
    names = DocType.objects.filter(istable=False).values_list("name", flat=True)
    metas = [get_meta(n) for n in names]
    return sorted((m for m in metas if date_fields(m)), key=lambda m: m.label)


@dataclass(frozen=True)
class Rule:
    """A reminder as a page shows it: what, when, to whom."""

    reminder: DateReminder
    doctype: str
    field: str
    to: str

    @property
    def repeats(self) -> str:
        days = self.reminder.repeat_days
        return _("，之后每 %(n)s 天再提醒") % {"n": days} if days else ""


def rules(school: School) -> list[Rule]:
    roles = {r.code: r.display_label for r in Role.objects.all()}
    found = []
    for r in DateReminder.objects.filter(school=school).order_by("doctype", "date_field"):
        meta = get_meta(r.doctype) if doctype_exists(r.doctype) else None
        date = meta.get_field(r.date_field) if meta else None
        user = meta.get_field(r.user_field) if meta and r.user_field else None
        to = [roles.get(r.role, r.role) if r.role else "", user.label if user else ""]
        if r.notify_owner:
            to.append(_("创建人"))
        found.append(
            Rule(
                r,
                meta.label if meta else r.doctype,
                date.label if date else r.date_field,
                "、".join(t for t in to if t),
            )
        )
    return found


def save_reminder(school: School, values: dict[str, Any], *, actor: User) -> DateReminder:
    """Add a reminder, or change the one for the same date field; refuse a bad one, saving
    nothing."""
    check_admin(actor, school)
    errors: dict[str, list[str]] = {}
    doctype, _sep, fieldname = str(values.get("date") or "").partition("|")
    meta = get_meta(doctype) if doctype and doctype_exists(doctype) else None
    if meta is None or fieldname not in {f.fieldname for f in date_fields(meta)}:
        errors["date"] = [_("请选择要提醒的日期")]
    days = str(values.get("days_before") or "").strip()
    if not days.isdigit() or int(days) > MAX_DAYS:
        errors["days_before"] = [_("提前天数应为 0 到 %(max)s 之间的整数") % {"max": MAX_DAYS}]
    repeat = str(values.get("repeat_days") or "0").strip()
    if not repeat.isdigit() or int(repeat) > MAX_REPEAT_DAYS:
        errors["repeat_days"] = [
            _("重复提醒间隔应为 0 到 %(max)s 之间的整数（0 为只提醒一次）")
            % {"max": MAX_REPEAT_DAYS}
        ]
    role = str(values.get("role") or "")
    if role and not Role.objects.filter(code=role).exists():
        errors["role"] = [_("没有这个角色")]
    user_doctype, _sep, user_field = str(values.get("user_field") or "").partition("|")
    if user_field and (
        meta is None
        or user_doctype != meta.name
        or user_field not in {f.fieldname for f in user_fields(meta)}
    ):
        errors["user_field"] = [_("提醒的人员字段须是所选单据的字段")]
    owner = bool(values.get("notify_owner"))
    if not (role or user_field or owner):
        errors["role"] = [_("请至少选择一类提醒对象")]
    if errors or meta is None:
        raise DocumentValidationError(errors)
    with transaction.atomic():
        reminder, _created = DateReminder.objects.update_or_create(
            school=school,
            doctype=meta.name,
            date_field=fieldname,
            defaults={
                "days_before": int(days),
                "role": role,
                "user_field": user_field,
                "notify_owner": owner,
                "repeat_days": int(repeat),
                "is_active": True,
                "modified_by": actor,
            },
        )
    return reminder


def delete_reminder(school: School, pk: int, *, actor: User) -> None:
    check_admin(actor, school)
    DateReminder.objects.filter(school=school, pk=pk).delete()


def _due(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _when(due: dt.date, today: dt.date) -> str:
    days = (due - today).days
    if days > 0:
        return _("还有 %(n)s 天") % {"n": days}
    if days == 0:
        return _("今天到期")
    return _("已过期 %(n)s 天") % {"n": -days}


def remind_due_dates(now: dt.datetime | None = None) -> int:
    """Remind of each date that has come within its reminder's days; return how many."""
    today = timezone.localdate(now or timezone.now())
    sent = 0
    for reminder in DateReminder.objects.filter(is_active=True).select_related("school"):
        if doctype_exists(reminder.doctype):
            sent += _remind(reminder, get_meta(reminder.doctype), today)
    return sent


def _remind(reminder: DateReminder, meta: Meta, today: dt.date) -> int:
    field = meta.get_field(reminder.date_field)
    if field is None:
        return 0
    key = f"data__{field.fieldname}"
    reach = REPEAT_REACH_DAYS if reminder.repeat_days else GRACE_DAYS
    earliest = today - dt.timedelta(days=reach)
    # Dates and times are stored as ISO text, which sorts as they do.
    documents = Document.objects.filter(
        doctype=meta.name,
        school=reminder.school,
        docstatus=DocStatus.SUBMITTED if meta.is_submittable else DocStatus.DRAFT,
        **{
            f"{key}__gte": earliest.isoformat(),
            f"{key}__lt": (today + dt.timedelta(days=reminder.days_before + 1)).isoformat(),
        },
    ).select_related("owner")
    # Only the reminders of dates still in reach: not every one ever sent, each hour.
    done = set(reminder.sent.filter(due__gte=earliest).values_list("document_id", "due", "turn"))
    by_role = (
        list(
            User.objects.filter(
                school=reminder.school, roles__code=reminder.role, is_active=True
            ).distinct()
        )
        if reminder.role
        else []
    )
    count = 0
    for document in documents:
        due = _due(document.data.get(field.fieldname))
        if due is None:
            continue
        turn = _turn(reminder, due, today)
        if (document.pk, due, turn) in done:
            continue
        people = [*by_role, *_named(reminder, document)]
        context = {
            "doctype": meta.label,
            "name": document.name,
            "title": document.title,
            "title_part": f"（{document.title}）" if document.title else "",
            "requester": document.owner.display_name,
            "amount": "",
            "step": f"{field.label} {due.isoformat()}",
            "action": _when(due, today),
        }
        try:
            with transaction.atomic():
                DateReminderSent.objects.create(
                    reminder=reminder, document=document, due=due, turn=turn
                )
                notify(people, EVENT, context, document=document, url=form_url(meta, document.name))
        except IntegrityError:
            continue  # another scheduler reminded of it just now
        count += 1
    return count


def _turn(reminder: DateReminder, due: dt.date, today: dt.date) -> int:
    """Which repeat of the reminder today is: the days since reminding began (its days before
    the date), in steps of its repeat; 0 for a reminder given once."""
    if not reminder.repeat_days:
        return 0
    began = due - dt.timedelta(days=reminder.days_before)
    return max((today - began).days, 0) // reminder.repeat_days


def _named(reminder: DateReminder, document: Document) -> list[User]:
    """The document's creator and the user its field names, where the reminder says so."""
    people = [document.owner] if reminder.notify_owner and document.owner.is_active else []
    username = document.data.get(reminder.user_field) if reminder.user_field else None
    if username:
        people += User.objects.filter(
            school_id=document.school_id, username=username, is_active=True
        )
    return people
