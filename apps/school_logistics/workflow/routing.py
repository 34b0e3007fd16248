"""Who approves each step of a flow for one document: the route shown before and after submit."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from school_logistics.core.models import Department, School, User
from school_logistics.core.permissions import ADMIN_ROLE
from school_logistics.core.prepared import PreparedQuery
from school_logistics.workflow import conditions, graph
from school_logistics.workflow.definition import Approver, Flow, Step
from school_logistics.workflow.models import Delegation

# Why a department head's own request waits for the head above them: shown on the route while
# the step waits too, since it names who holds the step.
SUPERIOR_NOTE = gettext_noop("申请人是本部门负责人，改由上级部门负责人审批")


@dataclass
class PlannedStep:
    step: Step
    approvers: list[User] = field(default_factory=list)
    # "active" (will wait for approval), "skipped" (condition false), "auto" (passed on by
    # rule), "off" (not on the approving route: only a rejection that reroutes leads there)
    status: str = "active"
    notes: list[str] = field(default_factory=list)


def school_users(school: School | int) -> QuerySet[User]:
    return User.objects.filter(
        Q(school=school) | Q(other_schools=school), is_active=True
    ).distinct()


def is_away(at: dt.datetime) -> Exists:
    """Whether the user of the outer query has an away period covering `at` (an annotation)."""
    return Exists(Delegation.objects.filter(user_id=OuterRef("pk"), starts__lte=at, ends__gt=at))


@functools.lru_cache(maxsize=32)
def _holders_of_roles(count: int) -> PreparedQuery[User]:
    """Holders of any of `count` roles in a school, and one more user by id (a department's
    head, 0 for none): a row per user and role (its `role_code`), each with whether an away
    period covers a time (`is_away`), so opening the first step need not ask again."""

    def build(at: dt.datetime, school_id: int, user_id: int, *codes: str) -> QuerySet[User]:
        users = school_users(school_id).filter(Q(roles__code__in=codes) | Q(pk=user_id))
        return users.annotate(role_code=F("roles__code"), is_away=is_away(at)).order_by("id")

    return PreparedQuery(build, (dt.datetime, int, int) + (str,) * count)


def role_holders(
    school: School, codes: Iterable[str], *, head_of: Department | None = None
) -> dict[str, list[User]]:
    """Return each role's holders in the school (by id), for many roles in one query.

    `head_of`: a department whose head is read in the same query (and kept on it), since the
    route's first step is usually that head.
    """
    codes = sorted(set(codes))
    head_id = head_of.head_id if head_of is not None and head_of.head_id else 0
    found: dict[str, list[User]] = {code: [] for code in codes}
    if not codes and not head_id:
        return found
    for user in _holders_of_roles(len(codes))(timezone.now(), school.pk, head_id, *codes):
        if user.role_code in found:  # type: ignore[attr-defined]
            found[user.role_code].append(user)  # type: ignore[attr-defined]
        if head_of is not None and user.pk == head_id:
            Department.head.field.set_cached_value(head_of, user)
    return found


def _resolve(
    approver: Approver,
    values: Mapping[str, Any],
    *,
    school: School,
    department: Department | None,
    holders: Mapping[str, list[User]] | None = None,
) -> list[User]:
    match approver.type:
        case "role":
            if holders is None:  # not read with the rest of a route
                holders = role_holders(school, [approver.value])
            return holders[approver.value]
        case "user":
            return list(school_users(school).filter(username=approver.value))
        case "field":
            username = values.get(approver.value)
            return list(school_users(school).filter(username=username)) if username else []
        case "department_head":
            head = department.head if department else None
            return [head] if head and head.is_active else []
        case "department_head_superior":
            parent = department.parent if department else None
            head = parent.head if parent else None
            return [head] if head and head.is_active else []
        case "named_department_head":
            named = named_department(school, approver.value)
            head = named.head if named else None
            return [head] if head and head.is_active else []
    return []


def named_department(school: School, name: str) -> Department | None:
    """Return the school's department of this name (e.g. 政教处) with its head, or None."""
    return Department.objects.select_related("head").filter(school=school, name=name).first()


def resolve_users(approver: Approver, values: Mapping[str, Any], *, document: Any) -> list[User]:
    """Resolve an approver or CC entry for a stored document."""
    # Only the head kinds need the department: the others do not make the document load it.
    needs_department = approver.type.startswith("department_head")
    department = document.department if needs_department else None
    return _resolve(approver, values, school=document.school, department=department)


