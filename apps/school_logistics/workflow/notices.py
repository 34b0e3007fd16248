"""What the people on a route are told, and when: the workflow's side of notifications."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.notify.services import notify
from school_logistics.workflow.models import ApprovalProcess, ProcessStatus

FINISHED = {
    ProcessStatus.APPROVED: ("approved", "已通过"),
    ProcessStatus.REJECTED: ("rejected", "被拒绝"),
    ProcessStatus.RETURNED: ("returned", "被退回，请修改后重新提交"),
}


def _label(document: Document) -> str:
    meta = get_meta(document.doctype)
    title = f"（{document.title}）" if document.title else ""
    return f"{meta.label} {document.name}{title}"


def _url(document: Document) -> str:
    from school_logistics.core.views.doctypes import doctype_slug

    return reverse("desk:form", args=[doctype_slug(document.doctype), document.name])


def _send(users: Iterable[User], event: str, subject: str, document: Document) -> None:
    users = list(users)
    if users:
        notify(users, event, subject, document=document, url=_url(document))


def task_assigned(process: ApprovalProcess, users: Iterable[User]) -> None:
    document = process.document
    requester = process.requester.display_name
    _send(users, "task", f"待您审批：{requester}的{_label(document)}", document)


def copied(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(users, "cc", f"抄送给您：{_label(process.document)}", process.document)


def finished(process: ApprovalProcess, status: str) -> None:
    if status in FINISHED:
        event, words = FINISHED[status]
        _send(
            [process.requester], event, f"您的{_label(process.document)}{words}", process.document
        )


def urged(process: ApprovalProcess, users: Iterable[User]) -> None:
    requester = process.requester.display_name
    _send(users, "urge", f"{requester}催办：{_label(process.document)}", process.document)


def overdue(process: ApprovalProcess, users: Iterable[User]) -> None:
    _send(users, "overdue", f"审批已超时：{_label(process.document)}", process.document)
