"""校服征订: the uniform tender the bureau's rules ask for (定点, 公开比选), and three classes'
orders on it — one issued in full, one waiting for the principal, one still collecting the
parents' answers."""

from __future__ import annotations

from typing import Any

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.demo import approvals
from school_logistics.demo.org import Org

ORDER = "Student Supply Order"
SIZES = ["150/76A", "155/80A", "160/84A", "165/88A", "170/92A"]
# Every seventh family keeps last year's uniform (家长自愿).
DECLINES_EVERY = 7


# The student (by roll position) whose family has not paid for the uniform yet.
UNPAID_AT = 1


def create_supplies(
    org: Org, cal: Any, suppliers: list[str], rolls: dict[str, list[tuple[str, str]]], made: Any
) -> None:
    u = org.users
    office = u["purchaser"]
    tailor, second, third = suppliers[9], suppliers[10], suppliers[11]
    tender = services.create_document(
        "Tender",
        {
            "subject": "2026年秋季学生校服定点采购询价",
            "method": "询价",
            "posting_date": cal.day(40),
            "opening_date": cal.moment(35, 9, 30),
            "suppliers": [{"supplier": s} for s in (tailor, second, third)],
            "bids": [
                {"supplier": tailor, "price": "118.00", "delivery_days": 20, "score": "94"},
                {"supplier": second, "price": "125.00", "delivery_days": 25, "score": "88"},
                {"supplier": third, "price": "132.00", "delivery_days": 18, "score": "85"},
            ],
            "witnesses": [{"user": u["affairs"].username, "role_note": "学校纪检委员"}],
            "awarded_supplier": tailor,
            "remarks": "每套单价报价；家长代表参与样品评议，最低价且样品合格者中标。",
        },
        actor=office,
    ).name
    approvals.submit("Tender", tender, actor=office)
    made["tender_uniforms"] = tender

    classes = list(rolls)
    teachers = {classes[0]: u["teacher"], classes[1]: u["teacher2"], classes[2]: u["head2"]}

    def order(class_name: str, answered: bool) -> str:
        rows: list[dict[str, Any]] = [
            {"student": no, "consent": "不同意" if i % DECLINES_EVERY == 3 else "同意",
             "size": SIZES[(i * 3) % len(SIZES)]}
            if answered else {"student": no}
            for i, (no, _plan) in enumerate(rolls[class_name])
        ]  # fmt: skip
        for i, row in enumerate(rows):
            if row.get("consent") == "不同意":
                row.pop("size")
            elif answered:  # paid with the reply slip, but for one family still to pay
                row["paid"] = int(i != UNPAID_AT)
        return services.create_document(
            ORDER,
            {"item_name": "秋季校服（运动套装）", "category": "校服", "term": "2026年秋季",
             "class_name": class_name, "posting_date": cal.day(30), "tender": tender,
             "unit_price": "118.00", "per_student": 2, "students": rows,
             "remarks": "每生两套，按家长回执征订，不强制。"},
            actor=teachers[class_name],
        ).name  # fmt: skip

    issued = order(classes[0], answered=True)
    said = [
        "同意，尺码按回执汇总后向中标单位订货。",
        "同意。坚持家长自愿，不得强制或变相强制征订。",
    ]
    approvals.submit(ORDER, issued, actor=u["teacher"], approve_steps=2, comments=said)
    if approvals.holds_task(ORDER, issued, office):
        services.save_document(
            ORDER,
            issued,
            {"delivered_on": cal.day(6), "inspection_note": "数量、尺码与中标样品一致，面料合格。"},
            actor=office,
        )
        approvals.act(ORDER, issued, "approve", comment="验收合格", by=office)
        stored = Document.objects.get(doctype=ORDER, name=issued, school=u["teacher"].school)
        rows = [{**r, "issued": r["quantity"] or None} for r in stored.data["students"]]
        services.save_document(
            ORDER, issued, {"students": rows, "issued_on": cal.day(5)}, actor=u["teacher"]
        )
        approvals.act(
            ORDER, issued, "approve", comment="已按生按量发放，学生签收。", by=u["teacher"]
        )
    made["supplies_issued"] = issued

    waiting = order(classes[1], answered=True)
    approvals.submit(ORDER, waiting, actor=u["teacher2"], approve_steps=1, comments=said)
    made["supplies_waiting"] = waiting
    made["supplies_draft"] = order(classes[2], answered=False)
