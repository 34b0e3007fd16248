"""Notifications, their delivery to other channels, and who wants what where."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one user: shown under the bell until read, and sent where they chose."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    document = models.ForeignKey(
        "core.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=40)
    subject = models.CharField(max_length=240)
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at", "-created"])]

    def __str__(self) -> str:
        return self.subject


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    CHAT = "chat", _("工作群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")  # queued, or waiting for its next retry
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")  # retries used up; listed for admins, who may retry


class Delivery(models.Model):
    """One notification on one outside channel; a failed send is retried, never lost."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.channel}: {self.get_status_display()}"


class Preference(models.Model):
    """The channels a user wants besides the in-app bell (which is always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    email = models.BooleanField(_("邮件"), default=True)
    chat = models.BooleanField(_("工作群机器人"), default=False)

    def __str__(self) -> str:
        return f"{self.user}: email={self.email} chat={self.chat}"


class ChatKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


def refresh_notice_settings(school_id: int) -> None:
    """Keep `School.has_notice_settings` true exactly when the school has wording or a robot."""
    from school_logistics.core.models import School

    School.objects.filter(pk=school_id).update(
        has_notice_settings=Exists(MessageTemplate.objects.filter(school_id=school_id))
        | Exists(ChatWebhook.objects.filter(school_id=school_id, is_active=True))
    )


class SchoolSettingRow(models.Model):
    """A row of a school's notification settings: saving or deleting one refreshes the flag."""

    school_id: int

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        refresh_notice_settings(self.school_id)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        refresh_notice_settings(self.school_id)
        return result


class ChatWebhook(SchoolSettingRow):
    """A school's group-chat robot; messages @-mention the recipient by mobile number."""

    school = models.OneToOneField("core.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ChatKind.choices, default=ChatKind.WECOM)
    url = models.URLField(max_length=500)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.school}: {self.get_kind_display()}"


class MessageTemplate(SchoolSettingRow):
    """An admin's wording for one event (sandboxed Jinja); the shipped wording applies otherwise."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    subject = models.CharField(max_length=500)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "event"], name="one_template_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.event}"


class DateReminder(models.Model):
    """到期提醒, set by a school's admin: some days before the date a field of a kind of
    document holds (a certificate's expiry, a contract's end), remind those it concerns —
    everyone holding a role, the user a field names, the document's creator — once a date, or
    again every `repeat_days` until it is renewed or a month past it."""

    school = models.ForeignKey("core.School", on_delete=models.CASCADE, related_name="+")
    doctype = models.CharField(max_length=140)
    date_field = models.CharField(max_length=140)
    days_before = models.PositiveSmallIntegerField(default=30)
    role = models.CharField(max_length=40, blank=True)
    user_field = models.CharField(max_length=140, blank=True)
    notify_owner = models.BooleanField(default=False)
    repeat_days = models.PositiveSmallIntegerField(default=0)  # 0: once
    is_active = models.BooleanField(default=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "doctype", "date_field"], name="one_reminder_per_date_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.doctype}.{self.date_field} -{self.days_before}d"


class DateReminderSent(models.Model):
    """A document reminded of a date: not again for the same date and turn (a renewed
    certificate's new expiry is reminded in its own). `turn` counts the repeats: the
    reminder's days since its reminding began, in steps of its `repeat_days` (0 when once)."""

    reminder = models.ForeignKey(DateReminder, on_delete=models.CASCADE, related_name="sent")
    document = models.ForeignKey("core.Document", on_delete=models.CASCADE, related_name="+")
    due = models.DateField()
    turn = models.PositiveSmallIntegerField(default=0)
    sent = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "document", "due", "turn"], name="one_reminder_per_turn"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id}:{self.document_id}@{self.due}#{self.turn}"
