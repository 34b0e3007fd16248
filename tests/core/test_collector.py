"""Each process keeps what start-up loaded out of the garbage collector's scans."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_start_up_objects_are_frozen_and_young_collections_are_rarer() -> None:
    assert gc.get_threshold()[0] == settings.GC_GEN0_THRESHOLD == 10_000
    # Django's and the app's modules, models and DocTypes: tens of thousands of objects.
    assert gc.get_freeze_count() > 10_000


def test_a_zero_threshold_keeps_pythons_defaults() -> None:
    probe = (
        "import django, gc, json; django.setup(); "
        "print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))"
    )
    env = {
        **os.environ,
        "GC_GEN0_THRESHOLD": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "sqlite://:memory:",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "apps")]),
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == [[700, 10, 10], 0]
