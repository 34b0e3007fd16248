"""Say in Chinese why an admin's Jinja template failed, keeping the name or token at fault.

Print formats and notification wording both run admin-typed Jinja; Jinja explains failures in
English ("'foo' is undefined"), which an admin of a Chinese school cannot act on. This module
has no domain imports, so the notify engine may use it as well as printing.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

# How Jinja's lexer names tokens in its messages, as an admin typed them.
_TOKENS = {
    "end of print statement": "}}",
    "end of statement block": "%}",
    "begin of print statement": "{{",
    "begin of statement block": "{%",
}

# (pattern of Jinja's English message, what to say instead); the first that matches wins.
_SYNTAX: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^No filter named '(?P<a>[^']*)'"), gettext_noop("没有过滤器“%(a)s”")),
    (re.compile(r"^No test named '(?P<a>[^']*)'"), gettext_noop("没有检验“%(a)s”")),
    (
        re.compile(
            r"^Encountered unknown tag '(?P<a>[^']*)'\..*innermost block that needs to be closed"
            r" is '(?P<b>[^']*)'",
            re.S,
        ),
        gettext_noop("此处不能用“%(a)s”，“%(b)s”块还没有结束"),
    ),
    (re.compile(r"^Encountered unknown tag '(?P<a>[^']*)'"), gettext_noop("不认识的标签“%(a)s”")),
    (
        re.compile(
            r"^Unexpected end of template\..*looking for the following tags: (?P<a>.*?)\."
            r" The innermost block that needs to be closed is '(?P<b>[^']*)'",
            re.S,
        ),
        gettext_noop("“%(b)s”块没有结束，缺少%(a)s"),
    ),
    (
        re.compile(r"^unexpected end of template, expected '(?P<a>[^']*)'"),
        gettext_noop("模板在此处提前结束，缺少“%(a)s”"),
    ),
    (re.compile(r"^unexpected end of template"), gettext_noop("模板在此处提前结束")),
    (
        re.compile(r"^unexpected '(?P<a>[^']*)', expected '(?P<b>[^']*)'"),
        gettext_noop("此处应为“%(b)s”，却是“%(a)s”"),
    ),
    (re.compile(r"^unexpected '(?P<a>[^']*)'"), gettext_noop("多余的“%(a)s”")),
    (re.compile(r"^unexpected char '(?P<a>.*)' at \d+"), gettext_noop("无法识别的字符“%(a)s”")),
    (
        re.compile(r"^expected token '(?P<b>[^']*)', got '(?P<a>[^']*)'"),
        gettext_noop("此处应为“%(b)s”，却是“%(a)s”"),
    ),
    (
        re.compile(r"^Expected an expression, got '(?P<a>[^']*)'"),
        gettext_noop("“%(a)s”之前缺少表达式"),
    ),
    (re.compile(r"^tag name expected"), gettext_noop("“{%%”之后缺少标签名")),
    (re.compile(r"^Missing end of comment tag"), gettext_noop("注释没有结束，缺少“#}”")),
    (re.compile(r"^Missing end of raw directive"), gettext_noop("raw 块没有结束，缺少“endraw”")),
    (re.compile(r"^unexpected end of (?:string|template)"), gettext_noop("模板在此处提前结束")),
]

_UNSAFE = re.compile(r"access to attribute '(?P<a>[^']*)' of '(?P<t>[^']*)' object is unsafe")
_NOT_CALLABLE = re.compile(r"^(?P<a>.*) is not safely callable")
_UNDEFINED_NAME = re.compile(r"^'(?P<a>[^']*)' is undefined")
_NO_ATTRIBUTE = re.compile(r"^'?(?P<t>.*?)'? has no attribute '(?P<a>[^']*)'")
_NO_ELEMENT = re.compile(r"^'?(?P<t>.*?)'? has no element (?P<a>.*)$")
# Jinja names the frames of templates made from strings so; tracebacks give their lines.
TEMPLATE_NAME = "<template>"
# What the values an admin reaches are called in their templates: `doc` is a PrintDoc.
_OWNERS = {
    "PrintDoc": "doc",
    "None": gettext_noop("空值"),
    "dict": gettext_noop("字典"),
    "list": gettext_noop("列表"),
    "str": gettext_noop("文字"),
}


def _token(text: str) -> str:
    if "' or '" in text:  # a list of tags Jinja looked for: 'endfor' or 'else'
        return "或".join(f"“{t}”" for t in text.strip("'").split("' or '"))
    return _TOKENS.get(text, text)


def _owner(description: str) -> str:
    """Return the short name of the object Jinja describes ('a.b.PrintDoc object' → doc)."""
    name = description.removesuffix(" object").rsplit(".", 1)[-1]
    return _(_OWNERS[name]) if name in _OWNERS else name


def _syntax(message: str) -> str:
    for pattern, text in _SYNTAX:
        match = pattern.search(message)
        if match:
            parts = {k: _token(v) for k, v in match.groupdict().items()}
            return _(text) % parts
    return message


def _undefined(message: str) -> str:
    if match := _UNSAFE.search(message):
        return _("不允许访问“%(name)s”") % {"name": match["a"]}
    if match := _UNDEFINED_NAME.search(message):
        return _("没有变量“%(name)s”") % {"name": match["a"]}
    if match := _NO_ATTRIBUTE.search(message):
        return _("“%(owner)s”没有属性“%(name)s”") % {
            "owner": _owner(match["t"]),
            "name": match["a"],
        }
    if match := _NO_ELEMENT.search(message):
        return _("“%(owner)s”没有第 %(n)s 项") % {"owner": _owner(match["t"]), "n": match["a"]}
    return message


def _security(message: str) -> str:
    if match := _UNSAFE.search(message):
        return _("不允许访问“%(name)s”") % {"name": match["a"]}
    if match := _NOT_CALLABLE.search(message):
        return _("不允许调用“%(name)s”") % {"name": match["a"]}
    # The print sandbox raises its own refusals in Chinese already.
    return message


def describe(exc: BaseException) -> str:
    """Return a Chinese message for a template failure; the caller adds the line number."""
    if isinstance(exc, TemplateSyntaxError):
        return _("语法错误：%(detail)s") % {"detail": _syntax(exc.message or "")}
    if isinstance(exc, SecurityError):
        return _("安全限制：%(detail)s") % {"detail": _security(str(exc))}
    if isinstance(exc, UndefinedError):
        detail = _undefined(exc.message or "")
        # An unsafe attribute read as undefined is the sandbox refusing it, not a typo.
        if _UNSAFE.search(exc.message or ""):
            return _("安全限制：%(detail)s") % {"detail": detail}
        return detail
    if isinstance(exc, RecursionError):
        return _("安全限制：递归过深")
    if isinstance(exc, OverflowError) and "Range too big" in str(exc):
        return _("安全限制：循环次数过多")
    if isinstance(exc, OverflowError | MemoryError):
        return _("安全限制：数值或内容过大")
    if isinstance(exc, ZeroDivisionError):
        return _("不能除以零")
    if isinstance(exc, TypeError | ValueError | ArithmeticError):
        # Python's own wording is the only precise account of a bad operation; say what kind.
        return _("运算出错（%(detail)s）") % {"detail": exc}
    return f"{type(exc).__name__}: {exc}"


def line_of(exc: BaseException) -> int | None:
    """Return the template line at fault: a syntax error's own, else the deepest template frame."""
    lineno = getattr(exc, "lineno", None) if isinstance(exc, TemplateSyntaxError) else None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno
