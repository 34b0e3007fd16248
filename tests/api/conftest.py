"""Fixtures for API tests: token clients per user, items and requisitions built via services."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from school_logistics.api.keys import issue_api_key
from school_logistics.core import services
from school_logistics.core.models import Document, User
from tests.stores.factories import make_items

REQ = "Material Requisition"


@pytest.fixture(autouse=True)
def generous_rate_limit(settings: Any) -> None:
    """Tests share one client address; only the rate-limit tests lower the limit."""
    settings.API_RATE_LIMIT = 100_000


class ApiClient:
    """A Django test client that sends `Authorization: token key:secret` and parses JSON."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            issued = issue_api_key(user, actor=user)
            self.key, self.secret = issued.key, issued.secret
            self.headers["Authorization"] = f"token {issued.key}:{issued.secret}"

    def request(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        query = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in params.items()}
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        fn = getattr(self.client, method.lower())
        if method == "GET":
            return fn(path, query, headers=self.headers)
        if query:
            from urllib.parse import urlencode

            path = f"{path}?{urlencode(query)}"
        return fn(path, **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None, **params: Any) -> Any:
        return self.request("POST", path, body if body is not None else {}, **params)

    def put(self, path: str, body: Any = None) -> Any:
        return self.request("PUT", path, body if body is not None else {})

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)


@pytest.fixture
def api(users: dict[str, User]) -> Callable[[str], ApiClient]:
    """Return a token client for the named fixture user (`api("teacher")`)."""
    made: dict[str, ApiClient] = {}

    def get(name: str) -> ApiClient:
        if name not in made:
            made[name] = ApiClient(users[name])
        return made[name]

    return get


@pytest.fixture
def outsider_api(outsider: User) -> ApiClient:
    return ApiClient(outsider)


@pytest.fixture
def items(users: dict[str, User]) -> dict[str, Document]:
    return make_items(users["storekeeper"])


def make_requisition(
    user: User, purpose: str = "期中考试用纸", qty: str = "10", rate: str = "23.5", **extra: Any
) -> Document:
    return services.create_document(
        REQ,
        {"purpose": purpose, "items": [{"item": "A4-70", "qty": qty, "rate": rate}], **extra},
        actor=user,
    )


def server_messages(response: Any) -> list[str]:
    """Return the messages of a Frappe error body, unpacking its JSON-in-JSON."""
    body = response.json()
    return [json.loads(m)["message"] for m in json.loads(body["_server_messages"])]
