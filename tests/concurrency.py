"""Run writes from threads released at the same instant (PostgreSQL's row locks decide)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from django.db import connection

from school_logistics.core import services
from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError


def at_once(*calls: Callable[[], object]) -> list[str]:
    """Run the calls from threads released together, each on its own connection; return,
    sorted, "done" or "refused" (a DocumentValidationError) for each."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("done")
        except DocumentValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def submit_at_once(doctype: str, names: list[str], actor: User) -> list[str]:
    """Return, sorted, "submitted" or "refused" for each draft submitted together."""
    submits = [
        functools.partial(services.submit_document, doctype, name, actor=actor) for name in names
    ]
    return sorted("submitted" if o == "done" else o for o in at_once(*submits))
