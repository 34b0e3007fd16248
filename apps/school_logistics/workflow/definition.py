"""Approval flow definitions: steps with approvers, a mode, a condition, SLA, CC and edges.

A flow is data an admin edits. Each step is also a state of the document (its `state`, else
its label) with a docstatus, so the flow is a state graph: draft → steps → approved, where
approving follows `on_approve` (default: the next step in order), rejecting follows
`on_reject` (default: closed as rejected) unless the step allows no rejection, withdraw
closes, and "return" leads back to the requester or an earlier step. `graph` holds the edge
rules and the checks on them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from school_logistics.workflow import conditions
from school_logistics.workflow.graph import END, REJECTED, FlowError, check_graph, step_error

__all__ = ["END", "REJECTED", "Approver", "Flow", "FlowError", "Step", "parse_flow"]

# Labels marked for the catalogue; pages translate them when they show them.
APPROVER_TYPES = {
    "role": gettext_noop("角色"),
    "user": gettext_noop("指定成员"),
    "field": gettext_noop("单据字段中的成员"),
    "department_head": gettext_noop("申请部门负责人"),
    "department_head_superior": gettext_noop("申请部门负责人的上级"),
    # The head of a department named in the flow (政教处 for a student leaving early), whoever
    # asks: the requester cannot choose who signs.
    "named_department_head": gettext_noop("指定部门的负责人"),
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
# Names of the states a run closes or pauses in: a step's own state must not pose as one.
CLOSED_STATES = ("已通过", "已拒绝", "已退回", "已撤回")
MAX_STATE = 140  # Document.workflow_state
MAX_VERB = 20


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
    # Fields a rejection here empties as it sends the document back (a failed re-check takes
    # back the fixer's 整改完成日期: the hazard is open again, everywhere it is counted).
    clear_on_reject: tuple[str, ...] = ()
    # A date field of the document the step's tasks are due at the end of (a hazard's 整改期限),
    # instead of `sla_hours` after they open; empty, or no date in it: `sla_hours`.
    due_field: str = ""
    state: str = ""  # the document's workflow_state while it waits here; "" = the label
    approve_label: str = ""  # the verb on the approve button and in the trail; "" = 同意
    reject_label: str = ""  # the verb on the reject button and in the trail; "" = 拒绝
    on_approve: str = ""  # a step key, END, or "" = the next step in order
    on_reject: str = REJECTED  # REJECTED closes the run; a step key sends the document there
    # False: nobody here may reject (拒绝): a worker given a job cannot close it; they return
    # it (退回) to the step that gave it, or hand it over (转交).
    allow_reject: bool = True
    docstatus: int = 0  # 1: entering the step submits the document first

    @property
    def state_name(self) -> str:
        return self.state or self.label

    @property
    def verbs(self) -> dict[str, str]:
        """The step's own words by action code, only those it has (e.g. {"approve": "派工"})."""
        words = (("approve", self.approve_label), ("reject", self.reject_label))
        return {code: verb for code, verb in words if verb}


@dataclass(frozen=True)
class Flow:
    doctype: str
    steps: tuple[Step, ...]
    skip_repeated_approver: bool = True
    fallback_role: str = "sys_admin"
    approved_state: str = ""  # the final state's name; "" = 已通过 in the reader's language
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def step(self, key: str) -> Step:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)


# Builds the refusal for one place in the flow from what is wrong there (see graph.step_error).
At = Callable[[str], FlowError]


def _approvers(items: Any, at: At) -> tuple[Approver, ...]:
    if not isinstance(items, list):
        raise at(_("审批人应为列表"))
    result = []
    for item in items:
        if not isinstance(item, Mapping) or item.get("type") not in APPROVER_TYPES:
            raise at(_("不支持的审批人类型 %(item)s") % {"item": repr(item)})
        kind, value = item["type"], str(item.get("value") or "")
        if kind in {"role", "user", "field", "named_department_head"} and not value:
            raise at(_("%(type)s需要填写具体的值") % {"type": _(APPROVER_TYPES[kind])})
        result.append(Approver(kind, value))
    return tuple(result)


def _required(step: Mapping[str, Any], editable: tuple[str, ...], at: At) -> tuple[str, ...]:
    required = tuple(step.get("required_fields", ()))
    stray = [f for f in required if f not in editable]
    if stray:
        raise at(_("必填字段须是本步可编辑的字段：%(fields)s") % {"fields": "、".join(stray)})
    return required


def _text(value: Any, limit: int, what: str, at: At) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        raise at(_("%(what)s太长（最多 %(limit)s 字）") % {"what": what, "limit": limit})
    return text


def _state(step: Mapping[str, Any], at: At) -> str:
    state = _text(step.get("state"), MAX_STATE, _("状态名称"), at)
    if state in CLOSED_STATES:
        raise at(_("状态名称不能用“%(state)s”，它表示流程已结束") % {"state": state})
    return state


def _allow_reject(step: Mapping[str, Any], at: At) -> bool:
    allowed = step.get("allow_reject")
    if allowed is None or bool(allowed):
        return True
    # What a rejection would do here could never happen: say so rather than keep it unused.
    if step.get("reject_label") or str(step.get("on_reject") or REJECTED).strip() != REJECTED:
        raise at(_("此步不允许拒绝，不能设置拒绝按钮名称或拒绝后转到的步骤"))
    return False


