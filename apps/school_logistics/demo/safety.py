"""The demo school's safety work: a monthly inspection whose hazards are fixed and re-checked,
waiting for the re-check, or overdue."""

from __future__ import annotations

import datetime as dt

from school_logistics.core import services
from school_logistics.demo import approvals
from school_logistics.demo.org import Org

INSPECTION = "Safety Inspection"
RECTIFICATION = "Hazard Rectification"

# room, hazard, severity, responsible, days to fix (from the inspection), how far it got:
# rechecked (passed its re-check), fixed (waiting for the re-check), open (still to fix).
FINDINGS: list[tuple[str, str, str, str, int, str]] = [
    ("男生宿舍1号楼101", "宿舍走廊应急照明灯不亮", "较大", "worker", 3, "rechecked"),
    ("化学实验室", "危化品柜未落实双人双锁", "重大", "head_sci", 5, "open"),
    ("学生餐厅", "两具灭火器压力不足", "一般", "canteen", 12, "fixed"),
]
FIXES = {
    "男生宿舍1号楼101": "更换应急灯 2 盏，试灯正常",
    "学生餐厅": "两具灭火器已送检充装，压力正常",
}


def create_safety(org: Org, today: dt.date, rooms: dict[str, str], made: dict[str, str]) -> None:
    """总务处主任's monthly inspection and what became of the hazards it found."""
    boss = org.users["logistics"]
    inspected = today - dt.timedelta(days=10)
    doc = services.create_document(
        INSPECTION,
        {
            "title": f"{inspected.month} 月校园安全大检查",
            "inspection_type": "月度安全检查",
            "area": "教学楼、学生宿舍、实验室、食堂",
            "inspection_date": inspected,
            "conclusion": "消防通道畅通，发现隐患 3 处，已限期整改。",
            "findings": [
                {
                    "location": rooms[room],
                    "hazard": hazard,
                    "severity": severity,
                    "responsible": org.users[who].username,
                    "deadline": inspected + dt.timedelta(days=days),
                }
                for room, hazard, severity, who, days, _stage in FINDINGS
            ],
        },
        actor=boss,
    )
    doc = services.submit_document(INSPECTION, doc.name, actor=boss)
    made["safety_inspection"] = doc.name
    for row, (room, _hazard, _sev, who, _days, stage) in zip(
        doc.data["findings"], FINDINGS, strict=True
    ):
        name = row["rectification"]
        made[f"hazard_{stage}"] = name
        if stage == "open":
            continue
        fixer = org.users[who]
        values = {"measures": FIXES[room], "rectified_on": inspected + dt.timedelta(days=2)}
        services.save_document(RECTIFICATION, name, values, actor=fixer)
        approvals.act(RECTIFICATION, name, "approve", comment="已整改", by=fixer)
        if stage == "rechecked":
            approvals.act(RECTIFICATION, name, "approve", comment="复查合格。", by=boss)
