"""The school admin's page for the logo and letterhead line printed at the top of vouchers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from school_logistics.core.models import User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.printing import services
from school_logistics.printing.admin_views import school_admin
from school_logistics.printing.logo import MAX_LOGO_BYTES, data_uri
from school_logistics.printing.models import Letterhead


def _school_admin(request: HttpRequest) -> tuple[User, int]:
    return school_admin(request, _("只有本校系统管理员可以设置校徽和信头"))


@login_required
@require_http_methods(["GET", "POST"])
def letterhead_settings(request: HttpRequest) -> HttpResponse:
    """Show or save the school's logo, letterhead line and whether vouchers print them."""
    user, school_id = _school_admin(request)
    current = Letterhead.objects.filter(school_id=school_id).first()
    context: dict[str, object] = {
        "school": user.school,
        "current": current,
        "logo": data_uri(bytes(current.logo), current.logo_type)
        if current and current.logo
        else "",
        "max_mb": MAX_LOGO_BYTES // 1024 // 1024,
        "saved": request.GET.get("saved") == "1",
    }
    if request.method == "POST":
        text = request.POST.get("text", "")
        show_logo = bool(request.POST.get("show_logo"))
        show_text = bool(request.POST.get("show_text"))
        data = {"text": text, "show_logo": show_logo, "show_text": show_text}
        try:
            services.save_letterhead(
                actor=user,
                text=text,
                show_logo=show_logo,
                show_text=show_text,
                logo=request.FILES.get("logo"),
                remove_logo=bool(request.POST.get("remove_logo")),
            )
        except DocumentValidationError as exc:
            context |= {"data": data, "errors": exc.messages()}
            return render(request, "printing/letterhead.html", context, status=422)
        return HttpResponseRedirect(reverse("printing:letterhead") + "?saved=1")
    context["data"] = {
        "text": current.text if current else "",
        "show_logo": current.show_logo if current else True,
        "show_text": current.show_text if current else True,
    }
    return render(request, "printing/letterhead.html", context)
