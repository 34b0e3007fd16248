"""The designer's pages: the DocType list, the one-page designer, its live preview and save."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from school_logistics.core import services as core_services
from school_logistics.core.meta import PERMISSION_TYPES, Meta, parse_meta
from school_logistics.core.models import DocType, Role, User
from school_logistics.core.permissions import RIGHT_LABELS, has_permission, readable
from school_logistics.core.registry import ORG_DOCTYPES, get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import MODULE_LABELS, doctype_slug, form_url, list_url
from school_logistics.core.views.layout import LayoutBuilder
from school_logistics.designer import rules, services
from school_logistics.designer.customize import FIELD_OVERRIDABLE
from school_logistics.designer.definition import FIELD_TYPE_LABELS, check_definition, normalise
from school_logistics.designer.models import DocTypeVersion
from school_logistics.workflow.conditions import OPERATORS

MAX_BODY = 500_000  # characters: a 200-field definition is well under 100 kB


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    services.check_can_design(user)
    return user


def _row(value: str) -> DocType:
    """Return the DocType named in a URL by name or slug (child tables too), else 404."""
    row = DocType.objects.filter(name=value).first()
    if row is None:
        wanted = doctype_slug(value)
        row = next((d for d in DocType.objects.all() if doctype_slug(d.name) == wanted), None)
    if row is None:
        raise Http404(_("没有这种单据类型：%(doctype)s") % {"doctype": value})
    return row


def editor_url(name: str) -> str:
    return reverse("designer:editor", args=[doctype_slug(name)])


def _modules(current: str = "") -> list[tuple[str, str]]:
    """Return (module, its name in words) to choose from; `current` is always among them."""
    used = set(DocType.objects.values_list("module", flat=True)) | {"custom"}
    if current:
        used.add(current)
    labelled = [(m, str(label)) for m, label in MODULE_LABELS.items() if m in used or m != "core"]
    rest = sorted(m for m in used if m not in MODULE_LABELS)
    return labelled + [(m, m) for m in rest]


# The school's own records Link fields may point at: they have no DocType definition to name them.
ORG_LABELS = {"Department": gettext_lazy("部门"), "User": gettext_lazy("用户")}


def _choice_label(name: str, label: str) -> str:
    """Name a DocType in the designer's dropdowns: its label, and the stored name beside it."""
    if not label or label == name:
        return name
    return _("%(label)s（%(name)s）") % {"label": label, "name": name}


@login_required
def doctype_list(request: HttpRequest) -> HttpResponse:
    """List every DocType with its kind; a POST makes a new one and opens it in the designer."""
    user = _admin(request)
    errors: dict[str, list[str]] = {}
    posted: dict[str, Any] = {}
    if request.method == "POST":
        posted = {
            k: request.POST.get(k, "")
            for k in ("name", "label", "label_en", "module", "autoname", "icon")
        }
        posted["istable"] = request.POST.get("istable") == "1"
        posted["is_submittable"] = request.POST.get("is_submittable") == "1"
        try:
            row = services.create_doctype(posted, actor=user, disabled=True)
        except DocumentValidationError as exc:
            errors = exc.errors
        else:
            text = (
                _("已新建表单“%(l)s”，请添加字段")
                if row.istable
                else _("已新建表单“%(l)s”，请添加字段、设好权限和审批流程，启用后大家才能使用")
            )
            messages.success(request, text % {"l": row.label})
            return redirect(editor_url(row.name))
    rows = []
    for d in DocType.objects.order_by("istable", "module", "name"):
        meta = get_meta(d.name)
        rows.append(
            {
                "meta": meta,
                "row": d,
                "fields": len(meta.value_fields),
                "url": editor_url(d.name),
                "list_url": "" if d.istable else list_url(meta),
            }
        )
    return render(
        request,
        "designer/list.html",
        {
            "rows": rows,
            "errors": errors,
            "error_list": [m for msgs in errors.values() for m in msgs],
            "posted": posted,
            "modules": _modules(),
        },
        status=400 if errors else 200,
    )


