"""持证上岗: a canteen worker whose health certificate has expired, or ends within a month, is
marked so on their page and on the canteen's home page, however long ago it was saved."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document

STAFF = "Canteen Staff"


def worker(users, name: str, days_left: int) -> Document:
    """A worker whose certificate ends `days_left` days from today (negative: ended)."""
    expiry = timezone.localdate() + dt.timedelta(days=days_left)
    return services.create_document(
        STAFF,
        {"staff_name": name, "post": "厨师", "health_cert_no": f"JK-{name}",
         "health_cert_issued": expiry - dt.timedelta(days=365), "health_cert_expiry": expiry},
        actor=users["canteen"],
    )  # fmt: skip


def test_an_expired_certificate_is_said_so_on_the_workers_page(client, users):
    expired = worker(users, "张师傅", -45)  # beyond what a 到期提醒 still looks back on
    due = worker(users, "李师傅", 10)
    valid = worker(users, "王师傅", 200)
    client.force_login(users["canteen"])
    page = client.get(f"/app/canteen-staff/{expired.name}").content.decode()
    ended = (timezone.localdate() - dt.timedelta(days=45)).isoformat()
    assert 'id="health-cert-state"' in page
    assert f"已过期</span>健康证 {ended} 到期，已过期 45 天" in page
    assert "健康证过期不得上岗" in page
    page = client.get(f"/app/canteen-staff/{due.name}").content.decode()
    assert "即将到期</span>健康证 " in page and "还有 10 天" in page
    page = client.get(f"/app/canteen-staff/{valid.name}").content.decode()
    assert 'id="health-cert-state"' not in page


def test_saving_an_expired_certificate_lands_on_the_warning(client, users):
    client.force_login(users["canteen"])
    ended = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        "/app/canteen-staff/new",
        {"staff_name": "赵师傅", "post": "帮厨", "health_cert_no": "JK0001",
         "health_cert_expiry": ended.isoformat()},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and "已保存" in page
    assert "已过期 1 天" in page and "健康证过期不得上岗" in page


def test_the_canteens_home_lists_the_expired_and_the_due(client, users):
    worker(users, "张师傅", -400)
    worker(users, "李师傅", 0)
    worker(users, "王师傅", 31)
    client.force_login(users["canteen"])
    home = client.get("/app/").content.decode()
    panel = home[home.index('id="home-health-certs"') :].split("</section>")[0]
    assert "1 人已过期" in panel and "1 人即将到期" in panel
    assert panel.index("张师傅") < panel.index("李师傅")  # the expired first
    assert "已过期 400 天" in panel and "今天到期" in panel and "王师傅" not in panel
    for reader in ("principal", "teacher"):  # reads the records, or none: not theirs to renew
        client.force_login(users[reader])
        assert 'id="home-health-certs"' not in client.get("/app/").content.decode()
