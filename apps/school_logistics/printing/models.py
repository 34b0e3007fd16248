"""Print formats admins edit, and the log of every voucher printed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class PageSize(models.TextChoices):
    A4_PORTRAIT = "A4 portrait", "A4 纵向"  # vouchers with line items: requisitions, refunds
    A5_LANDSCAPE = "A5 landscape", "A5 横向"  # short tickets: repairs, cards of master data


class PrintFormat(models.Model):
    """A sandboxed Jinja template with CSS for one DocType; a school's copy or a district one."""

    doctype = models.CharField("单据类型", max_length=140, db_index=True)
    name = models.CharField("格式名称", max_length=140)
    # Jinja source rendered in an ImmutableSandboxedEnvironment; never trusted.
    template = models.TextField("模板")
    css = models.TextField("样式", blank=True)
    page_size = models.CharField(
        "纸张", max_length=20, choices=PageSize.choices, default=PageSize.A4_PORTRAIT
    )
    is_default = models.BooleanField("默认格式", default=False)
    # NULL: a district-wide format every school may use; otherwise the school's own copy.
    school = models.ForeignKey(
        "core.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["doctype", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "doctype", "name"], name="printformat_unique_name"
            ),
            models.UniqueConstraint(
                fields=["school", "doctype"],
                condition=Q(is_default=True),
                name="printformat_one_default_per_school",
            ),
            models.UniqueConstraint(
                fields=["doctype"],
                condition=Q(is_default=True, school__isnull=True),
                name="printformat_one_district_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doctype} · {self.name}"


class PrintLog(models.Model):
    """One voucher printed: who, when, which format, and what the paper says for verification."""

    # Short public code printed on the paper; the only key the verification page accepts.
    code = models.CharField(max_length=16, unique=True)
    # Kept when the document is deleted so the verification page can say so.
    document = models.ForeignKey(
        "core.Document", null=True, on_delete=models.SET_NULL, related_name="print_logs"
    )
    doctype = models.CharField(max_length=140)
    document_name = models.CharField(max_length=140)
    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(db_index=True)
    format_name = models.CharField(max_length=140)
    output = models.CharField(max_length=10)  # "pdf" or "html"
    docstatus = models.SmallIntegerField()  # the document's status on the paper
    # SHA-256 of the document's content as printed (hex).
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["-printed_at", "-id"]
        indexes = [models.Index(fields=["document", "-printed_at"])]

    def __str__(self) -> str:
        return f"{self.document_name} {self.code}"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "排队中"  # saved, waiting for a worker
    RUNNING = "running", "生成中"  # a worker claimed it; `done` counts up
    DONE = "done", "已完成"  # the PDF is in `file`
    FAILED = "failed", "失败"  # `error` says why; nothing to download


class PrintBatch(models.Model):
    """One PDF of many vouchers, built in the background; the page polls its progress."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    doctype = models.CharField(max_length=140)
    names = models.JSONField(default=list)  # document names asked for, in order
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # Names the user may not print (or that no longer exist): listed, not printed.
    skipped = models.JSONField(default=list)
    file = models.FileField(upload_to="print_batches/", blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.doctype} ×{self.total} ({self.status})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


class Letterhead(models.Model):
    """A school's logo and letterhead line at the top of its printed vouchers."""

    school = models.OneToOneField(
        "core.School", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # The logo as re-encoded on upload, never the bytes a browser sent. Kept in the row (tens
    # of kilobytes) so every web process and worker prints it without shared file storage.
    logo = models.BinaryField("校徽", blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)  # "image/png" or "image/jpeg"
    text = models.CharField("信头文字", max_length=120, blank=True)
    show_logo = models.BooleanField("打印校徽", default=True)
    show_text = models.BooleanField("打印信头文字", default=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modified = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.school_id} {self.text}"
