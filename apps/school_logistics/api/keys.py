"""Issue API keys and check presented key/secret pairs."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from school_logistics.api.models import ApiKey
from school_logistics.core.auth import users_with_access, with_access
from school_logistics.core.models import User


@dataclass(frozen=True)
class IssuedKey:
    key: str
    secret: str  # shown to the user once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_api_key(user: User, *, actor: User) -> IssuedKey:
    """Give `user` a new key and secret, replacing any earlier pair (which stops working)."""
    if actor.pk != user.pk:
        # Keys act with the user's full rights, so only the user may mint one.
        raise PermissionDenied(_("只能为自己生成 API 密钥"))
    key = secrets.token_hex(8)
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        ApiKey.objects.update_or_create(
            user=user, defaults={"key": key, "secret_hash": hash_secret(secret)}
        )
    return IssuedKey(key, secret)


def user_for_key(key: str, secret: str) -> User | None:
    """Return the active user owning this key and secret, or None."""
    user = (
        users_with_access()
        .filter(api_key__key=key[:40])
        .annotate(secret_hash=F("api_key__secret_hash"))
        .first()
    )
    if user is None:
        # Hash anyway so a wrong key and a wrong secret take the same time.
        hash_secret(secret)
        return None
    if not hmac.compare_digest(user.secret_hash, hash_secret(secret)):
        return None
    return with_access(user) if user.is_active else None
