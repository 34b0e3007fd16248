"""The demo school's 校产: rooms' furniture and equipment on the books with their keepers, one
transfer, a disposal with compensation approved, another waiting for the principal."""

from __future__ import annotations

import datetime as dt

from school_logistics.assets.services import start_check
from school_logistics.core import services
from school_logistics.demo import approvals
from school_logistics.demo.org import Org

SIGNED = ["情况属实，同意报废。", "同意报废，残值按规定处置。"]
ASSET = "Asset"
MOVEMENT = "Asset Movement"
DISPOSAL = "Asset Disposal"
CHECK = "Asset Check"
LOAN = "Asset Loan"

# key, room, name, category, specification, qty, unit, unit price, days ago acquired, funding
ASSETS: list[tuple[str, str, str, str, str, int, str, str, int, str]] = [
    ("desks_7_1", "七年级(1)班教室", "学生课桌椅", "家具", "单人 升降式", 48, "套", "280.00", 420, "财政拨款"),
    ("board_7_1", "七年级(1)班教室", "多媒体教学一体机", "电教设备", "86英寸 触控", 1, "台", "12800.00", 420, "财政拨款"),
    ("desks_7_2", "七年级(2)班教室", "学生课桌椅", "家具", "单人 升降式", 46, "套", "280.00", 420, "财政拨款"),
    ("board_7_2", "七年级(2)班教室", "多媒体教学一体机", "电教设备", "86英寸 触控", 1, "台", "12800.00", 420, "财政拨款"),
    ("desks_8_1", "八年级(1)班教室", "学生课桌椅", "家具", "单人 固定式", 47, "套", "240.00", 800, "财政拨款"),
    ("power", "物理实验室", "学生实验电源", "教学仪器", "J1202 0-12V", 24, "台", "320.00", 800, "财政拨款"),
    ("projector", "物理实验室", "便携投影仪", "电教设备", "3500流明", 1, "台", "3600.00", 300, "自筹经费"),
    ("fume_hood", "化学实验室", "通风橱", "教学仪器", "1500mm 钢木", 2, "台", "8500.00", 800, "财政拨款"),
    ("computers", "计算机教室", "学生计算机", "计算机及网络", "i5/8G/256G SSD", 50, "台", "3900.00", 1800, "财政拨款"),
    ("cabinets", "语文组办公室", "文件柜", "家具", "钢制 五节", 4, "个", "860.00", 600, "自筹经费"),
    ("printer", "总务处办公室", "激光打印机", "办公设备", "A4 黑白 双面", 1, "台", "2200.00", 200, "自筹经费"),
    ("beds", "男生宿舍1号楼101", "上下铺铁床", "生活设施", "1900×900", 4, "张", "650.00", 800, "财政拨款"),
    ("canteen_tables", "学生餐厅", "餐桌椅", "家具", "四人位 连体", 60, "套", "520.00", 800, "财政拨款"),
    ("sterilizer", "食堂后厨", "消毒柜", "生活设施", "双门 高温", 2, "台", "4200.00", 500, "财政拨款"),
]  # fmt: skip


