"""Friendly error pages in Chinese: bad request, forbidden, not found, server error."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from school_logistics.core.views.htmx import is_htmx


def _page(request: HttpRequest, status: int, title: str, reason: str) -> HttpResponse:
    context = {"status": status, "title": title, "reason": reason}
    template = "desk/_error.html" if is_htmx(request) else "desk/error.html"
    return render(request, template, context, status=status)


def _reason(exception: Exception | None) -> str:
    # Only messages we raised ourselves are shown; Django's resolver messages are not for users.
    if exception is None or not exception.args or not isinstance(exception.args[0], str):
        return ""
    return exception.args[0]


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, _("请求无法处理"), _("提交的内容不完整或格式不正确，请返回重试。"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = _reason(exception) or _("您没有权限执行此操作。")
    return _page(request, 403, _("没有权限"), reason)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = _reason(exception)
    if not reason or "\n" in reason or "tried" in reason.lower():
        reason = _("页面不存在，或者您无权查看。")
    return _page(request, 404, _("找不到页面"), reason)


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    """An action's address opened in the browser (it stays in the bar after a refused one)."""
    return _page(
        request,
        405,
        _("请在页面上操作"),
        _("这个地址只接受页面上按钮的提交，不能直接打开。请返回单据或审批页面重新操作。"),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("desk/500.html").render(), status=500)
