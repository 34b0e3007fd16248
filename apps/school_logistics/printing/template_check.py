"""Find the names a print template reads that the voucher does not have: they print blank.

Jinja prints an unknown name as nothing, so `{{ doc.fmt("amout") }}` or `{{ row.prce }}` saves
and prints without a word. Reading the template's syntax tree against the DocType finds them
before anyone prints: the editor shows them as warnings (the format still saves; a name may be
meant for a field the admin is about to add).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from jinja2 import nodes

from school_logistics.core.meta import Meta
from school_logistics.core.registry import get_meta
from school_logistics.printing.sandbox import PrintTemplateError, parse_template

# What the voucher's context offers a template (printing.context.build_context), and the
# globals of the sandbox.
CONTEXT_NAMES = frozenset(
    {
        *("school", "title", "doc", "department", "owner", "trail", "trail_rounds"),
        *("total", "signatures"),
        *("verify", "printed_at", "printed_by", "range", "daxie", "loop"),
        *("dict", "lipsum", "cycler", "joiner", "namespace", "true", "false", "none"),
    }
)
# PrintDoc's attributes and methods; methods named here take a fieldname first.
DOC_ATTRIBUTES = frozenset(
    {
        *("name", "doctype", "label", "title", "docstatus", "status", "created", "modified"),
        *("amended_from", "fmt", "value", "label_of", "rows", "column_total"),
    }
)
FIELD_METHODS = frozenset({"fmt", "value", "label_of"})
TRAIL_KEYS = frozenset({"step", "actor", "action", "at", "comment"})
ROUND_KEYS = frozenset({"number", "status", "current", "submitted_on", "submitted_at", "entries"})


@dataclass(frozen=True)
class NameWarning:
    lineno: int
    message: str


def _within(loop: nodes.For, name: str) -> Iterator[nodes.Node]:
    """The nodes of a loop's body, leaving out inner loops that bind the same name again."""
    pending: list[nodes.Node] = [*loop.body, *loop.else_]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, nodes.For) and isinstance(node.target, nodes.Name):
            if node.target.name == name:
                pending.append(node.iter)  # read in the outer loop; its body is the inner's
                continue
        pending.extend(node.iter_child_nodes())


def unknown_names(meta: Meta, source: str) -> list[NameWarning]:
    """Return what the template reads that this DocType's voucher does not have, by line."""
    try:
        tree = parse_template(source)
    except PrintTemplateError:
        return []  # the preview reports the error itself
    found = list(_Reader(meta).read(tree))
    return sorted(set(found), key=lambda w: (w.lineno, w.message))


