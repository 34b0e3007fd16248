"""`Doc`: a document's typed values with its metadata, as controllers and templates see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from school_logistics.core.meta import Meta
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.values import from_json


def child_metas_for(meta: Meta) -> dict[str, Meta]:
    """Return the metadata of every child DocType a DocType's tables use."""
    return {f.options: get_meta(f.options) for f in meta.table_fields}


@dataclass
class Doc:
    meta: Meta
    instance: Document
    values: dict[str, Any]
    child_metas: dict[str, Meta] = field(default_factory=dict)
    actor: User | None = None
    # Records the values link to, as validation found them: target → name → stored data.
    linked: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, fieldname: str, default: Any = None) -> Any:
        value = self.values.get(fieldname)
        return default if value is None else value

    def set(self, fieldname: str, value: Any) -> None:
        self.values[fieldname] = value

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.values.get(table) or []

    @property
    def name(self) -> str:
        return self.instance.name

    @property
    def docstatus(self) -> int:
        return self.instance.docstatus

    @property
    def acting_user(self) -> User:
        """Who the ledger rows and filed documents are by: whoever acts now (an approver
        posting at the last approval), else whoever last saved the document."""
        return self.actor or self.instance.modified_by


def load(meta: Meta, instance: Document, actor: User | None = None) -> Doc:
    child_metas = child_metas_for(meta)
    return Doc(meta, instance, from_json(meta, instance.data, child_metas), child_metas, actor)


def live_clash(doc: Doc, doctype: str, **values: Any) -> str | None:
    """The name of another live (draft or submitted) document of `doctype` of the school with
    these values, if there is one."""
    return (
        Document.objects.filter(
            doctype=doctype,
            school_id=doc.instance.school_id,
            docstatus__in=[DocStatus.DRAFT, DocStatus.SUBMITTED],
            **{f"data__{field}": value for field, value in values.items()},
        )
        .exclude(pk=doc.instance.pk)
        .values_list("name", flat=True)
        .first()
    )