def _docstatus(step: Mapping[str, Any], editable: tuple[str, ...], on_submit: Any, at: At) -> int:
    docstatus = step.get("docstatus", 0)
    if docstatus not in (0, 1) or isinstance(docstatus, bool):
        raise at(_("单据状态只能是 0（草稿）或 1（已提交）"))
    if docstatus == 1 and on_submit is not None:
        locked = [f for f in editable if f not in on_submit]
        if locked:
            problem = _("单据在此步已提交，这些字段提交后不允许修改，不能设为可编辑：%(fields)s")
            raise at(problem % {"fields": "、".join(locked)})
    return int(docstatus)


def _in_flow(problem: str) -> FlowError:
    return FlowError(_("%(where)s：%(problem)s") % {"where": _("流程"), "problem": problem})


def _approved_state(raw: Mapping[str, Any]) -> str:
    state = _text(raw.get("approved_state"), MAX_STATE, _("结束状态名称"), _in_flow)
    if state in CLOSED_STATES[1:]:
        raise FlowError(_("结束状态名称不能用“%(state)s”") % {"state": state})
    return state


def parse_flow(
    raw: Mapping[str, Any],
    fieldnames: set[str],
    user_fields: set[str],
    table_fields: frozenset[str] | set[str] = frozenset(),
    on_submit_fields: frozenset[str] | None = None,
) -> Flow:
    """Parse and check a flow; refuse empty flows, duplicate steps, steps nobody can act on and bad graphs.

    `user_fields` are the DocType's User fields: only those can name an approver.
    `table_fields` (child tables) may be editable in a step but never appear in a condition.
    `on_submit_fields` may still change once submitted: only those are editable in a step
    that submits the document (None: not checked, for callers without the DocType at hand).
    """
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise FlowError(_("审批流程至少需要一个审批步骤"))
    steps: list[Step] = []
    seen: set[str] = set()
    for n, s in enumerate(steps_raw, start=1):
        if not isinstance(s, Mapping):
            raise FlowError(_("第 %(n)s 步格式不正确") % {"n": n}, step=n)
        key = str(s.get("key") or "").strip()
        label = str(s.get("label") or "").strip()
        at = partial(step_error, n, label or key)
        if not key or not label:
            raise FlowError(_("第 %(n)s 步需要编码和名称") % {"n": n}, step=n)
        if key in seen:
            raise at(_("步骤编码重复"))
        seen.add(key)
        approvers = _approvers(s.get("approvers", []), at)
        if not approvers:
            raise at(_("没有审批人，流程会卡住"))
        for a in approvers:
            if a.type == "field" and a.value not in user_fields:
                raise at(_("字段“%(field)s”不是成员字段") % {"field": a.value})
        mode = s.get("mode", "any")
        if mode not in MODES:
            raise at(_("不支持的审批方式 %(mode)s") % {"mode": mode})
        overdue = s.get("overdue", "remind")
        if overdue not in OVERDUE_ACTIONS:
            raise at(_("不支持的超时处理 %(overdue)s") % {"overdue": overdue})
        if overdue == "escalate" and not s.get("escalate_to_role"):
            raise at(_("超时上报需要指定上报角色"))
        sla = s.get("sla_hours", 0)
        if not isinstance(sla, int) or sla < 0 or sla > 24 * 30:
            raise at(_("时限应为 0 到 720 小时"))
        try:
            conditions.validate(s.get("condition"), fieldnames)
        except conditions.ConditionError as exc:
            raise at(str(exc)) from exc
        editable = tuple(s.get("editable_fields", ()))
        unknown = [f for f in editable if f not in fieldnames and f not in table_fields]
        if unknown:
            raise at(_("可编辑字段不存在：%(fields)s") % {"fields": "、".join(unknown)})
        due_field = str(s.get("due_field") or "")
        if due_field and due_field not in fieldnames:
            raise at(_("期限字段不存在：%(field)s") % {"field": due_field})
        cleared = tuple(s.get("clear_on_reject", ()))
        unknown = [f for f in cleared if f not in fieldnames]
        if unknown:
            raise at(_("拒绝时清空的字段不存在：%(fields)s") % {"fields": "、".join(unknown)})
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
                cc=_approvers(s.get("cc", []), at),
                allow_self_approval=bool(s.get("allow_self_approval")),
                editable_fields=editable,
                required_fields=_required(s, editable, at),
                clear_on_reject=cleared,
                due_field=due_field,
                state=_state(s, at),
                approve_label=_text(s.get("approve_label"), MAX_VERB, _("同意按钮的名称"), at),
                reject_label=_text(s.get("reject_label"), MAX_VERB, _("拒绝按钮的名称"), at),
                on_approve=str(s.get("on_approve") or "").strip(),
                on_reject=str(s.get("on_reject") or REJECTED).strip(),
                allow_reject=_allow_reject(s, at),
                docstatus=_docstatus(s, editable, on_submit_fields, at),
            )
        )
    flow = Flow(
        doctype=str(raw.get("doctype") or ""),
        steps=tuple(steps),
        skip_repeated_approver=bool(raw.get("skip_repeated_approver", True)),
        fallback_role=str(raw.get("fallback_role") or "sys_admin"),
        approved_state=_approved_state(raw),
        raw=raw,
    )
    check_graph(flow)
    return flow
