"""Designer records: versions of DocType definitions and customisations of built-in DocTypes."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class DocTypeVersion(models.Model):
    """One change of one DocType's definition: who, when, and the whole definition after it."""

    doctype = models.CharField(max_length=140, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    # "create", "save", "customize", "disable", "enable"
    action = models.CharField(max_length=40)
    # What changed, in words ("新增字段 purpose；重命名 a → b"), for the history list.
    summary = models.TextField(blank=True)
    definition = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.doctype} {self.action} {self.created:%Y-%m-%d %H:%M}"


class CustomField(models.Model):
    """A field an admin added to a built-in DocType; kept apart so a re-sync of the JSON keeps it."""

    doctype = models.CharField(max_length=140)
    fieldname = models.CharField(max_length=140)
    # The field it follows on the form; empty puts it at the end.
    insert_after = models.CharField(max_length=140, blank=True)
    # The field's DocType JSON (`fieldtype`, `label`, `options`, ...), as in a shipped file.
    definition = models.JSONField(encoder=DjangoJSONEncoder)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["doctype", "id"]
        constraints = [
            models.UniqueConstraint(fields=["doctype", "fieldname"], name="custom_field_unique")
        ]

    def __str__(self) -> str:
        return f"{self.doctype}.{self.fieldname}"


class PropertySetter(models.Model):
    """One property of a built-in DocType (empty fieldname) or of one of its fields, overridden."""

    doctype = models.CharField(max_length=140)
    fieldname = models.CharField(max_length=140, blank=True)
    property = models.CharField(max_length=60)
    # The JSON value the property takes (a string, number, list of fieldnames, permission rows).
    value = models.JSONField(encoder=DjangoJSONEncoder, null=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["doctype", "fieldname", "property"]
        constraints = [
            models.UniqueConstraint(
                fields=["doctype", "fieldname", "property"], name="property_setter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.doctype}.{self.fieldname or '*'}.{self.property}"