def create_assets(org: Org, today: dt.date, rooms: dict[str, str], made: dict[str, str]) -> None:
    """Register the rooms' assets as the storekeeper, then move and dispose of some."""

    def day(days_ago: int) -> dt.date:  # assets are years old: not held to the demo's months
        return today - dt.timedelta(days=days_ago)

    keeper = org.users["storekeeper"]
    cards: dict[str, str] = {}
    for key, room, name, category, spec, qty, uom, price, days_ago, funding in ASSETS:
        values = {
            "asset_name": name,
            "category": category,
            "specification": spec,
            "qty": qty,
            "uom": uom,
            "unit_price": price,
            "location": rooms[room],
            "acquired_on": day(days_ago),
            "funding": funding,
        }
        cards[key] = services.create_document(ASSET, values, actor=keeper).name
        services.submit_document(ASSET, cards[key], actor=keeper)
    made["asset"] = cards["projector"]
    made["asset_desks"] = cards["desks_7_1"]
    # A new card not yet checked: not on the books until submitted.
    draft = {
        "asset_name": "电子班牌",
        "category": "电教设备",
        "specification": "22英寸 壁挂",
        "qty": 1,
        "uom": "台",
        "unit_price": "1680.00",
        "location": rooms["七年级(2)班教室"],
    }
    made["asset_draft"] = services.create_document(ASSET, draft, actor=keeper).name

    moved = services.create_document(
        MOVEMENT,
        {
            "reason": "物理实验室便携投影仪调往八年级(1)班，供公开课使用",
            "posting_date": day(20),
            "target_location": rooms["八年级(1)班教室"],
            "items": [{"asset": cards["projector"]}],
        },
        actor=keeper,
    )
    services.submit_document(MOVEMENT, moved.name, actor=keeper)
    made["asset_movement"] = moved.name

    # 损坏赔偿, 谁损坏谁负责: two desks broken in class, paid for, written off.
    broken = services.create_document(
        DISPOSAL,
        {
            "title": "七年级(1)班课桌椅人为损坏报废",
            "reason": "人为损坏",
            "posting_date": day(30),
            "responsible": "七年级(1)班学生（演示）",
            "compensation": "150.00",
            "description": "期中检查发现两套课桌椅桌面断裂，系学生打闹所致，已按制度赔偿，无修复价值。",
            "items": [{"asset": cards["desks_7_1"], "qty": 2}],
        },
        actor=keeper,
    )
    approvals.submit(DISPOSAL, broken.name, actor=keeper, comments=SIGNED)
    made["asset_disposal"] = broken.name
    # Old computers: reviewed by 总务处主任, waiting for the principal.
    old = services.create_document(
        DISPOSAL,
        {
            "title": "计算机教室老旧学生计算机报废",
            "reason": "技术淘汰",
            "description": "使用近五年，10 台主板故障，维修费用高于残值，申请报废。",
            "items": [{"asset": cards["computers"], "qty": 10}],
        },
        actor=keeper,
    )
    approvals.submit(DISPOSAL, old.name, actor=keeper, approve_steps=1, comments=SIGNED)
    made["asset_disposal_waiting"] = old.name

    # The term check: the 八年级(1)班 keeper finds a desk broken (reported for repair at once) …
    checked = start_check(rooms["八年级(1)班教室"], actor=org.users["head2"], today=today)
    found = [
        {**r, "damaged_qty": 1, "note": "第三排一套课桌桌腿松动"}
        if r["asset"] == cards["desks_8_1"]
        else r
        for r in checked.data["items"]
    ]
    services.save_document(CHECK, checked.name, {"items": found}, actor=org.users["head2"])
    services.submit_document(CHECK, checked.name, actor=org.users["head2"])
    made["asset_check"] = checked.name
    # … and the physics lab's check is being counted.
    made["asset_check_draft"] = start_check(
        rooms["物理实验室"], actor=org.users["head_sci"], today=today
    ).name

    # 借还登记: the printer lent for exam week came back; the projector went out for an open
    # class and is overdue; another teacher's request waits for the storekeeper.
    back = _loan(org, "academic", day(12), day(9), "期中考试周教务处借用打印机", cards["printer"])
    services.save_document(
        LOAN,
        back,
        {"returned_on": day(8), "return_condition": "完好", "return_note": "已清点，耗材已补"},
        actor=keeper,
    )
    made["asset_loan_returned"] = back
    made["asset_loan"] = _loan(
        org, "head_sci", day(6), day(2), "物理组公开课借用投影仪", cards["projector"]
    )
    made["asset_loan_waiting"] = _loan(
        org,
        "teacher",
        today,
        today + dt.timedelta(days=3),
        "七年级(1)班家长会资料打印",
        cards["printer"],
        lend=False,
    )


def _loan(
    org: Org, who: str, on: dt.date, due: dt.date, purpose: str, asset: str, *, lend: bool = True
) -> str:
    """A teacher asks to borrow an asset; the storekeeper lends it (借出) unless `lend` is off."""
    values = {"purpose": purpose, "loan_date": on, "due_date": due, "items": [{"asset": asset}]}
    name = services.create_document(LOAN, values, actor=org.users[who]).name
    approvals.submit(LOAN, name, actor=org.users[who], approve_steps=None if lend else 0)
    return name
