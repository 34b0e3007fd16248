"""招标备案: a decided tender's papers filed with the bureau, which accepts them or sends them
back for correction (招标文件报教育局备案)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingStatus(models.TextChoices):
    FILED = "filed", _("待备案")
    ACCEPTED = "accepted", _("已备案")
    RETURNED = "returned", _("退回补正")


class TenderFiling(models.Model):
    """One tender's filing: sent by the school, reviewed by a bureau user; a returned filing is
    sent again on the same row once corrected."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    tender = models.OneToOneField("core.Document", on_delete=models.CASCADE, related_name="filing")
    status = models.CharField(max_length=20, choices=FilingStatus.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)  # why it was sent back, or the bureau's remark

    class Meta:
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.status}"
