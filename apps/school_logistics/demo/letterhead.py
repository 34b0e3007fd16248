"""The demo school's logo and letterhead line: a seal drawn at load time, no real school's emblem."""

from __future__ import annotations

import io
import shutil
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from school_logistics.demo.org import SCHOOL_ADDRESS, Org
from school_logistics.printing import services
from school_logistics.printing.models import Letterhead

LETTERHEAD = f"{SCHOOL_ADDRESS}　电话：0000-6688 1234（演示）　校训：勤学 守正 笃行"
RED = (178, 34, 34, 255)
SIZE = 400


def _cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    """Return a bold Chinese font from fontconfig, or None where none is installed."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        found = subprocess.run(  # noqa: S603 - a fixed program with fixed arguments
            [exe, "--format=%{file}|%{index}", "Noto Serif CJK SC:style=Bold:lang=zh"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
        path, _sep, index = found.partition("|")
        return ImageFont.truetype(path, size, index=int(index or 0))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def draw_logo() -> bytes:
    """Return a PNG seal: two red rings around 实验 (the rings alone without a Chinese font)."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), outline=RED, width=22)
    draw.ellipse((48, 48, SIZE - 48, SIZE - 48), outline=RED, width=6)
    font = _cjk_font(120)
    if font is not None:
        draw.text((SIZE / 2, SIZE / 2), "实验", font=font, fill=RED, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def create_letterhead(org: Org) -> Letterhead:
    """Give the demo school its logo and letterhead line, as its admin would upload them."""
    logo = SimpleUploadedFile("校徽.png", draw_logo(), content_type="image/png")
    return services.save_letterhead(
        actor=org.users["admin"], text=LETTERHEAD, show_logo=True, show_text=True, logo=logo
    )
