"""Notifications reach people: in the app, by email through a real SMTP server, and by group chat."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import PermissionDenied

from school_logistics.core.models import Role, User
from school_logistics.core.validation import DocumentValidationError
from school_logistics.notify import admin_services, services
from school_logistics.notify.models import (
    ChatWebhook,
    Delivery,
    DeliveryStatus,
    Notification,
)
from school_logistics.workflow import actions
from tests.workflow.conftest import pending, requisition

pytestmark = [pytest.mark.workflows, pytest.mark.usefixtures("heads")]
MR = "Material Requisition"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on a free local port, and Django pointed at it."""
    inbox = Inbox()
    with socket.socket() as probe:  # the controller checks readiness on a fixed port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.REDIS_URL = ""  # deliver inline: the job itself is what is tested here
    yield inbox
    controller.stop()


@pytest.fixture
def robot() -> Iterator[dict[str, Any]]:
    """A local HTTP server that answers like a WeCom robot and records what it was sent."""
    seen: dict[str, Any] = {"bodies": [], "errcode": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers["Content-Length"])
            seen["bodies"].append(json.loads(self.rfile.read(length)))
            reply = json.dumps({"errcode": seen["errcode"], "errmsg": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen["url"] = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    yield seen
    server.shutdown()


def submit(users: dict, item: Any, amount: str = "100") -> Any:
    doc = requisition(users["teacher"], amount, item)
    actions.start_approval(MR, doc.name, actor=users["teacher"])
    return doc


def test_task_email_reaches_the_head_through_smtp(
    users, item, smtp, django_capture_on_commit_callbacks
):
    users["head"].email = "head@school.example"
    users["head"].save()
    with django_capture_on_commit_callbacks(execute=True):
        doc = submit(users, item)
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["head@school.example"]
    body = envelope.content.decode("utf-8", "replace")
    assert doc.name in body
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_failed_email_is_kept_for_retry_and_never_blocks_the_approval(
    users, item, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.REDIS_URL = ""
    users["head"].email = "head@school.example"
    users["head"].save()
    with django_capture_on_commit_callbacks(execute=True):
        doc = submit(users, item)
    assert pending(doc, users["head"])  # the approval went on
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error
    for _ in range(services.MAX_ATTEMPTS - 1):
        services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED  # listed for the admin, not lost


def test_group_chat_robot_mentions_the_approver(
    users, item, robot, django_capture_on_commit_callbacks, settings
):
    settings.REDIS_URL = ""
    admin_services.save_chat_webhook(
        users["admin"].school, kind="wecom", url=robot["url"], active=True, actor=users["admin"]
    )
    users["head"].phone = "13800000000"
    users["head"].save()
    services.set_preference(users["head"], email=False, chat=True)
    with django_capture_on_commit_callbacks(execute=True):
        doc = submit(users, item)
    [body] = robot["bodies"]
    assert body["msgtype"] == "text"
    assert doc.name in body["text"]["content"]
    assert body["text"]["mentioned_mobile_list"] == ["13800000000"]


def test_robot_error_code_counts_as_a_failed_send(
    users, item, robot, django_capture_on_commit_callbacks, settings
):
    settings.REDIS_URL = ""
    robot["errcode"] = 93000
    ChatWebhook.objects.create(school=users["admin"].school, url=robot["url"])
    services.set_preference(users["head"], email=False, chat=True)
    with django_capture_on_commit_callbacks(execute=True):
        submit(users, item)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "93000" in delivery.last_error


def test_admin_wording_is_used_and_broken_or_looping_templates_are_refused(users, item):
    school = users["admin"].school
    admin_services.save_template(
        school, "task", "【审批】{{ requester }}：{{ doctype }} {{ name }}", actor=users["admin"]
    )
    doc = submit(users, item)
    subject = Notification.objects.get(user=users["head"], event="task").subject
    assert subject == f"【审批】teacher：物资申购单 {doc.name}"
    for bad in (
        "{{ name ",
        "{% for i in range(10**9) %}x{% endfor %}",
        "{{ ''.__class__.__mro__ }}",
        "{{ name.__init__.__globals__ }}",
    ):
        with pytest.raises(DocumentValidationError):
            admin_services.save_template(school, "task", bad, actor=users["admin"])


def test_wording_and_robot_changes_take_effect_on_the_next_notice(users, item):
    """Notices skip the school's settings when it has none; adding or removing them counts."""
    school, admin = users["admin"].school, users["admin"]

    def subject_of_next_task() -> str:
        doc = submit(users, item)
        return Notification.objects.get(document=doc, user=users["head"], event="task").subject

    assert subject_of_next_task().startswith("待您")  # the shipped wording
    admin_services.save_template(school, "task", "【请审批】{{ name }}", actor=admin)
    assert subject_of_next_task().startswith("【请审批】")
    admin_services.save_template(school, "task", "", actor=admin)  # back to the shipped one
    assert subject_of_next_task().startswith("待您")
    admin_services.save_chat_webhook(
        school, kind="wecom", url="http://127.0.0.1:9/robot", active=False, actor=admin
    )
    school.refresh_from_db()
    assert not school.has_notice_settings  # a robot switched off sends nothing
    admin_services.save_chat_webhook(
        school, kind="wecom", url="http://127.0.0.1:9/robot", active=True, actor=admin
    )
    school.refresh_from_db()
    assert school.has_notice_settings


def test_only_the_schools_admin_changes_notification_settings(users, item, outsider):
    school = users["admin"].school
    for who in (users["teacher"], outsider):
        with pytest.raises(PermissionDenied):
            admin_services.save_template(school, "task", "x {{ name }}", actor=who)
    assert not ChatWebhook.objects.exists()


def test_bell_counts_unread_and_opening_marks_read(client, users, item):
    doc = submit(users, item)
    client.force_login(users["head"])
    page = client.get("/app/notifications/").content.decode()
    assert doc.name in page
    home = client.get("/app/").content.decode()
    assert 'id="bell-count">1<' in home
    n = Notification.objects.get(user=users["head"])
    response = client.post(f"/app/notifications/{n.pk}/open")
    assert response.status_code == 302 and doc.name in response["Location"]
    assert 'id="bell-count"' not in client.get("/app/").content.decode()


def test_teacher_cannot_open_notification_settings(client, users):
    client.force_login(users["teacher"])
    assert client.get("/app/notifications/settings").status_code == 403
    client.force_login(users["admin"])
    assert client.get("/app/notifications/settings").status_code == 200


def test_an_admin_of_no_school_is_refused_notification_settings(client, users):
    """Settings belong to a school: an admin account not yet given one has none to change."""
    admin = User.objects.create_user(username="admin-noschool", password="pass12345")
    admin.roles.set(Role.objects.filter(code="sys_admin"))
    client.force_login(admin)
    page = client.get("/app/notifications/settings")
    assert page.status_code == 403
    assert "只有本校系统管理员可以修改通知设置" in page.content.decode()
    posted = client.post("/app/notifications/settings", {"form": "chat", "url": "http://x"})
    assert posted.status_code == 403
    assert not ChatWebhook.objects.exists()