class _Reader:
    def __init__(self, meta: Meta) -> None:
        self.meta = meta
        self.fields = {f.fieldname for f in meta.value_fields}

    def read(self, tree: nodes.Template) -> Iterator[NameWarning]:
        bound = self._bound_names(tree)
        for name in tree.find_all(nodes.Name):
            if name.ctx == "load" and name.name not in CONTEXT_NAMES | bound:
                yield NameWarning(
                    name.lineno, _("没有“%(name)s”，打印为空白") % {"name": name.name}
                )
        for node in tree.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "doc":
                yield from self._doc_attribute(node)
        # A loop over a table's rows (or the trail, its rounds, a round's entries) binds its
        # variable to those cells.
        rounds = {
            loop.target.name
            for loop in tree.find_all(nodes.For)
            if isinstance(loop.target, nodes.Name)
            and isinstance(loop.iter, nodes.Name)
            and loop.iter.name == "trail_rounds"
        }
        for loop in tree.find_all(nodes.For):
            target = loop.target
            if not isinstance(target, nodes.Name):
                continue
            cells = self._rows_of(loop.iter)
            if cells is None:
                cells = self._trail_of(loop.iter, rounds)
            if cells is None:
                continue
            for inner in _within(loop, target.name):
                if (
                    isinstance(inner, nodes.Getattr)
                    and isinstance(inner.node, nodes.Name)
                    and inner.node.name == target.name
                    and inner.attr not in cells
                ):
                    yield NameWarning(
                        inner.lineno,
                        _("子表行没有“%(name)s”（%(expr)s），打印为空白")
                        % {"name": inner.attr, "expr": f"{target.name}.{inner.attr}"},
                    )
        for call in tree.find_all(nodes.Call):
            yield from self._call(call)

    @staticmethod
    def _trail_of(node: nodes.Node, rounds: set[str]) -> frozenset[str] | None:
        """The keys of what `trail`, `trail_rounds` or a round's `entries` hold, else None."""
        if isinstance(node, nodes.Name):
            return {"trail": TRAIL_KEYS, "trail_rounds": ROUND_KEYS}.get(node.name)
        if (
            isinstance(node, nodes.Getattr)
            and node.attr == "entries"
            and isinstance(node.node, nodes.Name)
            and node.node.name in rounds
        ):
            return TRAIL_KEYS
        return None

    def _doc_attribute(self, node: nodes.Getattr) -> Iterator[NameWarning]:
        attr = node.attr
        if attr in DOC_ATTRIBUTES:
            return
        if attr in self.fields:
            yield NameWarning(
                node.lineno,
                _('“doc.%(name)s”打印为空白：字段的值请写 doc.fmt("%(name)s")') % {"name": attr},
            )
        else:
            yield self._no_field(node.lineno, f"doc.{attr}", attr)

    def _bound_names(self, tree: nodes.Template) -> frozenset[str]:
        """Names the template binds itself: loop variables, {% set %}, macro arguments."""
        names = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        names |= {m.name for m in tree.find_all(nodes.Macro)}
        return frozenset(names)

    def _rows_of(self, node: nodes.Node) -> frozenset[str] | None:
        """The cells of the table `doc.rows("items")` reads, or None for anything else."""
        table = self._doc_call(node, "rows")
        if table is None:
            return None
        f = self.meta.get_field(table)
        if f is None or not f.is_table:
            return None
        return frozenset({"idx", *(c.fieldname for c in get_meta(f.options).value_fields)})

    @staticmethod
    def _doc_call(node: nodes.Node, method: str) -> str | None:
        """The first argument of `doc.<method>("…")` written as a literal, else None."""
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Getattr)
            and isinstance(node.node.node, nodes.Name)
            and node.node.node.name == "doc"
            and node.node.attr == method
            and node.args
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
        ):
            return None
        return node.args[0].value

    def _call(self, call: nodes.Call) -> Iterator[NameWarning]:
        for method in FIELD_METHODS:
            fieldname = self._doc_call(call, method)
            if fieldname is not None and fieldname not in self.fields:
                yield self._no_field(call.lineno, f'doc.{method}("{fieldname}")', fieldname)
        for method in ("rows", "column_total"):
            table = self._doc_call(call, method)
            if table is None:
                continue
            f = self.meta.get_field(table)
            if f is None or not f.is_table:
                yield NameWarning(
                    call.lineno,
                    _("表单没有子表“%(name)s”（%(expr)s），打印为空白")
                    % {"name": table, "expr": f'doc.{method}("{table}")'},
                )
            elif method == "column_total" and len(call.args) > 1:
                cell = call.args[1]
                cells = {c.fieldname for c in get_meta(f.options).value_fields}
                if isinstance(cell, nodes.Const) and cell.value not in cells:
                    yield NameWarning(
                        call.lineno,
                        _("子表“%(table)s”没有字段“%(name)s”，合计为 0")
                        % {"table": f.label, "name": cell.value},
                    )

    def _no_field(self, lineno: int, expr: str, fieldname: str) -> NameWarning:
        return NameWarning(
            lineno,
            _("表单“%(form)s”没有字段“%(name)s”（%(expr)s），打印为空白")
            % {"form": self.meta.label, "name": fieldname, "expr": expr},
        )
