"""Send notifications: the in-app row now, email and group chat by background jobs after commit."""

from __future__ import annotations

import datetime as dt
import functools
import json
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from school_logistics.core.jobs import enqueue
from school_logistics.core.models import Document, School, User
from school_logistics.core.prepared import insert_rows
from school_logistics.core.write_batch import send_now
from school_logistics.notify import messages
from school_logistics.notify.models import (
    Channel,
    ChatKind,
    ChatWebhook,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    Notification,
    Preference,
)

MAX_ATTEMPTS = 5
WEBHOOK_TIMEOUT = 10


def notify(
    users: Iterable[User],
    event: str,
    context: dict[str, Any],
    *,
    document: Document | None,
    url: str,
) -> list[Notification]:
    """Notify each user once: in the app now, and by the channels they chose after the commit."""
    recipients = list({u.pk: u for u in users}.values())
    if not recipients:
        return []
    school_id = document.school_id if document else None
    school = document.school if document and Document.school.is_cached(document) else None
    if school is not None and not school.has_notice_settings:
        custom, chat = None, False  # read with the document: nothing of its own to look up
    else:
        custom, chat = _school_wording(school_id, event)
    subject = messages.subject(event, custom, context)
    rows = insert_rows(
        (
            Notification(user=u, document=document, event=event, subject=subject, url=url)
            for u in recipients
        ),
        defer=True,
    )
    # Preferences only matter when some channel could fire: a robot, or someone's email.
    could_send = chat or any(u.email for u in recipients)
    prefs = (
        {p.user_id: p for p in Preference.objects.filter(user__in=recipients)} if could_send else {}
    )
    if could_send:
        send_now()  # deliveries link to the notices by id
    wanted = []
    for n in rows:
        pref = prefs.get(n.user_id) or Preference(user=n.user)
        if pref.email and n.user.email:
            wanted.append(Delivery(notification=n, channel=Channel.EMAIL))
        if pref.chat and chat:
            wanted.append(Delivery(notification=n, channel=Channel.CHAT))
    for d in Delivery.objects.bulk_create(wanted):
        transaction.on_commit(functools.partial(enqueue, deliver, d.pk))
    return rows


def _school_wording(school_id: int | None, event: str) -> tuple[str | None, bool]:
    """Return the school's own template for the event and whether its robot is on: one query."""
    if not school_id:
        return None, False
    row = (
        School.objects.filter(pk=school_id)
        .annotate(
            custom=Subquery(
                MessageTemplate.objects.filter(school_id=OuterRef("pk"), event=event).values(
                    "subject"
                )[:1]
            ),
            chat=Exists(ChatWebhook.objects.filter(school_id=OuterRef("pk"), is_active=True)),
        )
        .values_list("custom", "chat")
        .first()
    )
    return (row[0], bool(row[1])) if row else (None, False)


def deliver(delivery_id: int) -> None:
    """Send one delivery; safe to run twice (a sent or failed delivery is left alone)."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        return
    delivery = Delivery.objects.select_related("notification__user", "notification__document").get(
        pk=delivery_id
    )
    try:
        if delivery.channel == Channel.EMAIL:
            _send_email(delivery.notification)
        else:
            _post_chat(delivery.notification)
    except Exception as exc:  # noqa: BLE001  (any channel failure is recorded and retried)
        give_up = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery_id).update(
            last_error=str(exc)[:1000],
            **({"status": DeliveryStatus.FAILED} if give_up else {}),
        )
        return
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )


def _link(n: Notification) -> str:
    return f"{settings.SITE_URL}{n.url}" if n.url else ""


def _send_email(n: Notification) -> None:
    send_mail(n.subject, f"{n.subject}\n\n{_link(n)}".strip(), None, [n.user.email])


def _post_chat(n: Notification) -> None:
    """Post to the school's robot in its own JSON shape, @-mentioning the user's mobile."""
    school_id = n.document.school_id if n.document else n.user.school_id
    if school_id is None:  # recorded as the delivery's failure, like a missing robot
        raise ChatWebhook.DoesNotExist("no school to post to")
    hook = ChatWebhook.objects.get(school_id=school_id, is_active=True)
    text = f"{n.subject}\n{_link(n)}".strip()
    mobiles = [n.user.phone] if n.user.phone else []
    if hook.kind == ChatKind.DINGTALK:
        body = {"msgtype": "text", "text": {"content": text}, "at": {"atMobiles": mobiles}}
    else:
        body = {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
    request = urllib.request.Request(
        hook.url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
        reply = json.loads(response.read() or b"{}")
    if reply.get("errcode", 0) != 0:  # both robots answer 200 with an error code
        raise RuntimeError(f"机器人返回错误：{reply.get('errcode')} {reply.get('errmsg', '')}")


def retry_pending() -> int:
    """Re-send deliveries still pending a while after they were queued (every 5 minutes).

    Covers a send that failed with attempts left and a job lost before it ran.
    """
    settled = timezone.now() - dt.timedelta(minutes=2)
    ids = list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, notification__created__lt=settled
        ).values_list("pk", flat=True)[:200]
    )
    for pk in ids:
        enqueue(deliver, pk)
    return len(ids)


def retry_failed(delivery_ids: Iterable[int]) -> int:
    """Give failed deliveries a fresh set of attempts (an admin's 重发)."""
    ids = list(delivery_ids)
    count = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0
    )
    for pk in ids:
        transaction.on_commit(functools.partial(enqueue, deliver, pk))
    return count


# Each returns the condition of a user's notices that no longer ask anything of them (e.g. 待您审批
# once they have decided, or someone else did): those do not count under the bell.
SettledRule = Callable[[User], Q]
settled_rules: list[SettledRule] = []


def settled(user: User) -> Q:
    """The user's notices that ask nothing any more (none when no rule says so)."""
    found = Q(pk__in=[])
    for rule in settled_rules:
        found |= rule(user)
    return found


def unread(user: User) -> QuerySet[Notification]:
    """What the bell counts: unread notices that still ask or tell the user something."""
    return Notification.objects.filter(user=user, read_at__isnull=True).exclude(settled(user))


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or the given ones) as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def set_preference(user: User, *, email: bool, chat: bool) -> Preference:
    """Save the channels a user wants."""
    pref, _ = Preference.objects.update_or_create(
        user=user, defaults={"email": email, "chat": chat}
    )
    return pref
