"""The edges of a flow: where approving or rejecting a step leads, and the checks on that graph.

Every step has exactly one approve edge (a named step, the next step in order, or the end)
and one reject edge (closing the run, or a named step). Arriving at a step whose condition is
false skips it and follows its approve edge, as the default route always did; so what a step
may lead to is its target plus, while the targets are conditional, their approve edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from school_logistics.workflow.definition import Flow, Step

END = "end"  # on_approve: the run ends approved
REJECTED = "rejected"  # on_reject: the run ends rejected


class FlowError(ValueError):
    """A flow that cannot be saved; the message says what to fix, in Chinese."""


def approve_target(flow: Flow, step: Step) -> str:
    """Return the key approving `step` leads to (before skipping), or END."""
    if step.on_approve:
        return step.on_approve
    keys = [s.key for s in flow.steps]
    index = keys.index(step.key)
    return keys[index + 1] if index + 1 < len(keys) else END


def may_lead_to(flow: Flow, target: str) -> list[str]:
    """Return where arriving at `target` may end up: it, then past it while it may be skipped."""
    found: list[str] = []
    while target != END and target not in found:
        found.append(target)
        step = flow.step(target)
        if not step.condition:
            return found
        target = approve_target(flow, step)
    return [*found, END] if target == END else found


def next_open(flow: Flow, target: str, statuses: Mapping[str, Any]) -> str:
    """Return the step a document enters when sent to `target`, past steps skipped on its route."""
    while target != END and statuses.get(target) == "skipped":
        target = approve_target(flow, flow.step(target))
    return target


def _where(flow: Flow, key: str) -> str:
    keys = [s.key for s in flow.steps]
    return f"第 {keys.index(key) + 1} 步“{flow.step(key).label}”"


def _check_targets(flow: Flow) -> None:
    keys = {s.key for s in flow.steps}
    for step in flow.steps:
        where = _where(flow, step.key)
        if step.on_approve and step.on_approve != END and step.on_approve not in keys:
            raise FlowError(f"{where}：同意后转到的步骤“{step.on_approve}”不存在")
        if step.on_reject != REJECTED and step.on_reject not in keys:
            raise FlowError(f"{where}：拒绝后转到的步骤“{step.on_reject}”不存在")
        if step.on_reject == step.key:
            raise FlowError(f"{where}：拒绝后不能转回本步")


def _check_loops(flow: Flow) -> None:
    """Refuse approve edges that come round again: approving would never reach the end."""
    for step in flow.steps:
        path = [step.key]
        target = approve_target(flow, step)
        while target != END and target not in path:
            path.append(target)
            target = approve_target(flow, flow.step(target))
        if target != END:
            loop = path[path.index(target) :] + [target]
            names = " → ".join(flow.step(k).label for k in loop)
            raise FlowError(
                f"{_where(flow, target)}：同意后的路线形成循环（{names}），没有出口，永远到不了结束"
            )


def edges(flow: Flow, step: Step) -> list[str]:
    """Return every step (or END) a document may go to from `step` by approving or rejecting."""
    found = may_lead_to(flow, approve_target(flow, step))
    if step.on_reject != REJECTED:
        found += may_lead_to(flow, step.on_reject)
    return found


def _check_reachable(flow: Flow) -> None:
    reached: set[str] = set()
    todo = may_lead_to(flow, flow.steps[0].key)
    while todo:
        key = todo.pop()
        if key == END or key in reached:
            continue
        reached.add(key)
        todo += edges(flow, flow.step(key))
    for step in flow.steps:
        if step.key not in reached:
            raise FlowError(
                f"{_where(flow, step.key)}：从流程开始无法到达这一步，请检查前面步骤的去向"
            )


def _check_submitted(flow: Flow) -> None:
    """A submitted document cannot become a draft again: its steps lead only to submitted ones."""
    for step in flow.steps:
        where = _where(flow, step.key)
        if step.on_reject != REJECTED:
            reroute = may_lead_to(flow, step.on_reject)
            if END in reroute:
                raise FlowError(
                    f"{where}：拒绝后转到的步骤可能都因条件不满足而跳过，单据会直接通过"
                )
        if step.docstatus != 1:
            continue
        if step.on_reject == REJECTED:
            raise FlowError(
                f"{where}：单据在此步已提交，拒绝不能结束流程（已提交的单据不能回到草稿），"
                "请选择拒绝后转到的已提交步骤"
            )
        for key in edges(flow, step):
            if key != END and flow.step(key).docstatus != 1:
                raise FlowError(
                    f"{where}：单据在此步已提交，不能再转到未提交的步骤“{flow.step(key).label}”"
                )


def check_graph(flow: Flow) -> None:
    """Refuse unknown targets, loops with no exit, unreachable steps and submitted→draft edges."""
    _check_targets(flow)
    _check_loops(flow)
    _check_reachable(flow)
    _check_submitted(flow)
