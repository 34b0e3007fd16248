"""Test-only DocTypes for the engine tests, installed through the DocType model (never shipped)."""

from __future__ import annotations

from typing import Any

from school_logistics.core.models import DocType
from school_logistics.core.registry import clear_meta_cache

FIELD_TEST = "Engine Field Test"
FIELD_TEST_ROW = "Engine Field Test Row"
LINK_TARGET = "Engine Link Target"
LIFECYCLE = "Engine Lifecycle Test"
NAMING = "Engine Naming Test"
PERMISSION = "Engine Permission Test"

ALL_RIGHTS = {
    r: 1 for r in ["read", "write", "create", "delete", "submit", "cancel", "amend", "print"]
}
EVERY_RIGHT = {**ALL_RIGHTS, "export": 1}

FIELD_TEST_ROW_DEF: dict[str, Any] = {
    "name": FIELD_TEST_ROW,
    "label": "测试明细",
    "istable": 1,
    "fields": [
        {"fieldname": "item_label", "fieldtype": "Data", "label": "品名", "reqd": 1},
        {"fieldname": "qty", "fieldtype": "Int", "label": "数量", "min_value": 1},
        {"fieldname": "amount", "fieldtype": "Currency", "label": "金额"},
        {"fieldname": "target", "fieldtype": "Link", "options": LINK_TARGET, "label": "关联"},
        {"fieldname": "proof", "fieldtype": "Attach", "label": "凭证"},
    ],
}

# One field of every value type, plus layout fields that must be ignored.
FIELD_TEST_DEF: dict[str, Any] = {
    "name": FIELD_TEST,
    "label": "字段测试单",
    "label_en": "Field Test",
    "autoname": "FT-.YYYY.-.####",
    "title_field": "title",
    "total_field": "price",
    "date_field": "posting_date",
    "fields": [
        {"fieldname": "title", "fieldtype": "Data", "label": "标题", "reqd": 1},
        {"fieldname": "small_text", "fieldtype": "Small Text", "label": "简述"},
        {"fieldname": "text", "fieldtype": "Text", "label": "正文"},
        {"fieldname": "section_numbers", "fieldtype": "Section Break", "label": "数字"},
        {
            "fieldname": "qty",
            "fieldtype": "Int",
            "label": "数量",
            "min_value": 0,
            "max_value": 1000,
        },
        {"fieldname": "weight", "fieldtype": "Float", "label": "重量"},
        {
            "fieldname": "price",
            "fieldtype": "Currency",
            "label": "单价",
            "min_value": 0,
            "max_value": 100000,
        },
        {"fieldname": "discount", "fieldtype": "Percent", "label": "折扣"},
        {"fieldname": "column_break_1", "fieldtype": "Column Break"},
        {"fieldname": "is_urgent", "fieldtype": "Check", "label": "加急"},
        {"fieldname": "posting_date", "fieldtype": "Date", "label": "日期", "default": "Today"},
        {"fieldname": "starts_at", "fieldtype": "Datetime", "label": "开始时间"},
        {"fieldname": "opens_at", "fieldtype": "Time", "label": "开放时间"},
        {"fieldname": "color", "fieldtype": "Select", "label": "颜色", "options": "红\n绿\n蓝"},
        {"fieldname": "target", "fieldtype": "Link", "options": LINK_TARGET, "label": "关联单据"},
        {"fieldname": "department", "fieldtype": "Link", "options": "Department", "label": "部门"},
        {"fieldname": "requested_by", "fieldtype": "User", "label": "申请人", "default": "__user"},
        {"fieldname": "rows", "fieldtype": "Table", "options": FIELD_TEST_ROW, "label": "明细"},
        {"fieldname": "file", "fieldtype": "Attach", "label": "附件"},
        {"fieldname": "photo", "fieldtype": "Attach Image", "label": "照片"},
        {"fieldname": "note", "fieldtype": "Read Only", "label": "系统备注"},
        {"fieldname": "computed", "fieldtype": "Currency", "label": "计算值", "read_only": 1},
        {"fieldname": "code", "fieldtype": "Data", "label": "编码", "unique": 1},
    ],
    "permissions": [{"role": "teacher", **ALL_RIGHTS}],
}

