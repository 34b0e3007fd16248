"""A test controller that records its hooks, computes a total, and fails where a test asks."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from school_logistics.core.controllers import Controller
from school_logistics.core.document import Doc
from school_logistics.core.models import NamingSeries
from school_logistics.core.validation import DocumentValidationError

HOOKS = ("validate", "before_submit", "on_submit", "on_cancel")
# Prefix of the rows a failing hook writes before it raises; they must vanish with the save.
HOOK_MARK = "hook-wrote-"


class RecordingController(Controller):
    """Record (hook, docstatus, inside a transaction) for each call; raise in `fail_in` hooks."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, bool]] = []
        self.fail_in: set[str] = set()

    def _run(self, hook: str, doc: Doc) -> None:
        self.calls.append((hook, doc.docstatus, connection.in_atomic_block))
        if hook in self.fail_in:
            # Write first, so the test sees that the hook's own writes are undone too.
            NamingSeries.objects.create(prefix=f"{HOOK_MARK}{hook}", current=1)
            raise DocumentValidationError.single(f"钩子拒绝：{hook}")

    def validate(self, doc: Doc) -> None:
        rows = sum((r.get("amount") or Decimal(0) for r in doc.rows("rows")), Decimal(0))
        doc.set("total", (doc.get("amount") or Decimal(0)) + rows)
        self._run("validate", doc)

    def before_submit(self, doc: Doc) -> None:
        self._run("before_submit", doc)

    def on_submit(self, doc: Doc) -> None:
        self._run("on_submit", doc)

    def on_cancel(self, doc: Doc) -> None:
        self._run("on_cancel", doc)

    def hooks(self) -> list[str]:
        return [hook for hook, _, _ in self.calls]
