"""The approval trail of a document as people read it: on the page, on paper and in the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from school_logistics.core.models import Document

if TYPE_CHECKING:
    from school_logistics.workflow.models import ApprovalLog


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


# Translated when a trail is read, in the reader's language; the context keeps them apart
# from the same words on buttons ("同意" is "Approve" there, "Approved" here).
ACTION_LABELS = {
    "submit": pgettext_lazy("审批记录", "提交"),
    "resubmit": pgettext_lazy("审批记录", "重新提交"),
    "approve": pgettext_lazy("审批记录", "同意"),
    "reject": pgettext_lazy("审批记录", "拒绝"),
    "return": pgettext_lazy("审批记录", "退回"),
    "transfer": pgettext_lazy("审批记录", "转交"),
    "add_approver": pgettext_lazy("审批记录", "加签"),
    "withdraw": pgettext_lazy("审批记录", "撤回"),
    "cancel": pgettext_lazy("审批记录", "作废"),
    "urge": pgettext_lazy("审批记录", "催办"),
    "skip": pgettext_lazy("审批记录", "跳过"),
    "auto_approve": pgettext_lazy("审批记录", "自动通过"),
    "timeout_approve": pgettext_lazy("审批记录", "超时自动同意"),
    "remind": pgettext_lazy("审批记录", "超时提醒"),
    "escalate": pgettext_lazy("审批记录", "超时上报"),
    "fallback": pgettext_lazy("审批记录", "转交管理员"),
    "delegation_refused": pgettext_lazy("审批记录", "不适用代理"),
}
SYSTEM = gettext_noop("系统")


def _label(action: str) -> str:
    return str(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def _verb(log: ApprovalLog) -> str:
    """Return the step's own word for an approval or rejection (e.g. 派工), else ""."""
    if log.action not in ("approve", "reject") or not log.step:
        return ""
    from school_logistics.workflow.flows import flow_of

    try:
        step = flow_of(log.process.version).step(log.step)
    except KeyError:
        return ""
    return step.verbs.get(log.action, "")


def approval_trail(document: Document) -> list[TrailEntry]:
    """Return the document's approval trail, oldest first; empty when it has no workflow."""
    from school_logistics.workflow.flows import flow_text
    from school_logistics.workflow.models import ApprovalLog

    logs = (
        ApprovalLog.objects.filter(document=document)
        .select_related("actor", "on_behalf_of", "process__version__workflow")
        .prefetch_related("attachments")
        .order_by("created", "pk")
    )
    return [
        TrailEntry(
            step=flow_text(log.step_label),
            actor=log.actor.display_name if log.actor else _(SYSTEM),
            action=flow_text(_verb(log)) or _label(log.action),
            at=log.created,
            # The engine's own notes are stored in the source language, like step labels.
            comment=_(log.comment) if log.comment and log.actor_id is None else log.comment,
            on_behalf_of=log.on_behalf_of.display_name if log.on_behalf_of else "",
            attachments=tuple(
                (a.filename, f"/files/{a.token}/{a.filename}") for a in log.attachments.all()
            ),
        )
        for log in logs
    ]
