"""Formulas an admin types for computed fields, checked and evaluated by simpleeval in a sandbox.

Grammar (mirrored by `static/designer/form_rules.js` for instant feedback on the form):
numbers, 'text', field names, `table.column` (a child table's column as a list), in a row
`parent.field` (its document's field, e.g. a refund row's `missed_meals * parent.meal_rate`),
`+ - * / % **`, comparisons, `and or not`, `a if condition else b`, and the functions in
FUNCTIONS. Nothing else parses: no other attributes, no subscripts, no lambdas, no keywords.
Numbers are Decimal (money never becomes float); powers, text and the tree size are capped.
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import simpleeval
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from school_logistics.core.meta import FIELDNAME

MAX_SOURCE = 500  # characters of one formula
MAX_NODES = 120  # syntax-tree nodes of one formula
MAX_TEXT = 1000  # characters of any text a formula builds
MAX_EXPONENT = 100
MAX_ARGS = 10
# Enough digits for money; overflow and invalid operations raise instead of producing Infinity.
CONTEXT = decimal.Context(
    prec=28,
    rounding=ROUND_HALF_UP,
    Emax=99,
    Emin=-99,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


class FormulaError(ValueError):
    """A formula that cannot be used or evaluated; the message is for the admin or the user."""


def _num(value: Any, where: str | Promise = "") -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    raise FormulaError(
        _("%(op)s需要数字，得到的是“%(value)s”")
        % {"op": where or _("运算"), "value": str(value)[:20]}
    )


def _arith(
    op: Callable[[Decimal, Decimal], Decimal], name: str | Promise
) -> Callable[[Any, Any], Any]:
    def run(a: Any, b: Any) -> Any:
        x, y = _num(a, name), _num(b, name)
        if x is None or y is None:
            return None  # an empty input leaves the result empty, as on paper
        return op(x, y)

    return run


# Operation names are lazy: they are put into words only when a message is.
_plus = _arith(lambda x, y: x + y, gettext_lazy("加法"))


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_TEXT:
            raise FormulaError(_("文字太长（最多 %(n)s 字）") % {"n": MAX_TEXT})
        return a + b
    if isinstance(a, str) or isinstance(b, str):
        raise FormulaError(_("文字和数字不能相加"))
    return _plus(a, b)


def _div(x: Decimal, y: Decimal) -> Decimal:
    if y == 0:
        raise FormulaError(_("除数为零"))
    return x / y


def _mod(x: Decimal, y: Decimal) -> Decimal:
    if y == 0:
        raise FormulaError(_("除数为零"))
    return x % y


def _pow(x: Decimal, y: Decimal) -> Decimal:
    if y != y.to_integral_value() or abs(y) > MAX_EXPONENT:
        raise FormulaError(_("乘方的指数应为 -%(n)s 到 %(n)s 的整数") % {"n": MAX_EXPONENT})
    return x ** int(y)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def run(a: Any, b: Any) -> bool:
        if a is None or b is None:
            return False  # an empty field meets no threshold
        if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
            return op(Decimal(a), Decimal(b))
        if type(a) is not type(b):
            raise FormulaError(_("不同类型的值不能比较大小"))
        return op(a, b)

    return run


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        return Decimal(a) == Decimal(b)
    return bool(a == b)


def _neg(a: Any) -> Any:
    x = _num(a, gettext_lazy("负号"))
    return None if x is None else -x


OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: _add,
    ast.Sub: _arith(lambda x, y: x - y, gettext_lazy("减法")),
    ast.Mult: _arith(lambda x, y: x * y, gettext_lazy("乘法")),
    ast.Div: _arith(_div, gettext_lazy("除法")),
    ast.Mod: _arith(_mod, gettext_lazy("取余")),
    ast.Pow: _arith(_pow, gettext_lazy("乘方")),
    ast.Eq: _equal,
    ast.NotEq: lambda a, b: not _equal(a, b),
    ast.Lt: _ordered(lambda a, b: a < b),
    ast.LtE: _ordered(lambda a, b: a <= b),
    ast.Gt: _ordered(lambda a, b: a > b),
    ast.GtE: _ordered(lambda a, b: a >= b),
    ast.USub: _neg,
    ast.UAdd: lambda a: _num(a, gettext_lazy("正号")),
    ast.Not: lambda a: not a,
}


# ---- functions ------------------------------------------------------------------------------


def _numbers(args: tuple[Any, ...], name: str) -> list[Decimal]:
    # As in a spreadsheet's SUM(A1:A3, B1): columns and single values mix.
    items = [v for arg in args for v in (arg if isinstance(arg, list) else [arg])]
    return [n for n in (_num(v, name) for v in items) if n is not None]


def _round(value: Any, places: Any = 0) -> Decimal | None:
    x = _num(value, "round")
    n = _num(places, "round")
    if n is None or n != int(n) or not 0 <= n <= 10:
        raise FormulaError(_("round 的小数位数应为 0 到 10 的整数"))
    # 四舍五入 (half up, away from zero) whatever decimal context the caller runs in.
    exponent = Decimal(1).scaleb(-int(n))
    return None if x is None else x.quantize(exponent, rounding=ROUND_HALF_UP)


def _sum(*args: Any) -> Decimal:
    return sum(_numbers(args, "sum"), Decimal(0))


def _min(*args: Any) -> Decimal | None:
    found = _numbers(args, "min")
    return min(found) if found else None


def _max(*args: Any) -> Decimal | None:
    found = _numbers(args, "max")
    return max(found) if found else None


def _avg(*args: Any) -> Decimal | None:
    found = _numbers(args, "avg")
    return sum(found, Decimal(0)) / len(found) if found else None


def _count(*args: Any) -> Decimal:
    items = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    return Decimal(sum(1 for v in items if v not in (None, "")))


def _abs(value: Any) -> Decimal | None:
    x = _num(value, "abs")
    return None if x is None else abs(x)


def _moment(value: Any, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    raise FormulaError(_("%(f)s 需要日期或日期时间") % {"f": name})


def _span(a: Any, b: Any, name: str) -> dt.timedelta | None:
    start, end = _moment(a, name), _moment(b, name)
    if start is None or end is None:
        return None
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        start = start if isinstance(start, dt.datetime) else _midnight(start)
        end = end if isinstance(end, dt.datetime) else _midnight(end)
    return end - start


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _days_between(a: Any, b: Any) -> Decimal | None:
    span = _span(a, b, "days_between")
    if span is None:
        return None
    if span.seconds == 0 and span.microseconds == 0:
        return Decimal(span.days)
    return (Decimal(span.total_seconds()) / 86400).quantize(Decimal("0.01"))


def _hours_between(a: Any, b: Any) -> Decimal | None:
    span = _span(a, b, "hours_between")
    if span is None:
        return None
    return (Decimal(span.total_seconds()) / 3600).quantize(Decimal("0.01"))


def _shift(value: Any, amount: Any, unit: str, name: str) -> dt.date | None:
    start, n = _moment(value, name), _num(amount, name)
    if start is None or n is None:
        return None
    if abs(n) > 36500 * (24 if unit == "hours" else 1):
        raise FormulaError(_("%(f)s 的数量太大") % {"f": name})
    if unit == "days" and not isinstance(start, dt.datetime) and n == int(n):
        return start + dt.timedelta(days=int(n))
    moment = start if isinstance(start, dt.datetime) else _midnight(start)
    return moment + dt.timedelta(**{unit: float(n)})


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "round": _round,
    "abs": _abs,
    "min": _min,
    "max": _max,
    "sum": _sum,
    "avg": _avg,
    "count": _count,
    "days_between": _days_between,
    "hours_between": _hours_between,
    "add_days": lambda d, n: _shift(d, n, "days", "add_days"),
    "add_hours": lambda d, n: _shift(d, n, "hours", "add_hours"),
    "today": lambda: timezone.localdate(),
    "now": lambda: timezone.now(),
}
CONSTANTS = {"True": True, "False": False, "None": None}

# ---- checking -------------------------------------------------------------------------------

ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Attribute,
    ast.Constant,
    ast.Load,
    ast.And,
    ast.Or,
    *[op for op in OPERATORS],
)


# A row formula's name for its document: `parent.meal_rate`.
PARENT = "parent"


@dataclass(frozen=True)
class Scope:
    """The names a formula may use: fields of its level and, for a document, table columns;
    a row (`in_row`) may also read its document's fields as `parent.field`. A child table can
    serve several documents, so those are checked when the row is computed."""

    fields: frozenset[str]
    tables: Mapping[str, frozenset[str]]
    in_row: bool = False


@dataclass(frozen=True)
class Formula:
    source: str
    tree: ast.Expression
    fields: frozenset[str]  # the fields (and tables) it reads, for the evaluation order


def _decimal_constants(tree: ast.Expression) -> None:
    """Replace number literals by Decimal ones, so `0.1 * qty` is exact."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            node.value = Decimal(str(node.value))  # type: ignore[assignment]  # evaluated, not compiled


