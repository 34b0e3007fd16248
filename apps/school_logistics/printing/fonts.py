"""A GB2312 subset of the system's Chinese voucher font, made once per machine.

WeasyPrint embeds only the glyphs a PDF uses, but it cuts them out of the whole ~26 MB Noto CJK
collection (65,000 glyphs) for every PDF. Cutting them out of a ~2.6 MB subset holding the
characters vouchers use takes about a quarter of the time and gives a file a third the size. The
voucher CSS names the subset first and the system font after it, so a character outside GB2312
(a rare character in a student's name) still prints, from the system font.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# The name the voucher CSS asks for first; the subset files carry it too, so they never pose as
# the system family they were cut from.
FAMILY = "Voucher CJK SC"
# CSS weight -> fontconfig style of the source face.
STYLES = {"normal": "Regular", "bold": "Bold"}
# The same families, best first, as the voucher CSS lists after the subset.
SOURCE_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
# Part of every cache file name: raise it when the character set or the options change.
VERSION = 1

Face = tuple[str, Path]  # CSS weight, subset file

_build_lock = threading.Lock()
_start_lock = threading.Lock()
_building: threading.Thread | None = None
_ready: tuple[Face, ...] = ()


def characters() -> set[int]:
    """Return the code points kept: GB2312 (6,763 hanzi and its symbols), Latin-1, CJK punctuation."""
    keep = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    keep |= set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                keep.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:  # unassigned cells of the GB2312 table
                continue
    return keep


@lru_cache(maxsize=1)
def source_faces() -> tuple[tuple[str, str, int], ...]:
    """Return (CSS weight, file, index) of the first installed source family's faces."""
    exe = shutil.which("fc-match")
    if exe is None:
        return ()
    for family in SOURCE_FAMILIES:
        faces = []
        for weight, style in STYLES.items():
            try:
                out = subprocess.run(  # noqa: S603 - a fixed program, our own family names
                    [exe, "-f", "%{file}|%{index}|%{family}|%{style}", f"{family}:style={style}"],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                ).stdout
            except (OSError, subprocess.TimeoutExpired):
                return ()
            path, _, rest = out.partition("|")
            index, _, rest = rest.partition("|")
            families, _, styles = rest.partition("|")
            # fontconfig answers with its nearest font even when the family is not installed.
            if family in families.split(",") and style in styles.split(",") and index.isdigit():
                faces.append((weight, path, int(index)))
        if faces:
            return tuple(faces)
    return ()


def cache_dir() -> Path:
    return Path(settings.FONT_CACHE_DIR)


def subset_path(weight: str, source: str, index: int) -> Path:
    """Return where the subset of one source face is kept; a changed system font is a new name."""
    stat = os.stat(source)
    key = f"{VERSION}|{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir() / f"voucher-cjk-{weight}-{digest}.otf"


def planned() -> tuple[Face, ...]:
    """Return the subset files this machine's fonts call for, made or not."""
    try:
        return tuple((w, subset_path(w, source, index)) for w, source, index in source_faces())
    except OSError:  # the system font was removed since fontconfig was asked
        return ()


def make_subset(source: str, index: int, target: Path) -> None:
    """Write the subset of one face of a font file to target (10-45 s: fontTools is pure Python)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # Bounding boxes are kept as they are: recomputing them over every glyph doubles the time.
    font = TTFont(source, fontNumber=index, recalcBBoxes=False, recalcTimestamp=False)
    options = subset.Options()
    # Hints are dropped by WeasyPrint anyway, and removing them here costs as much again.
    options.hinting = True
    options.notdef_outline = True
    # Only what horizontal Chinese text uses: `locl` and `vert` would pull in every regional
    # and vertical form, doubling the glyphs.
    options.layout_features = ["kern", "ccmp", "liga", "calt"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters())
    subsetter.subset(font)
    name = font["name"]
    style = name.getDebugName(2) or "Regular"
    for record in list(name.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            name.removeNames(nameID=record.nameID)
    name.setName(FAMILY, 1, 3, 1, 0x409)
    name.setName(style, 2, 3, 1, 0x409)
    name.setName(f"{FAMILY} {style}", 3, 3, 1, 0x409)
    name.setName(f"{FAMILY} {style}", 4, 3, 1, 0x409)
    name.setName(f"{FAMILY.replace(' ', '')}-{style}", 6, 3, 1, 0x409)
    # Written beside the target and renamed: a reader never sees half a font.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as part:
        font.save(part)
    os.chmod(part.name, 0o644)  # built by whoever ran setup, read by the web and worker users
    os.replace(part.name, target)


def build() -> tuple[Face, ...]:
    """Make the missing subsets now (blocking) and return every face ready for vouchers."""
    global _ready
    faces = source_faces()
    if not faces:
        return ()
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # One builder per machine: other processes wait here, then find the files made.
    with _build_lock, (folder / "build.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        for leftover in folder.glob("*.part"):  # from a builder that was killed midway
            leftover.unlink(missing_ok=True)
        ready = []
        for weight, source, index in faces:
            target = subset_path(weight, source, index)
            if not target.exists():
                logger.info("making the voucher font subset %s from %s", target, source)
                make_subset(source, index, target)
            ready.append((weight, target))
        _ready = tuple(ready)
    return _ready


def _build_quietly() -> None:
    try:
        build()
    except Exception:  # vouchers keep printing with the system font
        logger.exception("could not make the voucher font subsets in %s", cache_dir())


def ready_faces() -> tuple[Face, ...]:
    """Return the subsets ready for use; start making missing ones in the background, once."""
    global _building, _ready
    if _ready:
        return _ready
    paths = planned()
    if not paths:
        return ()
    if all(path.exists() for _, path in paths):
        _ready = paths
        return paths
    with _start_lock:
        if _building is None:
            # A print must not wait half a minute: this one uses the system font.
            _building = threading.Thread(target=_build_quietly, name="voucher-fonts", daemon=True)
            _building.start()
    return ()
