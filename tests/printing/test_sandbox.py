"""Admin-edited print templates run sandboxed: escapes and runaway loops stop with the line."""

from __future__ import annotations

import pytest

from school_logistics.printing.sandbox import PrintTemplateError, render


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("{{ ''.__class__ }}", 1, "__class__"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", 1, "__class__"),
        ("<p>\n{{ self.__init__.__globals__ }}", 2, "__init__"),
        ("{{ lipsum.__globals__['os'] }}", 1, "__globals__"),
        ("{{ cycler.__init__.__globals__ }}", 1, "__init__"),
        ("{{ doc._doc.instance }}", 1, "_doc"),
        ("a\nb\n{% for i in range(10**9) %}{{ i }}{% endfor %}", 3, "循环次数过多"),
        (
            "{% for i in range(9000) %}{% for j in range(9000) %}{% endfor %}{% endfor %}",
            1,
            "循环次数过多",
        ),
        ("{{ 'x' * 1000000000 }}", 1, "过长"),
        ("{{ 2 ** 64 ** 64 }}", 1, "过大"),
        ("{{ '{:>999999999}'.format(1) }}", 1, "格式宽度过大"),
        ("{{ '%0999999999d' % 1 }}", 1, "格式宽度过大"),
        ("{{ 'x'|center(999999999) }}", 1, "参数过大"),
        ("{% macro m() %}{{ m() }}{% endmacro %}\n{{ m() }}", None, "递归过深"),
        ("{{ [].append(1) }}", 1, "append"),
        ("ok\n{% include '/etc/passwd' %}", 2, "不能引用其他模板"),
        ("ok\n{% extends 'base.html' %}", 2, "不能引用其他模板"),
        ("<h1>\n{% if %}", 2, "语法错误"),
    ],
)
def test_sandbox_refuses_escapes_and_runaways_naming_the_line(source, line, words, doc_stub):
    with pytest.raises(PrintTemplateError) as exc:
        render(source, {"doc": doc_stub})
    assert words in exc.value.display
    if line is not None:
        assert exc.value.lineno == line
        assert f"第 {line} 行" in exc.value.display


def test_sandbox_escapes_html_and_offers_print_helpers(doc_stub):
    html = render("{{ '<script>' }} {{ daxie('12.30') }} {{ 1234.5|daxie }}", {"doc": doc_stub})
    assert "&lt;script&gt;" in html
    assert "壹拾贰元叁角整" in html
    assert "壹仟贰佰叁拾肆元伍角整" in html


def test_sandbox_allows_ordinary_loops_and_formatting(doc_stub):
    html = render("{% for i in range(3) %}{{ i }}{% endfor %} {{ '%s-%s'|format(1, 2) }}", {})
    assert html == "012 1-2"


@pytest.fixture
def doc_stub():
    class Stub:
        def __init__(self) -> None:
            self._doc = object()
            self.name = "REQ-1"

    return Stub()
