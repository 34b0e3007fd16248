"""The admin's flow pages: the list of flows, the one-page editor, "try it", switch on and off."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core.meta import Meta
from school_logistics.core.models import Department, Role, School, User
from school_logistics.core.services import DocumentStateError
from school_logistics.core.views.doctypes import doctype_slug, resolve_doctype
from school_logistics.core.views.htmx import render_page
from school_logistics.workflow import conditions, editor
from school_logistics.workflow.definition import APPROVER_TYPES, MODES, OVERDUE_ACTIONS, FlowError
from school_logistics.workflow.flows import flow_fields
from school_logistics.workflow.routing import school_users

MAX_FLOW_JSON = 200_000  # characters: a 30-step flow is a few kilobytes
NEW_STEP = {
    "key": "",
    "label": "",
    "approvers": [{"type": "role", "value": ""}],
    "mode": "any",
    "group": "all",
    "rules": [],
    "sla_hours": 0,
    "overdue": "remind",
    "escalate_to_role": "",
    "cc": [],
    "allow_self_approval": False,
    **editor.STEP_DEFAULTS,
    "extra": "{}",
}
# Kept as they are through the form (no input of their own): sent back with the step.
PASSED_THROUGH = ("editable_fields", "required_fields", "clear_on_reject", "due_field")


def _school(user: User) -> School | None:
    """Return the school whose flows this user edits: their own; none means the shared default."""
    return user.school


def _admin(request: HttpRequest) -> tuple[User, School | None]:
    user: User = request.user  # type: ignore[assignment]
    school = _school(user)
    editor.check_can_edit(user, school)
    return user, school


def _meta(doctype: str) -> Meta:
    meta = resolve_doctype(doctype)
    try:
        return editor.flow_meta(meta.name)
    except FlowError as exc:
        raise PermissionDenied(str(exc)) from exc


def editor_url(meta: Meta) -> str:
    return reverse("approvals:flow_editor", args=[doctype_slug(meta.name)])


@login_required
def flow_list(request: HttpRequest) -> HttpResponse:
    """List the DocTypes that are submitted, with the flow each runs on."""
    user, school = _admin(request)
    rows = editor.flow_summaries(school)
    for row in rows:
        row.url = editor_url(row.meta)  # type: ignore[attr-defined]
    return render(
        request,
        "workflow/editor_list.html",
        {"rows": rows, "school": school, "nav_approvals": True},
    )


# ---- the editor's form state ----------------------------------------------------------------


def _entries(items: Any) -> list[dict[str, str]]:
    if not isinstance(items, list):
        return []
    return [
        {"type": str(i.get("type") or ""), "value": str(i.get("value") or "")}
        for i in items
        if isinstance(i, Mapping)
    ]


def _rules(condition: Any) -> tuple[str, list[dict[str, Any]]]:
    """Return the group kind and flat rules; nested groups are kept whole as JSON."""
    if not isinstance(condition, Mapping) or not condition:
        return "all", []
    group = "any" if "any" in condition else "all"
    rules = []
    for rule in condition.get(group) or []:
        if not isinstance(rule, Mapping):
            continue
        if "all" in rule or "any" in rule:
            rules.append({"nested": json.dumps(rule, ensure_ascii=False)})
        else:
            value = rule.get("value")
            rules.append(
                {
                    "field": str(rule.get("field") or ""),
                    "op": str(rule.get("op") or ""),
                    "value": "" if value is None else str(value),
                }
            )
    return group, rules


def form_state(raw: Any) -> dict[str, Any]:
    """Turn a flow (saved, or posted and possibly broken) into what the editor's form shows."""
    raw = raw if isinstance(raw, Mapping) else {}
    steps = []
    for step in raw.get("steps") or []:
        if not isinstance(step, Mapping):
            continue
        group, rules = _rules(step.get("condition"))
        extra = {k: v for k, v in step.items() if k not in editor.STEP_KEYS or k in PASSED_THROUGH}
        steps.append(
            {
                "key": str(step.get("key") or ""),
                "label": str(step.get("label") or ""),
                "approvers": _entries(step.get("approvers")),
                "mode": str(step.get("mode") or "any"),
                "group": group,
                "rules": rules,
                "sla_hours": step.get("sla_hours") or 0,
                "overdue": str(step.get("overdue") or "remind"),
                "escalate_to_role": str(step.get("escalate_to_role") or ""),
                "cc": _entries(step.get("cc")),
                "allow_self_approval": bool(step.get("allow_self_approval")),
                "state": str(step.get("state") or ""),
                "approve_label": str(step.get("approve_label") or ""),
                "reject_label": str(step.get("reject_label") or ""),
                "on_approve": str(step.get("on_approve") or ""),
                "on_reject": str(step.get("on_reject") or "rejected"),
                "allow_reject": step.get("allow_reject") is None or bool(step.get("allow_reject")),
                "docstatus": 1 if step.get("docstatus") == 1 else 0,
                "extra": json.dumps(extra, ensure_ascii=False),
            }
        )
    return {
        "label": str(raw.get("label") or ""),
        "skip_repeated_approver": bool(raw.get("skip_repeated_approver", True)),
        "fallback_role": str(raw.get("fallback_role") or "sys_admin"),
        "approved_state": str(raw.get("approved_state") or ""),
        "steps": steps,
    }


def _choices(meta: Meta, school: School | None) -> dict[str, Any]:
    names, user_fields = flow_fields(meta.name)
    fields = [f for f in meta.value_fields if f.fieldname in names]
    departments = (
        list(Department.objects.filter(school=school).values_list("name", flat=True))
        if school
        else []
    )
    return {
        "roles": [(r.code, r.display_label) for r in Role.objects.all()],
        "user_fields": [(f.fieldname, f.label) for f in fields if f.fieldname in user_fields],
        "cond_fields": [(f.fieldname, f.label) for f in fields],
        "operators": [(op, _(label)) for op, (label, _run) in conditions.OPERATORS.items()],
        "approver_types": [(k, _(v)) for k, v in APPROVER_TYPES.items()],
        "cc_types": [(k, _(v)) for k, v in APPROVER_TYPES.items() if k in ("role", "user")],
        # The short names (或签/会签/依次审批) fit a phone-width select; admins know them.
        "modes": [(k, _(v).split("（")[0].split(" (")[0]) for k, v in MODES.items()],
        "overdue_actions": [(k, _(v)) for k, v in OVERDUE_ACTIONS.items()],
        "departments": departments,
        "has_total": bool(meta.total_field),
    }


def _context(
    request: HttpRequest, meta: Meta, school: School | None, raw: Any = None
) -> dict[str, Any]:
    workflow, own = editor.editable_workflow(meta.name, school)
    latest = editor.latest_version(workflow)
    saved = latest.definition if latest else {"label": f"{meta.label}审批", "steps": []}
    boxes, approved_state = None, ""
    if latest is not None:
        try:
            flow = editor.check_flow(meta, editor.normalize(saved, meta.name), None)
            boxes = editor.diagram(meta, flow)
            approved_state = flow.approved_state
        except FlowError:
            boxes = None  # an old version a later role change broke: the editor still opens
    return {
        "meta": meta,
        "school": school,
        "workflow": workflow,
        "own": own,
        "latest": latest,
        "state": form_state(saved if raw is None else raw),
        "boxes": boxes,
        "flow_approved_state": approved_state,
        "choices": _choices(meta, school),
        "urls": {
            "save": editor_url(meta),
            "try": reverse("approvals:flow_try", args=[doctype_slug(meta.name)]),
            "active": reverse("approvals:flow_active", args=[doctype_slug(meta.name)]),
            "list": reverse("approvals:flows"),
        },
        "new_step": NEW_STEP,
        "new_entry": {"type": "role", "value": ""},
        "new_rule": {"field": meta.total_field, "op": ">=", "value": ""},
        "nav_approvals": True,
    }


def _posted_flow(request: HttpRequest) -> Any:
    """Return the flow JSON the editor posted; raise FlowError when it is missing or malformed."""
    text = request.POST.get("flow", "")
    if not text.strip():
        raise FlowError(_("没有收到流程数据，请刷新页面后重试"))
    if len(text) > MAX_FLOW_JSON:
        raise FlowError(_("流程数据太大"))
    try:
        return json.loads(text)
    except ValueError:
        raise FlowError(_("流程数据格式不正确，请刷新页面后重试")) from None


