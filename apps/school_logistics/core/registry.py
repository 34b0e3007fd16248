"""Where the engine finds DocType metadata and controllers at run time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

from school_logistics.core.meta import Meta, parse_meta
from school_logistics.core.models import DocType

# DocTypes the engine knows without a JSON definition: Link fields may point at them.
ORG_DOCTYPES = frozenset({"User", "Department", "School", "Role"})

_lock = threading.Lock()
_cache: dict[str, Meta] = {}
_slugs: dict[str, str] = {}  # URL slug → name of a top-level DocType
_checked_at = 0.0
_stamp: object = None
# How stale another process's view of admin edits may get before it re-reads them.
RECHECK_SECONDS = 1.0
# Each takes (doctype, stored definition) and returns the definition the Meta is parsed from;
# the designer registers one that lays admins' customisations over built-in DocTypes.
definition_hooks: list[Callable[[str, dict[str, Any]], dict[str, Any]]] = []


def clear_meta_cache() -> None:
    global _checked_at
    with _lock:
        _cache.clear()
        _slugs.clear()
        _checked_at = 0.0


def _refresh_if_changed() -> None:
    global _checked_at, _stamp
    now = time.monotonic()
    if now - _checked_at < RECHECK_SECONDS:
        return
    from django.db.models import Count, Max

    stamp = DocType.objects.aggregate(n=Count("id"), m=Max("modified"))
    with _lock:
        if stamp != _stamp:
            _cache.clear()
            _slugs.clear()
            _stamp = stamp
        _checked_at = now


def get_meta(doctype: str) -> Meta:
    """Return the metadata of a DocType, or raise Http404 when there is no such DocType."""
    _refresh_if_changed()
    meta = _cache.get(doctype)
    if meta is None:
        found = DocType.objects.filter(name=doctype).values_list("definition", "disabled").first()
        if found is None:
            raise Http404(_("没有这种单据类型：%(doctype)s") % {"doctype": doctype})
        row, disabled = found
        for hook in definition_hooks:
            row = hook(doctype, row)
        meta = parse_meta({**row, "disabled": True} if disabled else row)
        with _lock:
            _cache[doctype] = meta
    return meta


def doctype_for_slug(slug: str) -> str | None:
    """Return the top-level DocType a URL slug (`material-requisition`) names, if any."""
    _refresh_if_changed()
    if slug not in _slugs:  # a miss re-reads: another process may have just made the DocType
        names = DocType.objects.filter(istable=False).values_list("name", flat=True)
        found = {slugify(n) or n: n for n in names}
        with _lock:
            _slugs.clear()
            _slugs.update(found)
    return _slugs.get(slug)


def doctype_exists(doctype: str) -> bool:
    return doctype in ORG_DOCTYPES or DocType.objects.filter(name=doctype).exists()


def shows_title_in_link(target: str) -> bool:
    """Whether a link to `target` shows the record's title (a person's name, a room) instead of
    its code: users always; a DocType when it says so (Frappe's show_title_field_in_link)."""
    if target == "User":
        return True
    if target in ORG_DOCTYPES:
        return False  # departments, schools and roles are named by what people call them
    try:
        return bool(get_meta(target).raw.get("show_title_field_in_link"))
    except Http404:
        return False
