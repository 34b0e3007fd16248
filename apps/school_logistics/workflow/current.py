"""A document's current approval run, read once for everything one request asks of it."""

from __future__ import annotations

from functools import cached_property

from school_logistics.core.models import Document, User
from school_logistics.workflow.models import ApprovalProcess, ApprovalTask, TaskStatus


class CurrentRun:
    """The run (if any) and, when first asked for, its tasks with their people, oldest first."""

    def __init__(self, process: ApprovalProcess | None) -> None:
        self.process = process

    @cached_property
    def tasks(self) -> list[ApprovalTask]:
        if self.process is None:
            return []
        tasks = list(
            self.process.tasks.select_related("assignee", "on_behalf_of").order_by("created", "pk")
        )
        for task in tasks:
            task.process = self.process
        return tasks

    def pending_task_of(self, user: User) -> ApprovalTask | None:
        """The user's own open task on the run: the first one given, when they hold two."""
        return min(
            (t for t in self.tasks if t.assignee_id == user.pk and t.status == TaskStatus.PENDING),
            key=lambda t: t.pk,
            default=None,
        )


def current_run(document: Document) -> CurrentRun:
    """Return the document's current run, read once per loaded row: the edit guard, the step's
    field grant and the approval panel of one page all ask."""
    run = document.memo.get("approval_run")
    if run is None:
        process = (
            ApprovalProcess.objects.filter(document=document, is_current=True)
            .select_related("version__workflow")  # the flow's definition, for steps and verbs
            .first()
        )
        run = document.memo["approval_run"] = CurrentRun(process)
    return run
