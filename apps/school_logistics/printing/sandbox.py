"""Render admin-edited print templates in a Jinja sandbox with limits, naming the line at fault."""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from school_logistics.printing.jinja_errors import describe, line_of

# Total loop iterations `range()` may hand out in one render: a voucher never needs more.
MAX_ITERATIONS = 20_000
# Longest string or list one `*` may build, and the largest exponent `**` may take.
MAX_SEQUENCE = 100_000
MAX_EXPONENT = 64
# A voucher's HTML is a few hundred kilobytes at most; more means a runaway template.
MAX_OUTPUT_CHARS = 5_000_000
# Format widths such as "{:>999999999}" or "%0999999999d" would allocate gigabytes.
_HUGE_WIDTH = re.compile(r"\d{5,}")


class PrintTemplateError(Exception):
    """A print template that cannot be compiled or rendered; `lineno` is the line at fault."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        self.message = message
        self.lineno = lineno
        super().__init__(self.display)

    @property
    def display(self) -> str:
        if self.lineno:
            return f"打印模板第 {self.lineno} 行出错：{self.message}"
        return f"打印模板出错：{self.message}"


class _Budget:
    """Iterations left for this render, shared by every `range()` call in it."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def range(self, *args: int) -> Iterator[int]:
        values = range(*args)
        if len(values) > self.left:
            raise SecurityError(
                f"循环次数过多（range 共 {len(values)} 次，一次打印最多 {MAX_ITERATIONS} 次）"
            )
        self.left -= len(values)
        return iter(values)


class PrintSandbox(ImmutableSandboxedEnvironment):
    """The sandbox every print template runs in: no file access, no unsafe attributes, bounded."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        """Refuse unsafe attributes (`''.__class__`) at once instead of printing nothing."""
        raise SecurityError(f"不允许访问“{type(obj).__name__}”对象的属性“{attribute}”")

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        """Refuse operations whose result would exhaust memory or time."""
        if op == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    if len(seq) * count > MAX_SEQUENCE:
                        raise SecurityError("重复生成的内容过长")
            return operator.mul(left, right)
        if op == "**":
            big = isinstance(left, int) and left.bit_length() * abs(int(right)) > 4096
            if isinstance(right, int | float) and (abs(right) > MAX_EXPONENT or big):
                raise SecurityError("乘方的结果过大")
            return operator.pow(left, right)
        if isinstance(left, str):
            if _HUGE_WIDTH.search(left):
                raise SecurityError("格式宽度过大")
            return self.filters["format"](left, *(right if isinstance(right, tuple) else (right,)))
        return operator.mod(left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """Wrap str.format so widths such as "{:>999999999}" are refused before formatting."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt: Callable[..., str] = wrapped

        def checked(*args: Any, **kwargs: Any) -> str:
            if _HUGE_WIDTH.search(str(value.__self__)):
                raise SecurityError("格式宽度过大")
            return fmt(*args, **kwargs)

        return checked


def _capped_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def capped(value: Any, *args: Any, **kwargs: Any) -> Any:
        for arg in (*args, *kwargs.values()):
            if (
                isinstance(arg, int)
                and arg > 1000
                or isinstance(arg, str)
                and _HUGE_WIDTH.search(arg)
            ):
                raise SecurityError(f"过滤器 {name} 的参数过大")
        if name == "format" and _HUGE_WIDTH.search(str(value)):
            raise SecurityError("格式宽度过大")
        return original(value, *args, **kwargs)

    return capped


def make_environment() -> PrintSandbox:
    """Return a sandbox with autoescaping, no loader and the print helpers as filters."""
    from school_logistics.printing.amount_in_words import amount_in_words

    env = PrintSandbox(autoescape=True, loader=None)
    for name in ("center", "indent", "wordwrap", "truncate", "format"):
        env.filters[name] = _capped_filter(name, env.filters[name])

    def daxie(value: Any) -> str:
        # Literals typed in a template are floats; their shortest repr is what the admin typed.
        return amount_in_words(repr(value) if isinstance(value, float) else value)

    env.filters["daxie"] = daxie
    env.globals["daxie"] = daxie
    env.globals.pop("range", None)
    return env


_env = make_environment()


@lru_cache(maxsize=128)
def compile_template(source: str) -> Any:
    """Compile a template or raise PrintTemplateError naming the line (cached by source).

    The source is the key, so a saved edit compiles afresh and each format version compiles once.
    """
    try:
        tree = _env.parse(source)
        # There is no loader: say so at the line instead of failing at render time.
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            raise PrintTemplateError("打印模板不能引用其他模板", node.lineno)
        return _env.from_string(source)
    except TemplateSyntaxError as exc:
        raise PrintTemplateError(describe(exc), exc.lineno) from None


def parse_template(source: str) -> nodes.Template:
    """Return a template's syntax tree, or raise PrintTemplateError as `compile_template` does."""
    compile_template(source)
    return _env.parse(source)


def check_template(source: str) -> None:
    """Raise PrintTemplateError when a template would not compile (checked before saving)."""
    compile_template(source)


def render(source: str, context: dict[str, Any]) -> Markup:
    """Render a template's source in the sandbox; raise PrintTemplateError on any failure."""
    template = compile_template(source)
    budget = _Budget(MAX_ITERATIONS)
    old_limit = sys.getrecursionlimit()
    try:
        # A low ceiling makes runaway recursive macros fail in milliseconds.
        sys.setrecursionlimit(min(old_limit, 2000))
        html = template.render({**context, "range": budget.range})
    except PrintTemplateError:
        raise
    except Exception as exc:  # any failure of admin-typed code is the template's, shown to them
        raise PrintTemplateError(describe(exc), line_of(exc)) from None
    finally:
        sys.setrecursionlimit(old_limit)
    if len(html) > MAX_OUTPUT_CHARS:
        raise PrintTemplateError("生成的内容过长")
    return Markup(html)
