"""Admins edit approval flows in the browser: check a whole flow, save it as a new version, try it.

Saving never edits a version: it adds one, so documents already running keep theirs. A school's
admin saves into the school's own flow (created on first save from the shared default); only a
superuser changes the shared default, which then stops following the shipped file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from school_logistics.core.meta import NUMERIC_TYPES, Meta
from school_logistics.core.models import Department, DocType, Role, School, User
from school_logistics.core.permissions import ADMIN_ROLE
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.workflow import conditions
from school_logistics.workflow.definition import (
    APPROVER_TYPES,
    END,
    MODES,
    OVERDUE_ACTIONS,
    REJECTED,
    At,
    Flow,
    FlowError,
    Step,
)
from school_logistics.workflow.flows import parse_for
from school_logistics.workflow.graph import step_error
from school_logistics.workflow.models import Workflow, WorkflowVersion
from school_logistics.workflow.routing import PlannedStep, plan_route, school_users

# Keys end up in task and log rows (60 characters) and in URLs of "return to step".
STEP_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,59}$")
MAX_STEPS = 30
MAX_LABEL = 140
STEP_KEYS = (
    "key",
    "label",
    "approvers",
    "mode",
    "condition",
    "sla_hours",
    "overdue",
    "escalate_to_role",
    "cc",
    "allow_self_approval",
    "editable_fields",
    "required_fields",
    "state",
    "approve_label",
    "reject_label",
    "on_approve",
    "on_reject",
    "allow_reject",
    "docstatus",
    "clear_on_reject",
    "due_field",
)
# Step keys left out of the saved JSON when they hold their default, so flows stay short.
STEP_DEFAULTS = {
    "state": "",
    "approve_label": "",
    "reject_label": "",
    "on_approve": "",
    "on_reject": "rejected",
    "allow_reject": True,
    "docstatus": 0,
}
VALUELESS_OPS = {"is set", "is not set"}
ORDER_OPS = {">", ">=", "<", "<="}


@dataclass
class FlowSummary:
    """One DocType's flow as the flows list shows it to an admin of a school."""

    meta: Meta
    workflow: Workflow | None
    latest: WorkflowVersion | None
    own: bool  # the school's own flow rather than the shared default


# ---- permission -----------------------------------------------------------------------------


def can_edit_flows(user: User, school: School | None) -> bool:
    """Return whether the user may change flows of the school (None: the shared default)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if school is None or ADMIN_ROLE not in user.role_codes():
        return False
    return school.pk in user.school_ids()


def check_can_edit(user: User, school: School | None) -> None:
    """Raise PermissionDenied unless the user administers the school's flows."""
    if not can_edit_flows(user, school):
        if school is None:
            raise PermissionDenied(_("只有超级管理员可以修改共享的默认审批流程"))
        raise PermissionDenied(_("只有本校的系统管理员可以修改审批流程"))


# ---- reading --------------------------------------------------------------------------------


def flow_meta(doctype: str) -> Meta:
    """Return the meta of a DocType that can carry a flow, else raise FlowError."""
    try:
        meta = get_meta(doctype)
    except Http404 as exc:
        raise FlowError(_("没有这种单据类型：%(doctype)s") % {"doctype": doctype}) from exc
    if not meta.is_submittable or meta.istable:
        raise FlowError(_("“%(label)s”不需要提交，不能配置审批流程") % {"label": meta.label})
    return meta


def editable_workflow(doctype: str, school: School | None) -> tuple[Workflow | None, bool]:
    """Return the flow an admin of the school edits (own, else the shared default) and if own."""
    if school is not None:
        own = Workflow.objects.filter(doctype=doctype, school=school).first()
        if own is not None:
            return own, True
    default = Workflow.objects.filter(doctype=doctype, school__isnull=True).first()
    return default, school is None and default is not None


def latest_version(workflow: Workflow | None) -> WorkflowVersion | None:
    if workflow is None:
        return None
    return workflow.versions.select_related("created_by").order_by("-number").first()


def flow_summaries(school: School | None) -> list[FlowSummary]:
    """Return every submittable DocType with the flow its school runs on."""
    names = DocType.objects.filter(is_submittable=True, istable=False).values_list(
        "name", flat=True
    )
    rows = []
    for name in names:
        workflow, own = editable_workflow(name, school)
        rows.append(FlowSummary(get_meta(name), workflow, latest_version(workflow), own))
    return rows


# ---- checking -------------------------------------------------------------------------------


def _int_hours(value: Any, at: At) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        if not text.isdigit():
            raise at(_("时限应为 0 到 720 小时"))
        return int(text)
    return 0 if value is None else value


