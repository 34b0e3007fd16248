"""The canteen's money: the fee standard the principal approved, last month's and this month's
collections (a few students short, with the reason), and the canteen's costs — last month's
on its books, this month's waiting for finance — so that its accounts show a small surplus."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from school_logistics.canteen.models import PublishedMonth
from school_logistics.canteen.standards import STANDARD
from school_logistics.core import services
from school_logistics.core.models import User
from school_logistics.demo import approvals
from school_logistics.demo.org import Org
from school_logistics.ledger.models import MealFeeEntry

COLLECTION = "Meal Fee Collection"
EXPENSE = "Canteen Expense"
# Students short of the full fee in last month's collection: (class index, place on the roll
# among diners, share paid, why).
SHORT = [(1, 4, Decimal("0.8"), "家长下周补交")]
AID = "Student Aid"
# Last month's costs as shares of its meal fee income: the canteen is run at cost (不以营利为目的).
COSTS = [
    ("食材", "大米、面粉、食用油（区中心采购配送）", Decimal("0.32")),
    ("食材", "蔬菜、肉类、冻品", Decimal("0.38")),
    ("水电燃气", "食堂水费、电费、天然气费", Decimal("0.07")),
    ("人员工资", "食堂工作人员工资", Decimal("0.15")),
    ("低值易耗品", "餐具、清洁消毒用品", Decimal("0.03")),
    ("维修", "蒸饭柜维修", Decimal("0.01")),
]


def create_fees(
    org: Org, cal: Any, rolls: dict[str, list[tuple[str, str]]], meal_rate: Decimal, made: Any
) -> None:
    u = org.users
    standard = services.create_document(
        STANDARD,
        {
            "title": "本学期学生伙食费标准",
            "effective_from": cal.previous_month,
            "area": "城区",
            "cap_per_meal": Decimal("6.00"),
            "meal_rate": meal_rate,
            "billing_days": 20,
            "posting_date": cal.first_of_previous,
            "basis": "区教育局关于城区学校学生食堂伙食费标准的通知；按近期食材价格测算。",
        },
        actor=u["finance"],
    ).name
    approvals.submit(STANDARD, standard, actor=u["finance"], comments=["同意按此标准执行。"])
    made["fee_standard"] = standard
    _aid(org, cal, rolls, made)

    this_month = cal.first_of_month.strftime("%Y-%m")
    for c, class_name in enumerate(rolls):
        made[f"collection_{c}"] = _collect(
            u["finance"], class_name, cal.previous_month, cal.first_of_previous, c
        )
    made["collection_current"] = _collect(
        u["finance"], list(rolls)[0], this_month, cal.first_of_month, None
    )
    draft = services.create_document(
        COLLECTION,
        {"class_name": list(rolls)[1], "month": this_month, "posting_date": cal.first_of_month},
        actor=u["finance"],
    )
    made["collection_draft"] = draft.name


def _aid(org: Org, cal: Any, rolls: dict[str, list[tuple[str, str]]], made: Any) -> None:
    """The class teacher asks aid for two pupils: one approved before last month's fees were
    collected, one waiting for the principal."""
    teacher = org.users["teacher"]
    diners = [no for no, plan in rolls[list(rolls)[0]] if plan == "午餐"]
    this_month = cal.first_of_month.strftime("%Y-%m")
    for student, category, send_steps, key in (
        (diners[1], "低保家庭", None, "aid_approved"),
        (diners[3], "其他家庭经济困难", 1, "aid_waiting"),
    ):
        name = services.create_document(
            AID,
            {"student": student, "from_month": cal.previous_month, "to_month": this_month,
             "monthly_waiver": "50", "category": category,
             "reason": "家庭经济困难，经班主任家访核实", "posting_date": cal.first_of_previous},
            actor=teacher,
        ).name  # fmt: skip
        approvals.submit(
            AID, name, actor=teacher, approve_steps=send_steps, comments=["情况属实，同意资助。"]
        )
        made[key] = name


def _collect(
    finance: User, class_name: str, month: str, day: dt.date, class_index: int | None
) -> str:
    """File and submit a class's collection from its roll, with last month's short payers."""
    doc = services.create_document(
        COLLECTION, {"class_name": class_name, "month": month, "posting_date": day}, actor=finance
    )
    rows = doc.data["students"]
    for c, place, share, why in SHORT:
        if c == class_index and place < len(rows):
            row = rows[place]
            row["amount_paid"] = (Decimal(str(row["amount_due"])) * share).quantize(Decimal("1"))
            row["note"] = why
    services.save_document(COLLECTION, doc.name, {"students": rows}, actor=finance)
    services.submit_document(COLLECTION, doc.name, actor=finance)
    return doc.name


def create_costs(org: Org, cal: Any, made: Any) -> None:
    """After the refunds: last month's costs, from what the canteen took in."""
    canteen = org.users["canteen"]
    month = cal.previous_month
    paid = MealFeeEntry.objects.filter(school=canteen.school, month=month)
    income = sum((e.collected - e.refund for e in paid), Decimal(0))
    items = [
        {"category": c, "description": d, "amount": (income * share).quantize(Decimal("0.01"))}
        for c, d, share in COSTS
    ]
    posted = services.create_document(
        EXPENSE,
        {
            "title": f"{month} 食堂成本",
            "month": month,
            "posting_date": cal.first_of_month,
            "items": items,
            "remarks": "附发票及配送验收单",
        },
        actor=canteen,
    ).name
    approvals.submit(EXPENSE, posted, actor=canteen, comments=["票据齐全，同意入账。"])
    made["canteen_expense"] = posted
    # Finance makes the closed month public (校务公开) once its costs are on the books.
    PublishedMonth.objects.create(school=org.school, month=month, published_by=org.users["finance"])
    waiting = services.create_document(
        EXPENSE,
        {
            "title": "本月燃气费",
            "month": cal.first_of_month.strftime("%Y-%m"),
            "posting_date": cal.today,
            "items": [{"category": "水电燃气", "description": "天然气费", "amount": "860.00"}],
        },
        actor=canteen,
    ).name
    approvals.submit(EXPENSE, waiting, actor=canteen, approve_steps=0)
    made["canteen_expense_waiting"] = waiting
