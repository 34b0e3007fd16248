"""Chinese by default, English when the user's language is English: messages, labels, pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from school_logistics.core import services
from school_logistics.core.validation import DocumentValidationError
from tests.core.doctypes import PERMISSION, has_chinese, install_all, snapshot

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
NEW = "/app/engine-permission-test/new"


@pytest.fixture(scope="session", autouse=True)
def english_catalogue() -> None:
    """Compile the English catalogue when a fresh clone has no (or an older) .mo file."""
    compiled = CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < CATALOGUE.stat().st_mtime:
        call_command(
            "compilemessages",
            locale=["en"],
            ignore_patterns=[".venv", "sites", "staticfiles", "node_modules"],
            verbosity=0,
        )
        # Catalogues loaded before the compile are cached per process; load them again.
        trans_real._translations = {}
        trans_real._default = None
        trans_real._active = trans_real.Local()


@pytest.fixture(autouse=True)
def _doctypes(db: None) -> Iterator[None]:
    install_all()
    yield
    # A request in English leaves English active in this thread; later tests expect Chinese.
    translation.deactivate()


def refused_errors(users, values) -> dict[str, list[str]]:
    before = snapshot()
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(PERMISSION, values, actor=users["teacher"])
    assert snapshot() == before
    return exc.value.errors


# --- the catalogue --------------------------------------------------------------------------


def _entries() -> list[tuple[str, str]]:
    """Return (msgid, msgstr) pairs of the catalogue; plural forms give their first msgstr."""
    text = CATALOGUE.read_text(encoding="utf-8")
    pairs = []
    for block in text.split("\n\n"):
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"$', block, re.M)
        if msgid and msgid.group(1) and msgstr:
            pairs.append((msgid.group(1), msgstr.group(1)))
    return pairs


def test_the_english_catalogue_is_found_by_the_settings():
    assert CATALOGUE.exists()
    assert Path(settings.LOCALE_PATHS[0]).resolve() == CATALOGUE.parents[2].resolve()


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    entries = _entries()
    assert len(entries) > 100
    for msgid, msgstr in entries:
        assert msgstr, f"untranslated: {msgid}"
        assert not has_chinese(msgstr), f"not English: {msgid} → {msgstr}"
        placeholders = sorted(re.findall(r"%\(\w+\)s|%s", msgid))
        assert sorted(re.findall(r"%\(\w+\)s|%s", msgstr)) == placeholders, msgid


# --- messages -------------------------------------------------------------------------------


def test_validation_errors_are_chinese_by_default(users):
    errors = refused_errors(users, {"subject": "", "amount": "abc"})
    assert errors["subject"][0].startswith("事由：")
    assert errors["amount"][0].startswith("金额：")
    assert all(has_chinese(m) for msgs in errors.values() for m in msgs)


def test_validation_errors_are_english_when_the_language_is_english(users):
    with translation.override("en"):
        errors = refused_errors(users, {"subject": "", "amount": "abc"})
    assert errors["subject"] == ["Subject: This field is required."]
    assert errors["amount"] == ["Amount: Enter a number."]


def test_engine_messages_are_english_when_the_language_is_english(users):
    teacher = users["teacher"]
    doc = services.create_document(PERMISSION, {"subject": "换灯管"}, actor=teacher)
    services.submit_document(PERMISSION, doc.name, actor=teacher)
    with translation.override("en"):
        with pytest.raises(services.DocumentStateError) as state:
            services.save_document(PERMISSION, doc.name, {"subject": "改"}, actor=teacher)
        with pytest.raises(services.DocumentStateError) as again:
            services.submit_document(PERMISSION, doc.name, actor=teacher)
        with pytest.raises(PermissionDenied) as denied:
            services.create_document(PERMISSION, {"subject": "x"}, actor=users["finance"])
    assert str(state.value) == "A submitted document cannot be changed: Subject"
    assert str(again.value) == "Only drafts can be submitted; this document is already “Submitted”"
    assert str(denied.value) == "Permission denied: Create · Permission Test"


def test_engine_messages_stay_chinese_by_default(users):
    with pytest.raises(PermissionDenied) as denied:
        services.create_document(PERMISSION, {"subject": "x"}, actor=users["finance"])
    assert str(denied.value) == "没有权限：新建 权限测试单"


# --- pages ----------------------------------------------------------------------------------


def test_desk_page_is_chinese_by_default(client, users):
    client.force_login(users["teacher"])
    body = client.get(NEW).content.decode()
    assert "权限测试单" in body and "事由" in body and "保存" in body


def test_desk_page_follows_the_browsers_accept_language(client, users):
    client.force_login(users["teacher"])
    response = client.get(NEW, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Permission Test" in body and "Subject" in body and "Save" in body
    assert "事由" not in body


def test_desk_page_follows_the_language_cookie_and_shows_english_errors(client, users):
    client.force_login(users["teacher"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = snapshot()
    response = client.post(NEW, {"subject": "", "amount": "abc"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and "Enter a number." in body
    assert "Not saved. Please fix the following:" in body
    assert snapshot() == before