@login_required
def editor(request: HttpRequest, doctype: str) -> HttpResponse:
    """Show the one-page designer of a DocType: fields, properties, preview and rights."""
    _admin(request)
    row = _row(doctype)
    definition = services.editable_definition(row.name)
    shipped = [] if row.custom else [f["fieldname"] for f in row.definition.get("fields", [])]
    meta = get_meta(row.name)
    documents = list(DocType.objects.filter(istable=False).values_list("name", flat=True))
    tables = list(
        DocType.objects.filter(istable=True).exclude(name=row.name).values_list("name", flat=True)
    )
    organisation = sorted(ORG_DOCTYPES - {"School", "Role"})
    links = organisation + documents
    labels = {name: str(ORG_LABELS.get(name, name)) for name in organisation}
    labels.update({name: get_meta(name).label for name in documents + tables})
    config = {
        "definition": definition,
        "builtin": not row.custom,
        "shipped": shipped,
        "overridable": list(FIELD_OVERRIDABLE),
        "types": [[t, str(label)] for t, label in FIELD_TYPE_LABELS.items()],
        "roles": [[r.code, r.label] for r in Role.objects.order_by("id")],
        "rights": [[p, str(RIGHT_LABELS[p])] for p in PERMISSION_TYPES],
        "ops": [[op, _(label)] for op, (label, _fn) in OPERATORS.items()],
        "links": links,
        # What the Link and Table dropdowns show for each name they store.
        "choiceLabels": {name: _choice_label(name, labels[name]) for name in links + tables},
        # What 取值来源 can name: "link field.field" of a DocType a Link field points to.
        "fetchable": {name: _fetchable(get_meta(name)) for name in documents},
        "tables": tables,
        "urls": {
            "save": reverse("designer:save", args=[doctype_slug(row.name)]),
            "preview": reverse("designer:preview", args=[doctype_slug(row.name)]),
        },
    }
    return render(
        request,
        "designer/editor.html",
        {
            "row": row,
            "meta": meta,
            "config": config,
            "versions": DocTypeVersion.objects.filter(doctype=row.name).select_related("actor")[
                :10
            ],
            "list_url": "" if row.istable else list_url(meta),
            "new_url": "" if row.istable else form_url(meta),
            "state_url": reverse("designer:state", args=[doctype_slug(row.name)]),
            "texts": _texts(),
            "module": definition.get("module", ""),
            "modules": _modules(definition.get("module", "")),
        },
    )


def _fetchable(meta: Meta) -> list[list[str]]:
    """Return [fieldname, label] of the fields another form can fetch from a record of `meta`."""
    return [[f.fieldname, str(f.label)] for f in meta.value_fields if not f.is_table]


def _texts() -> dict[str, str]:
    """Return the words the designer's script shows, in the user's language."""
    return {
        "up": _("上移"),
        "down": _("下移"),
        "remove": _("删除"),
        "restore": _("恢复"),
        "hide": _("隐藏"),
        "section": _("分节"),
        "column": _("分栏"),
        "newField": _("新字段"),
        "role": _("角色"),
        "ownOnly": _("仅本人"),
        "departmentOnly": _("仅本部门"),
        "drop": _("移除"),
        "none": _("（无）"),
        "hidden": _("已隐藏"),
        "required": _("必填"),
        "saveFailed": _("保存失败，请稍后再试"),
        "unsaved": _("有未保存的修改，确定离开吗？"),
        "value": _("值"),
        "field": _("字段"),
        "op": _("比较"),
    }


def _posted_json(request: HttpRequest) -> dict[str, Any]:
    body = request.body.decode("utf-8", errors="replace")
    if len(body) > MAX_BODY:
        raise DocumentValidationError.single(_("表单定义太大"))
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise DocumentValidationError.single(_("表单定义不是有效的 JSON")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("definition"), dict):
        raise DocumentValidationError.single(_("表单定义格式不正确"))
    return data


