"""A spreadsheet import of documents and its progress, shown to the user who started it."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")  # uploaded; waiting for a worker
    RUNNING = "running", _("导入中")  # a worker claimed it and is creating documents
    SUCCESS = "success", _("已完成")  # every document was created in one transaction
    FAILED = "failed", _("未导入")  # some row was refused; nothing was saved


def import_path(instance: DataImport, filename: str) -> str:
    return f"imports/{instance.school_id}/{filename}"


class DataImport(models.Model):
    """One uploaded .xlsx: all its documents are created together, or none is."""

    doctype = models.CharField(max_length=140)
    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=import_path, max_length=300)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default="queued")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # [{"row": 7, "column": "物资明细.数量", "field": "items.2.qty", "message": "第 7 行：…"}]
    errors = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    # The uploader's language, so a worker writes the messages in it.
    language = models.CharField(max_length=16, default="zh-hans")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_imports"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["created_by", "doctype", "-created"])]

    def __str__(self) -> str:
        return f"{self.doctype} {self.filename}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCESS, ImportStatus.FAILED}
