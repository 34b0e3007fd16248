"""Check an uploaded school logo and re-encode it, so only a plain picture ever reaches a voucher."""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from school_logistics.core.validation import DocumentValidationError

MAX_LOGO_BYTES = 1024 * 1024
# A logo prints about 10 mm high: 400 px is sharp at 600 dpi and keeps each voucher small.
MAX_SIDE = 400
# Decoding more pixels than this would take seconds and hundreds of megabytes for one logo.
MAX_PIXELS = 16_000_000
# SVG is refused: it can carry scripts and external references.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _refuse(message: str) -> DocumentValidationError:
    return DocumentValidationError.single(message, "logo")


@contextmanager
def _whole_files_only() -> Iterator[None]:
    """Refuse truncated files: importing WeasyPrint tells Pillow, process-wide, to fill them in."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _open(upload: UploadedFile) -> Image.Image:
    upload.seek(0)
    try:
        with warnings.catch_warnings(), _whole_files_only():
            # Pillow only warns about a decompression bomb below twice its limit; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in FORMATS:
                raise _refuse(_("校徽只能是 PNG 或 JPEG 图片"))
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(_("校徽图片的像素太多，请缩小到 4000×4000 以内"))
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,  # Pillow's parsers raise it for some malformed headers
        ValueError,
    ):
        raise _refuse(_("上传的文件不是有效的 PNG 或 JPEG 图片")) from None
    return image


def clean_logo(upload: UploadedFile) -> tuple[bytes, str]:
    """Return the logo re-encoded at most MAX_SIDE pixels wide and high, and its content type."""
    if upload.size is None or upload.size > MAX_LOGO_BYTES:
        raise _refuse(_("校徽图片不能超过 1 MB"))
    image = _open(upload)
    kind = str(image.format)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "PNG":
        # Palette and greyscale pictures become RGBA so their transparency survives.
        image.convert("RGBA").save(out, "PNG", optimize=True)
    else:
        image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue(), FORMATS[kind]


def data_uri(content: bytes, content_type: str) -> str:
    """Return the logo as a data: URI: WeasyPrint fetches nothing else (see pdf.py)."""
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
