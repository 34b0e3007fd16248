"""The demo school, loaded once per test module and rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from school_logistics.demo import load_demo

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Load the demo once for the module's tests; they read it and change nothing for long.

    Each test's own transaction nests inside this one as a savepoint, so what a test does is
    undone after it, and the demo itself is undone after the module. Its uploaded files (the
    signed contract) go to a temporary folder.
    """
    files = tmp_path_factory.mktemp("demo-files")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=files),
    ):
        with transaction.atomic():
            yield load_demo()
            transaction.set_rollback(True)
