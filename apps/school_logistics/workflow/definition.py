"""Approval flow definitions: ordered steps with approvers, a mode, a condition, SLA and CC.

A flow is data an admin edits. Each step is also a state of the document ("待<step>"), so the
flow is the state graph draft → step 1 → … → approved, with reject/withdraw leading to closed
states and "return" leading back to the requester or an earlier step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

from school_logistics.workflow import conditions

# Labels marked for the catalogue; pages translate them when they show them.
APPROVER_TYPES = {
    "role": gettext_noop("角色"),
    "user": gettext_noop("指定成员"),
    "field": gettext_noop("单据字段中的成员"),
    "department_head": gettext_noop("申请部门负责人"),
    "department_head_superior": gettext_noop("申请部门负责人的上级"),
}
MODES = {
    "any": gettext_noop("或签（一人同意即可）"),
    "all": gettext_noop("会签（需所有人同意）"),
    "sequential": gettext_noop("依次审批"),
}
OVERDUE_ACTIONS = {
    "remind": gettext_noop("提醒"),
    "escalate": gettext_noop("上报"),
    "auto_approve": gettext_noop("自动同意"),
}


class FlowError(ValueError):
    """A flow that cannot be saved; the message says what to fix, in Chinese."""


@dataclass(frozen=True)
class Approver:
    type: str
    value: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    approvers: tuple[Approver, ...]
    mode: str = "any"
    condition: Mapping[str, Any] | None = None
    sla_hours: int = 0
    overdue: str = "remind"
    escalate_to_role: str = ""
    cc: tuple[Approver, ...] = ()
    allow_self_approval: bool = False
    editable_fields: tuple[str, ...] = ()
    # Editable fields that must hold a value before the step can be approved.
    required_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    doctype: str
    steps: tuple[Step, ...]
    skip_repeated_approver: bool = True
    fallback_role: str = "sys_admin"
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def step(self, key: str) -> Step:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)


def _approvers(items: Any, where: str) -> tuple[Approver, ...]:
    if not isinstance(items, list):
        raise FlowError(f"{where}：审批人应为列表")
    result = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("type") not in APPROVER_TYPES:
            raise FlowError(f"{where}：不支持的审批人类型 {item!r}")
        kind, value = item["type"], str(item.get("value") or "")
        if kind in {"role", "user", "field"} and not value:
            raise FlowError(f"{where}：{APPROVER_TYPES[kind]}需要填写具体的值")
        result.append(Approver(kind, value))
    return tuple(result)


def _required(step: Mapping[str, Any], editable: tuple[str, ...], where: str) -> tuple[str, ...]:
    required = tuple(step.get("required_fields", ()))
    stray = [f for f in required if f not in editable]
    if stray:
        raise FlowError(f"{where}：必填字段须是本步可编辑的字段：{'、'.join(stray)}")
    return required


def parse_flow(
    raw: Mapping[str, Any],
    fieldnames: set[str],
    user_fields: set[str],
    table_fields: frozenset[str] | set[str] = frozenset(),
) -> Flow:
    """Parse and check a flow; refuse empty flows, duplicate steps and steps nobody can act on.

    `user_fields` are the DocType's User fields: only those can name an approver.
    `table_fields` (child tables) may be editable in a step but never appear in a condition.
    """
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise FlowError("审批流程至少需要一个审批步骤")
    steps: list[Step] = []
    seen: set[str] = set()
    for n, s in enumerate(steps_raw, start=1):
        if not isinstance(s, Mapping):
            raise FlowError(f"第 {n} 步格式不正确")
        key = str(s.get("key") or "").strip()
        label = str(s.get("label") or "").strip()
        where = f"第 {n} 步“{label or key}”"
        if not key or not label:
            raise FlowError(f"第 {n} 步需要编码和名称")
        if key in seen:
            raise FlowError(f"{where}：步骤编码重复")
        seen.add(key)
        approvers = _approvers(s.get("approvers", []), where)
        if not approvers:
            raise FlowError(f"{where}：没有审批人，流程会卡住")
        for a in approvers:
            if a.type == "field" and a.value not in user_fields:
                raise FlowError(f"{where}：字段“{a.value}”不是成员字段")
        mode = s.get("mode", "any")
        if mode not in MODES:
            raise FlowError(f"{where}：不支持的审批方式 {mode}")
        overdue = s.get("overdue", "remind")
        if overdue not in OVERDUE_ACTIONS:
            raise FlowError(f"{where}：不支持的超时处理 {overdue}")
        if overdue == "escalate" and not s.get("escalate_to_role"):
            raise FlowError(f"{where}：超时上报需要指定上报角色")
        sla = s.get("sla_hours", 0)
        if not isinstance(sla, int) or sla < 0 or sla > 24 * 30:
            raise FlowError(f"{where}：时限应为 0 到 720 小时")
        try:
            conditions.validate(s.get("condition"), fieldnames)
        except conditions.ConditionError as exc:
            raise FlowError(f"{where}：{exc}") from exc
        editable = tuple(s.get("editable_fields", ()))
        unknown = [f for f in editable if f not in fieldnames and f not in table_fields]
        if unknown:
            raise FlowError(f"{where}：可编辑字段不存在：{'、'.join(unknown)}")
        steps.append(
            Step(
                key=key,
                label=label,
                approvers=approvers,
                mode=mode,
                condition=s.get("condition") or None,
                sla_hours=sla,
                overdue=overdue,
                escalate_to_role=str(s.get("escalate_to_role") or ""),
                cc=_approvers(s.get("cc", []), where),
                allow_self_approval=bool(s.get("allow_self_approval")),
                editable_fields=editable,
                required_fields=_required(s, editable, where),
            )
        )
    return Flow(
        doctype=str(raw.get("doctype") or ""),
        steps=tuple(steps),
        skip_repeated_approver=bool(raw.get("skip_repeated_approver", True)),
        fallback_role=str(raw.get("fallback_role") or "sys_admin"),
        raw=raw,
    )
