"""The edges of a flow: where approving or rejecting a step leads, and the checks on that graph.

Every step has exactly one approve edge (a named step, the next step in order, or the end)
and one reject edge (closing the run, or a named step), unless it allows no rejection. Arriving at a step whose condition is
false skips it and follows its approve edge, as the default route always did; so what a step
may lead to is its target plus, while the targets are conditional, their approve edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from school_logistics.workflow.definition import Flow, Step

END = "end"  # on_approve: the run ends approved
REJECTED = "rejected"  # on_reject: the run ends rejected


class FlowError(ValueError):
    """A flow that cannot be saved; the message says what to fix, in the user's language.

    `step` is the number (from 1) of the step the message is about, for the editor to mark.
    """

    def __init__(self, message: str, *, step: int | None = None) -> None:
        super().__init__(message)
        self.step = step


def step_error(n: int, label: str, problem: str) -> FlowError:
    """Return a refusal about step `n`, led by where it is: 第 n 步“label”：problem."""
    where = _("第 %(n)s 步“%(label)s”") % {"n": n, "label": label}
    return FlowError(_("%(where)s：%(problem)s") % {"where": where, "problem": problem}, step=n)


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


def still_ahead(flow: Flow, key: str) -> set[str]:
    """Return the steps approving leads through from step `key` to the end (before skipping)."""
    found: set[str] = set()
    target = approve_target(flow, flow.step(key))
    while target != END and target not in found:
        found.add(target)
        target = approve_target(flow, flow.step(target))
    return found


def next_open(flow: Flow, target: str, statuses: Mapping[str, Any]) -> str:
    """Return the step a document enters when sent to `target`, past steps skipped on its route."""
    while target != END and statuses.get(target) == "skipped":
        target = approve_target(flow, flow.step(target))
    return target


def _at(flow: Flow, key: str, problem: str) -> FlowError:
    keys = [s.key for s in flow.steps]
    return step_error(keys.index(key) + 1, flow.step(key).label, problem)


def _check_targets(flow: Flow) -> None:
    keys = {s.key for s in flow.steps}
    for step in flow.steps:
        if step.on_approve and step.on_approve != END and step.on_approve not in keys:
            problem = _("同意后转到的步骤“%(target)s”不存在") % {"target": step.on_approve}
            raise _at(flow, step.key, problem)
        if step.on_reject != REJECTED and step.on_reject not in keys:
            problem = _("拒绝后转到的步骤“%(target)s”不存在") % {"target": step.on_reject}
            raise _at(flow, step.key, problem)
        if step.on_reject == step.key:
            raise _at(flow, step.key, _("拒绝后不能转回本步"))


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
            problem = _("同意后的路线形成循环（%(loop)s），没有出口，永远到不了结束") % {
                "loop": names
            }
            raise _at(flow, target, problem)


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
            problem = _("从流程开始无法到达这一步，请检查前面步骤的去向")
            raise _at(flow, step.key, problem)


def _check_submitted(flow: Flow) -> None:
    """A submitted document cannot become a draft again: its steps lead only to submitted ones."""
    for step in flow.steps:
        if step.on_reject != REJECTED:
            reroute = may_lead_to(flow, step.on_reject)
            if END in reroute:
                problem = _("拒绝后转到的步骤可能都因条件不满足而跳过，单据会直接通过")
                raise _at(flow, step.key, problem)
        if step.docstatus != 1:
            continue
        if step.on_reject == REJECTED and step.allow_reject:
            problem = _(
                "单据在此步已提交，拒绝不能结束流程（已提交的单据不能回到草稿），"
                "请选择拒绝后转到的已提交步骤"
            )
            raise _at(flow, step.key, problem)
        for key in edges(flow, step):
            if key != END and flow.step(key).docstatus != 1:
                problem = _("单据在此步已提交，不能再转到未提交的步骤“%(step)s”") % {
                    "step": flow.step(key).label
                }
                raise _at(flow, step.key, problem)


def check_graph(flow: Flow) -> None:
    """Refuse unknown targets, loops with no exit, unreachable steps and submitted→draft edges."""
    _check_targets(flow)
    _check_loops(flow)
    _check_reachable(flow)
    _check_submitted(flow)