def compile_formula(source: Any, scope: Scope) -> Formula:
    """Parse and check a formula against the fields it may read; raise FormulaError."""
    if not isinstance(source, str) or not source.strip():
        raise FormulaError(_("公式为空"))
    if len(source) > MAX_SOURCE:
        raise FormulaError(_("公式太长（最多 %(n)s 字）") % {"n": MAX_SOURCE})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid decimal literal" and such: refused below
            tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise FormulaError(_("公式写法有误，请检查括号、引号和运算符")) from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(_("公式太复杂，请拆成几个计算字段"))
    used: set[str] = set()
    for node in nodes:
        if not isinstance(node, ALLOWED_NODES):
            raise FormulaError(_("公式中不能使用“%(s)s”") % {"s": _snippet(source, node)})
        if isinstance(node, ast.Constant):
            value = node.value
            if not isinstance(value, (int, float, str, bool)) and value is not None:
                raise FormulaError(_("公式中只能写数字和文字"))
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise FormulaError(_("文字太长（最多 %(n)s 字）") % {"n": MAX_TEXT})
            if isinstance(value, float) and not abs(value) < 1e30:
                raise FormulaError(_("数字太大"))
        elif isinstance(node, ast.Call):
            _check_call(node)
        elif isinstance(node, ast.Attribute):
            _check_column(node, scope)
            used.add(node.value.id)  # type: ignore[attr-defined]
        elif isinstance(node, ast.Name):
            if node.id in CONSTANTS or node.id in FUNCTIONS and _is_callee(tree, node):
                continue
            if (node.id in scope.tables or scope.in_row and node.id == PARENT) and (
                _is_column_base(tree, node)
            ):
                continue
            if node.id not in scope.fields:
                raise FormulaError(_("公式中的字段“%(f)s”不存在") % {"f": node.id})
            used.add(node.id)
    _decimal_constants(tree)
    return Formula(source.strip(), tree, frozenset(used))


