from school_logistics.core.models.data_import import DataImport, ImportStatus
from school_logistics.core.models.doctype import DocType
from school_logistics.core.models.document import (
    Attachment,
    Comment,
    Document,
    NamingSeries,
    Version,
)
from school_logistics.core.models.org import Department, Role, School, User
from school_logistics.core.models.search import DocumentSearch
from school_logistics.core.models.session import UserSession

__all__ = [
    "Attachment",
    "Comment",
    "DataImport",
    "Department",
    "DocType",
    "Document",
    "DocumentSearch",
    "ImportStatus",
    "NamingSeries",
    "Role",
    "School",
    "User",
    "UserSession",
    "Version",
]