LINK_TARGET_DEF: dict[str, Any] = {
    "name": LINK_TARGET,
    "label": "关联目标",
    "autoname": "field:code",
    "is_submittable": 1,
    "fields": [{"fieldname": "code", "fieldtype": "Data", "label": "编码", "reqd": 1}],
    "permissions": [{"role": "teacher", **ALL_RIGHTS}],
}

# A submittable DocType with an allow-on-submit field, for the docstatus lifecycle.
LIFECYCLE_DEF: dict[str, Any] = {
    "name": LIFECYCLE,
    "label": "生命周期测试单",
    "autoname": "LC-.YYYY.-.####",
    "is_submittable": 1,
    "title_field": "subject",
    "fields": [
        {"fieldname": "subject", "fieldtype": "Data", "label": "事由", "reqd": 1},
        {"fieldname": "amount", "fieldtype": "Currency", "label": "金额"},
        {"fieldname": "total", "fieldtype": "Currency", "label": "合计", "read_only": 1},
        {
            "fieldname": "progress_note",
            "fieldtype": "Small Text",
            "label": "进度说明",
            "allow_on_submit": 1,
        },
        {"fieldname": "rows", "fieldtype": "Table", "options": FIELD_TEST_ROW, "label": "明细"},
        {"fieldname": "serial", "fieldtype": "Data", "label": "序列号", "unique": 1},
        {"fieldname": "file", "fieldtype": "Attach", "label": "附件"},
    ],
    "permissions": [{"role": "teacher", **ALL_RIGHTS, "if_owner": 1}],
}


# The naming series the issue names, dated by the document's own posting date.
NAMING_DEF: dict[str, Any] = {
    "name": NAMING,
    "label": "编号测试单",
    "label_en": "Naming Test",
    "autoname": "REQ-.YYYY.-.####",
    "is_submittable": 1,
    "title_field": "subject",
    "date_field": "posting_date",
    "fields": [
        {"fieldname": "subject", "fieldtype": "Data", "label": "事由", "reqd": 1},
        {"fieldname": "posting_date", "fieldtype": "Date", "label": "日期", "default": "Today"},
    ],
    "permissions": [{"role": "teacher", **ALL_RIGHTS}],
}

# Teachers hold every right on their own documents only; department heads read and print all;
# finance reads and exports all. Nobody else has a rule: only sys_admin and superusers pass.
PERMISSION_DEF: dict[str, Any] = {
    "name": PERMISSION,
    "label": "权限测试单",
    "label_en": "Permission Test",
    "autoname": "PT-.#####",
    "is_submittable": 1,
    "title_field": "subject",
    "fields": [
        {
            "fieldname": "subject",
            "fieldtype": "Data",
            "label": "事由",
            "label_en": "Subject",
            "reqd": 1,
        },
        {"fieldname": "amount", "fieldtype": "Currency", "label": "金额", "label_en": "Amount"},
    ],
    "permissions": [
        {"role": "teacher", **EVERY_RIGHT, "if_owner": 1},
        {"role": "dept_head", "read": 1, "print": 1},
        {"role": "finance", "read": 1, "export": 1},
    ],
}


def install(*definitions: dict[str, Any]) -> None:
    """Store test DocTypes as admin-made ones would be, and drop cached metadata."""
    for raw in definitions:
        DocType.objects.update_or_create(
            name=raw["name"],
            defaults={
                "module": "tests",
                "label": raw.get("label", raw["name"]),
                "label_en": raw.get("label_en", raw["name"]),
                "is_submittable": bool(raw.get("is_submittable")),
                "istable": bool(raw.get("istable")),
                "custom": True,
                "definition": raw,
            },
        )
    clear_meta_cache()


def install_all() -> None:
    """Install every test DocType (child tables first)."""
    install(
        FIELD_TEST_ROW_DEF,
        LINK_TARGET_DEF,
        FIELD_TEST_DEF,
        LIFECYCLE_DEF,
        NAMING_DEF,
        PERMISSION_DEF,
    )


def snapshot() -> tuple[Any, ...]:
    """Return everything a refused write must leave as it was: documents, versions, series."""
    from school_logistics.core.models import Attachment, Document, NamingSeries, Version

    return (
        sorted(Document.objects.values_list("doctype", "name", "docstatus", "data", "modified")),
        Version.objects.count(),
        sorted(NamingSeries.objects.values_list("prefix", "current")),
        sorted(Attachment.objects.values_list("token", "document_id")),
    )


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
