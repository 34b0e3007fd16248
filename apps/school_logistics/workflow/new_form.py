"""提交审批 on a new document's form: the document is saved and its approval started in one step.

The desk form offers the button through `extensions.new_form_actions`; the engine's own 保存
(a draft) stays beside it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school_logistics.core.document import child_metas_for
from school_logistics.core.forms_input import editable_fields, parse_post
from school_logistics.core.meta import Meta
from school_logistics.core.models import User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.views.doctypes import doctype_slug, form_url, resolve_doctype
from school_logistics.core.views.form import render_form
from school_logistics.workflow import actions
from school_logistics.workflow.flows import workflow_for


def start_button(request: HttpRequest, meta: Meta) -> str:
    """Offer 提交审批 when a flow governs the DocType in the user's school."""
    user: User = request.user  # type: ignore[assignment]
    if not meta.is_submittable or user.school_id is None:
        return ""
    if workflow_for(meta.name, user.school_id) is None:
        return ""
    return format_html(
        '<button type="submit" form="doc-form" formaction="{}" class="btn btn-primary" '
        'id="btn-save-start"><i class="fa-solid fa-paper-plane me-1"></i>{}</button>',
        reverse("approvals:new_and_start", args=[doctype_slug(meta.name)]),
        _("提交审批"),
    )


@login_required
@require_POST
def new_and_start(request: HttpRequest, doctype: str) -> HttpResponse:
    """Save the posted new document and submit it for approval; on a refusal nothing is kept
    and the form comes back with the user's input and the reason."""
    meta = resolve_doctype(doctype)
    user: User = request.user  # type: ignore[assignment]
    values = parse_post(
        meta, child_metas_for(meta), request.POST, editable_fields(meta, DocStatus.DRAFT)
    )
    try:
        process = actions.create_and_start(meta.name, values, actor=user)
    except DocumentValidationError as exc:
        return render_form(request, meta, None, posted=values, errors=exc.errors, status=400)
    except DocumentStateError as exc:
        return render_form(request, meta, None, posted=values, state_error=str(exc), status=409)
    name = process.document.name
    messages.success(request, _("已提交审批 %(name)s") % {"name": name})
    return redirect(form_url(meta, name))