def _base_version(request: HttpRequest) -> int | None:
    text = request.POST.get("base_version", "")
    return int(text) if text.isdigit() else None


@login_required
def flow_editor(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show the flow on one page; on POST save the whole posted flow as a new version."""
    user, school = _admin(request)
    meta = _meta(doctype)
    if request.method != "POST":
        return render(request, "workflow/editor.html", _context(request, meta, school))
    raw: Any = None
    base = _base_version(request)
    try:
        raw = _posted_flow(request)
        version = editor.save_flow(meta.name, raw, actor=user, school=school, base_version=base)
    except (FlowError, DocumentStateError) as exc:
        context = _context(request, meta, school, raw if isinstance(raw, Mapping) else None)
        context["error"] = str(exc)
        context["error_step"] = exc.step if isinstance(exc, FlowError) else None
        status = 409 if isinstance(exc, DocumentStateError) else 400
        return render(request, "workflow/editor.html", context, status=status)
    if version.pk == base:  # nothing changed: save_flow kept the version the page showed
        messages.info(request, _("流程没有改动，仍为第 %(n)s 版") % {"n": version.number})
    else:
        messages.success(
            request,
            _("已保存为第 %(n)s 版；已在审批中的单据仍按原版本进行") % {"n": version.number},
        )
    return HttpResponseRedirect(editor_url(meta))


def _sample_amount(text: str) -> Decimal | None:
    """Read 试一试's amount; None when left empty; raise FlowError when it is not a number."""
    # Compared as text, "abc" ≥ "200" held, and the sample took a step it never would.
    typed = text.strip()
    if not typed:
        return None
    try:
        amount = Decimal(typed.replace(",", "").replace("，", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        problem = _("金额“%(value)s”不是数字，请填写如 1200 或 1200.50")
        raise FlowError(problem % {"value": typed[:20]})
    return amount


@login_required
@require_POST
def flow_try(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show the route a sample document would take on the flow as it stands in the form."""
    user, school = _admin(request)
    meta = _meta(doctype)
    result: dict[str, Any] = {"meta": meta}
    status = 200
    raw: Any = None
    try:
        if school is None:
            raise FlowError(_("试一试需要选择学校：请用某校的管理员账号操作"))
        raw = _posted_flow(request)
        values: dict[str, Any] = {"department": request.POST.get("department", "").strip()}
        if meta.total_field:
            amount = _sample_amount(request.POST.get("amount", ""))
            if amount is not None:
                values[meta.total_field] = amount
        requester = user
        username = request.POST.get("requester", "").strip()
        if username:
            found = school_users(school).filter(username=username).first()
            if found is None:
                raise FlowError(_("本校没有成员“%(u)s”") % {"u": username})
            requester = found
        result["plan"] = editor.preview_route(
            meta.name, raw, values, school=school, requester=requester
        )
        result["requester"] = requester
        normalized = editor.normalize(raw, meta.name)
        flow = editor.check_flow(meta, normalized, school)
        result["boxes"] = editor.diagram(meta, flow)
        saved, _own = editor.editable_workflow(meta.name, school)
        result["unsaved"] = saved is None or not editor.same_as_saved(
            flow, normalized["label"], saved.latest()
        )
        result["flow_approved_state"] = flow.approved_state
    except FlowError as exc:
        result["try_error"] = str(exc)
        status = 400
    context = _context(request, meta, school, raw if isinstance(raw, Mapping) else None)
    context.update(result)
    context["tried"] = True
    return render_page(
        request, "workflow/editor.html", context, partial="workflow/_editor_try.html", status=status
    )


@login_required
@require_POST
def flow_active(request: HttpRequest, doctype: str) -> HttpResponse:
    """Switch the flow on or off."""
    user, school = _admin(request)
    meta = _meta(doctype)
    active = request.POST.get("active") == "1"
    try:
        editor.set_flow_active(meta.name, active, actor=user, school=school)
    except FlowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("流程已启用") if active else _("流程已停用"))
    return HttpResponseRedirect(editor_url(meta))
