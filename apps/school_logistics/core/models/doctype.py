"""DocType definitions, synced from JSON files or made by admins."""

from __future__ import annotations

from django.db import models


class DocType(models.Model):
    """One kind of document; `definition` holds the JSON the meta is parsed from."""

    name = models.CharField(max_length=140, unique=True)
    module = models.CharField(max_length=40)
    label = models.CharField(max_length=140)
    label_en = models.CharField(max_length=140, blank=True)
    is_submittable = models.BooleanField(default=False)
    istable = models.BooleanField(default=False)
    # False for built-ins shipped as JSON in an app; True for admin-made ones.
    custom = models.BooleanField(default=False)
    definition = models.JSONField()
    # 停用: nobody but an administrator starts a new document of it; those made earlier stay
    # readable and finish their approvals. Kept beside the definition so neither a designer's
    # save nor a re-sync of the shipped JSON turns a form back on.
    disabled = models.BooleanField(default=False)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["module", "name"]

    def __str__(self) -> str:
        return self.label
