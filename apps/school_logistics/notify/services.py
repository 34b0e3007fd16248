"""Send notifications: the in-app row now, outside channels by a background job after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from school_logistics.core.jobs import enqueue
from school_logistics.core.models import Document, User
from school_logistics.notify.models import Delivery, DeliveryStatus, Notification

MAX_ATTEMPTS = 5


def notify(
    users: Iterable[User], event: str, subject: str, *, document: Document | None, url: str
) -> list[Notification]:
    """Record one notification per user and schedule its email for after the commit."""
    rows = Notification.objects.bulk_create(
        Notification(user=u, document=document, event=event, subject=subject, url=url)
        for u in {u.pk: u for u in users}.values()
    )
    mailed = [n for n in rows if n.user.email]
    deliveries = Delivery.objects.bulk_create(
        Delivery(notification=n, channel="email") for n in mailed
    )
    for d in deliveries:
        transaction.on_commit(lambda pk=d.pk: enqueue(deliver, pk))
    return rows


def deliver(delivery_id: int) -> None:
    """Send one delivery; safe to run twice (a sent delivery is left alone)."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        return
    delivery = Delivery.objects.select_related("notification__user").get(pk=delivery_id)
    n = delivery.notification
    link = f"{settings.SITE_URL}{n.url}" if n.url else ""
    try:
        send_mail(n.subject, f"{n.subject}\n\n{link}".strip(), None, [n.user.email])
    except Exception as exc:  # noqa: BLE001  (any SMTP failure is recorded and retried)
        status = DeliveryStatus.FAILED if delivery.attempts >= MAX_ATTEMPTS else None
        Delivery.objects.filter(pk=delivery_id).update(
            last_error=str(exc)[:1000], **({"status": status} if status else {})
        )
        return
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )


def retry_pending() -> int:
    """Re-send deliveries still pending (the scheduler calls this every few minutes)."""
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, attempts__gt=0).values_list(
            "pk", flat=True
        )[:200]
    )
    for pk in ids:
        enqueue(deliver, pk)
    return len(ids)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or the given ones) as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
