"""The person picker of 转交 and 加签 on an approval task."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from school_logistics.core.models import User
from school_logistics.workflow import handover
from school_logistics.workflow.models import ApprovalTask


@login_required
@require_GET
def people(request: HttpRequest, task_id: int) -> JsonResponse:
    """Answer the picker of one of the user's tasks as the desk's link search does:
    `?q=王` → up to 20 of the school's active members, `{results: [{value, label, description}]}`."""
    user: User = request.user  # type: ignore[assignment]
    task = get_object_or_404(
        ApprovalTask.objects.select_related("document", "process__version__workflow"), pk=task_id
    )
    if task.assignee_id != user.pk:
        raise PermissionDenied(_("这条审批任务不是您的"))
    typed = (request.GET.get("q") or "").strip()[:60]
    return JsonResponse({"results": handover.pickable(task, typed)})
