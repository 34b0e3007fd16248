"""A school's logo and letterhead line: set by its admin, printed on its own vouchers only."""

from __future__ import annotations

import io
import os
import uuid

import pytest

# WeasyPrint tells Pillow to fill truncated files in, as in a running server; still refused.
import weasyprint  # noqa: F401
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, PngImagePlugin
from pypdf import PdfReader

from school_logistics.core import services as core_services
from school_logistics.core.validation import DocumentValidationError
from school_logistics.printing import services
from school_logistics.printing.batch import start_batch
from school_logistics.printing.models import BatchStatus, Letterhead
from school_logistics.printing.services import print_document, save_letterhead
from tests.printing.conftest import make_requisition, pdf_text, squeeze

URL = "/app/print-letterhead/"
TEXT = "测试路 8 号（虚构）　电话：0000-1234　校训：求是"


def png(size: tuple[int, int] = (200, 200), **info: str) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size[0] - 4, size[1] - 4), outline="red", width=12)
    meta = PngImagePlugin.PngInfo()
    for key, value in info.items():
        meta.add_text(key, value)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def upload(content: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_images(pdf: bytes) -> list[tuple[int, int]]:
    """Return the pixel sizes of the images on page 1 (the QR code is vector, not an image)."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return [img.image.size for img in page.images]


@pytest.fixture
def letterhead(users):
    return save_letterhead(
        actor=users["admin"], text=TEXT, show_logo=True, show_text=True, logo=upload(png())
    )


def post(client, user, **data):
    client.force_login(user)
    return client.post(URL, data)


def test_admin_uploads_logo_and_letterhead_from_the_settings_page(client, users):
    response = post(
        client,
        users["admin"],
        logo=upload(png()),
        text=f"  {TEXT}\n",
        show_logo="1",
        show_text="1",
    )
    assert response.status_code == 302
    saved = Letterhead.objects.get(school_id=users["admin"].school_id)
    assert saved.text == TEXT and saved.show_logo and saved.show_text
    assert saved.logo_type == "image/png" and Image.open(io.BytesIO(saved.logo)).size == (200, 200)
    page = client.get(response["Location"]).content.decode()
    assert "已保存" in page and TEXT in page and "data:image/png;base64," in page


def test_logo_is_re_encoded_shrunk_and_stripped_of_what_the_file_carried(users):
    big = png((1200, 600), Comment="<script>alert(1)</script>")
    saved = save_letterhead(
        actor=users["admin"], text="", show_logo=True, show_text=True, logo=upload(big)
    )
    assert b"<script>" not in bytes(saved.logo)
    assert Image.open(io.BytesIO(saved.logo)).size == (400, 200)


def test_jpeg_logo_stays_jpeg(users):
    out = io.BytesIO()
    Image.new("RGB", (120, 80), "navy").save(out, "JPEG")
    saved = save_letterhead(
        actor=users["admin"],
        text="",
        show_logo=True,
        show_text=True,
        logo=upload(out.getvalue(), "logo.jpg", "image/jpeg"),
    )
    assert saved.logo_type == "image/jpeg" and Image.open(io.BytesIO(saved.logo)).format == "JPEG"


def _noise_png() -> bytes:
    """A real PNG over 1 MB: random pixels do not compress."""
    image = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    return out.getvalue()


def _pixel_bomb() -> bytes:
    """A small file that claims 5000×5000 pixels."""
    out = io.BytesIO()
    Image.new("1", (5000, 5000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (b"this is not a picture", "logo.png", "image/png", "不是有效的 PNG 或 JPEG 图片"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "image/svg+xml",
            "不是有效的 PNG 或 JPEG 图片",
        ),
        (png()[:300], "logo.png", "image/png", "不是有效的 PNG 或 JPEG 图片"),
        ("jpeg-cut", "logo.jpg", "image/jpeg", "不是有效的 PNG 或 JPEG 图片"),
        ("gif", "logo.gif", "image/gif", "只能是 PNG 或 JPEG"),
        ("noise", "logo.png", "image/png", "不能超过 1 MB"),
        ("bomb", "logo.png", "image/png", "像素太多"),
    ],
    ids=["text", "svg", "truncated", "truncated-jpeg", "gif", "too-big", "pixel-bomb"],
)
def test_bad_upload_is_refused_with_a_message_and_changes_nothing(
    client, users, letterhead, content, name, content_type, message
):
    if content == "gif":
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, "GIF")
        content = out.getvalue()
    elif content == "jpeg-cut":
        out = io.BytesIO()
        Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(out, "JPEG")
        content = out.getvalue()[: len(out.getvalue()) // 2]
    elif content == "noise":
        content = _noise_png()
    elif content == "bomb":
        content = _pixel_bomb()
    before = bytes(letterhead.logo)
    response = post(
        client,
        users["admin"],
        logo=upload(content, name, content_type),
        text="改过的信头",
        show_logo="",
        show_text="1",
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    letterhead.refresh_from_db()
    assert bytes(letterhead.logo) == before and letterhead.text == TEXT and letterhead.show_logo


def test_too_long_letterhead_is_refused_and_changes_nothing(users, letterhead):
    with pytest.raises(DocumentValidationError, match="最多 120 个字"):
        save_letterhead(actor=users["admin"], text="长" * 121, show_logo=True, show_text=True)
    letterhead.refresh_from_db()
    assert letterhead.text == TEXT


@pytest.mark.parametrize("who", ["teacher", "purchaser", "principal"])
def test_only_the_school_admin_may_open_or_change_the_letterhead(client, users, letterhead, who):
    client.force_login(users[who])
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"logo": upload(png((50, 50))), "text": "偷改", "show_text": "1"})
    assert response.status_code == 403
    letterhead.refresh_from_db()
    assert letterhead.text == TEXT and Image.open(io.BytesIO(letterhead.logo)).size == (200, 200)


def test_admin_of_another_school_sets_only_their_own(client, users, outsider, letterhead):
    assert post(client, outsider, text="第二中学信头", show_text="1").status_code == 302
    letterhead.refresh_from_db()
    assert letterhead.text == TEXT
    theirs = Letterhead.objects.get(school_id=outsider.school_id)
    assert theirs.text == "第二中学信头" and not theirs.logo
    page = client.get(URL).content.decode()
    assert TEXT not in page and "data:image/png" not in page


def test_requisition_pdf_shows_logo_and_letterhead(users, items, letterhead, tmp_path):
    pdf = print_document(make_requisition(users["teacher"]), actor=users["teacher"]).content
    assert (200, 200) in pdf_images(pdf)
    assert squeeze(TEXT) in squeeze(pdf_text(pdf, tmp_path))


def test_another_schools_vouchers_show_neither_logo_nor_letterhead(
    users, outsider, letterhead, tmp_path
):
    # Item codes are unique across the site, so both schools print a room card.
    def room_pdf(actor, name):
        values = {"location_name": name, "purpose": "其他", "building": "明德楼"}
        room = core_services.create_document("Location", values, actor=actor)
        return print_document(room, actor=actor).content

    ours = room_pdf(users["storekeeper"], "第一中学报告厅")
    assert (200, 200) in pdf_images(ours)
    theirs = room_pdf(outsider, "第二中学报告厅")
    text = squeeze(pdf_text(theirs, tmp_path))
    assert pdf_images(theirs) == []
    assert squeeze(TEXT) not in text and "测试第二中学" in text


def test_school_without_letterhead_prints_as_before(users, items, tmp_path):
    doc = make_requisition(users["teacher"])
    html = print_document(doc, actor=users["teacher"], output="html").content
    assert 'class="school-logo"' not in html and 'class="letterhead"' not in html
    pdf = print_document(doc, actor=users["teacher"]).content
    assert pdf_images(pdf) == []
    assert "测试第一中学" in pdf_text(pdf, tmp_path)


def test_unticked_parts_are_kept_but_not_printed(users, items, letterhead, tmp_path):
    save_letterhead(actor=users["admin"], text=TEXT, show_logo=False, show_text=False)
    pdf = print_document(make_requisition(users["teacher"]), actor=users["teacher"]).content
    assert pdf_images(pdf) == []
    assert squeeze(TEXT) not in squeeze(pdf_text(pdf, tmp_path))
    assert Letterhead.objects.get(pk=letterhead.pk).logo  # still there to tick on again


def test_html_print_view_shows_logo_and_escaped_letterhead(client, users, items):
    save_letterhead(
        actor=users["admin"],
        text="<b>校训</b> & 求是",
        show_logo=True,
        show_text=True,
        logo=upload(png()),
    )
    doc = make_requisition(users["teacher"])
    client.force_login(users["teacher"])
    response = client.get(f"/app/material-requisition/{doc.name}/print")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<img src="data:image/png;base64,' in html
        and "data:" in response["Content-Security-Policy"]
    )
    assert "&lt;b&gt;校训&lt;/b&gt; &amp; 求是" in html and "<b>校训" not in html


def test_admin_formats_reach_logo_and_letterhead_through_the_sandbox(users, items, letterhead):
    services.save_print_format(
        "Material Requisition",
        "本校抬头",
        '<img class="mine" src="{{ school.logo }}"><p>{{ school.letterhead }}</p>',
        actor=users["admin"],
        is_default=True,
    )
    html = print_document(
        make_requisition(users["teacher"]), actor=users["teacher"], output="html"
    ).content
    assert '<img class="mine" src="data:image/png;base64,' in html and f"<p>{TEXT}</p>" in html


def test_batch_pdf_carries_the_logo(
    settings, tmp_path, users, items, letterhead, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    names = [make_requisition(users["teacher"]).name for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = start_batch("Material Requisition", names, actor=users["teacher"])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    pdf = batch.file.read()
    assert (200, 200) in pdf_images(pdf)
    assert squeeze(pdf_text(pdf, tmp_path)).count(squeeze(TEXT)) == 2


def test_verification_page_reveals_no_letterhead_data(client, users, items, letterhead):
    result = print_document(make_requisition(users["teacher"]), actor=users["teacher"])
    # A fresh address: rate-limit counters in a shared Redis must not collide with other runs.
    response = client.get(f"/verify/{result.log.code}", REMOTE_ADDR=f"test-{uuid.uuid4().hex}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "data:image/png" not in page and TEXT not in page
