"""Vouchers embed from the GB2312 subsets of the Chinese font; what the subsets lack still prints."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from school_logistics.printing import fonts, pdf
from school_logistics.printing.services import print_document
from tests.printing.conftest import make_requisition, pdf_text, squeeze

# DejaVu (installed with fontconfig) subsets in about a second: Noto CJK takes half a minute.
DEJAVU = "/usr/share/fonts/truetype/dejavu"


def embedded_fonts(content: bytes, tmp_path: Path) -> list[str]:
    """Return the names of the fonts a PDF embeds, without their subset tags (pdffonts)."""
    assert shutil.which("pdffonts"), "poppler-utils must be installed (see .ci/run)"
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[0].split("+")[-1] for line in out.splitlines()[2:])


@pytest.fixture
def no_subsets(monkeypatch):
    """Pretend the subsets were never made (and are not being made)."""
    monkeypatch.setattr(fonts, "ready_faces", lambda: ())
    pdf.release_fonts()
    yield
    pdf.release_fonts()


@pytest.fixture
def fresh_cache(tmp_path, settings, monkeypatch):
    """An empty font cache, and DejaVu standing in for the Chinese font to keep the test fast."""
    settings.FONT_CACHE_DIR = tmp_path / "fonts"
    faces = (
        ("normal", f"{DEJAVU}/DejaVuSerif.ttf", 0),
        ("bold", f"{DEJAVU}/DejaVuSerif-Bold.ttf", 0),
    )
    assert all(Path(path).exists() for _, path, _ in faces)
    monkeypatch.setattr(fonts, "source_faces", lambda: faces)
    monkeypatch.setattr(fonts, "_ready", ())
    monkeypatch.setattr(fonts, "_building", None)
    return settings.FONT_CACHE_DIR


def test_voucher_embeds_only_the_subsets_regular_and_bold(users, items, tmp_path):
    doc = make_requisition(users["teacher"], rows=20)
    content = print_document(doc, actor=users["teacher"]).content
    assert embedded_fonts(content, tmp_path) == ["Voucher-CJK-SC", "Voucher-CJK-SC-Bold"]
    text = squeeze(pdf_text(content, tmp_path))
    assert "物资申购单" in text and "第1页共1页" in text
    assert "人民币肆仟贰佰柒拾元整" in text


def test_rare_name_character_outside_the_subset_prints_from_the_system_font(users, items, tmp_path):
    teacher = users["teacher"]
    teacher.full_name = "示例教师堃"  # 堃 is not in GB2312
    teacher.save(update_fields=["full_name"])
    content = print_document(make_requisition(teacher), actor=teacher).content
    assert "示例教师堃" in squeeze(pdf_text(content, tmp_path))
    assert embedded_fonts(content, tmp_path) == [
        "Noto-Serif-CJK-SC",
        "Voucher-CJK-SC",
        "Voucher-CJK-SC-Bold",
    ]


def test_without_the_subsets_vouchers_print_from_the_system_font(
    users, items, tmp_path, no_subsets
):
    content = print_document(make_requisition(users["teacher"]), actor=users["teacher"]).content
    assert embedded_fonts(content, tmp_path) == ["Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"]
    assert "物资申购单" in squeeze(pdf_text(content, tmp_path))


def test_missing_subsets_are_made_in_the_background_and_used_once_ready(fresh_cache):
    assert fonts.ready_faces() == ()  # the print goes on with the system font
    assert fonts._building is not None
    fonts._building.join(timeout=120)
    faces = fonts.ready_faces()
    assert [weight for weight, _ in faces] == ["normal", "bold"]
    assert all(path.parent == fresh_cache and path.stat().st_size > 0 for _, path in faces)


def test_concurrent_builds_make_each_subset_once(fresh_cache, monkeypatch):
    made: list[Path] = []
    real = fonts.make_subset

    def counting(source: str, index: int, target: Path) -> None:
        made.append(target)
        real(source, index, target)

    monkeypatch.setattr(fonts, "make_subset", counting)
    results: list[tuple[fonts.Face, ...]] = []
    threads = [threading.Thread(target=lambda: results.append(fonts.build())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 2 and len(set(made)) == 2
    assert len(results) == 3 and len(set(results)) == 1
    assert sorted(p.name for p in fresh_cache.iterdir() if p.suffix == ".part") == []


def test_subset_is_renamed_and_keeps_chinese_and_latin(fresh_cache, monkeypatch):
    from fontTools.ttLib import TTFont

    faces = fonts.build()
    font = TTFont(dict(faces)["bold"])
    assert font["name"].getDebugName(1) == fonts.FAMILY
    assert font["name"].getDebugName(2) == "Bold"
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "Aa1¥")  # DejaVu has no hanzi; Noto keeps GB2312's
    assert 0x4E2D in fonts.characters() and 0x5803 not in fonts.characters()  # 中 in, 堃 out


def title_width(content: bytes, tmp_path: Path) -> float:
    """Return the printed width of the voucher's title line in points (pdftotext -bbox)."""
    path = tmp_path / "title.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', out)
    top = next(y for _x, y, _x2, text in words if text.startswith("物"))  # the title comes first
    line = [(float(x), float(x2)) for x, y, x2, _text in words if y == top]
    return max(x2 for _x, x2 in line) - min(x for x, _x2 in line)


def test_school_format_css_wins_over_the_standard_frame_in_the_pdf(users, items, tmp_path):
    from school_logistics.core.registry import get_meta
    from school_logistics.printing.default_format import standard_template
    from school_logistics.printing.services import save_print_format

    doc = make_requisition(users["teacher"])
    spaced = title_width(print_document(doc, actor=users["teacher"]).content, tmp_path)
    # Less specific than the frame's `.voucher-head .title`, which spaces the title out: the
    # frame ranks below the page's CSS.
    save_print_format(
        "Material Requisition",
        "紧凑标题",
        standard_template(get_meta("Material Requisition")),
        actor=users["admin"],
        css=".title { letter-spacing: 0; }",
        is_default=True,
    )
    tight = title_width(print_document(doc, actor=users["teacher"]).content, tmp_path)
    assert tight < spaced * 0.8


def test_releasing_a_threads_fonts_deletes_their_temporary_copies() -> None:
    """A batch job's work horse ends with os._exit: the copies must be gone before it does."""
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("weasyprint-*"))
    made: list[set[Path]] = []

    def print_and_release() -> None:
        pdf.html_to_pdf("<p>总务处</p>")  # a thread of its own: fonts of its own
        made.append(set(temp.glob("weasyprint-*")) - before)
        pdf.release_fonts()

    worker = threading.Thread(target=print_and_release)
    worker.start()
    worker.join()
    assert made and made[0], "WeasyPrint copies the font subsets for each configuration"
    assert not any(path.exists() for path in made[0])
