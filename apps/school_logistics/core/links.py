"""Checks that need the database: Link targets exist in the school, unique values are unique."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from django.db.models import CharField, F, JSONField, Q, QuerySet, Value
from django.utils.translation import gettext as _

from school_logistics.core.meta import Meta
from school_logistics.core.models import Attachment, Department, Document, Role, School, User
from school_logistics.core.prepared import PreparedQuery
from school_logistics.core.registry import shows_title_in_link
from school_logistics.core.validation import DocumentValidationError


def _candidates(target: str, values: set[str], school_id: int) -> QuerySet[Any]:
    """Rows naming a record of `target` visible in the school, as (name, target, data) rows.

    Documents bring their stored data along (controllers read linked items and suppliers);
    users, departments, schools and roles bring none.
    """
    payload: Any = Value(None, output_field=JSONField())
    match target:
        case "User":
            # Only people who work for the school: its own staff and district staff serving it.
            qs: QuerySet[Any] = User.objects.filter(username__in=values, is_active=True).filter(
                Q(school_id=school_id) | Q(other_schools=school_id)
            )
            column = "username"
        case "Department":
            qs, column = Department.objects.filter(school_id=school_id, name__in=values), "name"
        case "School":
            qs, column = School.objects.filter(name__in=values), "name"
        case "Role":
            qs, column = Role.objects.filter(code__in=values), "code"
        case _:
            qs = Document.objects.filter(doctype=target, school_id=school_id, name__in=values)
            qs, column, payload = qs.exclude(docstatus=2), "name", F("data")
    tagged = qs.annotate(target=Value(target, output_field=CharField()), payload=payload)
    return tagged.order_by().values_list(column, "target", "payload")


Linked = dict[str, dict[str, Any]]  # target DocType → name → its stored data (None for org rows)


Shape = tuple[tuple[str, int], ...]  # (target, how many names) per target, in order


@functools.lru_cache(maxsize=256)
def _union(shape: Shape) -> PreparedQuery[Any]:
    """The statement asking for `shape`'s names, compiled once (forms repeat the same shapes)."""

    def build(school_id: int, *names: str) -> QuerySet[Any]:
        given = iter(names)
        parts = [
            _candidates(target, {next(given) for _ in range(count)}, school_id)
            for target, count in shape
        ]
        return parts[0].union(*parts[1:], all=True)

    return PreparedQuery(build, (int,) + (str,) * sum(count for _, count in shape))


def _existing(wanted: dict[str, set[str]], school_id: int) -> Linked:
    """Return, per target DocType, the wanted names that exist: one statement for all targets."""
    found: Linked = {target: {} for target in wanted}
    if not wanted:
        return found
    shape = tuple((target, len(names)) for target, names in wanted.items())
    names = [name for target_names in wanted.values() for name in target_names]
    for name, target, data in _union(shape)(school_id, *names):
        found[target][name] = data
    return found


def check_references(
    meta: Meta,
    values: dict[str, Any],
    child_metas: dict[str, Meta],
    *,
    school_id: int,
    document_id: int | None,
) -> Linked:
    """Raise DocumentValidationError for dangling links, foreign attachments or duplicates.

    Returns the linked records found, with the stored data of linked documents.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    places: list[tuple[str, str, str, str]] = []  # (error key, label, target, value)
    attachments: list[tuple[str, str, str]] = []

    def collect(m: Meta, vals: dict[str, Any], prefix: str, label_prefix: str) -> None:
        for f in m.value_fields:
            value = vals.get(f.fieldname)
            if value is None or value == "" or f.is_table:
                continue
            if f.fieldtype in {"Link", "User"}:
                wanted[f.link_doctype].add(value)
                places.append((prefix + f.fieldname, label_prefix + f.label, f.link_doctype, value))
            elif f.fieldtype in {"Attach", "Attach Image"}:
                attachments.append((prefix + f.fieldname, label_prefix + f.label, value))

    collect(meta, values, "", "")
    for tf in meta.table_fields:
        for idx, row in enumerate(values.get(tf.fieldname) or [], start=1):
            collect(
                child_metas[tf.options],
                row,
                f"{tf.fieldname}.{idx}.",
                _("%(table)s第 %(idx)s 行：") % {"table": tf.label, "idx": idx},
            )

    errors: dict[str, list[str]] = defaultdict(list)
    found = _existing(wanted, school_id)
    missing = [p for p in places if p[3] not in found[p[2]]]
    titled = _by_title(missing, school_id) if missing else {}
    for key, label, target, value in missing:
        names = titled.get((target, value), [])
        if len(names) == 1:  # a title typed instead of picked: it names one record
            name, data = names[0]
            _put(values, key, name)
            found[target].setdefault(name, data)
        elif names:
            errors[key].append(
                _("%(label)s：有 %(n)s 个“%(value)s”，请从列表中选择")
                % {"label": label, "n": len(names), "value": value}
            )
        else:
            errors[key].append(_("%(label)s：找不到“%(value)s”") % {"label": label, "value": value})

    for key, label, url in attachments:
        token = _attachment_token(url)
        ok = (
            token
            and Attachment.objects.filter(token=token, school_id=school_id)
            # A file still waiting for its document, or one already attached to this one.
            .filter(Q(document__isnull=True) | Q(document_id=document_id))
            .exists()
        )
        if not ok:
            errors[key].append(_("%(label)s：附件不存在或不属于本单据") % {"label": label})

    for f in meta.value_fields:
        given = values.get(f.fieldname)
        if f.unique and given not in (None, ""):
            clash = Document.objects.filter(
                doctype=meta.name, school_id=school_id, **{f"data__{f.fieldname}": given}
            )
            if document_id:
                clash = clash.exclude(pk=document_id)
            if clash.exists():
                errors[f.fieldname].append(
                    _("%(label)s：“%(value)s”已被使用") % {"label": f.label, "value": given}
                )
    if errors:
        raise DocumentValidationError(errors)
    return found


def _by_title(
    places: list[tuple[str, str, str, str]], school_id: int
) -> dict[tuple[str, str], list[tuple[str, Any]]]:
    """The records whose title is what was typed into links that show titles (a person's name,
    a room): {(target, title): [(name, stored data)]}. Read only when a link names nothing."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for _key, _label, target, value in places:
        if shows_title_in_link(target):
            wanted[target].add(value)
    out: dict[tuple[str, str], list[tuple[str, Any]]] = defaultdict(list)
    for target, titles in wanted.items():
        rows: QuerySet[Any]
        if target == "User":
            rows = (
                User.objects.filter(full_name__in=titles, is_active=True)
                .filter(Q(school_id=school_id) | Q(other_schools=school_id))
                .distinct()
                .annotate(payload=Value(None, output_field=JSONField()))
                .values_list("full_name", "username", "payload")
            )
        else:
            rows = (
                Document.objects.filter(doctype=target, school_id=school_id, title__in=titles)
                .exclude(docstatus=2)
                .values_list("title", "name", "data")
            )
        for title, name, data in rows:
            out[(target, title)].append((name, data))
    return out


def _put(values: dict[str, Any], key: str, name: str) -> None:
    """Set the link at error key `key` (`field` or `table.idx.field`) to `name`."""
    table, _sep, rest = key.partition(".")
    if not rest:
        values[key] = name
        return
    idx, _sep, fieldname = rest.partition(".")
    values[table][int(idx) - 1][fieldname] = name


def _attachment_token(url: str) -> str | None:
    """Return the token of an attachment URL `/files/<token>/<filename>`."""
    parts = str(url).strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "files" and parts[1].isalnum():
        return parts[1]
    return None
