"""The record of what was done to accounts: who changed whose roles, department or password."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountAction(models.TextChoices):
    CREATED = "created", _("新建账号")
    UPDATED = "updated", _("修改资料")
    PASSWORD_RESET = "password_reset", _("重置密码")
    PASSWORD_CHANGED = "password_changed", _("修改了自己的密码")
    DEACTIVATED = "deactivated", pgettext_lazy("account", "停用")
    ACTIVATED = "activated", pgettext_lazy("account", "启用")


class AccountChange(models.Model):
    """One change to an account. Never edited: an account's history is read, not rewritten."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="account_changes")
    actor = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20, choices=AccountAction.choices)
    # [[field code, before, after], …] in the words shown at the time (names, not ids).
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="account_change_user_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.user_id}"
