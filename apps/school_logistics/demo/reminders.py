"""The canteen's workers with their health certificates (持证上岗), one of them due for renewal
within the month, and the admin's 到期提醒 for those and for suppliers' certificates (索证)."""

from __future__ import annotations

import datetime as dt

from school_logistics.core import services
from school_logistics.demo.org import Org
from school_logistics.notify import reminders

STAFF = "Canteen Staff"
# name, post, days until the health certificate ends
WORKERS = [
    ("食堂甲", "厨师", 240),
    ("食堂乙", "厨师", 300),
    ("食堂丙", "帮厨", 20),
    ("食堂丁", "面点师", 150),
    ("食堂戊", "售饭员", 330),
    ("食堂己", "保管员", 90),
]


def create_staff(org: Org, today: dt.date, made: dict[str, str]) -> None:
    canteen = org.users["canteen"]
    for n, (name, post, days) in enumerate(WORKERS, start=1):
        expiry = today + dt.timedelta(days=days)
        doc = services.create_document(
            STAFF,
            {
                "staff_name": name,
                "post": post,
                "phone": f"1370000{n:04d}",
                "health_cert_no": f"JK{today.year}{n:04d}",
                "health_cert_issued": expiry - dt.timedelta(days=365),
                "health_cert_expiry": expiry,
                "trained_on": today - dt.timedelta(days=60),
            },
            actor=canteen,
        )
        if days < 30:
            made["staff_renewal_due"] = doc.name


def create_reminders(org: Org) -> None:
    admin = org.users["admin"]
    for date, role, repeat in (
        (f"{STAFF}|health_cert_expiry", "canteen_manager", "7"),  # 持证上岗: weekly till renewed
        ("Supplier|earliest_expiry", "purchaser", "0"),
        ("Purchase Contract|ends_on", "purchaser", "0"),  # 续签或重新招标
    ):
        reminders.save_reminder(
            org.school,
            {"date": date, "days_before": "30", "role": role, "repeat_days": repeat},
            actor=admin,
        )
    reminders.remind_due_dates()  # what the scheduler would send within the hour
