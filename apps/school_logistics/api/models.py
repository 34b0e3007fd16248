"""API keys: one key per user; only a hash of the secret is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """A user's API key; the secret is shown once when issued and kept only as a SHA-256 hash."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_key"
    )
    key = models.CharField(max_length=40, unique=True)
    # A random 192-bit secret needs no slow hash: guessing it is hopeless, and every API
    # request checks it, so a password hasher would cost each request tens of milliseconds.
    secret_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
