"""The demo store: goods received at term start, and 领物单 at each stage of their flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from school_logistics.core import services
from school_logistics.demo import approvals
from school_logistics.demo.contracts import AGREED
from school_logistics.demo.org import Org
from school_logistics.stores.services import STOCKTAKE, receipt_from_requisition, start_stocktake

RECEIPT = "Stock Receipt"
ISSUE = "Stock Issue"

# days ago, summary, supplier (index into the pool), rows (item code, qty, rate; None: list price)
RECEIPTS: list[tuple[int, str, int, list[tuple[str, int, str | None]]]] = [
    (40, "开学办公用品验收入库", 0, [("BG-A4-70", 120, "22.80"), ("BG-PEN-RD", 40, None),
     ("BG-PEN-BK", 60, None), ("BG-STAPLER", 10, None), ("BG-ARCHIVE", 200, "4.50")]),
    (38, "清洁用品验收入库", 0, [("QJ-MOP", 30, None), ("QJ-BAG", 80, "7.50"),
     ("QJ-DISINF", 48, None), ("QJ-SOAP", 24, None)]),
    (30, "维修材料验收入库", 2, [("SD-T8", 50, "15.20"), ("SD-SWITCH", 20, None),
     ("SD-TAP", 10, None), ("SD-BULB", 30, None)]),
    (6, "A4复印纸补货", 0, [("BG-A4-70", 60, "24.00")]),
]  # fmt: skip

# key, requester, days ago, purpose, rows (item code, qty, old one returned), stage:
# issued (all steps passed), at_store (waiting for the storekeeper), at_dept_head, draft.
ISSUES: list[tuple[str, str, int, str, list[tuple[str, int, bool]], str]] = [
    ("issue_exam", "teacher", 14, "七年级语文期中考试印卷",
     [("BG-A4-70", 20, False), ("BG-PEN-RD", 4, False)], "issued"),
    ("issue_cleaning", "head2", 10, "数学组办公室卫生用品",
     [("QJ-MOP", 2, False), ("QJ-BAG", 6, False), ("QJ-SOAP", 2, False)], "issued"),
    ("issue_stapler", "teacher2", 2, "数学组订书机损坏，以旧换新",
     [("BG-STAPLER", 1, False), ("BG-PEN-BK", 2, False)], "at_store"),
    ("issue_archive", "teacher", 1, "七年级(1)班学生档案整理",
     [("BG-ARCHIVE", 30, False)], "at_dept_head"),
    ("issue_draft", "head2", 0, "数学组教研活动用纸", [("BG-A4-70", 5, False)], "draft"),
]  # fmt: skip


def create_stock(
    org: Org,
    day: Callable[[int], dt.date],
    prices: dict[str, Decimal],
    suppliers: list[str],
    made: dict[str, str],
) -> None:
    """Receive the term's goods as the storekeeper, then have teachers ask for some."""
    keeper = org.users["storekeeper"]
    for days_ago, title, supplier, received in RECEIPTS:
        values: dict[str, Any] = {
            "title": title,
            "supplier": suppliers[supplier],
            "posting_date": day(days_ago),
            "items": [
                {"item": code, "qty": qty, "rate": rate or prices[code]}
                for code, qty, rate in received
            ],
        }
        name = services.create_document(RECEIPT, values, actor=keeper).name
        services.submit_document(RECEIPT, name, actor=keeper)
        made.setdefault("receipt", name)
    # The exam paper the 语文组 asked for came without its red pens: received in part.
    partial = receipt_from_requisition(made["exam_paper"], actor=keeper)
    delivered = [r for r in partial.data["items"] if r["item"] != "BG-PEN-RD"]
    services.save_document(RECEIPT, partial.name, {"items": delivered}, actor=keeper)
    services.submit_document(RECEIPT, partial.name, actor=keeper)
    made["receipt_partial"] = partial.name
    # The canteen's staples came in against their requisition and contract, at the prices the
    # 询价 won and ten bags of rice short; the kitchen draws this week's rice, flour and oil,
    # which go on the canteen's own books as 食材 (独立核算).
    staples = receipt_from_requisition(made["canteen_staples"], actor=keeper)
    agreed = {code: rate for code, rate, _qty in AGREED}
    rows = [
        {**r, "rate": agreed[r["item"]], "qty": 30 if r["item"] == "ST-RICE" else r["qty"]}
        for r in staples.data["items"]
    ]
    services.save_document(
        RECEIPT, staples.name, {"contract": made["contract_staples"], "items": rows}, actor=keeper
    )
    services.submit_document(RECEIPT, staples.name, actor=keeper)
    kitchen = services.create_document(
        ISSUE,
        {
            "posting_date": day(2),
            "purpose": "食堂本周用米面油",
            "canteen_cost": "食材",
            "items": [
                {"item": "ST-RICE", "qty": 6},
                {"item": "ST-FLOUR", "qty": 2},
                {"item": "ST-OIL", "qty": 3},
            ],
        },
        actor=org.users["canteen"],
    ).name
    approvals.submit(ISSUE, kitchen, actor=org.users["canteen"])
    made["issue_kitchen"] = kitchen
    for key, who, days_ago, purpose, asked, stage in ISSUES:
        actor = org.users[who]
        values = {
            "posting_date": day(days_ago),
            "purpose": purpose,
            "items": [
                {"item": code, "qty": qty, "old_returned": int(returned)}
                for code, qty, returned in asked
            ],
        }
        name = services.create_document(ISSUE, values, actor=actor).name
        made[key] = name
        if stage == "draft":
            continue
        steps = {"issued": None, "at_store": 1, "at_dept_head": 0}[stage]
        approvals.submit(ISSUE, name, actor=actor, approve_steps=steps)
    # 适当库存量: what the store keeps at least; red pens and hand soap run low.
    for code, safety in [("BG-A4-70", 100), ("BG-PEN-RD", 50), ("QJ-SOAP", 30), ("SD-T8", 20)]:
        services.save_document("Item", code, {"safety_stock": safety}, actor=org.users["purchaser"])
    # The cleaning cupboard counted: one mop short, waiting for 总务处主任 to approve.
    count = start_stocktake(org.school.pk, actor=keeper, category="清洁用品")
    rows = [
        {**r, "counted_qty": int(Decimal(r["counted_qty"])) - 1, "reason": "拖把杆断裂一把，已报损"}
        if r["item"] == "QJ-MOP"
        else r
        for r in count.data["items"]
    ]
    services.save_document(STOCKTAKE, count.name, {"items": rows}, actor=keeper)
    approvals.submit(STOCKTAKE, count.name, actor=keeper, approve_steps=0)
    made["stocktake"] = count.name
