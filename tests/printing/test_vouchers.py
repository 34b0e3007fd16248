"""Every built-in DocType prints its standard voucher to a PDF whose text reads back right."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.printing.default_format import page_size_for, standard_template
from school_logistics.printing.models import PageSize, PrintLog
from school_logistics.printing.services import print_document
from tests.canteen.factories import make_classes
from tests.printing.conftest import make_requisition, pdf_text, squeeze
from tests.purchasing.test_student_supplies import awarded_tender

APPS = Path(__file__).resolve().parents[2] / "apps" / "school_logistics"


def builtin_doctypes() -> list[str]:
    """Return the top-level DocTypes shipped as JSON (child tables print inside their parent)."""
    names = []
    for path in sorted(APPS.glob("*/doctypes/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not raw.get("istable"):
            names.append(raw["name"])
    return names


def last_month() -> str:
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def build(
    doctype: str, users: dict[str, User], items, classroom, supplier
) -> tuple[Document, list[str]]:
    """Create one document of a DocType; return it and the text its voucher must contain."""
    if doctype == "Material Requisition":
        doc = make_requisition(users["teacher"])
        return doc, ["物资申购单", "申请部门", "A4复印纸", "235.00", "427.00", "肆佰贰拾柒元整"]
    if doctype == "Repair Ticket":
        doc = services.create_document(
            doctype,
            {
                "subject": "302 教室日光灯不亮",
                "location": classroom.name,
                "category": "水电",
                "description": "前排两支灯管不亮",
                "labour_cost": "30",
                "parts": [{"item": "LAMP-T8", "qty": "2", "rate": "16.25"}],
            },
            actor=users["purchaser"],
        )
        return doc, ["报修单", "报修事项", "维修用料", "32.50", "62.50", "陆拾贰元伍角整"]
    if doctype in ("Meal Fee Refund", "Student Supply Order", "Meal Fee Collection", "Student Aid"):
        # The class teacher files them for their class; the student roll names it.
        make_classes(users["canteen"], {"七年级(1)班": users["teacher"]})
    if doctype == "Meal Fee Refund":
        students = [
            services.create_document(
                "Student",
                {
                    "student_no": no,
                    "student_name": name,
                    "class_name": "七年级(1)班",
                    "meal_plan": "三餐",
                },
                actor=users["canteen"],
            ).name
            for no, name in [("S001", "林一"), ("S002", "林二")]
        ]
        doc = services.create_document(
            doctype,
            {
                "class_name": "七年级(1)班",
                "month": last_month(),
                "meal_rate": "6.50",
                "students": [
                    {"student": students[0], "missed_meals": 5},
                    {"student": students[1], "missed_meals": 2},
                ],
            },
            actor=users["teacher"],
        )
        return doc, ["伙食费退费单", "缺餐学生", "林一", "32.50", "45.50", "肆拾伍元伍角整"]
    if doctype == "Tender":
        doc = services.create_document(
            doctype,
            {
                "subject": "期中考试用纸询价",
                "method": "询价",
                "opening_date": (timezone.now() - dt.timedelta(days=1))
                .replace(microsecond=0)
                .isoformat(),
                "suppliers": [{"supplier": supplier.name}],
                "bids": [{"supplier": supplier.name, "price": "1280.40", "delivery_days": 3}],
                "awarded_supplier": supplier.name,
                "awarded_amount": "1280.40",
            },
            actor=users["purchaser"],
        )
        return doc, ["招标/询价", "甲文具公司", "1,280.40", "壹仟贰佰捌拾元肆角整"]
    if doctype == "Stock Receipt":
        doc = services.create_document(
            doctype,
            {
                "title": "办公用品验收入库",
                "supplier": supplier.name,
                "items": [{"item": "A4-70", "qty": "10", "rate": "23.50"}],
            },
            actor=users["storekeeper"],
        )
        return doc, ["入库单", "甲文具公司", "A4复印纸", "235.00", "验收人", "库管员"]
    if doctype == "Stock Issue":
        doc = services.create_document(
            doctype,
            {"purpose": "期中考试印卷", "items": [{"item": "A4-70", "qty": "2"}]},
            actor=users["teacher"],
        )
        return doc, ["领物单", "期中考试印卷", "A4复印纸", "领用人", "库管员"]
    if doctype == "Budget":
        doc = services.create_document(
            doctype,
            {
                "fiscal_year": 2026,
                "department": "语文组",
                "budget_line": "办公用品费",
                "amount": "12000",
            },
            actor=users["finance"],
        )
        return doc, ["经费预算", "语文组 2026 年 办公用品费", "12,000.00", "壹万贰仟元整", "校长"]
    if doctype == "Stock Reconciliation":
        doc = services.create_document(
            doctype,
            {"title": "期末盘点", "items": [{"item": "A4-70", "counted_qty": "3"}]},
            actor=users["storekeeper"],
        )
        # Not held: the surplus is valued at the list price, 3 × 23.50.
        return doc, ["盘点单", "期末盘点", "A4复印纸", "账面数量", "实盘数量", "盈亏金额", "70.50",
                     "监盘人"]  # fmt: skip
    if doctype in ("Asset", "Asset Movement", "Asset Disposal", "Asset Check", "Asset Loan"):
        return _asset_voucher(doctype, users, classroom)
    if doctype in SAFETY_VOUCHERS:
        return _safety_voucher(doctype, users, classroom)
    if doctype in ("Meter", "Meter Reading"):
        meter = services.create_document(
            "Meter",
            {"meter_no": "DB-01", "title": "明德楼总电表", "kind": "电表", "building": "明德楼",
             "unit_price": "0.65", "start_reading": "1000", "multiplier": "1"},
            actor=users["purchaser"],
        )  # fmt: skip
        if doctype == "Meter":
            return meter, ["水电计量表", "DB-01", "明德楼总电表", "0.65"]
        doc = services.create_document(
            doctype,
            {"month": last_month(), "readings": [{"meter": "DB-01", "current": "1500"}]},
            actor=users["purchaser"],
        )
        return doc, ["水电抄表单", "DB-01", "1,000", "1,500", "325.00", "叁佰贰拾伍元整", "抄表人"]
    if doctype == "Student Supply Order":
        services.create_document(
            "Student", {"student_no": "S001", "student_name": "林一", "class_name": "七年级(1)班"},
            actor=users["canteen"],
        )  # fmt: skip
        doc = services.create_document(
            doctype,
            {"item_name": "秋季校服", "category": "校服", "term": "2026年秋季",
             "class_name": "七年级(1)班", "tender": awarded_tender(users), "unit_price": "120",
             "per_student": 2, "students": [{"student": "S001", "consent": "同意", "size": "160/80A"}]},
            actor=users["teacher"],
        )  # fmt: skip
        return doc, ["学生用品征订单", "秋季校服", "服装供应商0", "160/80A", "240.00", "班主任"]
    if doctype == "Expense Claim":
        doc = services.create_document(
            doctype,
            {"expense_type": "电话费", "payee": "中国电信清河分公司",
             "items": [{"description": "10 月办公电话费", "invoice_no": "43000018",
                        "amount": "486"}]},
            actor=users["teacher"],
        )  # fmt: skip
        return doc, ["费用报销单", "电话费", "43000018", "486.00", "肆佰捌拾陆元整", "财务"]
    if doctype == "Purchase Contract":
        today = timezone.localdate()
        doc = services.create_document(
            doctype,
            {"subject": "复印纸供货合同", "supplier": supplier.name, "signed_on": today,
             "starts_on": today, "ends_on": today + dt.timedelta(days=90),
             "items": [{"item": "A4-70", "rate": "23.50", "qty": "40"}],
             "payment_terms": "每月验收后结算"},
            actor=users["purchaser"],
        )  # fmt: skip
        return doc, ["采购合同", "甲文具公司", "23.50", "940.00", "玖佰肆拾元整", "校长", "供应商"]
    if doctype == "Procurement Threshold":
        doc = services.create_document(
            doctype,
            {"title": "学校采购限额标准", "effective_from": timezone.localdate(),
             "inquiry_from": "10000", "tender_from": "400000", "basis": "学校采购管理办法"},
            actor=users["purchaser"],
        )  # fmt: skip
        return doc, ["采购限额标准", "询价限额", "10,000.00", "400,000.00", "学校采购管理办法"]
    if doctype == "Feedback":
        doc = services.create_document(
            doctype,
            {"subject": "午餐菜品偏咸", "category": "食堂伙食", "content": "炒菜普遍偏咸"},
            actor=users["teacher"],
        )
        return doc, ["意见建议", "午餐菜品偏咸", "食堂伙食", "提出人"]
    if doctype == "Canteen Staff":
        doc = services.create_document(
            doctype,
            {"staff_name": "食堂甲", "post": "厨师", "health_cert_no": "JK20260001",
             "health_cert_expiry": "2027-06-30"},
            actor=users["canteen"],
        )  # fmt: skip
        return doc, ["食堂从业人员", "食堂甲", "JK20260001", "2027-06-30"]
    if doctype in ("Meal Fee Standard", "Meal Fee Collection", "Canteen Expense", "Student Aid"):
        return _canteen_voucher(doctype, users, supplier)
    if doctype == "Item":
        return items["DESK-1"], ["物资", "学生课桌椅", "单人 升降式", "280.00"]
    if doctype == "Location":
        return classroom, ["场所", "七年级(1)班教室", "明德楼", "teacher"]
    if doctype == "School Class":
        doc = services.create_document(
            doctype,
            {"class_name": "七年级(1)班", "class_teacher": "teacher", "classroom": classroom.name},
            actor=users["canteen"],
        )
        return doc, ["班级", "七年级(1)班", "七年级", "teacher", "七年级(1)班教室"]
    if doctype == "Student":
        make_classes(users["canteen"], {"七年级(2)班": users["colleague"]})
        doc = services.create_document(
            doctype,
            {
                "student_no": "S101",
                "student_name": "许一",
                "class_name": "七年级(2)班",
                "meal_plan": "午餐",
            },
            actor=users["canteen"],
        )
        return doc, ["学生", "许一", "七年级(2)班", "午餐"]
    if doctype == "Supplier":
        return supplier, ["供应商", "甲文具公司", "营业执照"]
    raise AssertionError(f"add a voucher test document for the new DocType {doctype}")


def _canteen_voucher(doctype: str, users, supplier) -> tuple[Document, list[str]]:
    standard = services.create_document(
        "Meal Fee Standard",
        {"title": "学生伙食费标准", "effective_from": last_month(), "area": "城区",
         "cap_per_meal": "6.00", "meal_rate": "5.00", "billing_days": 20, "basis": "区教育局通知"},
        actor=users["finance"],
    )  # fmt: skip
    if doctype == "Meal Fee Standard":
        return standard, ["伙食费标准", "教育局每餐上限", "6.00", "三餐月收费", "300.00", "校长"]
    if doctype == "Canteen Expense":
        doc = services.create_document(
            doctype,
            {"title": "食堂成本", "month": last_month(), "items": [
                {"category": "食材", "description": "大米", "supplier": supplier.name,
                 "amount": "1200.00"}]},
            actor=users["canteen"],
        )  # fmt: skip
        return doc, ["食堂支出单", "大米", "甲文具公司", "1,200.00", "壹仟贰佰元整", "财务"]
    services.submit_document("Meal Fee Standard", standard.name, actor=users["finance"])
    services.create_document(
        "Student",
        {"student_no": "S001", "student_name": "林一", "class_name": "七年级(1)班",
         "meal_plan": "三餐"},
        actor=users["canteen"],
    )  # fmt: skip
    if doctype == "Student Aid":
        doc = services.create_document(
            doctype,
            {"student": "S001", "from_month": last_month(), "to_month": last_month(),
             "monthly_waiver": "100", "category": "低保家庭", "reason": "家庭经济困难"},
            actor=users["teacher"],
        )  # fmt: skip
        return doc, ["伙食费资助", "林一", "低保家庭", "100.00", "壹佰元整", "班主任"]
    doc = services.create_document(
        doctype, {"class_name": "七年级(1)班", "month": last_month()}, actor=users["finance"]
    )
    return doc, ["伙食费收缴单", "林一", "三餐", "300.00", "叁佰元整", "收款人"]


SAFETY_VOUCHERS = {
    # DocType: who records it, its values (the classroom named as `ROOM`), what the PDF shows
    "Safety Inspection": ("purchaser", {"title": "12 月安全检查", "inspection_type": "月度安全检查",
        "area": "教学楼", "conclusion": "未发现隐患"}, ["安全检查记录", "12 月安全检查", "检查人"]),
    "Hazard Rectification": ("purchaser", {"hazard": "楼梯扶手松动", "location": "ROOM",
        "responsible": "worker", "deadline": "2030-01-10"}, ["隐患整改单", "楼梯扶手松动", "复查人"]),
    "Weekly Menu": ("canteen", {"title": "第 16 周菜谱", "week_start": "2030-01-07",
        "dishes": [{"day": "周一", "meal": "早餐", "kind": "主食", "dish": "肉包"}]},
        ["每周菜谱", "第 16 周菜谱", "肉包", "食堂管理员"]),
}  # fmt: skip


def _safety_voucher(doctype, users, classroom):
    who, values, expected = SAFETY_VOUCHERS[doctype]
    values = {k: classroom.name if v == "ROOM" else v for k, v in values.items()}
    return services.create_document(doctype, values, actor=users[who]), expected


def _asset_voucher(doctype, users, classroom):
    keeper = users["storekeeper"]
    card = services.create_document(
        "Asset",
        {"asset_name": "多媒体一体机", "category": "电教设备", "qty": "2", "uom": "台",
         "unit_price": "8600", "location": classroom.name},
        actor=keeper,
    )  # fmt: skip
    if doctype == "Asset":
        return card, ["校产", "多媒体一体机", "17,200.00", "壹万柒仟贰佰元整", "保管人"]
    services.submit_document("Asset", card.name, actor=keeper)
    if doctype == "Asset Disposal":
        doc = services.create_document(
            doctype,
            {"title": "一体机报废", "reason": "自然损耗", "description": "屏幕老化",
             "items": [{"asset": card.name, "qty": "1"}]},
            actor=keeper,
        )  # fmt: skip
        return doc, ["校产报废单", "一体机报废", "8,600.00", "捌仟陆佰元整", "校长"]
    if doctype == "Asset Check":
        doc = services.create_document(
            doctype,
            {"title": "期中检查", "location": classroom.name, "check_type": "期中检查",
             "items": [{"asset": card.name, "actual_qty": "2", "damaged_qty": "1"}]},
            actor=keeper,
        )  # fmt: skip
        return doc, ["校产清查单", "期中检查", "多媒体一体机", "其中损坏", "清查人"]
    if doctype == "Asset Loan":
        doc = services.create_document(
            doctype,
            {"purpose": "公开课借用一体机", "due_date": timezone.localdate(),
             "items": [{"asset": card.name}]},
            actor=users["teacher"],
        )  # fmt: skip
        return doc, ["校产借用单", "公开课借用一体机", "多媒体一体机", "借用人", "归还验收"]
    lab = services.create_document(
        "Location",
        {"location_name": "物理实验室", "purpose": "功能室", "building": "格物楼"},
        actor=keeper,
    )
    doc = services.create_document(
        doctype,
        {"reason": "调往实验室", "target_location": lab.name, "target_custodian": "head",
         "items": [{"asset": card.name}]},
        actor=keeper,
    )  # fmt: skip
    return doc, ["校产调拨单", "调往实验室", "多媒体一体机", "移交人", "接收人"]


@pytest.mark.parametrize("doctype", builtin_doctypes())
def test_builtin_doctype_prints_standard_voucher_to_pdf(
    doctype, users, items, classroom, supplier, tmp_path
):
    doc, expected = build(doctype, users, items, classroom, supplier)
    result = print_document(doc, actor=users["admin"], output="pdf")
    assert result.content[:5] == b"%PDF-"
    text = squeeze(pdf_text(result.content, tmp_path))
    for snippet in [doc.name, "测试第一中学", "第1页", *expected]:
        assert squeeze(snippet) in text, f"{snippet!r} missing from the {doctype} voucher"
    assert "验证码" in text
    assert (
        PrintLog.objects.filter(document=doc, output="pdf", printed_by=users["admin"]).count() == 1
    )


def test_requisition_voucher_shows_empty_approval_trail_and_signatures(users, items, tmp_path):
    doc = make_requisition(users["teacher"])
    text = squeeze(pdf_text(print_document(doc, actor=users["teacher"]).content, tmp_path))
    for label in ["审批记录", "步骤", "审批人", "操作", "时间", "意见", "暂无审批记录"]:
        assert label in text
    for label in ["申请人", "部门负责人", "总务处", "校长", "经办人"]:
        assert label in text


def test_long_requisition_repeats_table_header_on_every_page(users, items, tmp_path):
    doc = make_requisition(users["teacher"], rows=60)
    text = pdf_text(print_document(doc, actor=users["teacher"]).content, tmp_path)
    pages = text.split("\f")
    printed = [p for p in pages if p.strip()]
    assert len(printed) >= 2
    assert "共2页" in squeeze(text) or "共3页" in squeeze(text)
    # The table's header row (序号 … 金额) heads every page the rows run onto.
    rows_pages = [p for p in printed if "A4复印纸" in p or "日光灯管" in p]
    assert len(rows_pages) >= 2
    assert all("序号" in p and "预估单价" in p for p in rows_pages)


def test_short_forms_print_on_a5_landscape_and_vouchers_on_a4(db):
    assert page_size_for(get_meta("Repair Ticket")) == PageSize.A5_LANDSCAPE
    assert page_size_for(get_meta("Location")) == PageSize.A5_LANDSCAPE
    assert page_size_for(get_meta("Material Requisition")) == PageSize.A4_PORTRAIT


def test_standard_template_names_every_printable_field(db):
    source = standard_template(get_meta("Material Requisition"))
    for fieldname in ["department", "requested_by", "purpose", "budget_line", "remarks"]:
        assert f'doc.fmt("{fieldname}")' in source
    assert 'doc.rows("items")' in source


def test_repair_ticket_with_parts_fits_one_a5_landscape_page(users, classroom, items, tmp_path):
    doc = services.create_document(
        "Repair Ticket",
        {
            "subject": "302 教室日光灯不亮",
            "location": classroom.name,
            "category": "水电",
            "description": "前排两支灯管不亮，开关正常。",
            "labour_cost": "30",
            "parts": [{"item": "LAMP-T8", "qty": "2", "rate": "16"} for _ in range(3)],
        },
        actor=users["purchaser"],
    )
    text = squeeze(pdf_text(print_document(doc, actor=users["purchaser"]).content, tmp_path))
    assert "第1页共1页" in text
    assert "报修单" in text and "申请人" in text and "打印人" in text
    assert "审批记录" not in text  # no flow ran: half a sheet skips the empty trail


def test_a_name_fetched_beside_a_link_showing_names_is_not_printed_twice(db):
    """地点名称 repeats what 报修地点 already prints (七年级(1)班教室（LOC-0001）); 供应商名称
    what a bid's 供应商 prints."""
    ticket = standard_template(get_meta("Repair Ticket"))
    assert 'doc.fmt("location")' in ticket and 'doc.fmt("location_name")' not in ticket
    tender = standard_template(get_meta("Tender"))
    assert "row.supplier " in tender.replace("}}", " ") and "row.supplier_name" not in tender


def test_print_view_forbids_inline_script_from_an_admins_template(client, users):
    """An admin's format is served on our origin: the CSP keeps any <script> in it inert."""
    from school_logistics.core import services

    item = services.create_document(
        "Item",
        {"item_code": "CSP-1", "item_name": "粉笔", "uom": "盒", "category": "办公用品"},
        actor=users["admin"],
    )
    client.force_login(users["admin"])
    response = client.get(f"/app/item/{item.name}/print")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "onclick" not in response.content.decode()


def test_the_standard_format_adds_up_amounts_not_competing_quotes(db):
    """A tender's 报价 are alternatives: their sum means nothing; a requisition's amounts add up."""
    assert 'column_total("bids"' not in standard_template(get_meta("Tender"))
    assert 'column_total("items", "amount")' in standard_template(get_meta("Material Requisition"))
