"""The approval trail of a document as people read it: on the page, on paper and in the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from school_logistics.core.models import Document


@dataclass(frozen=True)
class TrailEntry:
    """One thing that happened on the approval route, in the order it happened."""

    step: str  # the step's label, e.g. "部门负责人审批"; "" for the requester's own actions
    actor: str  # display name of who acted (the delegate, when on_behalf_of is set)
    action: str  # label of the action, e.g. "同意", "拒绝", "退回", "提交", "自动通过"
    at: dt.datetime  # aware, UTC; shown in Asia/Shanghai
    comment: str = ""
    on_behalf_of: str = ""  # display name of the approver a delegate acted for
    attachments: tuple[tuple[str, str], ...] = ()  # (filename, url) of files given with it


ACTION_LABELS = {
    "submit": "提交",
    "resubmit": "重新提交",
    "approve": "同意",
    "reject": "拒绝",
    "return": "退回",
    "transfer": "转交",
    "add_approver": "加签",
    "withdraw": "撤回",
    "urge": "催办",
    "skip": "跳过",
    "auto_approve": "自动通过",
    "timeout_approve": "超时自动同意",
    "remind": "超时提醒",
    "escalate": "超时上报",
    "fallback": "转交管理员",
    "delegation_refused": "不适用代理",
}
SYSTEM = "系统"


def approval_trail(document: Document) -> list[TrailEntry]:
    """Return the document's approval trail, oldest first; empty when it has no workflow."""
    from school_logistics.workflow.models import ApprovalLog

    logs = (
        ApprovalLog.objects.filter(document=document)
        .select_related("actor", "on_behalf_of")
        .prefetch_related("attachments")
        .order_by("created", "pk")
    )
    return [
        TrailEntry(
            step=log.step_label,
            actor=log.actor.display_name if log.actor else SYSTEM,
            action=ACTION_LABELS.get(log.action, log.action),
            at=log.created,
            comment=log.comment,
            on_behalf_of=log.on_behalf_of.display_name if log.on_behalf_of else "",
            attachments=tuple(
                (a.filename, f"/files/{a.token}/{a.filename}") for a in log.attachments.all()
            ),
        )
        for log in logs
    ]
