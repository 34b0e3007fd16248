"""Find DocTypes from URLs and list the ones a user may open, grouped by module."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.http import Http404
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from school_logistics.core import extensions, permissions
from school_logistics.core.meta import Meta
from school_logistics.core.models import DocType, User
from school_logistics.core.registry import doctype_for_slug, get_meta

# Modules in the order users think of the logistics office's work; others follow by name.
MODULE_LABELS = {
    "purchasing": gettext_lazy("采购"),
    "stores": gettext_lazy("物资"),
    "assets": gettext_lazy("校产"),
    "repairs": gettext_lazy("维修"),
    "canteen": gettext_lazy("食堂"),
    "safety": gettext_lazy("安全"),
    "energy": gettext_lazy("水电"),
    "service": gettext_lazy("服务"),
    "district": gettext_lazy("教育局"),
    "workflow": gettext_lazy("审批"),
    "custom": gettext_lazy("自定义"),  # forms an admin made in the designer
    "core": gettext_lazy("系统"),
}
MODULE_ICONS = {
    "purchasing": "fa-cart-shopping",
    "stores": "fa-boxes-stacked",
    "assets": "fa-building-columns",
    "repairs": "fa-screwdriver-wrench",
    "canteen": "fa-utensils",
    "safety": "fa-shield-halved",
    "energy": "fa-bolt",
    "service": "fa-comment-dots",
    "district": "fa-city",
    "workflow": "fa-diagram-project",
    "custom": "fa-pen-ruler",
    "core": "fa-gear",
}


def doctype_slug(name: str) -> str:
    """Return the URL form of a DocType name: `Material Requisition` → `material-requisition`."""
    return slugify(name) or name


def list_url(meta: Meta) -> str:
    return reverse("desk:list", args=[doctype_slug(meta.name)])


def form_url(meta: Meta, name: str | None = None) -> str:
    slug = doctype_slug(meta.name)
    return reverse("desk:form", args=[slug, name]) if name else reverse("desk:new", args=[slug])


def resolve_doctype(value: str) -> Meta:
    """Return the meta of a top-level DocType named in a URL (its name or slug), else 404."""
    # Pages name DocTypes by slug: look the slug up first, so no query asks for a DocType
    # called `material-requisition`.
    meta = get_meta(doctype_for_slug(doctype_slug(value)) or value)
    if meta.istable:
        raise Http404(_("子表“%(doctype)s”没有单独的页面") % {"doctype": meta.label})
    return meta


@dataclass
class DocTypeEntry:
    meta: Meta
    can_read: bool
    can_create: bool

    @property
    def list_url(self) -> str:
        return list_url(self.meta)

    @property
    def new_url(self) -> str:
        return form_url(self.meta)


@dataclass
class ModuleGroup:
    module: str
    entries: list[DocTypeEntry] = field(default_factory=list)
    links: list[extensions.DeskLink] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(MODULE_LABELS.get(self.module, self.module))

    @property
    def icon(self) -> str:
        return MODULE_ICONS.get(self.module, "fa-folder")


def doctype_groups(user: User) -> list[ModuleGroup]:
    """Return the top-level DocTypes the user may read or create, and the other pages they may
    open, grouped by module. A stopped form is listed for administrators only: its documents
    stay reachable from the inbox, search and links, but it is no longer part of the work."""
    names = DocType.objects.filter(istable=False).values_list("name", flat=True)
    groups: dict[str, ModuleGroup] = {}
    for name in names:
        meta = get_meta(name)
        entry = DocTypeEntry(
            meta,
            can_read=permissions.has_permission(user, meta, "read"),
            can_create=permissions.has_permission(user, meta, "create"),
        )
        if entry.can_create or (entry.can_read and not meta.disabled):
            group = groups.setdefault(meta.module, ModuleGroup(meta.module))
            group.entries.append(entry)
    for links in extensions.desk_links:
        for link in links(user):
            groups.setdefault(link.module, ModuleGroup(link.module)).links.append(link)
    order = list(MODULE_LABELS)
    ranked = sorted(
        groups.values(),
        key=lambda g: (order.index(g.module) if g.module in order else len(order), g.module),
    )
    for group in ranked:
        group.entries.sort(key=lambda e: e.meta.label)
    return ranked


class DeskNav:
    """The sidebar's DocType groups, computed only when a page shows them."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def groups(self) -> list[ModuleGroup]:
        return doctype_groups(self.user)
