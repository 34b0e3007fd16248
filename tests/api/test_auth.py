"""Authentication: API key and secret (token and Basic), session login with CSRF, rate limit."""

from __future__ import annotations

import base64
import secrets

from django.test import Client

from school_logistics.api.keys import hash_secret, issue_api_key
from school_logistics.api.models import ApiKey
from school_logistics.core.models import Document
from tests.api.conftest import REQ, ApiClient, make_requisition

WHOAMI = "/api/method/frappe.auth.get_logged_user"
REQS = f"/api/resource/{REQ}"


def test_token_header_authenticates_as_the_keys_user(api, users):
    response = api("teacher").get(WHOAMI)
    assert response.status_code == 200
    assert response.json() == {"message": "teacher"}


def test_basic_auth_with_key_and_secret(users):
    client = ApiClient(users["teacher"])
    pair = base64.b64encode(f"{client.key}:{client.secret}".encode()).decode()
    response = Client().get(WHOAMI, headers={"Authorization": f"Basic {pair}"})
    assert response.json() == {"message": "teacher"}


def test_only_a_hash_of_the_secret_is_stored(users):
    issued = issue_api_key(users["teacher"], actor=users["teacher"])
    row = ApiKey.objects.get(user=users["teacher"])
    assert row.key == issued.key
    assert row.secret_hash == hash_secret(issued.secret)
    assert issued.secret not in row.secret_hash


def test_wrong_secret_unknown_key_and_garbage_are_401(users):
    client = ApiClient(users["teacher"])
    for header in (
        f"token {client.key}:wrong",
        "token nokey:nosecret",
        f"token {client.key}",
        "Basic !!!notbase64",
        "Bearer something",
    ):
        response = Client().get(WHOAMI, headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["exc_type"] == "AuthenticationError"


def test_regenerating_the_key_revokes_the_old_one(users):
    old = ApiClient(users["teacher"])
    new = ApiClient(users["teacher"])
    assert old.get(WHOAMI).status_code == 401
    assert new.get(WHOAMI).status_code == 200


def test_inactive_users_key_stops_working(users):
    client = ApiClient(users["teacher"])
    users["teacher"].is_active = False
    users["teacher"].save()
    assert client.get(WHOAMI).status_code == 401


def test_login_sets_a_session_and_logout_ends_it(users):
    client = Client()
    response = client.post(
        "/api/method/login", {"usr": "teacher", "pwd": "pass12345"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"message": "Logged In", "home_page": "/app", "full_name": "teacher"}
    assert client.get(WHOAMI).json() == {"message": "teacher"}
    assert client.post("/api/method/logout").status_code == 200
    assert client.get(WHOAMI).status_code == 401


def test_login_accepts_form_encoded_credentials(users):
    response = Client().post("/api/method/login", {"usr": "teacher", "pwd": "pass12345"})
    assert response.json()["message"] == "Logged In"


def test_wrong_password_is_401_and_sets_no_session(users):
    client = Client()
    response = client.post("/api/method/login", {"usr": "teacher", "pwd": "nope"})
    assert response.status_code == 401
    assert response.json()["exc_type"] == "AuthenticationError"
    assert client.get(WHOAMI).status_code == 401


def test_session_writes_need_the_csrf_token(users, items):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["teacher"])
    body = {"purpose": "会话新建", "items": [{"item": "A4-70", "qty": 1, "rate": 1}]}
    refused = client.post(REQS, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["exc_type"] == "CSRFTokenError"
    assert not Document.objects.filter(doctype=REQ).exists()
    # The desk page hands out the token; the same session may then write.
    client.get("/app/")
    token = client.cookies["csrftoken"].value
    ok = client.post(REQS, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 200, ok.content
    frappe_header = client.post(
        REQS, body, content_type="application/json", headers={"X-Frappe-CSRF-Token": token}
    )
    assert frappe_header.status_code == 200


def test_session_reads_need_no_csrf_token(users, items):
    make_requisition(users["teacher"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["teacher"])
    assert client.get(REQS).status_code == 200


def test_token_requests_are_csrf_exempt(users, items):
    token_client = ApiClient(users["teacher"])
    token_client.client = Client(enforce_csrf_checks=True)
    body = {"purpose": "令牌新建", "items": [{"item": "A4-70", "qty": 1, "rate": 1}]}
    assert token_client.post(REQS, body).status_code == 200


def test_rate_limit_per_key_answers_429_with_retry_after(settings, users):
    settings.API_RATE_LIMIT = 3
    limited = ApiClient(users["teacher"])
    other = ApiClient(users["colleague"])
    statuses = [limited.get(WHOAMI).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = limited.get(WHOAMI)
    assert response.json()["exc_type"] == "RateLimitExceededError"
    assert int(response["Retry-After"]) >= 1
    # Another key has its own budget.
    assert other.get(WHOAMI).status_code == 200


def test_api_key_page_shows_the_secret_once(client, users):
    client.force_login(users["teacher"])
    empty = client.get("/api/keys")
    assert empty.status_code == 200
    assert "生成密钥" in empty.content.decode()
    issued = client.post("/api/keys")
    page = issued.content.decode()
    row = ApiKey.objects.get(user=users["teacher"])
    assert row.key in page
    assert issued["Cache-Control"] == "no-store"
    secret = page.split('id="api-secret">')[1].split("<")[0]
    assert hash_secret(secret) == row.secret_hash
    later = client.get("/api/keys").content.decode()
    assert row.key in later and secret not in later
    # The secret from the page works against the API.
    response = Client().get(WHOAMI, headers={"Authorization": f"token {row.key}:{secret}"})
    assert response.json() == {"message": "teacher"}


def test_api_key_page_needs_login_and_is_linked_from_the_user_menu(client, users):
    assert client.get("/api/keys").status_code == 302
    client.force_login(users["teacher"])
    assert 'href="/api/keys"' in client.get("/app/").content.decode()


def test_wrong_secrets_are_rate_limited_per_address(settings, users):
    settings.API_RATE_LIMIT = 3
    client = ApiClient(users["teacher"])
    # A fresh address per run: Redis keeps counters between test runs within the window.
    guesser = Client(REMOTE_ADDR=f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.7")
    statuses = [
        guesser.get(WHOAMI, headers={"Authorization": f"token {client.key}:guess{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert client.get(WHOAMI).status_code == 200