def plan_route(
    flow: Flow,
    values: Mapping[str, Any],
    *,
    requester: User,
    school: School,
    department: Department | None,
) -> list[PlannedStep]:
    """Resolve every step for a document; never leave a step with nobody to act on it.

    Steps come in the order approving takes the document through them (following each
    step's `on_approve`); steps only a rejection leads to come last, marked "off".
    """
    # Every role the flow names, read at once (a skipped step's too: it costs nothing more),
    # with the department's head when a step names it (a head outside the school's staff, or
    # one who left, is still read by `_resolve` as before).
    names_head = any(a.type == "department_head" for s in flow.steps for a in s.approvers)
    holders = role_holders(
        school,
        (a.value for s in flow.steps for a in s.approvers if a.type == "role"),
        head_of=department if names_head else None,
    )
    planned = {
        s.key: _plan_step(flow, s, values, requester, school, department, holders)
        for s in flow.steps
    }
    plan: list[PlannedStep] = []
    previous: list[User] | None = None
    key = flow.steps[0].key
    while key != graph.END:  # the flow was checked: approving always reaches the end
        p = planned.pop(key)
        plan.append(p)
        if p.status != "skipped":
            if (
                flow.skip_repeated_approver
                and previous is not None
                and len(p.approvers) == 1
                and [u.pk for u in previous] == [p.approvers[0].pk]
            ):
                p.status = "auto"
                p.notes.append(gettext_noop("与上一步审批人相同，自动通过"))
            previous = p.approvers
        key = graph.approve_target(flow, p.step)
    for p in planned.values():
        if p.status != "skipped":
            p.status = "off"
            p.notes.append(gettext_noop("仅在被拒绝改道时经过"))
        plan.append(p)
    return plan


def _plan_step(
    flow: Flow,
    step: Step,
    values: Mapping[str, Any],
    requester: User,
    school: School,
    department: Department | None,
    holders: Mapping[str, list[User]],
) -> PlannedStep:
    planned = PlannedStep(step)
    if not conditions.matches(step.condition, values):
        planned.status = "skipped"
        planned.notes.append(gettext_noop("条件不满足，跳过此步"))
        return planned
    seen: dict[int, User] = {}
    for approver in step.approvers:
        found = _resolve(approver, values, school=school, department=department, holders=holders)
        if (
            approver.type in ("department_head", "named_department_head")
            and not step.allow_self_approval
            and [u.pk for u in found] == [requester.pk]
        ):
            # A head asking for their own department: their superior decides, not the admin.
            headed = (
                department
                if approver.type == "department_head"
                else named_department(school, approver.value)
            )
            superior = superior_head(headed, requester)
            if superior is not None:
                found = [superior]
                planned.notes.append(SUPERIOR_NOTE)
        for user in found:
            seen.setdefault(user.pk, user)
    approvers = list(seen.values())
    self_excluded = not step.allow_self_approval and any(u.pk == requester.pk for u in approvers)
    if self_excluded:
        approvers = [u for u in approvers if u.pk != requester.pk]
    if not approvers and _named_on_the_way(flow, step):
        # E.g. the repair worker: 总务处 fills the field at 派工, and the step is resolved when
        # it opens (the admin role takes it then only if the field is still empty).
        planned.notes.append(gettext_noop("审批人由前面的步骤指定"))
    elif not approvers:
        approvers = [
            u
            for u in school_users(school).filter(roles__code=flow.fallback_role).order_by("id")
            if u.pk != requester.pk or step.allow_self_approval
        ]
        planned.notes.append(_fallback_note(flow, self_excluded=self_excluded, found=approvers))
    elif self_excluded:
        planned.notes.append(gettext_noop("申请人不能审批自己的单据"))
    planned.approvers = approvers
    return planned


def superior_head(department: Department | None, requester: User) -> User | None:
    """Return the active head of the nearest department above `department` headed by someone
    other than the requester (who may head both), else None.

    Read only when the requester heads the department: one query a level.
    """
    seen: set[int] = set()
    parent_id = department.parent_id if department else None
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = Department.objects.select_related("head").filter(pk=parent_id).first()
        if parent is None or parent.head is None or not parent.head.is_active:
            return None
        if parent.head.pk != requester.pk:
            return parent.head
        parent_id = parent.parent_id
    return None


def _fallback_note(flow: Flow, *, self_excluded: bool, found: list[User]) -> str:
    """Return the note of a step handed to the flow's fallback role (`found`: its holders)."""
    # 管理员 only when the fallback is the admin role: the names beside the note are the role's
    # holders, and "转交管理员" beside a purchaser's name (a flow falling back to 总务处采购)
    # read as a contradiction.
    if not found:
        return gettext_noop("未找到审批人，也没有可转交的人：提交后此步无人审批，请联系管理员")
    to_admin = flow.fallback_role == ADMIN_ROLE
    if self_excluded:
        if to_admin:
            return gettext_noop("申请人不能审批自己的单据，转交管理员处理")
        return gettext_noop("申请人不能审批自己的单据，转交兜底审批人处理")
    if to_admin:
        return gettext_noop("未找到审批人，转交管理员处理")
    return gettext_noop("未找到审批人，转交兜底审批人处理")


def _named_on_the_way(flow: Flow, step: Step) -> bool:
    """Whether another step lets its approver fill a member field this step's approver comes from."""
    named = {f for s in flow.steps if s.key != step.key for f in s.editable_fields}
    return any(a.type == "field" and a.value in named for a in step.approvers)
