"""The roles a school starts with; DocType permissions and approval steps name them by code."""

from __future__ import annotations

DEFAULT_ROLES: list[tuple[str, str, str]] = [
    ("teacher", "申请人/教师", "Requester / Teacher"),
    ("dept_head", "部门负责人", "Department Head"),
    ("purchaser", "总务处采购", "Purchasing (General Affairs)"),
    ("storekeeper", "库管员", "Storekeeper"),
    ("repair_worker", "维修工", "Repair Worker"),
    ("canteen_manager", "食堂管理员", "Canteen Manager"),
    ("finance", "财务", "Finance"),
    ("principal", "校长", "Principal"),
    # Discipline-inspection witness at bid openings (纪检监督); copied on tenders.
    ("witness", "纪检监督", "Discipline Witness"),
    # Dormitory life teachers (生活老师): one for every 150 boarders.
    ("life_teacher", "生活老师", "Dormitory Life Teacher"),
    # Gate guards (门卫): keep the visitor register together, shift after shift.
    ("guard", "门卫", "Gate Guard"),
    ("sys_admin", "系统管理员", "System Administrator"),
    # 区县教育局 staff: read the logistics of the schools they look after (学校后勤概览).
    ("bureau", "教育局", "Education Bureau"),
]


def ensure_default_roles() -> None:
    """Create the default roles that are missing; labels an admin changed are kept."""
    from school_logistics.core.models import Role

    for code, label, label_en in DEFAULT_ROLES:
        Role.objects.get_or_create(code=code, defaults={"label": label, "label_en": label_en})
