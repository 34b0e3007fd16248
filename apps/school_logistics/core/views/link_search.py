"""Search-as-you-type for Link fields: records of the target the user may pick."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.document import child_metas_for
from school_logistics.core.fetch import fetched_fields
from school_logistics.core.meta import Meta
from school_logistics.core.models import Department, Role, School, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.search import person_matches
from school_logistics.core.views.doctypes import resolve_doctype

LIMIT = 20


def link_targets(meta: Meta) -> set[str]:
    """Return the DocTypes the form's Link and User fields (child rows too) point at."""
    metas = [meta, *child_metas_for(meta).values()]
    return {
        f.link_doctype for m in metas for f in m.value_fields if f.fieldtype in {"Link", "User"}
    }


def _org_matches(target: str, q: str, user: User) -> list[dict[str, str]]:
    """Return matching users, departments, schools or roles of the user's own school."""
    if target in {"User", "Department"} and user.school_id is None:
        return []  # a user of no school sees nobody's people
    if target == "User":
        users = User.objects.filter(is_active=True).filter(
            Q(school_id=user.school_id) | Q(other_schools=user.school_id)
        )
        if q:
            users = users.filter(person_matches(q))
        rows = users.distinct().order_by("username").values_list("username", "full_name")[:LIMIT]
        return [{"value": u, "label": n or u, "description": ""} for u, n in rows]
    if target == "Department" and user.school_id is not None:
        depts = Department.objects.filter(school_id=user.school_id)
        if q:
            depts = depts.filter(name__icontains=q)
        names = depts.order_by("name").values_list("name", flat=True)[:LIMIT]
        return [{"value": n, "label": n, "description": ""} for n in names]
    if target == "School":
        schools = School.objects.filter(pk__in=user.school_ids())
        if q:
            schools = schools.filter(name__icontains=q)
        return [
            {"value": s, "label": s, "description": ""}
            for s in schools.values_list("name", flat=True)[:LIMIT]
        ]
    roles = Role.objects.all()
    if q:
        roles = roles.filter(Q(code__icontains=q) | Q(label__icontains=q))
    return [
        {"value": c, "label": lbl, "description": c}
        for c, lbl in roles.values_list("code", "label")[:LIMIT]
    ]


def _document_matches(target: Meta, q: str, user: User, fetch: list[str]) -> list[dict[str, Any]]:
    """Return documents of the target DocType in the user's school that the user may read,
    with the `fetch` fields of each that the form fills in."""
    if user.school_id is None:
        return []
    docs = (
        permissions.readable(user, target)
        .filter(school_id=user.school_id)
        .exclude(docstatus=DocStatus.CANCELLED)
    )
    if q:
        match = Q(name__icontains=q) | Q(title__icontains=q)
        for fieldname in target.search_fields:
            if target.get_field(fieldname):
                match |= Q(**{f"data__{fieldname}__icontains": q})
        docs = docs.filter(match)
    rows = docs.order_by("name").values_list("name", "title", "data")[:LIMIT]
    return [
        {"value": n, "label": t or n, "description": _description(target, n, t, data)}
        | ({"fetch": {k: data.get(k) for k in fetch}} if fetch else {})
        for n, t, data in rows
    ]


def _description(target: Meta, name: str, title: str, data: dict[str, Any]) -> str:
    """The line under a match: its code, then its search fields (as Frappe shows them), so
    namesakes are told apart (李小明 · 20250101 · 七年级(1)班)."""
    parts = [name] if title else []
    for fieldname in target.search_fields:
        value = str(data.get(fieldname) or "").strip()
        if value and value not in (name, title) and value not in parts and len(parts) < 3:
            parts.append(value)
    return " · ".join(parts)


@login_required
def search_link(request: HttpRequest, doctype: str) -> JsonResponse:
    """Answer `?target=Item&q=纸` with up to 20 `{value, label, description}` matches, and
    `fetch`: what the form takes from each (an item's name, unit and price)."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    if not any(permissions.has_permission(user, meta, p) for p in ("read", "create", "write")):
        raise PermissionDenied(_("没有权限：查看 %(doctype)s") % {"doctype": meta.label})
    target = request.GET.get("target", "")
    if target not in link_targets(meta):
        return JsonResponse(
            {"error": _("此表单没有指向“%(t)s”的字段") % {"t": target[:40]}}, status=400
        )
    q = (request.GET.get("q") or "").strip()[:100]
    results: list[dict[str, Any]]
    if target in {"User", "Department", "School", "Role"}:
        results = _org_matches(target, q, user)
    else:
        fetched = fetched_fields([meta, *child_metas_for(meta).values()]).get(target, set())
        results = _document_matches(get_meta(target), q, user, sorted(fetched))
    return JsonResponse({"results": results})
