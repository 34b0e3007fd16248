"""Approval and printing through the API, under Frappe's own method names where Frappe has them.

`frappe.model.workflow.get_transitions` / `apply_workflow` keep Frappe scripts working; the
other approval actions and the inbox have documented `school_logistics.approvals.*` names.
Every call goes to the same workflow and printing services the desk uses.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from school_logistics.api import client, errors
from school_logistics.api.handler import Call
from school_logistics.api.serialize import doc_to_dict, input_values
from school_logistics.core import permissions
from school_logistics.core.models import Document
from school_logistics.workflow import actions, handover, inbox, requester
from school_logistics.workflow.flows import task_step
from school_logistics.workflow.models import ApprovalProcess, ApprovalTask, TaskStatus

# Action names accepted by apply_workflow: Frappe-style English, our codes, and the labels.
ACTIONS = {
    "approve": "approve",
    "同意": "approve",
    "reject": "reject",
    "拒绝": "reject",
    "return": "return",
    "退回": "return",
    "submit": "start",
    "submit for approval": "start",
    "提交审批": "start",
    "resubmit": "start",
    "重新提交": "start",
    "withdraw": "withdraw",
    "撤回": "withdraw",
}
LABELS = {
    "approve": "同意",
    "reject": "拒绝",
    "return": "退回",
    "start": "提交审批",
    "withdraw": "撤回",
}


def _arg(call: Call, name: str) -> Any:
    value = call.arg(name)
    if value in (None, ""):
        raise errors.ValidationError(_("缺少参数：%(name)s") % {"name": name})
    return value


def _document(call: Call) -> Document:
    """Return the document named by `doc` ({doctype, name}) or by `doctype` + `name`."""
    doc = call.arg("doc")
    if isinstance(doc, dict):
        doctype, name = doc.get("doctype"), doc.get("name")
    else:
        doctype, name = call.arg("doctype"), call.arg("name")
    if not doctype or not name:
        raise errors.ValidationError(_("请提供单据类型和编号（doc 或 doctype、name）"))
    meta = client.resolve(doctype)
    return permissions.get_document(call.user, meta, str(name))


def _process(document: Document) -> ApprovalProcess | None:
    return ApprovalProcess.objects.filter(document=document, is_current=True).first()


def _my_task(document: Document, call: Call) -> ApprovalTask | None:
    return (
        ApprovalTask.objects.filter(
            document=document, assignee=call.user, status=TaskStatus.PENDING
        )
        .select_related("process__version__workflow")
        .first()
    )


def get_transitions(call: Call) -> list[dict[str, Any]]:
    """List the approval actions this user may take on the document now."""
    document = _document(call)
    process = _process(document)
    state = document.workflow_state
    found: list[str] = []
    labels = dict(LABELS)
    task = _my_task(document, call)
    if task:
        step = task_step(task)
        found += ["approve", "reject"] if step.allow_reject else ["approve"]
        if document.docstatus == 0:  # a submitted document never goes back to its requester
            found.append("return")
        labels.update(step.verbs)
    if process is None or process.status in ("returned", "withdrawn"):
        meta = client.resolve(document.doctype)
        if document.docstatus == 0 and permissions.has_permission(
            call.user, meta, "submit", document
        ):
            found.append("start")
    elif requester.can_withdraw(process, document, call.user):
        found.append("withdraw")
    return [{"action": labels[a], "action_code": a, "state": state} for a in found]


def apply_workflow(call: Call) -> dict[str, Any]:
    """Take an approval action (同意/拒绝/退回/提交审批/撤回, or a step's own verb such as 派工)."""
    document = _document(call)
    wanted = str(_arg(call, "action")).strip()
    code = ACTIONS.get(wanted.lower())
    if code is None and (task := _my_task(document, call)) is not None:
        code = next((c for c, verb in task_step(task).verbs.items() if verb == wanted), None)
    if code is None:
        raise errors.ValidationError(_("不支持的审批操作：%(a)s") % {"a": call.arg("action")})
    comment = str(call.arg("comment") or "")
    doctype, name = document.doctype, document.name
    # Frappe's apply_workflow saves the doc it is given with the transition: here with 提交审批,
    # and with 同意 at a step that asks for fields (the service refuses a change to any other;
    # a client echoing the whole document changes nothing).
    given = call.arg("doc")
    values = input_values(client.resolve(doctype), given) if isinstance(given, dict) else {}
    if code == "start" and values:
        actions.save_and_start(doctype, name, values, actor=call.user, comment=comment)
    elif code == "start":
        actions.start_approval(doctype, name, actor=call.user, comment=comment)
    elif code == "withdraw":
        requester.withdraw(doctype, name, actor=call.user, comment=comment)
    else:
        task = _my_task(document, call)
        if task is None:
            raise errors.PermissionError_(_("此单据当前没有您的审批任务"))
        if code == "approve" and values and task_step(task).editable_fields:
            approve = functools.partial(actions.approve, task.pk, actor=call.user, comment=comment)
            actions.fill_then(document, values, actor=call.user, decide=approve)
        elif code == "approve":
            actions.approve(task.pk, actor=call.user, comment=comment)
        elif code == "reject":
            actions.reject(task.pk, actor=call.user, comment=comment)
        else:
            actions.return_for_revision(
                task.pk, actor=call.user, comment=comment, to_step=str(call.arg("to_step") or "")
            )
    document.refresh_from_db()
    return doc_to_dict(client.resolve(doctype), document)


def _task_of(call: Call) -> ApprovalTask:
    task = _my_task(_document(call), call)
    if task is None:
        raise errors.PermissionError_(_("此单据当前没有您的审批任务"))
    return task


def transfer(call: Call) -> dict[str, str]:
    task = _task_of(call)
    handover.transfer(
        task.pk,
        actor=call.user,
        to_user=str(_arg(call, "user")),
        comment=str(call.arg("comment") or ""),
    )
    return {"status": "ok"}


def add_approver(call: Call) -> dict[str, str]:
    task = _task_of(call)
    handover.add_approver(
        task.pk,
        actor=call.user,
        user=str(_arg(call, "user")),
        position=str(call.arg("position") or "before"),
        comment=str(call.arg("comment") or ""),
    )
    return {"status": "ok"}


def urge(call: Call) -> dict[str, str]:
    document = _document(call)
    requester.urge(document.doctype, document.name, actor=call.user)
    return {"status": "ok"}


MAX_INBOX_PAGE = 200


def inbox_list(call: Call) -> dict[str, Any]:
    """The user's inbox: one tab's rows plus the count of every tab."""
    tab = str(call.arg("tab") or "todo")
    if tab not in inbox.TABS:
        raise errors.ValidationError(_("tab 应为 %(tabs)s 之一") % {"tabs": "、".join(inbox.TABS)})
    filters = inbox.Filters(
        doctype=str(call.arg("doctype") or ""), search=str(call.arg("search") or "")[:60]
    )
    # Paged as Frappe's lists are: limit_start rows skipped, then limit_page_length of them.
    start = client.int_arg(call.arg("limit_start"), "limit_start", 0)
    length = client.int_arg(call.arg("limit_page_length"), "limit_page_length", inbox.PAGE)
    if not 0 < length <= MAX_INBOX_PAGE:
        raise errors.ValidationError(
            _("limit_page_length 应在 1 到 %(n)s 之间") % {"n": MAX_INBOX_PAGE}
        )
    rows = inbox.rows(call.user, tab, filters, limit=length, offset=start)
    return {
        "counts": inbox.counts(call.user),
        "rows": [
            {
                "doctype": r.document.doctype,
                "name": r.document.name,
                "title": r.document.title,
                "requester": r.document.owner.username,
                "grand_total": r.document.grand_total,
                "workflow_state": r.document.workflow_state,
                "task": r.task.pk if r.task else None,
                "step": r.task.step_label if r.task else "",
                "due_at": r.task.due_at if r.task else None,
            }
            for r in rows
        ],
    }


def trail(call: Call) -> list[dict[str, Any]]:
    from school_logistics.workflow.trail import approval_trail

    return [
        {
            "step": e.step,
            "actor": e.actor,
            "action": e.action,
            "at": e.at,
            "comment": e.comment,
            "on_behalf_of": e.on_behalf_of,
        }
        for e in approval_trail(_document(call))
    ]


def download_pdf(call: Call) -> HttpResponse:
    """Frappe's download_pdf: the document's voucher as a PDF (the print is logged)."""
    from school_logistics.printing.pdf import CJKFontMissing
    from school_logistics.printing.sandbox import PrintTemplateError
    from school_logistics.printing.services import print_document

    document = _document(call)
    try:
        result = print_document(
            document,
            actor=call.user,
            output="pdf",
            format_name=call.arg("format") or None,
            base_url=call.request.build_absolute_uri("/"),
        )
    except (PrintTemplateError, CJKFontMissing) as exc:
        raise errors.ValidationError(str(exc)) from exc
    response = HttpResponse(result.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
