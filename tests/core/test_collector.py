"""Each process keeps what start-up loaded out of the garbage collector's scans."""

from __future__ import annotations

import gc


def test_start_up_objects_are_frozen_and_thresholds_stay_pythons() -> None:
    # Django's and the app's modules, models and DocTypes: tens of thousands of objects.
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == (700, 10, 10)
