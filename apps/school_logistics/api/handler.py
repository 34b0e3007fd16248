"""The frame every API view runs in: size limit, caller, rate limit, arguments, errors → JSON."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from school_logistics.api import errors, ratelimit
from school_logistics.api.auth import Caller, client_ip, identify
from school_logistics.api.jsonio import ParseError, dumps, loads
from school_logistics.core.middleware import activate_user_language
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError

logger = logging.getLogger(__name__)

# Generous for a 500-row document, small enough that no client can tie up a worker with one.
DEFAULT_MAX_BODY = 2 * 1024 * 1024
# Arguments Frappe clients send JSON-encoded inside form fields or the query string.
JSON_ARGS = frozenset(
    {"fields", "filters", "or_filters", "doc", "docs", "fieldname", "value", "data", "as_dict"}
)


@dataclass
class Call:
    """One API request as a method sees it: who calls and with which arguments."""

    request: HttpRequest
    caller: Caller
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> Any:
        return self.caller.user

    def arg(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)


def json_response(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(dumps(body), status=status, content_type="application/json; charset=utf-8")


def _max_body() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY))


def _decode_json_arg(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in {"[", "{", '"'}:
        try:
            return loads(value)
        except ParseError as exc:
            raise errors.ValidationError(_("参数不是有效的 JSON：%(e)s") % {"e": exc}) from exc
    return value


def parse_args(request: HttpRequest) -> dict[str, Any]:
    """Return the request's arguments: query string, then a JSON or form body on top."""
    args: dict[str, Any] = {k: request.GET.get(k) for k in request.GET}
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        length = request.META.get("CONTENT_LENGTH") or "0"
        # A file upload may be as large as an attachment; any other body as large as JSON may.
        uploading = (request.content_type or "") == "multipart/form-data"
        limit = settings.MAX_ATTACHMENT_BYTES + 64 * 1024 if uploading else _max_body()
        if length.isdigit() and int(length) > limit:
            raise errors.RequestTooLarge(
                _("请求内容太大，最大 %(kb)s KB") % {"kb": _max_body() // 1024}
            )
        content_type = request.content_type or ""
        if content_type == "application/json" or (
            not uploading and request.body.strip()[:1] in {b"{", b"["}
        ):
            body = request.body
            if len(body) > _max_body():
                raise errors.RequestTooLarge(_("请求内容太大"))
            if body.strip():
                try:
                    parsed = loads(body)
                except ParseError as exc:
                    raise errors.ValidationError(
                        _("请求内容不是有效的 JSON：%(e)s") % {"e": str(exc)[:200]}
                    ) from exc
                if not isinstance(parsed, dict):
                    raise errors.ValidationError(_("请求内容应为 JSON 对象"))
                args.update(parsed)
        elif request.method == "POST":
            args.update({k: request.POST.get(k) for k in request.POST})
        elif content_type == "application/x-www-form-urlencoded":
            # Django parses form bodies of POST only; PUT clients may send forms too.
            form = QueryDict(request.body, encoding=request.encoding)
            args.update({k: form.get(k) for k in form})
    for key in JSON_ARGS & args.keys():
        args[key] = _decode_json_arg(args[key])
    return args


def _has_nul(value: Any, depth: int = 0) -> bool:
    """Return whether a NUL character hides in the value (PostgreSQL refuses it in text)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def to_api_error(exc: Exception) -> errors.ApiError | None:
    """Return the Frappe error an engine exception stands for, or None for a real bug."""
    match exc:
        case errors.ApiError():
            return exc
        case DocumentValidationError():
            messages = exc.messages()
            return errors.ValidationError(messages[0] if messages else str(exc), errors=exc.errors)
        case DocumentStateError():
            return errors.DocstatusTransitionError(str(exc))
        case PermissionDenied():
            return errors.PermissionError_(str(exc) or _("没有权限"))
        case Http404():
            return errors.DoesNotExistError(str(exc) or _("找不到记录"))
        case RequestDataTooBig():
            return errors.RequestTooLarge(_("请求内容太大"))
        case TooManyFieldsSent():
            return errors.RequestTooLarge(_("请求参数太多"))
    return None


Handler = Callable[..., HttpResponse]


def api_view(*, methods: frozenset[str], auth: bool = True) -> Callable[[Handler], Handler]:
    """Wrap a view `(call, **kwargs) -> HttpResponse` with auth, CSRF, rate limit and errors."""

    def decorate(view: Handler) -> Handler:
        @csrf_exempt  # checked in identify(): cookie callers need the token, token callers not
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            try:
                try:
                    caller = identify(request)
                except errors.AuthenticationError:
                    # Failed logins count against the address, so secrets cannot be guessed fast.
                    if ratelimit.hit(f"ip:{client_ip(request)}") is not None:
                        raise errors.RateLimitExceededError(_("请求太频繁，请稍后再试")) from None
                    raise
                wait = ratelimit.hit(caller.identity)
                if wait is not None:
                    return errors.error_response(
                        errors.RateLimitExceededError(
                            _("请求太频繁，请 %(s)s 秒后再试") % {"s": wait}
                        ),
                        headers={"Retry-After": str(wait)},
                    )
                if request.method not in methods:
                    raise errors.MethodNotAllowed(_("不支持 %(m)s 请求") % {"m": request.method})
                if auth and not caller.is_authenticated:
                    raise errors.AuthenticationError(_("请先登录或提供 API 密钥"))
                if caller.is_authenticated:
                    activate_user_language(request, caller.user)
                call = Call(request, caller, parse_args(request))
                if _has_nul(kwargs) or _has_nul(call.args):
                    raise errors.ValidationError(_("请求中含有不允许的空字符（\\0）"))
                return view(call, **kwargs)
            except Exception as exc:  # every failure answers in Frappe's shape
                api_error = to_api_error(exc)
                if api_error is None:
                    logger.exception("API error on %s %s", request.method, request.path)
                    api_error = errors.ApiError(_("服务器内部错误，请稍后重试"))
                    api_error.status, api_error.exc_type = 500, "Exception"
                response = errors.error_response(api_error)
                if api_error.status == 405:
                    response["Allow"] = ", ".join(sorted(methods))
                return response

        return wrapper

    return decorate
