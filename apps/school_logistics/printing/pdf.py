"""Turn voucher HTML into PDF with WeasyPrint, refusing to print boxes when no CJK font exists."""

from __future__ import annotations

import shutil
import subprocess
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

# Families the voucher CSS asks for, best first; any font fontconfig tags `zh` will do.
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


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


def font_config() -> FontConfiguration:
    """Return this thread's font configuration, made once: loading it reopens every CJK font."""
    from weasyprint.text.fonts import FontConfiguration

    # Pango font maps are not thread-safe, so each thread (or RQ worker) keeps its own.
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> bytes:
    """Render voucher HTML to PDF; only inline data: resources are fetched, nothing else."""
    check_cjk_font()
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    # Admin CSS may name url(file:///etc/...) or an intranet address: fetch none of them.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
    # An admin's @font-face would stay in a shared configuration for every later voucher.
    config = FontConfiguration() if "@font-face" in html else font_config()
    return HTML(string=html, base_url="data:,", url_fetcher=fetcher).write_pdf(font_config=config)
