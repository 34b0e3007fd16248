"""The school's water, electricity and gas meters, read at the start of each month for the
month before: the dormitory's water up by a third in the last month (a leak to look for)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from school_logistics.core import services
from school_logistics.demo.org import Org

METER = "Meter"
READING = "Meter Reading"
# number, name, kind, building, price, starting reading, use in the month before last, last month
METERS = [
    ("DB-MD-01", "明德楼总电表", "电表", "明德楼", "0.65", 18230, 4620, 4810),
    ("SB-MD-01", "明德楼水表", "水表", "明德楼", "4.20", 3120, 265, 258),
    ("DB-ST-01", "学生食堂电表", "电表", "学生食堂", "0.65", 9650, 3380, 3460),
    ("SB-ST-01", "学生食堂水表", "水表", "学生食堂", "4.20", 5210, 410, 428),
    ("RQ-ST-01", "学生食堂燃气表", "燃气表", "学生食堂", "3.50", 7720, 1180, 1215),
    ("DB-SS-01", "男生宿舍1号楼电表", "电表", "男生宿舍1号楼", "0.65", 12880, 2950, 3010),
    ("SB-SS-01", "男生宿舍1号楼水表", "水表", "男生宿舍1号楼", "4.20", 4460, 520, 718),
]


def create_energy(org: Org, cal: Any, made: dict[str, str]) -> None:
    office, worker = org.users["logistics"], org.users["worker"]
    for no, title, kind, building, price, start, _a, _b in METERS:
        services.create_document(
            METER,
            {"meter_no": no, "title": title, "kind": kind, "building": building,
             "unit_price": price, "start_reading": start, "multiplier": 1},
            actor=office,
        )  # fmt: skip
    before_last = (cal.first_of_previous - dt.timedelta(days=1)).strftime("%Y-%m")
    readings = {no: Decimal(start) for no, *_r, start, _a, _b in METERS}
    for month, read_on, column in (
        (before_last, cal.first_of_previous, 6),
        (cal.previous_month, cal.first_of_month, 7),
    ):
        rows = []
        for meter in METERS:
            readings[meter[0]] += Decimal(meter[column])
            rows.append({"meter": meter[0], "current": readings[meter[0]]})
        doc = services.create_document(
            READING, {"month": month, "reading_date": read_on, "readings": rows}, actor=worker
        )
        services.submit_document(READING, doc.name, actor=worker)
        made[f"meter_reading_{month}"] = doc.name
