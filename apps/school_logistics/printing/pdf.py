"""Turn voucher HTML into PDF with WeasyPrint, refusing to print boxes when no CJK font exists."""

from __future__ import annotations

import atexit
import gc
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from school_logistics.core.collector import freeze_long_lived
from school_logistics.printing import fonts
from school_logistics.printing.render import BASE_CSS

if TYPE_CHECKING:
    from weasyprint import CSS, HTML
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration


class CJKFontMissing(Exception):
    """The server has no font that covers Chinese: a PDF would show boxes instead of text."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "服务器未安装中文字体，无法生成 PDF（否则汉字会显示为方框）。"
                "请管理员安装 fonts-noto-cjk（Debian/Ubuntu：apt-get install fonts-noto-cjk），"
                "或先使用浏览器打印。"
            )
        )


@lru_cache(maxsize=4)
def cjk_font_families(fc_list: str = "fc-list") -> tuple[str, ...]:
    """Return the font families fontconfig knows for Chinese (empty when none or no fontconfig)."""
    exe = shutil.which(fc_list)
    if exe is None:
        return ()
    try:
        out = subprocess.run(  # noqa: S603 - a fixed program with fixed arguments
            [exe, ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    names = {name.strip() for line in out.splitlines() for name in line.split(",")}
    return tuple(sorted(n for n in names if n))


def check_cjk_font(fc_list: str = "fc-list") -> None:
    """Raise CJKFontMissing unless a Chinese font is installed."""
    if not cjk_font_families(fc_list):
        raise CJKFontMissing()


_local = threading.local()


@dataclass(frozen=True)
class _Fonts:
    """A font configuration with the stylesheets parsed against it, reused for many PDFs."""

    faces: tuple[fonts.Face, ...]  # the voucher font subsets registered in it
    config: FontConfiguration
    faces_css: CSS  # @font-face rules naming the subsets
    frame_css: CSS  # voucher.css, which vouchers and printed lists inline in their page


def _load_fonts(faces: tuple[fonts.Face, ...]) -> _Fonts:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    rules = "".join(
        f'@font-face {{ font-family: "{fonts.FAMILY}"; font-weight: {weight}; '
        f"src: url({path.as_uri()}); }}\n"
        for weight, path in faces
    )
    # Our own files: read with WeasyPrint's ordinary fetcher, unlike anything in a page.
    return _Fonts(
        faces,
        config,
        CSS(string=rules, font_config=config),
        CSS(string=BASE_CSS, font_config=config),
    )


def _thread_fonts() -> _Fonts:
    """Return this thread's fonts, made once (again when the font subsets become ready)."""
    # Pango font maps are not thread-safe, so each thread (or RQ worker) keeps its own.
    faces = fonts.ready_faces()
    state: _Fonts | None = getattr(_local, "fonts", None)
    if state is None or state.faces != faces:
        state = _local.fonts = _load_fonts(faces)
        # WeasyPrint's modules, the fonts and the parsed CSS now stay for the thread's life.
        freeze_long_lived()
    return state


def release_fonts() -> None:
    """Drop this thread's fonts and delete WeasyPrint's temporary copies of the subsets."""
    if _local.__dict__.pop("fonts", None) is not None:
        # The configuration sits in a reference cycle: it is deleted, and its folder with it,
        # only by a collection, which a work horse ending with os._exit would never run.
        gc.collect()


# A configuration deletes its copies when collected, which at interpreter exit comes after its
# modules are gone: let the main thread's go first.
atexit.register(release_fonts)


# WeasyPrint's user-agent sheet gives every element five footnote and side-note pseudo-elements
# (`::footnote-call` … `::note-callback`). Their styles are computed for each of a voucher's ~330
# elements, a tenth of its layout, though only a page using `float: footnote` or
# `position: note(…)` ever shows one: such pages keep the whole sheet.
_NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z-]+ \{[^}\n]*\}\n", re.MULTILINE)
_NOTE_RULE_COUNT = 5


@lru_cache(maxsize=1)
def html_without_notes() -> type[HTML]:
    """Return WeasyPrint's HTML class with a user-agent sheet minus the note pseudo-elements."""
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA, UA_FORM_STYLESHEET

    sheet, removed = _NOTE_RULES.subn("", UA)
    if removed != _NOTE_RULE_COUNT:  # another WeasyPrint's sheet: keep it whole
        return HTML
    # Documents take their counter styles from WeasyPrint's parse of the whole sheet: a store of
    # our own keeps its @counter-style rules from being refused as redefinitions.
    ua = CSS(string=sheet, counter_style=CounterStyle())

    # The hook WeasyPrint's own tests override to swap the user-agent sheet.
    class VoucherHTML(HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
            return [ua, UA_FORM_STYLESHEET] if forms else [ua]

    return VoucherHTML


class _CharactersPatterns(dict[tuple[object, bool], "re.Pattern[str]"]):
    """tinyhtml5's cache of `chars_until` patterns, filled under the keys it looks them up by.

    tinyhtml5 2.1 stores each pattern under the pattern itself (in `characters = cache[
    (characters, opposite)] = regex` the name is rebound first), so every lookup misses and the
    pattern is built again: ≈ 4 ms of a voucher's ≈ 10 ms of HTML parsing. A missing key is
    built here the same way and kept, so the library's own branch never runs.
    """

    def __missing__(self, key: tuple[object, bool]) -> re.Pattern[str]:
        characters, opposite = key
        ranges = "".join(f"\\x{ord(c):02x}" for c in characters)  # type: ignore[attr-defined]
        pattern = self[key] = re.compile(f"[{'' if opposite else '^'}{ranges}]+")
        return pattern


@lru_cache(maxsize=1)
def mend_html_parser() -> None:
    """Give the HTML parser a pattern cache that hits (see `_CharactersPatterns`)."""
    from tinyhtml5 import inputstream

    inputstream.characters_until_regex = _CharactersPatterns()


def uses_notes(html: str) -> bool:
    """Whether a page may show footnotes or side notes (checked loosely: a miss only costs time)."""
    return "footnote" in html or "note(" in html


def render_document(html: str) -> Document:
    """Lay out voucher HTML; only inline data: resources are fetched, nothing else."""
    check_cjk_font()
    mend_html_parser()
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Admin CSS may name url(file:///etc/...) or an intranet address: fetch none of them.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    # An admin's @font-face would stay in a shared configuration for every later voucher.
    state = _load_fonts(fonts.ready_faces()) if "@font-face" in html else _thread_fonts()
    sheets = [state.faces_css]
    # Parsing voucher.css is a tenth of a voucher's time: it is cut from the page and passed
    # parsed. As a user stylesheet it ranks below every style left in the page (page size, the
    # format's CSS) whatever their selectors; in the page it came first, so they beat it only
    # when at least as specific.
    page = html.replace(BASE_CSS, "", 1)
    if page != html:
        sheets.append(state.frame_css)
    html_class = HTML if uses_notes(page) else html_without_notes()
    return html_class(string=page, base_url="data:,", url_fetcher=fetcher).render(
        font_config=state.config, stylesheets=sheets
    )


def html_to_pdf(html: str) -> bytes:
    """Render voucher HTML to PDF (see render_document)."""
    return render_document(html).write_pdf()