def normalize(raw: Any, doctype: str) -> dict[str, Any]:
    """Return the flow with only the keys the engine reads, numbers from text coerced."""
    if not isinstance(raw, Mapping):
        raise FlowError(_("流程数据格式不正确"))
    steps = raw.get("steps")
    if not isinstance(steps, list):
        raise FlowError(_("审批流程至少需要一个审批步骤"))
    if len(steps) > MAX_STEPS:
        raise FlowError(_("审批步骤最多 %(n)s 步") % {"n": MAX_STEPS})
    clean_steps: list[Any] = []
    for n, step in enumerate(steps, start=1):
        if not isinstance(step, Mapping):
            raise FlowError(_("第 %(n)s 步格式不正确") % {"n": n}, step=n)
        label = str(step.get("label") or "").strip()
        clean = {k: step[k] for k in STEP_KEYS if k in step}
        clean["key"] = str(step.get("key") or "").strip()
        clean["label"] = label
        clean["sla_hours"] = _int_hours(step.get("sla_hours"), partial(step_error, n, label))
        if not clean.get("condition"):
            clean.pop("condition", None)
        if not clean.get("escalate_to_role"):
            clean.pop("escalate_to_role", None)
        for key, default in STEP_DEFAULTS.items():
            if key in clean and clean[key] in (default, None, ""):
                clean.pop(key)
        if isinstance(clean.get("docstatus"), bool):
            clean["docstatus"] = int(clean["docstatus"])
        clean_steps.append(clean)
    flow = {
        "doctype": doctype,
        "label": str(raw.get("label") or "").strip()[:MAX_LABEL],
        "skip_repeated_approver": bool(raw.get("skip_repeated_approver", True)),
        "fallback_role": str(raw.get("fallback_role") or ADMIN_ROLE),
        "steps": clean_steps,
    }
    approved_state = str(raw.get("approved_state") or "").strip()
    if approved_state:
        flow["approved_state"] = approved_state
    return flow


def _rules(condition: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    if not condition:
        return
    for rule in condition.get("all") or condition.get("any") or []:
        if "all" in rule or "any" in rule:
            yield from _rules(rule)
        else:
            yield rule


def _check_rule_values(meta: Meta, step: Step, at: At) -> None:
    """Refuse rules a document could never meet the way the admin meant: no value, not a number."""
    for rule in _rules(step.condition):
        docfield = meta.get_field(rule["field"])
        label = docfield.label if docfield else rule["field"]
        value = rule.get("value")
        if rule["op"] in VALUELESS_OPS:
            continue
        if value is None or str(value).strip() == "":
            raise at(_("条件“%(field)s”需要填写比较的值") % {"field": label})
        if docfield and docfield.fieldtype in NUMERIC_TYPES and rule["op"] in ORDER_OPS:
            try:
                Decimal(str(value).strip())
            except (InvalidOperation, ValueError):
                problem = _("条件“%(field)s”的值“%(value)s”不是数字")
                raise at(problem % {"field": label, "value": value}) from None


def _role_labels() -> dict[str, str]:
    return {r.code: r.display_label for r in Role.objects.all()}


def _check_people(flow: Flow, school: School | None) -> None:
    """Refuse unknown roles and users, and steps that can end up with nobody to act."""
    roles = _role_labels()
    if flow.fallback_role not in roles:
        raise FlowError(_("兜底角色“%(role)s”不存在") % {"role": flow.fallback_role})
    members = school_users(school) if school is not None else User.objects.filter(is_active=True)

    def role_members(code: str) -> bool:
        return members.filter(roles__code=code).exists()

    fallback_ok = school is None or role_members(flow.fallback_role)
    labels = {s.key: s.label for s in flow.steps}
    for n, step in enumerate(flow.steps, start=1):
        at = partial(step_error, n, labels[step.key])
        for entry in (*step.approvers, *step.cc):
            if entry.type == "role" and entry.value not in roles:
                raise at(_("角色“%(role)s”不存在") % {"role": entry.value})
            if entry.type == "user" and not members.filter(username=entry.value).exists():
                raise at(_("成员“%(user)s”不存在或不属于本校") % {"user": entry.value})
        if step.escalate_to_role:
            if step.escalate_to_role not in roles:
                raise at(_("上报角色“%(role)s”不存在") % {"role": step.escalate_to_role})
            if school is not None and not role_members(step.escalate_to_role):
                problem = _("上报角色“%(role)s”在本校没有成员")
                raise at(problem % {"role": roles[step.escalate_to_role]})
        if fallback_ok:
            continue
        static = [a for a in step.approvers if a.type in ("role", "user")]
        found = any(
            role_members(a.value) if a.type == "role" else members.filter(username=a.value).exists()
            for a in static
        )
        if found and len(static) == len(step.approvers):
            continue
        fallback = {"role": roles[flow.fallback_role]}
        if len(static) == len(step.approvers):
            problem = _("审批人在本校没有任何成员，兜底角色“%(role)s”也没有成员，没有人能审批")
            raise at(problem % fallback)
        if not found:
            problem = _(
                "审批人可能为空（如申请部门没有负责人），"
                "兜底角色“%(role)s”在本校也没有成员，流程会卡住"
            )
            raise at(problem % fallback)


def check_flow(meta: Meta, definition: Mapping[str, Any], school: School | None) -> Flow:
    """Parse a normalized flow and run the checks that need the school: raise FlowError."""
    flow = parse_for(definition, meta.name)
    seen_labels: set[str] = set()
    for n, step in enumerate(flow.steps, start=1):
        at = partial(step_error, n, step.label)
        if not STEP_KEY.match(step.key):
            raise at(_("步骤编码只能用字母、数字和下划线，且以字母开头"))
        if len(step.label) > MAX_LABEL:
            raise at(_("名称太长（最多 %(n)s 字）") % {"n": MAX_LABEL})
        if step.label in seen_labels:
            raise at(_("步骤名称重复，审批记录会分不清"))
        seen_labels.add(step.label)
        for entry in step.cc:
            if entry.type not in ("role", "user"):
                raise at(_("抄送只能选择角色或指定成员"))
        _check_rule_values(meta, step, at)
    _check_people(flow, school)
    return flow


def same_as_saved(flow: Flow, label: str, version: WorkflowVersion) -> bool:
    """Return whether a checked flow (and its name, "" = unchanged) says what a version says."""
    # Compared parsed, not as JSON: the editor spells out what a stored flow leaves to its
    # defaults (`"cc": []`, `"mode": "any"`), and the shipped files spell it their own way.
    saved_label = str(version.definition.get("label") or version.workflow.label)
    if label not in ("", saved_label):
        return False
    try:
        saved = parse_for(normalize(version.definition, flow.doctype), flow.doctype)
    except FlowError:
        return False  # a version a later DocType change broke: saving over it is a change
    return replace(saved, raw={}) == replace(flow, raw={})


# ---- writing --------------------------------------------------------------------------------


def _own_workflow(meta: Meta, school: School | None, label: str) -> Workflow:
    """Lock the workflow this save goes to; a school's first save copies the shared default."""
    found = Workflow.objects.select_for_update().filter(doctype=meta.name, school=school).first()
    if found is not None:
        return found
    default = Workflow.objects.filter(doctype=meta.name, school__isnull=True).first()
    try:
        with transaction.atomic():
            return Workflow.objects.create(
                doctype=meta.name,
                school=school,
                label=label or (default.label if default else f"{meta.label}审批"),
                is_active=default.is_active if default else True,
                shipped=False,
            )
    except IntegrityError:
        # Another admin created it a moment ago; lock theirs and add after it.
        return Workflow.objects.select_for_update().get(doctype=meta.name, school=school)


def save_flow(
    doctype: str,
    raw: Mapping[str, Any],
    *,
    actor: User,
    school: School | None = None,
    base_version: int | None = None,
) -> WorkflowVersion:
    """Check a whole flow and save it as the next version of the school's flow.

    `base_version` is the id of the version the admin started from: when someone saved in
    between, the save is refused rather than silently overwriting their change.
    """
    check_can_edit(actor, school)
    meta = flow_meta(doctype)
    definition = normalize(raw, meta.name)
    flow = check_flow(meta, definition, school)
    with transaction.atomic():
        current, own = editable_workflow(meta.name, school)
        current_latest = latest_version(current)
        if base_version is not None and current_latest and current_latest.pk != base_version:
            raise DocumentStateError(
                _("流程已被他人修改（现为第 %(n)s 版），请刷新页面后再修改")
                % {"n": current_latest.number}
            )
        if own and current_latest and same_as_saved(flow, definition["label"], current_latest):
            # A version that changes nothing only buries the real history under copies. (A
            # school's first save of the shared default is not that: it makes the flow its own.)
            return current_latest
        workflow = _own_workflow(meta, school, definition["label"])
        latest = workflow.versions.order_by("-number").first()
        if not definition["label"]:
            definition["label"] = workflow.label
        version = WorkflowVersion.objects.create(
            workflow=workflow,
            number=(latest.number + 1) if latest else 1,
            definition=definition,
            created_by=actor,
        )
        # An admin's flow is theirs now: the shipped file must never overwrite it.
        fields = ["shipped"]
        workflow.shipped = False
        if definition["label"] != workflow.label:
            workflow.label = definition["label"]
            fields.append("label")
        workflow.save(update_fields=fields)
    return version


def set_flow_active(
    doctype: str, active: bool, *, actor: User, school: School | None = None
) -> Workflow:
    """Switch the school's own flow (or, for a superuser, the shared default) on or off."""
    check_can_edit(actor, school)
    meta = flow_meta(doctype)
    with transaction.atomic():
        workflow = (
            Workflow.objects.select_for_update().filter(doctype=meta.name, school=school).first()
        )
        if workflow is None:
            raise FlowError(_("本校还没有自己的流程；请先保存一次，或请超级管理员启停默认流程"))
        if active:
            latest = workflow.versions.order_by("-number").first()
            if latest is None:
                raise FlowError(_("流程还没有保存过任何版本，不能启用"))
            # Roles or users may have changed since it was saved: re-check before it runs again.
            check_flow(meta, normalize(latest.definition, meta.name), school)
        if workflow.is_active != active:
            workflow.is_active = active
            workflow.save(update_fields=["is_active"])
    return workflow


# ---- trying ---------------------------------------------------------------------------------


def preview_route(
    doctype: str,
    raw: Mapping[str, Any],
    sample_values: Mapping[str, Any],
    *,
    school: School,
    requester: User,
) -> list[PlannedStep]:
    """Return the route a sample document would take on a (possibly unsaved) flow."""
    meta = flow_meta(doctype)
    flow = check_flow(meta, normalize(raw, meta.name), school)
    values = dict(sample_values)
    department = requester.department
    wanted = str(values.get("department") or "").strip()
    if wanted:
        department = Department.objects.filter(school=school, name=wanted).first()
        if department is None:
            raise FlowError(_("本校没有部门“%(d)s”") % {"d": wanted})
    return plan_route(flow, values, requester=requester, school=school, department=department)


def describe_approver(
    kind: str,
    value: str,
    meta: Meta,
    roles: Mapping[str, str],
    people: Mapping[str, str] | None = None,
) -> str:
    """Return an approver or CC entry in words, e.g. `角色：校长`, `成员：财务老师`.

    `people`: display names by username; a member not in it shows by username.
    """
    if kind == "role":
        return _("角色：%(r)s") % {"r": roles.get(value, value)}
    if kind == "user":
        return _("成员：%(u)s") % {"u": (people or {}).get(value, value)}
    if kind == "field":
        docfield = meta.get_field(value)
        return _("字段：%(f)s") % {"f": docfield.label if docfield else value}
    return _(APPROVER_TYPES[kind]) if kind in APPROVER_TYPES else kind


def _target(flow: Flow, key: str) -> str:
    if key in (END, ""):  # "" on the last step: its next is the end
        return _("结束（通过）")
    if key == REJECTED:
        return _("结束（已拒绝）")
    n = [s.key for s in flow.steps].index(key) + 1
    label = flow.step(key).label
    if not label:  # never the step's internal key: it means nothing to an admin
        return _("第 %(n)s 步") % {"n": n}
    return _("第 %(n)s 步 %(label)s") % {"n": n, "label": label}


def _people(flow: Flow) -> dict[str, str]:
    """Return the display names of the members a flow names, by username, in one query."""
    names = {a.value for s in flow.steps for a in (*s.approvers, *s.cc) if a.type == "user"}
    if not names:
        return {}
    found = User.objects.filter(username__in=names).only("username", "full_name")
    return {u.username: u.display_name for u in found}


def diagram(meta: Meta, flow: Flow) -> list[dict[str, Any]]:
    """Return the flow's graph as boxes for the page: each step with its incoming arrow and the
    edges it leaves by (a jump when approved, where a rejection goes)."""
    roles = _role_labels()
    people = _people(flow)
    labels = {f.fieldname: f.label for f in meta.value_fields}
    boxes = []
    for n, step in enumerate(flow.steps, start=1):
        if n == 1 and not step.docstatus:
            back = _("申请人")
        elif step.docstatus:
            back = _("之前已提交的步骤")
        else:
            back = _("申请人或之前的步骤")
        approvers = [
            describe_approver(a.type, a.value, meta, roles, people) for a in step.approvers
        ]
        cc = [describe_approver(a.type, a.value, meta, roles, people) for a in step.cc]
        boxes.append(
            {
                "n": n,
                "step": step,
                "approvers": approvers,
                "cc": cc,
                "mode": _(MODES[step.mode]).split("（")[0].split(" (")[0]
                if step.mode in MODES
                else step.mode,
                "overdue": _(OVERDUE_ACTIONS[step.overdue])
                if step.overdue in OVERDUE_ACTIONS
                else step.overdue,
                "escalate_to": roles.get(step.escalate_to_role, step.escalate_to_role),
                "condition": conditions.describe(step.condition, labels) if step.condition else "",
                "back": back,
                "approve": step.approve_label or _("同意"),
                "reject": step.reject_label or _("拒绝"),
                # Shown as an edge of its own only when it is not simply the next box.
                "approve_to": _target(flow, step.on_approve)
                if step.on_approve or n == len(flow.steps)
                else "",
                "reject_to": _target(flow, step.on_reject) if step.allow_reject else "",
            }
        )
    return boxes
