"""Who may read the store's books: whoever may read its 入库单 (总务处, finance, the principal,
as the DocType's permissions say; an admin changes them in 表单设计)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.models import User
from school_logistics.core.registry import get_meta

RECEIPT = "Stock Receipt"


def may_view_stock(user: User) -> bool:
    return bool(user.school_id) and permissions.has_permission(user, get_meta(RECEIPT), "read")


def check_view_stock(user: User) -> int:
    """Return the id of the school whose books the user may read, else refuse."""
    if not user.school_id or not may_view_stock(user):
        raise PermissionDenied(_("没有查看库存台账的权限"))
    return user.school_id
