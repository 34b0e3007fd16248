"""The desk's text colours stay readable: WCAG AA, 4.5:1 for normal text, on their backgrounds.

Read off the stylesheet itself, so a colour changed there is checked here. Phones are read
outdoors, and the status badges carry the state of every document in small type.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import school_logistics

STATIC = Path(school_logistics.__file__).parent
DESK_CSS = (STATIC / "core/static/desk/desk.css").read_text()
AA = 4.5


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


VARIABLES = dict(re.findall(r"--(desk-[\w-]+):\s*(#[0-9a-fA-F]{6})", DESK_CSS))


def colour(value: str) -> str:
    """A colour as written in the stylesheet: `#rrggbb` or `var(--desk-…)`."""
    named = re.fullmatch(r"var\(--(desk-[\w-]+)\)", value.strip())
    return VARIABLES[named.group(1)] if named else value.strip()


def badges() -> list[tuple[str, str, str]]:
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", DESK_CSS):
        background = re.search(r"background:\s*([^;]+);", body)
        text = re.search(r"(?<![-\w])color:\s*([^;]+);", body)
        if background and text:
            for selector in selectors.split(","):
                badge = re.fullmatch(r"\s*\.(status-[\w-]+)\s*", selector)
                if badge:
                    found.append(
                        (badge.group(1), colour(text.group(1)), colour(background.group(1)))
                    )
    return found


def test_every_status_badge_is_found() -> None:
    names = {name for name, _, _ in badges()}
    assert {"status-draft", "status-submitted", "status-cancelled", "status-rejected"} <= names
    assert {"status-running", "status-approved", "status-returned"} <= names


@pytest.mark.parametrize(("name", "text", "background"), badges())
def test_status_badge_text_is_readable(name: str, text: str, background: str) -> None:
    assert contrast(text, background) >= AA, name


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("desk-blue", "#ffffff"),  # links, outline buttons
        ("#ffffff", "desk-blue"),  # primary buttons
        ("desk-blue", "desk-bg"),  # links on the grey page
        ("desk-blue", "desk-blue-soft"),  # the running badge, role badges
        ("desk-muted", "desk-bg"),  # secondary text on the grey page
        ("desk-text", "desk-bg"),
    ],
)
def test_the_desk_colours_are_readable(text: str, background: str) -> None:
    pair = [VARIABLES.get(c, c) for c in (text, background)]
    assert contrast(*pair) >= AA, pair
