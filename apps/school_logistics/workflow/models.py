"""Approval flows (versioned definitions) and their runs: processes, tasks, the trail, CC, delegation.

A task row is both an inbox entry and a line of the trail; the log keeps everything else that
happened (submit, skip, auto-pass, withdraw, urge) and is never edited or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Workflow(models.Model):
    """The approval flow bound to a DocType, for all schools (school empty) or for one."""

    doctype = models.CharField(max_length=140)
    school = models.ForeignKey(
        "core.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(max_length=140)
    is_active = models.BooleanField(default=True)
    shipped = models.BooleanField(default=False)  # came from an app's workflows/*.json

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doctype", "school"], name="workflow_one_per_school"),
            models.UniqueConstraint(
                fields=["doctype"],
                condition=models.Q(school__isnull=True),
                name="workflow_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def latest(self) -> WorkflowVersion:
        return self.versions.order_by("-number")[0]


class WorkflowVersion(models.Model):
    """One saved definition of a flow; documents keep the version they started on."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow", "number"], name="workflow_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.workflow} v{self.number}"


class ProcessStatus(models.TextChoices):
    RUNNING = "running", _("审批中")  # waiting for the current step's approvers
    APPROVED = "approved", _("已通过")  # every step passed; the document is submitted
    REJECTED = "rejected", _("已拒绝")  # closed by an approver; the document stays a locked draft
    RETURNED = "returned", _("已退回")  # back with the requester to revise and resubmit
    WITHDRAWN = "withdrawn", _("已撤回")  # taken back by the requester before anyone approved
    CANCELLED = "cancelled", _("已作废")  # the document was cancelled while its approval ran


# A document "in approval": the condition of every list's badge, and of the index that serves it.
RUNNING_PROCESS = models.Q(is_current=True, status=ProcessStatus.RUNNING)


class ApprovalProcess(models.Model):
    """One submission of a document for approval; a resubmission starts a new one."""

    document = models.ForeignKey("core.Document", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(WorkflowVersion, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=ProcessStatus.choices, db_index=True)
    # The route as planned at submission: [{key, label, status, approvers: [ids], notes}]
    route = models.JSONField(default=list)
    current_step = models.CharField(max_length=60, blank=True)
    # Bumped each time a step is (re)activated, so a step returned to starts with fresh tasks.
    activation = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=True)
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    # Not stored: the step an action just decided, set by the action for the page's message.
    acted_step: str

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(is_current=True),
                name="one_current_process_per_document",
            )
        ]
        indexes = [
            # The documents in approval, which every list marks on its rows: few of all the
            # processes, read from this index alone.
            models.Index(
                fields=["document"],
                condition=RUNNING_PROCESS,
                name="process_running",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} ({self.get_status_display()})"


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待处理")  # in the assignee's inbox now
    WAITING = "waiting", _("等待中")  # later in a sequential step, or behind an added approver
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已拒绝")
    RETURNED = "returned", _("已退回")
    TRANSFERRED = "transferred", _("已转交")
    CLOSED = "closed", _("无需处理")  # another approver decided the step, or the run ended


OPEN_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.WAITING)
# Decided by their assignee: the 我已处理 tab (ordered by the `task_done` index, PostgreSQL).
DONE_STATUSES = (
    TaskStatus.APPROVED,
    TaskStatus.REJECTED,
    TaskStatus.RETURNED,
    TaskStatus.TRANSFERRED,
)


class ApprovalTask(models.Model):
    """One person's part in one step: their inbox entry and, once acted on, a trail line."""

    process = models.ForeignKey(ApprovalProcess, on_delete=models.CASCADE, related_name="tasks")
    document = models.ForeignKey("core.Document", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=60)
    step_label = models.CharField(max_length=140)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="approval_tasks",
        db_index=False,  # the inbox index below starts with it
    )
    # The approver the task was meant for when a delegate holds it instead.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=TaskStatus.choices, db_index=True)
    activation = models.PositiveIntegerField(default=0)
    order = models.PositiveSmallIntegerField(default=0)  # position in a sequential step
    added = models.BooleanField(default=False)  # 加签: must approve whatever the step's mode
    # A waiting task opens when this one is approved (加签: the added approver, or the adder).
    waits_for = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # Set when the SLA sweep claimed the overdue task (reminded, escalated or auto-approved).
    overdue_handled_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The inbox; with the document (PostgreSQL) it also answers "the documents this
            # user is asked to approve" from the index alone, as every list's read grant asks.
            models.Index(
                fields=["assignee", "status", "-created"], include=["document"], name="task_inbox"
            ),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.step_label}: {self.assignee} {self.get_status_display()}"


class ApprovalLog(models.Model):
    """An immutable line of the trail: who did what at which step, when, and why."""

    process = models.ForeignKey(ApprovalProcess, on_delete=models.CASCADE, related_name="logs")
    document = models.ForeignKey("core.Document", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=60, blank=True)
    step_label = models.CharField(max_length=140, blank=True)
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    attachments = models.ManyToManyField("core.Attachment", blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["document", "created"])]

    def __str__(self) -> str:
        return f"{self.step_label} {self.action} {self.actor}"


class CarbonCopy(models.Model):
    """A document copied to someone for information (抄送)."""

    document = models.ForeignKey("core.Document", on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(ApprovalProcess, on_delete=models.CASCADE, related_name="ccs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step_label = models.CharField(max_length=140, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "user"], name="one_cc_per_process_user")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.user}"


class Delegation(models.Model):
    """While away, a user's new approval tasks go to a delegate, who acts on their behalf."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} → {self.delegate}"
