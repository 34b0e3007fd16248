"""Away periods set by the user themself, through the service and the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from school_logistics.core.validation import DocumentValidationError
from school_logistics.workflow import delegation
from school_logistics.workflow.models import Delegation


def test_away_needs_a_colleague_and_a_sensible_period(users, outsider):
    now = timezone.now()
    head = users["head"]
    for delegate, ends in (
        ("head", now + dt.timedelta(days=1)),
        ("outsider", now + dt.timedelta(days=1)),
        ("colleague", now - dt.timedelta(hours=1)),
        ("colleague", now + dt.timedelta(days=120)),
    ):
        with pytest.raises(DocumentValidationError):
            delegation.set_away(head, delegate=delegate, starts=now, ends=ends, actor=head)
    with pytest.raises(PermissionDenied):
        delegation.set_away(
            head,
            delegate="colleague",
            starts=now,
            ends=now + dt.timedelta(days=1),
            actor=users["teacher"],
        )
    assert not Delegation.objects.exists()


def test_head_sets_and_ends_an_away_period_on_the_page(client, users):
    client.force_login(users["head"])
    response = client.post(
        "/app/approvals/away",
        {"delegate": "colleague", "starts": "2026-11-20T08:00", "ends": "2099-01-01T08:00"},
    )
    assert response.status_code == 400  # more than 90 days
    start = timezone.localtime()
    response = client.post(
        "/app/approvals/away",
        {
            "delegate": "colleague",
            "starts": start.strftime("%Y-%m-%dT%H:%M"),
            "ends": (start + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    away = Delegation.objects.get()
    assert away.delegate == users["colleague"]
    client.force_login(users["teacher"])
    assert client.post(f"/app/approvals/away/{away.pk}/end").status_code == 403
    client.force_login(users["head"])
    client.post(f"/app/approvals/away/{away.pk}/end")
    away.refresh_from_db()
    assert away.ends <= timezone.now()
