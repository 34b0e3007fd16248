"""Tune CPython's cyclic garbage collector for a long-running Django process."""

from __future__ import annotations

import gc

from django.conf import settings


def tune_collector() -> None:
    """Keep start-up objects out of collections and collect the youngest generation less often.

    CPython's default collects the youngest generation every 700 net container allocations and,
    every hundred of those, scans every tracked object. A process holding Django, the DocTypes
    and the print fonts has ~180,000 of them, so a voucher PDF (WeasyPrint allocates hundreds of
    thousands of short-lived objects) spent ~50 of its ~230 ms in the collector, a full scan
    costing ~90 ms. What start-up made lives as long as the process: `gc.freeze()` moves it to a
    generation that is never scanned (what CPython's documentation advises before a pre-fork
    server forks, which also spares copy-on-write pages). A larger first threshold makes young
    collections rarer at the price of a little more garbage between them.
    """
    gen0 = settings.GC_GEN0_THRESHOLD
    if gen0 <= 0:  # 0 keeps the interpreter's defaults
        return
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0, gen1, gen2)
