"""Who is calling: API token (`token key:secret` or Basic), else the session with CSRF."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _

from school_logistics.api import errors
from school_logistics.api.keys import user_for_key
from school_logistics.core.models import User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    user: User | AnonymousUser
    via: str  # "token", "session" or "anonymous"
    identity: str  # what the rate limit counts by

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated)


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _parse_authorization(header: str) -> tuple[str, str]:
    scheme, _sep, credentials = header.strip().partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()
    if scheme == "token":
        pair = credentials
    elif scheme == "basic":
        try:
            pair = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise errors.AuthenticationError(_("认证信息格式不正确")) from exc
    else:
        raise errors.AuthenticationError(_("不支持的认证方式，请使用 token 或 Basic"))
    key, sep, secret = pair.partition(":")
    if not sep or not key or not secret:
        raise errors.AuthenticationError(_("认证信息格式不正确，应为 key:secret"))
    return key, secret


def _csrf_ok(request: HttpRequest) -> bool:
    # Frappe's browser clients send the token as X-Frappe-CSRF-Token; accept it too.
    frappe_token = request.META.get("HTTP_X_FRAPPE_CSRF_TOKEN")
    if frappe_token and "HTTP_X_CSRFTOKEN" not in request.META:
        request.META["HTTP_X_CSRFTOKEN"] = frappe_token
    middleware = CsrfViewMiddleware(lambda r: HttpResponse())
    middleware.process_request(request)
    return middleware.process_view(request, lambda r: HttpResponse(), (), {}) is None


def identify(request: HttpRequest) -> Caller:
    """Return the caller; raise AuthenticationError for bad tokens, CSRFTokenError for forgery."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        key, secret = _parse_authorization(header)
        user = user_for_key(key, secret)
        if user is None:
            raise errors.AuthenticationError(_("API 密钥或密钥口令不正确"))
        # Token requests carry no cookie, so cross-site forgery cannot ride on them.
        return Caller(user, "token", f"key:{key}")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        if request.method not in SAFE_METHODS and not _csrf_ok(request):
            raise errors.CSRFTokenError(_("CSRF 校验失败，请刷新页面后重试"))
        return Caller(user, "session", f"user:{user.pk}")
    return Caller(AnonymousUser(), "anonymous", f"ip:{client_ip(request)}")
