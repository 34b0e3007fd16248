"""Who may read the asset books: whoever may read 校产 cards (总务处, finance, the principal,
teachers, who look up what to borrow, as the DocType's permissions say) reads all of them;
anyone else reads what they keep (保管责任到人: the canteen manager, the canteen's)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.models import User
from school_logistics.core.registry import get_meta
from school_logistics.ledger.models import AssetBin

ASSET = "Asset"


def may_view_assets(user: User) -> bool:
    return bool(user.school_id) and permissions.has_permission(user, get_meta(ASSET), "read")


def manages_assets(user: User) -> bool:
    """总务处, who registers assets: checks any room, lends and takes back."""
    return bool(user.school_id) and permissions.has_permission(user, get_meta(ASSET), "create")


def keeps_assets(user: User) -> bool:
    school_id = user.school_id
    if not school_id:
        return False
    held = AssetBin.objects.filter(school_id=school_id, custodian=user.username, qty__gt=0)
    return held.exists()


def check_view_assets(user: User) -> tuple[int, bool]:
    """Return the school whose books the user reads and whether all of them (else only
    what they keep); refuse those who may read none."""
    if user.school_id and may_view_assets(user):
        return user.school_id, True
    if user.school_id and keeps_assets(user):
        return user.school_id, False
    raise PermissionDenied(_("没有查看校产台账的权限"))
