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


def approval_trail(document: Document) -> list[TrailEntry]:
    """Return the document's approval trail, oldest first; empty when it has no workflow."""
    return []
