"""Keep what a process loads once, and keeps, out of CPython's garbage collector's scans."""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Collect, then move every object alive now to the collector's permanent generation.

    CPython's full collections scan every tracked object. A process holds tens of thousands that
    live as long as it does (Django, the DocTypes and flows at start-up; WeasyPrint, the fonts and
    the parsed voucher CSS after the first print), and every full collection rescanned them in
    vain: a voucher PDF, whose layout makes hundreds of thousands of short-lived objects, spent
    ~50 of its ~230 ms in the collector (~17 ms with both freezes, benchmarks/README.md). Frozen
    objects are never scanned, as CPython's documentation advises for a pre-fork server (which
    also spares copy-on-write pages). Call it only where what is alive is meant to stay: objects
    of a request in progress are frozen too, and any cycle among them is then never freed (once
    per process and printing thread, a few kilobytes). The thresholds stay CPython's: a larger
    first one saved a few more milliseconds but let garbage pile up (a 200-voucher batch peaked
    at 380 instead of 196 MiB).
    """
    gc.collect()  # garbage must not be frozen with the rest
    gc.freeze()
