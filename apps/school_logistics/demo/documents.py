"""The demo school's documents, made through the services by the people who would make them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from school_logistics.core import services
from school_logistics.demo import (
    approvals,
    assets,
    budgets,
    canteen_fees,
    claims,
    contracts,
    daily_logs,
    district,
    energy,
    menus,
    reminders,
    repairs,
    safety,
    service,
    stores,
    supplies,
)
from school_logistics.demo.org import Org
from school_logistics.district.filings import file_tender

REQ = "Material Requisition"
TENDER = "Tender"
REFUND = "Meal Fee Refund"
# Lunch price the canteen charges per meal (元); a missed meal is refunded at this rate.
MEAL_RATE = Decimal("5.00")


class Made(dict[str, str]):
    """Names of the documents made, by a key saying what each one shows (`repair_assigned`)."""


class Calendar:
    """Dates relative to today, kept inside the current and the previous month."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        this_month = self.today.replace(day=1)
        self.first_of_previous = (this_month - dt.timedelta(days=1)).replace(day=1)
        self.previous_month = self.first_of_previous.strftime("%Y-%m")
        self.first_of_month = this_month

    def day(self, days_ago: int) -> dt.date:
        return max(self.today - dt.timedelta(days=days_ago), self.first_of_previous)

    def moment(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        """Return an aware time on a past day, never later than now."""
        day = self.today - dt.timedelta(days=days_ago)
        tz = timezone.get_current_timezone()
        at = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
        return min(at, timezone.now().replace(microsecond=0) - dt.timedelta(minutes=1))


# --- requisitions and tenders ----------------------------------------------------------------

# key, requester, days ago, purpose, budget line, rows (item code, qty), where it ends up:
# draft; approved (submitted); at_<step> (waiting for that approver); returned; rejected;
# cancelled (approved, then cancelled); amended (cancelled, amended as -1 and approved again).
REQUISITIONS: list[tuple[str, str, int, str, str, list[tuple[str, int]], str]] = [
    ("exam_paper", "teacher", 12, "七年级语文期中考试用纸", "教学业务费",
     [("BG-A4-70", 10), ("JX-EXAM", 4), ("BG-PEN-RD", 5)], "approved"),
    ("essay_books", "teacher", 1, "作文本补充（七年级(1)班）", "教学业务费",
     [("JX-ESSAY", 200), ("BG-PEN-RD", 2)], "draft"),
    ("office_supplies", "teacher", 20, "语文组办公室文具", "办公经费",
     [("BG-FOLDER", 20), ("BG-ARCHIVE", 30), ("BG-STAPLER", 6)], "amended"),
    ("reading_corner", "teacher", 2, "七年级(1)班读书角整理用品", "教学业务费",
     [("BG-ARCHIVE", 20), ("BG-NOTEBOOK", 50)], "at_dept_head"),
    ("projectors", "teacher2", 8, "七年级数学多媒体教室投影仪更换", "电教设备更新",
     [("DJ-PROJ", 2), ("DJ-HDMI", 2)], "at_principal"),
    # Two loudspeaker orders of the 数学组 a few days apart, each under the 5,000 yuan quotes
    # amount and together above it: 总务处 sees 疑似拆分采购 on the second.
    ("speakers", "teacher2", 9, "七年级数学教室音箱更换", "电教设备更新",
     [("DJ-SPEAKER", 6)], "approved"),
    ("speakers_more", "teacher2", 4, "八年级数学教室音箱与扩音器", "电教设备更新",
     [("DJ-SPEAKER", 5), ("DJ-MIC", 4)], "at_general_affairs"),
    ("toner", "teacher2", 6, "数学组打印机硒鼓", "办公经费",
     [("BG-TONER", 4)], "rejected"),
    ("geometry_kits", "head2", 0, "数学组教学三角板与圆规", "教学业务费",
     [("JX-TRIANGLE", 6), ("JX-COMPASS", 6)], "draft"),
    ("canteen_staples", "canteen2", 25, "食堂下月米面油（集中采购）", "伙食成本（独立核算）",
     [("ST-RICE", 40), ("ST-FLOUR", 10), ("ST-OIL", 20)], "approved"),
    ("canteen_supplies", "canteen2", 5, "食堂留样盒、一次性手套与洗涤剂", "低值易耗品",
     [("ST-SAMPLE", 5), ("ST-GLOVE", 10), ("ST-DETERGENT", 4)], "at_general_affairs"),
    ("desks", "purchaser", 35, "七年级新生课桌椅更新", "校舍设备购置",
     [("JJ-DESK", 40)], "approved"),
    ("cleaning", "purchaser", 2, "开学卫生工具采购", "公用经费",
     [("QJ-MOP", 30), ("QJ-BROOM", 30), ("QJ-BAG", 50), ("QJ-DISINF", 20)], "draft"),
    ("sports", "head_pe", 15, "体育课与大课间器材补充", "体育器材经费",
     [("TY-BASKETBALL", 10), ("TY-FOOTBALL", 10), ("TY-ROPE", 50)], "returned"),
    ("lab_glass", "head_sci", 30, "化学实验耗材", "实验耗材费",
     [("JX-BEAKER", 60), ("JX-TUBE", 5), ("JX-LAMP", 20)], "cancelled"),
    ("electrical", "logistics", 3, "教学楼照明与插座维修材料", "维修经费",
     [("SD-T8", 50), ("SD-SWITCH", 20), ("SD-SOCKET", 20)], "approved"),
]  # fmt: skip

# Steps approved before a requisition waits at the named step of the shipped flow.
WAITING_AT = {"at_dept_head": 0, "at_general_affairs": 1, "at_principal": 2}
# Changed quantities for the amended copy: the first one was cancelled because of them.
AMENDED_ROWS = [("BG-FOLDER", 20), ("BG-ARCHIVE", 30), ("BG-STAPLER", 2)]
DECISIONS = {
    "rejected": ("reject", "组内还有 3 个备用硒鼓，本学期暂不采购。"),
    "returned": ("return", "跳绳数量偏多，请按班级数核减后重新提交。"),
}


def _rows(codes: list[tuple[str, int]], prices: dict[str, Decimal]) -> list[dict[str, Any]]:
    return [{"item": code, "qty": qty, "rate": prices[code]} for code, qty in codes]


def create_requisitions(org: Org, cal: Calendar, prices: dict[str, Decimal], made: Made) -> None:
    """Create requisitions of several departments at every stage, with comments on some."""
    u = org.users
    # Oldest first, so the series numbers grow with the dates as they would in real use.
    ordered = sorted(REQUISITIONS, key=lambda r: -r[2])
    for key, who, days_ago, purpose, budget, codes, state in ordered:
        actor = u[who]
        posted = cal.day(days_ago)
        values: dict[str, Any] = {
            "posting_date": posted,
            "required_by": posted + dt.timedelta(days=14),
            "purpose": purpose,
            "budget_line": budget,
            "items": _rows(codes, prices),
        }
        name = services.create_document(REQ, values, actor=actor).name
        made[key] = name
        if state == "draft":
            continue
        if state in WAITING_AT:
            approvals.submit(REQ, name, actor=actor, approve_steps=WAITING_AT[state])
            continue
        if state in DECISIONS:
            approvals.submit(REQ, name, actor=actor, approve_steps=0)
            approvals.decide(REQ, name, *DECISIONS[state])
            continue
        approvals.submit(REQ, name, actor=actor)
        if state in {"cancelled", "amended"}:
            services.cancel_document(REQ, name, actor=actor)
        if state == "amended":
            services.add_comment(REQ, name, "订书机数量填错，作废后修订重报", actor=actor)
            amended = services.amend_document(REQ, name, actor=actor).name
            services.save_document(
                REQ, amended, {"items": _rows(AMENDED_ROWS, prices)}, actor=actor
            )
            approvals.submit(REQ, amended, actor=actor)
            made[key + "_original"] = name
            made[key] = amended
    services.add_comment(REQ, made["exam_paper"], "请总务处在考试前一周送到。", actor=u["head"])
    services.add_comment(
        REQ,
        made["projectors"],
        "金额超过 5000 元，按规定报校长审批后采购。",
        actor=u["logistics"],
    )
    services.add_comment(REQ, made["lab_glass"], "上学期库存足够，本单作废。", actor=u["head_sci"])


def create_threshold(org: Org, cal: Calendar, made: Made) -> None:
    """The year's 采购限额标准, approved by the principal: quotes from 5,000 yuan (the staples
    went to 询价, the desks to 公开招标; the projector, once approved, waits for its 询价)."""
    name = services.create_document(
        "Procurement Threshold",
        {
            "title": f"{cal.today.year} 年学校采购限额标准",
            "effective_from": cal.today.replace(month=1, day=1),
            "posting_date": cal.day(40),
            "inquiry_from": "5000",
            "tender_from": "1000000",
            "basis": "省政府集中采购目录及采购限额标准（货物类 100 万元以上公开招标）；"
            "学校采购管理办法（单项 5000 元以上三家询价）",
        },
        actor=org.users["logistics"],
    ).name
    approvals.submit("Procurement Threshold", name, actor=org.users["logistics"])
    made["procurement_threshold"] = name


def create_tenders(org: Org, cal: Calendar, suppliers: list[str], made: Made) -> None:
    """Create a finished 询价 for the canteen staples and a 公开招标 still taking bids."""
    u = org.users
    purchaser = u["purchaser"]
    grain, fresh, food = suppliers[3], suppliers[4], suppliers[5]
    witnesses = [
        {"user": u["affairs"].username, "role_note": "学校纪检委员"},
        {"user": u["finance"].username, "role_note": "财务监督"},
    ]
    staples = services.create_document(
        TENDER,
        {
            "subject": "食堂下月米面油询价采购",
            "method": "询价",
            "posting_date": cal.day(22),
            "opening_date": cal.moment(20, 9, 30),
            "requisitions": [{"requisition": made["canteen_staples"]}],
            "suppliers": [{"supplier": s} for s in (grain, fresh, food)],
            "bids": [
                {"supplier": grain, "price": "8380.00", "delivery_days": 2, "score": "95"},
                {"supplier": fresh, "price": "8520.00", "delivery_days": 3, "score": "90"},
                {"supplier": food, "price": "8610.00", "delivery_days": 2, "score": "88"},
            ],
            "witnesses": witnesses,
            "awarded_supplier": grain,
            "remarks": "后勤服务企业库内三家供应商报价，最低价中标，证照齐全。",
        },
        actor=purchaser,
    ).name
    approvals.submit(TENDER, staples, actor=purchaser)
    made["tender_staples"] = staples

    furniture, office, lab = suppliers[8], suppliers[0], suppliers[1]
    desks = services.create_document(
        TENDER,
        {
            "subject": "七年级新生课桌椅更新公开招标",
            "method": "公开招标",
            "posting_date": cal.day(4),
            "requisitions": [{"requisition": made["desks"]}],
            "suppliers": [{"supplier": s} for s in (furniture, office, lab)],
            "bids": [
                {"supplier": furniture, "price": "10800.00", "delivery_days": 15},
                {"supplier": lab, "price": "11050.00", "delivery_days": 20},
            ],
            "witnesses": witnesses[:1],
            "remarks": "等待第三家投标，开标时间待定。",
        },
        actor=purchaser,
    ).name
    made["tender_desks"] = desks


# --- meal fee refunds ------------------------------------------------------------------------


def _missed(roll: list[tuple[str, str]], pattern: list[int]) -> list[dict[str, Any]]:
    """Return refund rows for pupils who pay for meals, with missed meals from `pattern`."""
    diners = [no for no, plan in roll if plan != "不包餐"]
    return [
        {"student": no, "missed_meals": n} for no, n in zip(diners, pattern, strict=False) if n > 0
    ]


def create_refunds(
    org: Org, cal: Calendar, rolls: dict[str, list[tuple[str, str]]], made: Made
) -> None:
    """Create last month's refunds: one submitted, one corrected by cancel and amend, one draft."""
    u = org.users
    month = cal.previous_month
    classes = list(rolls)

    def refund(who: str, class_name: str, pattern: list[int], remarks: str) -> str:
        return services.create_document(
            REFUND,
            {
                "class_name": class_name,
                "month": month,
                "meal_rate": MEAL_RATE,
                "posting_date": cal.first_of_month,
                "students": _missed(rolls[class_name], pattern),
                "remarks": remarks,
            },
            actor=u[who],
        ).name

    first = refund("teacher", classes[0], [3, 0, 2, 6, 0, 1, 4], "病假、事假缺餐，按考勤统计")
    approvals.submit(REFUND, first, actor=u["teacher"])
    made["refund_submitted"] = first

    wrong = refund("teacher2", classes[1], [2, 5, 0, 1], "按班级考勤统计")
    approvals.submit(REFUND, wrong, actor=u["teacher2"])
    services.cancel_document(REFUND, wrong, actor=u["finance"])  # only finance cancels one
    services.add_comment(REFUND, wrong, "漏报两名学生的缺餐，作废后修订。", actor=u["teacher2"])
    fixed = services.amend_document(REFUND, wrong, actor=u["teacher2"]).name
    services.save_document(
        REFUND, fixed, {"students": _missed(rolls[classes[1]], [2, 5, 0, 1, 3, 2])},
        actor=u["teacher2"],
    )  # fmt: skip
    approvals.submit(REFUND, fixed, actor=u["teacher2"], approve_steps=1)
    made["refund_amended"] = fixed

    draft = refund("head2", classes[2], [1, 0, 0, 2, 3], "月底统计中")
    made["refund_draft"] = draft


def create_documents(
    org: Org,
    prices: dict[str, Decimal],
    suppliers: list[str],
    rooms: dict[str, str],
    rolls: dict[str, list[tuple[str, str]]],
) -> Made:
    """Create every kind of demo document; return their names and counts by state."""
    cal = Calendar()
    made = Made()
    budgets.create_budgets(org, cal.today, cal.day, made)
    create_threshold(org, cal, made)
    create_requisitions(org, cal, prices, made)
    create_tenders(org, cal, suppliers, made)
    contracts.create_contracts(org, cal, made)
    repairs.create_repairs(org, cal.moment, rooms, made)
    repairs.create_repeated_faults(org, cal.moment, rooms)
    canteen_fees.create_fees(org, cal, rolls, MEAL_RATE, made)
    create_refunds(org, cal, rolls, made)
    canteen_fees.create_costs(org, cal, made)
    stores.create_stock(org, cal.day, prices, suppliers, made)
    claims.create_claims(org, cal, made)
    assets.create_assets(org, cal.today, rooms, made)
    safety.create_safety(org, cal.today, rooms, made)
    menus.create_menus(org, cal.today, made)
    energy.create_energy(org, cal, made)
    service.create_feedback(org, cal.day, made)
    supplies.create_supplies(org, cal, suppliers, rolls, made)
    reminders.create_staff(org, cal.today, made)
    reminders.create_reminders(org)
    district.create_district(org, cal)
    daily_logs.create_daily_logs(org, cal.day, cal.moment)
    # 总务处 files the decided 询价 with the bureau, who has yet to review it (招标备案).
    file_tender(made["tender_staples"], actor=org.users["logistics"])
    return made
