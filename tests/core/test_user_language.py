"""A user's chosen language follows them: desk pages, other devices and the API."""

from __future__ import annotations

import json

from django.test import Client

from school_logistics.api.keys import issue_api_key


def test_switching_language_is_remembered_on_the_user(client, users):
    client.force_login(users["teacher"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/app/"})
    users["teacher"].refresh_from_db()
    assert users["teacher"].language == "en"

    other_device = Client()  # no language cookie, a Chinese browser
    other_device.force_login(users["teacher"])
    page = other_device.get("/app/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in page


def test_api_errors_speak_the_key_owners_language(users):
    users["teacher"].language = "en"
    users["teacher"].save()
    issued = issue_api_key(users["teacher"], actor=users["teacher"])
    reply = Client().post(
        "/api/resource/Material Requisition",
        data=json.dumps({"purpose": "paper"}),
        content_type="application/json",
        headers={"Authorization": f"token {issued.key}:{issued.secret}"},
    )
    assert reply.status_code == 417
    messages = [json.loads(m)["message"] for m in json.loads(reply.json()["_server_messages"])]
    assert any("required" in m.lower() for m in messages), messages
