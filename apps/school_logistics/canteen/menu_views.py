"""本周菜谱: this week's and next week's published menus, open to anyone (校务公开: parents
read it without an account) at /menu/<school code>/, and linked from every user's desk."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from school_logistics.canteen.menus import published_weeks
from school_logistics.core import extensions
from school_logistics.core.models import School, User


def menu_link(user: User) -> list[extensions.DeskLink]:
    if not user.school_id or user.school is None:
        return []
    url = reverse("public-menu", args=[user.school.code])
    return [extensions.DeskLink("canteen", _("本周菜谱"), url, "fa-bowl-food")]


@require_GET
def public_menu(request: HttpRequest, code: str) -> HttpResponse:
    school = School.objects.filter(code=code).first()
    if school is None:
        raise Http404(_("没有这所学校"))
    today = timezone.localdate()
    context = {
        "school": school,
        "weeks": published_weeks(school.pk, today),
        "today": today,
    }
    return render(request, "canteen/menu.html", context)