@login_required
@require_POST
def save(request: HttpRequest, doctype: str) -> HttpResponse:
    """Save the designer's draft; answer JSON with the errors or where to go next."""
    user = _admin(request)
    row = _row(doctype)
    try:
        data = _posted_json(request)
        renames = data.get("renames") or {}
        if not isinstance(renames, dict):
            raise DocumentValidationError.single(_("改名格式不正确"))
        services.save_doctype(
            row.name,
            data["definition"],
            actor=user,
            renames={str(k): str(v) for k, v in renames.items()},
        )
    except DocumentValidationError as exc:
        return JsonResponse({"ok": False, "errors": exc.errors}, status=400)
    messages.success(request, _("已保存表单“%(l)s”") % {"l": get_meta(row.name).label})
    return JsonResponse({"ok": True, "redirect": editor_url(row.name)})


@login_required
@require_POST
def set_state(request: HttpRequest, doctype: str) -> HttpResponse:
    """停用 or 启用 a form from its designer page."""
    user = _admin(request)
    row = _row(doctype)
    disabled = request.POST.get("disabled") == "1"
    try:
        services.set_disabled(row.name, disabled, actor=user)
    except DocumentValidationError as exc:
        messages.error(request, "；".join(exc.messages()))
    else:
        label = get_meta(row.name).label
        if disabled:
            text = _("已停用表单“%(l)s”：不能再新建，已有的单据照常查看、审批")
        else:
            text = _("已启用表单“%(l)s”：有新建权限的人现在可以使用")
        messages.success(request, text % {"l": label})
    return redirect(editor_url(row.name))


@login_required
@require_POST
def preview(request: HttpRequest, doctype: str) -> HttpResponse:
    """Render the desk form of the draft definition, as the iframe previews show it."""
    user = _admin(request)
    row = _row(doctype)
    errors: list[str] = []
    meta: Meta | None = None
    draft_rules: dict[str, Any] = {}
    try:
        draft = normalise(_posted_json(request)["definition"])
        draft["name"] = row.name
        try:
            check_definition(draft, builtin=not row.custom)
        except DocumentValidationError as exc:
            errors = exc.messages()
        meta = parse_meta(draft)
        child_metas = {f.options: get_meta(f.options) for f in meta.table_fields}
        # The draft's own formulas and rules, so the preview computes as the form will.
        draft_rules = rules.client_rules(meta)
    except DocumentValidationError as exc:
        errors, meta = exc.messages(), None
    except Exception as exc:  # noqa: BLE001 — a half-typed draft must never break the page
        errors, meta = errors or [_("预览失败：%(e)s") % {"e": exc}], None
    layout = None
    if meta is not None:
        values: dict[str, Any] = dict(core_services._defaults(meta, user))
        for table in meta.table_fields:
            values[table.fieldname] = [{}]
        editable = {f.fieldname for f in meta.value_fields if not f.hidden}
        layout = LayoutBuilder(
            meta=meta,
            child_metas=child_metas,
            values=values,
            editable=editable,
            errors={},
            stored_rows={},
            school_id=user.school_id,
        ).build()
    return render(
        request,
        "designer/preview.html",
        {
            "meta": meta,
            "layout": layout,
            "errors": errors,
            "editing": True,
            "rules": draft_rules,
        },
    )


@login_required
def form_rules(request: HttpRequest, doctype: str) -> HttpResponse:
    """Answer the formulas and show/required-if rules a desk form applies while the user types:
    to whoever may read or create the DocType, or read the document `?doc=` names (an approver
    completing fields at their step holds no role right on the DocType)."""
    user: User = request.user  # type: ignore[assignment]
    meta = get_meta(_row(doctype).name)
    allowed = any(has_permission(user, meta, p) for p in ("read", "create"))
    if not allowed and request.GET.get("doc"):
        allowed = readable(user, meta).filter(name=request.GET["doc"]).exists()
    if not allowed:
        return JsonResponse({"error": _("没有权限")}, status=403)
    return JsonResponse(rules.client_rules(meta), json_dumps_params={"ensure_ascii": False})
