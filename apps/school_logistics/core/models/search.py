from __future__ import annotations

from django.db import models

from school_logistics.core.models.document import Document


class DocumentSearch(models.Model):
    """What a document's list search matches (name, title and its DocType's search fields),
    case-folded, in a narrow table of its own.

    The search box used to test each field of every document's JSON row of the DocType; at
    100,000 documents that read the whole document table twice per page (count and rows).
    On PostgreSQL a trigram index serves words of three characters or more.
    """

    # An id of its own lets a new document's row wait in the write batch with its other rows.
    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="+")
    doctype = models.CharField(max_length=140)
    text = models.TextField()

    def __str__(self) -> str:
        return f"{self.doctype} {self.document_id}"
