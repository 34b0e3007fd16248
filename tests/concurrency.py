"""Submit drafts from threads released at the same instant (PostgreSQL's row locks decide)."""

from __future__ import annotations

import threading

from django.db import connection

from school_logistics.core import services
from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError


def submit_at_once(doctype: str, names: list[str], actor: User) -> list[str]:
    """Return, sorted, "submitted" or "refused" for each draft submitted together."""
    barrier = threading.Barrier(len(names))
    outcomes: list[str] = []

    def submit(name: str) -> None:
        try:
            barrier.wait()
            services.submit_document(doctype, name, actor=actor)
            outcomes.append("submitted")
        except DocumentValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(name,)) for name in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)
