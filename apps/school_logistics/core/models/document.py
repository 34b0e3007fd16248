"""Documents of every DocType in one table, with the fields queries need promoted to columns."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class DocStatus(models.IntegerChoices):
    DRAFT = 0, _("草稿")  # editable by those with write permission
    SUBMITTED = 1, _("已提交")  # immutable except allow-on-submit fields
    CANCELLED = 2, _("已作废")  # kept for the record; may be amended into a new draft


class Document(models.Model):
    doctype = models.CharField(max_length=140, db_index=True)
    name = models.CharField(max_length=140)
    docstatus = models.SmallIntegerField(choices=DocStatus.choices, default=DocStatus.DRAFT)
    workflow_state = models.CharField(max_length=140, blank=True, db_index=True)
    school = models.ForeignKey("core.School", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_documents"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=240, blank=True)
    grand_total = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    posting_date = models.DateField(null=True, blank=True)
    amended_from = models.CharField(max_length=140, blank=True)
    # Field values keyed by fieldname; child tables are lists of row dicts kept with the parent.
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doctype", "name"], name="document_unique_name")
        ]
        indexes = [
            # A list as it opens; with the id (PostgreSQL) a whole school's count, whose filter
            # also reads ids (the documents granted by tasks), is answered from the index alone.
            models.Index(
                fields=["doctype", "school", "docstatus", "-modified"],
                include=["id"],
                name="document_list",
            ),
            models.Index(fields=["doctype", "owner"]),
            models.Index(fields=["doctype", "posting_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.doctype} {self.name}"

    @cached_property
    def memo(self) -> dict[str, Any]:
        """What the layers above read once about this loaded row while one request uses it
        (its approval run, asked by the edit guard, the field grant and the panel); dropped
        when the row is read again."""
        return {}

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("memo", None)


class NamingSeries(models.Model):
    """The last number issued for a prefix such as `REQ-2026-`."""

    prefix = models.CharField(max_length=140, unique=True)
    current = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.current}"


class Version(models.Model):
    """One save of one document: who, when and a field-level diff (child rows included)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    # "create", "save", "submit", "cancel", "amend", "update_after_submit"
    action = models.CharField(max_length=40)
    diff = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.created:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    content = models.TextField()

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.content[:40]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{instance.token}/{filename}"


class Attachment(models.Model):
    """A file uploaded to a document; served only to users who may read that document."""

    token = models.CharField(max_length=32, unique=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    school = models.ForeignKey("core.School", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename
