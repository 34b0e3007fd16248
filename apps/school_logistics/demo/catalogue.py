"""The demo school's master data: items, suppliers with certificates, rooms, classes and
students."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from school_logistics.core import services
from school_logistics.demo.org import Org

# code, name, category, specification, unit, reference price (元), consumable
ITEMS: list[tuple[str, str, str, str, str, str, bool]] = [
    ("BG-A4-70", "A4复印纸", "办公用品", "70g 500张/包", "包", "23.50", True),
    ("BG-A3-70", "A3复印纸", "办公用品", "70g 500张/包", "包", "48.00", True),
    ("BG-PEN-BK", "中性笔", "办公用品", "0.5mm 黑色 12支/盒", "盒", "15.00", True),
    ("BG-PEN-RD", "红色中性笔", "办公用品", "0.5mm 红色 12支/盒", "盒", "15.00", True),
    ("BG-REFILL", "中性笔芯", "办公用品", "0.5mm 黑色 20支/盒", "盒", "10.00", True),
    ("BG-STAPLER", "订书机", "办公用品", "12# 可订20页", "个", "18.00", False),
    ("BG-STAPLE", "订书钉", "办公用品", "12# 1000枚/盒", "盒", "2.50", True),
    ("BG-FOLDER", "文件夹", "办公用品", "A4 双强力夹", "个", "6.50", True),
    ("BG-ARCHIVE", "档案盒", "办公用品", "A4 55mm 牛皮纸", "个", "4.80", True),
    ("BG-NOTEBOOK", "笔记本", "办公用品", "B5 60页", "本", "3.20", True),
    ("BG-TONER", "激光打印机硒鼓", "办公用品", "通用型 约2000页", "个", "168.00", True),
    ("BG-INK", "速印机油墨", "办公用品", "黑色 1000ml", "支", "95.00", True),
    ("BG-MASTER", "速印机版纸", "办公用品", "B4 卷装", "卷", "280.00", True),
    ("BG-GLUE", "固体胶", "办公用品", "21g", "支", "2.50", True),
    ("BG-TAPE", "透明胶带", "办公用品", "48mm×100m", "卷", "4.00", True),
    ("BG-CALC", "计算器", "办公用品", "12位 太阳能双电源", "个", "35.00", False),
    ("JX-CHALK", "无尘粉笔", "教学用品", "白色 100支/盒", "盒", "6.00", True),
    ("JX-CHALK-C", "彩色无尘粉笔", "教学用品", "六色 100支/盒", "盒", "8.00", True),
    ("JX-MARKER", "白板笔", "教学用品", "黑色 可擦 10支/盒", "盒", "18.00", True),
    ("JX-ESSAY", "作文本", "教学用品", "16K 40页", "本", "1.50", True),
    ("JX-EXAM", "试卷纸", "教学用品", "8K 70g 500张/包", "包", "45.00", True),
    ("JX-TRIANGLE", "教学三角板套装", "教学用品", "60cm 木质 含量角器", "套", "45.00", False),
    ("JX-COMPASS", "教学圆规", "教学用品", "磁性 50cm", "把", "28.00", False),
    ("JX-BEAKER", "烧杯", "教学用品", "玻璃 250ml", "个", "4.50", True),
    ("JX-TUBE", "试管", "教学用品", "φ18×180mm 100支/盒", "盒", "36.00", True),
    ("JX-LAMP", "酒精灯", "教学用品", "玻璃 150ml", "个", "6.00", True),
    ("JX-GLOBE", "地球仪", "教学用品", "直径32cm 教学用", "个", "120.00", False),
    ("QJ-MOP", "拖把", "清洁用品", "棉线 杆长1.2m", "把", "18.00", True),
    ("QJ-BROOM", "扫把簸箕套装", "清洁用品", "塑料", "套", "22.00", True),
    ("QJ-BIN", "分类垃圾桶", "清洁用品", "40L 带盖 四色", "个", "65.00", False),
    ("QJ-BAG", "垃圾袋", "清洁用品", "60×80cm 50只/卷", "卷", "8.00", True),
    ("QJ-DISINF", "84消毒液", "清洁用品", "500g", "瓶", "6.50", True),
    ("QJ-SOAP", "洗手液", "清洁用品", "500ml", "瓶", "12.00", True),
    ("QJ-TOILET", "洁厕液", "清洁用品", "500g", "瓶", "7.00", True),
    ("QJ-PAPER", "卫生纸", "清洁用品", "三层 10卷/提", "提", "24.00", True),
    ("QJ-GLOVE", "橡胶手套", "清洁用品", "中号", "双", "5.00", True),
    ("SD-T8", "日光灯管", "水电材料", "T8 LED 1.2m 18W", "支", "16.00", True),
    ("SD-BULB", "LED球泡灯", "水电材料", "E27 12W", "只", "12.00", True),
    ("SD-SWITCH", "墙壁开关", "水电材料", "86型 单开", "个", "9.50", True),
    ("SD-SOCKET", "五孔插座", "水电材料", "86型 10A", "个", "11.00", True),
    ("SD-WIRE", "电线", "水电材料", "BV 2.5mm² 100m", "卷", "260.00", True),
    ("SD-TAP", "水龙头", "水电材料", "铜芯 4分", "个", "38.00", True),
    ("SD-VALVE", "角阀", "水电材料", "铜 4分", "个", "22.00", True),
    ("SD-PIPE", "PPR水管", "水电材料", "DN20 4m/根", "根", "15.00", True),
    ("SD-BREAKER", "空气开关", "水电材料", "1P 32A", "个", "28.00", True),
    ("SD-FLUSH", "蹲便延时冲水阀", "水电材料", "DN25 自闭式", "个", "85.00", True),
    ("WX-LOCK", "执手门锁", "维修配件", "不锈钢 通用型", "把", "65.00", True),
    ("WX-HINGE", "合页", "维修配件", "不锈钢 4寸", "对", "6.00", True),
    ("WX-GLASS", "窗户玻璃", "维修配件", "5mm 平板玻璃", "平方米", "85.00", True),
    ("WX-SCREW", "自攻螺丝", "维修配件", "M4×25 500颗/盒", "盒", "12.00", True),
    ("WX-PAINT", "木器清漆", "维修配件", "3kg/桶", "桶", "120.00", True),
    ("WX-DESKTOP", "课桌面板", "维修配件", "复合板 600×400mm", "块", "45.00", True),
    ("WX-FOOTPAD", "椅脚垫", "维修配件", "塑料 25mm 100个/包", "包", "15.00", True),
    ("WX-HANDLE", "窗户把手", "维修配件", "铝合金 7字型", "个", "8.00", True),
    ("DJ-PROJ", "投影仪", "电教设备", "3600流明 1024×768", "台", "3680.00", False),
    ("DJ-PROJLAMP", "投影仪灯泡", "电教设备", "通用型 210W", "个", "420.00", True),
    ("DJ-MIC", "无线扩音器", "电教设备", "腰挂式 15W", "台", "158.00", False),
    ("DJ-HDMI", "HDMI线", "电教设备", "2.0版 10m", "根", "45.00", True),
    ("DJ-MOUSE", "鼠标", "电教设备", "USB 有线", "个", "25.00", True),
    ("DJ-KEYBOARD", "键盘", "电教设备", "USB 有线", "个", "45.00", True),
    ("DJ-SPEAKER", "教室音箱", "电教设备", "壁挂式 30W", "对", "480.00", False),
    ("TY-BASKETBALL", "篮球", "体育器材", "7号 室外用", "个", "120.00", False),
    ("TY-FOOTBALL", "足球", "体育器材", "5号", "个", "95.00", False),
    ("TY-ROPE", "跳绳", "体育器材", "计数 2.8m", "根", "12.00", True),
    ("TY-SHUTTLE", "羽毛球", "体育器材", "12只/筒", "筒", "35.00", True),
    ("TY-MAT", "体操垫", "体育器材", "120×60×5cm", "块", "160.00", False),
    ("TY-WHISTLE", "口哨", "体育器材", "金属 带挂绳", "个", "5.00", True),
    ("ST-RICE", "大米", "食堂物资", "一级粳米 25kg/袋", "袋", "145.00", True),
    ("ST-FLOUR", "面粉", "食堂物资", "高筋 25kg/袋", "袋", "120.00", True),
    ("ST-OIL", "食用植物油", "食堂物资", "一级 5L/桶", "桶", "78.00", True),
    ("ST-SALT", "食用盐", "食堂物资", "加碘 400g", "袋", "2.50", True),
    ("ST-SOY", "酱油", "食堂物资", "酿造 1.9L", "瓶", "16.00", True),
    ("ST-TRAY", "不锈钢餐盘", "食堂物资", "304 五格", "个", "28.00", False),
    ("ST-SAMPLE", "留样盒", "食堂物资", "250ml 带盖 100个/包", "包", "45.00", True),
    ("ST-GLOVE", "一次性手套", "食堂物资", "PE 100只/包", "包", "5.00", True),
    ("ST-DETERGENT", "餐具洗涤剂", "食堂物资", "食品用 5kg/桶", "桶", "38.00", True),
    ("JJ-DESK", "学生课桌椅", "家具", "单人 升降式", "套", "280.00", False),
    ("JJ-TDESK", "教师办公桌", "家具", "1.2m 带抽屉", "张", "650.00", False),
    ("JJ-CABINET", "文件柜", "家具", "钢制 1850×900×400mm", "个", "780.00", False),
    ("JJ-BED", "学生双层床", "家具", "钢木 1.9m×0.9m", "张", "860.00", False),
]

# Supplier name, category, in the district pool (后勤服务企业库), certificates as
# (type, days from today until expiry). One expires within the month, to show the reminder.
SUPPLIERS: list[tuple[str, str, bool, list[tuple[str, int]]]] = [
    ("清河区文华办公用品商行", "办公", False, [("营业执照", 900)]),
    ("清河区育才教学仪器有限公司", "电教", False, [("营业执照", 1200)]),
    ("清河区安居五金水电经营部", "维修", False, [("营业执照", 600)]),
    ("清河区绿源粮油配送有限公司", "食品", True, [("营业执照", 1500), ("食品经营许可证", 700)]),
    ("清河区鲜达农副产品配送中心", "食品", True, [("营业执照", 800), ("食品经营许可证", 20)]),
    ("清河区康顺食品贸易有限公司", "食品", True, [("营业执照", 1000), ("食品经营许可证", 400)]),
    ("清河区健身体育用品商店", "其他", False, [("营业执照", 500)]),
    ("清河区洁美清洁用品经营部", "其他", False, [("营业执照", 450), ("卫生许可证", 300)]),
    ("清河区坚固校具制造有限公司", "其他", False, [("营业执照", 1100), ("生产许可证", 650)]),
    ("清河区锦程校服有限公司", "服装", False, [("营业执照", 900), ("生产许可证", 500)]),
    ("清河区明远制衣厂", "服装", False, [("营业执照", 700)]),
    ("清河区雅致服饰有限公司", "服装", False, [("营业执照", 800)]),
]

# Room name, purpose, custodian username, building, floor, room number
LOCATIONS: list[tuple[str, str, str, str, str, str]] = [
    ("七年级(1)班教室", "教室", "teacher", "明德楼（教学楼）", "2", "201"),
    ("七年级(2)班教室", "教室", "teacher2", "明德楼（教学楼）", "2", "202"),
    ("八年级(1)班教室", "教室", "head2", "明德楼（教学楼）", "3", "301"),
    ("语文组办公室", "办公室", "head", "明德楼（教学楼）", "1", "105"),
    ("数学组办公室", "办公室", "head2", "明德楼（教学楼）", "1", "106"),
    ("物理实验室", "功能室", "head_sci", "格物楼（实验楼）", "1", "101"),
    ("化学实验室", "功能室", "head_sci", "格物楼（实验楼）", "2", "201"),
    ("计算机教室", "功能室", "admin", "格物楼（实验楼）", "3", "301"),
    ("学生餐厅", "食堂", "canteen", "食堂", "1", ""),
    ("食堂后厨", "食堂", "canteen", "食堂", "1", "后厨"),
    ("男生宿舍1号楼101", "宿舍", "affairs", "男生宿舍1号楼", "1", "101"),
    ("女生宿舍2号楼101", "宿舍", "affairs", "女生宿舍2号楼", "1", "101"),
    ("总务处仓库", "仓库", "storekeeper", "行政楼", "1", "仓库"),
    ("总务处办公室", "办公室", "logistics", "行政楼", "2", "203"),
]

# Three classes with their 班主任 and classroom; given names in the style textbooks use for
# made-up pupils (小明, 小红 …), boys' names at even places and girls' at odd ones.
CLASSES: list[tuple[str, str, str]] = [
    ("七年级(1)班", "teacher", "七年级(1)班教室"),
    ("七年级(2)班", "teacher2", "七年级(2)班教室"),
    ("八年级(1)班", "head2", "八年级(1)班教室"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱"
GIVEN = ["小明", "小红", "小刚", "小丽", "小军", "小芳", "小强", "小燕", "小东", "小雪", "小峰", "小玲", "小宇", "小婷"]  # fmt: skip
# Boarders eat three meals, most day pupils eat lunch, a few go home (不包餐).
PLANS = ["三餐", "午餐", "午餐", "三餐", "午餐", "不包餐", "午餐"]
STUDENTS_PER_CLASS = 14


def create_items(org: Org) -> dict[str, Decimal]:
    """Create the item catalogue as the storekeeper; return reference prices by item code."""
    keeper = org.users["storekeeper"]
    for code, name, category, spec, uom, price, consumable in ITEMS:
        services.create_document(
            "Item",
            {
                "item_code": code,
                "item_name": name,
                "category": category,
                "specification": spec,
                "uom": uom,
                "reference_price": price,
                "is_consumable": consumable,
            },
            actor=keeper,
        )
    return {code: Decimal(price) for code, _n, _c, _s, _u, price, _k in ITEMS}


def credit_code(n: int) -> str:
    """Return an obviously made-up 统一社会信用代码 (18 characters, the allowed alphabet)."""
    return f"91000000DEM{n:06d}X"


def create_suppliers(org: Org) -> list[str]:
    """Create the supplier pool as the purchaser; return supplier document names in order."""
    purchaser = org.users["purchaser"]
    today = timezone.localdate()
    names = []
    for n, (name, category, pooled, certs) in enumerate(SUPPLIERS, start=1):
        doc = services.create_document(
            "Supplier",
            {
                "supplier_name": name,
                "category": category,
                "in_supplier_pool": pooled,
                "contact": "销售部经理（演示）",
                "phone": f"1380000{n:04d}",
                "address": f"清河区工业园路 {n} 号（演示地址）",
                "license_no": credit_code(n),
                "certificates": [
                    {
                        "cert_type": cert_type,
                        "cert_no": f"DEMO-{n:02d}-{i}",
                        "valid_until": today + dt.timedelta(days=days),
                    }
                    for i, (cert_type, days) in enumerate(certs, start=1)
                ],
            },
            actor=purchaser,
        )
        names.append(doc.name)
    return names


def create_locations(org: Org) -> dict[str, str]:
    """Create rooms with their custodians as the storekeeper; return names by room name."""
    keeper = org.users["storekeeper"]
    found = {}
    for room_name, purpose, custodian, building, floor, room in LOCATIONS:
        doc = services.create_document(
            "Location",
            {
                "location_name": room_name,
                "purpose": purpose,
                "custodian": custodian,
                "building": building,
                "floor": floor,
                "room": room,
            },
            actor=keeper,
        )
        found[room_name] = doc.name
    return found


def create_classes(org: Org, rooms: dict[str, str]) -> None:
    """Create the classes with their 班主任 and classroom as the canteen manager, who keeps
    the student roll: a class teacher files refunds and orders for their own class only."""
    for class_name, teacher, room in CLASSES:
        services.create_document(
            "School Class",
            {"class_name": class_name, "class_teacher": teacher, "classroom": rooms[room]},
            actor=org.users["canteen"],
        )


def create_students(org: Org) -> dict[str, list[tuple[str, str]]]:
    """Create the class rolls as the canteen manager; return (student_no, plan) per class."""
    canteen = org.users["canteen"]
    rolls: dict[str, list[tuple[str, str]]] = {}
    n = 0
    for c, (class_name, _teacher, _room) in enumerate(CLASSES):
        rolls[class_name] = []
        for i in range(STUDENTS_PER_CLASS):
            n += 1
            plan = PLANS[(i + c) % len(PLANS)]
            student_no = f"2025{c + 1:02d}{i + 1:02d}"
            services.create_document(
                "Student",
                {
                    "student_no": student_no,
                    "student_name": SURNAMES[n % len(SURNAMES)] + GIVEN[i],
                    "gender": "女" if i % 2 else "男",
                    "class_name": class_name,
                    "is_boarding": plan == "三餐",
                    "meal_plan": plan,
                    "guardian_phone": f"1390000{n:04d}",
                },
                actor=canteen,
            )
            rolls[class_name].append((student_no, plan))
    return rolls