def parent_fields(formula: Formula) -> set[str]:
    """The document fields a row formula reads as `parent.x`."""
    return {
        node.attr
        for node in ast.walk(formula.tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == PARENT
    }


def _snippet(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source.strip(), node) or type(node).__name__
    return text[:30]


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        name = node.func.id if isinstance(node.func, ast.Name) else "?"
        raise FormulaError(
            _("不支持的函数“%(f)s”，可用：%(names)s") % {"f": name, "names": "、".join(FUNCTIONS)}
        )
    if node.keywords or len(node.args) > MAX_ARGS:
        raise FormulaError(_("函数“%(f)s”的参数写法有误") % {"f": node.func.id})
    if any(isinstance(a, ast.Starred) for a in node.args):
        raise FormulaError(_("公式中不能使用 *"))


def _check_column(node: ast.Attribute, scope: Scope) -> None:
    base = node.value
    if isinstance(base, ast.Name) and base.id == PARENT and scope.in_row:
        if not FIELDNAME.match(node.attr):
            raise FormulaError(_("主表没有字段“%(f)s”") % {"f": node.attr})
        return
    if isinstance(base, ast.Name) and base.id not in scope.tables and base.id not in scope.fields:
        # A table taken off the form (or never there) is named, not explained as a syntax.
        raise FormulaError(_("公式中的子表“%(t)s”不存在") % {"t": base.id})
    if not isinstance(base, ast.Name) or base.id not in scope.tables:
        raise FormulaError(_("只有子表可以用“子表.列”的写法（子表行内可用 parent.字段）"))
    if node.attr not in scope.tables[base.id]:
        raise FormulaError(_("子表“%(t)s”没有列“%(c)s”") % {"t": base.id, "c": node.attr})


def _is_callee(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))


def _is_column_base(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Attribute) and n.value is name for n in ast.walk(tree))


# ---- evaluating -----------------------------------------------------------------------------


def evaluate(formula: Formula, names: Mapping[str, Any]) -> Any:
    """Evaluate a compiled formula over a document's values; raise FormulaError on any failure."""
    evaluator = simpleeval.SimpleEval(
        operators=OPERATORS, functions=FUNCTIONS, names={**CONSTANTS, **names}
    )
    try:
        with decimal.localcontext(CONTEXT):
            return evaluator.eval(formula.source, previously_parsed=formula.tree.body)
    except FormulaError:
        raise
    except simpleeval.InvalidExpression as exc:
        raise FormulaError(_("公式无法计算：%(e)s") % {"e": exc}) from None
    except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise FormulaError(_("公式无法计算：%(e)s") % {"e": type(exc).__name__}) from None


def run(source: Any, names: Mapping[str, Any], scope: Scope | None = None) -> Any:
    """Compile and evaluate in one go (tests, the designer's try-it)."""
    scope = scope or Scope(frozenset(n for n in names if not isinstance(names[n], dict)), {})
    tables = {k: frozenset(v) for k, v in names.items() if isinstance(v, dict)}
    return evaluate(compile_formula(source, Scope(scope.fields, tables or scope.tables)), names)
