"""The canteen's weekly menus: the week after next published (a week ahead, as the rule asks),
the one after that drafted."""

from __future__ import annotations

import datetime as dt

from school_logistics.core import services
from school_logistics.demo import approvals
from school_logistics.demo.org import Org

MENU = "Weekly Menu"
DAYS = ("周一", "周二", "周三", "周四", "周五")
BREAKFAST = [("主食", "肉包、馒头"), ("点心", "茶叶蛋"), ("汤", "小米粥")]
# Lunch by day: two meat dishes (with their meat share), two vegetable dishes, a soup.
LUNCHES = [
    [("红烧肉", 85), ("宫保鸡丁", 60), "清炒白菜", "番茄炒蛋", "紫菜蛋花汤"],
    [("糖醋排骨", 80), ("鱼香肉丝", 55), "蒜蓉西兰花", "土豆丝", "冬瓜排骨汤"],
    [("红烧鸡腿", 90), ("肉末茄子", 50), "炒豆芽", "醋溜白菜", "西红柿鸡蛋汤"],
    [("清蒸鱼块", 85), ("青椒肉片", 55), "手撕包菜", "麻婆豆腐", "海带汤"],
    [("卤牛肉", 90), ("香菇滑鸡", 60), "炒油麦菜", "地三鲜", "玉米排骨汤"],
]


def create_menus(org: Org, today: dt.date, made: dict[str, str]) -> None:
    canteen = org.users["canteen"]
    monday = today - dt.timedelta(days=today.weekday())
    for weeks, send in ((2, True), (3, False)):
        start = monday + dt.timedelta(weeks=weeks)
        doc = services.create_document(
            MENU,
            {
                "title": f"{start.month} 月 {start.day} 日起学生食堂菜谱",
                "week_start": start,
                "price_note": "早餐 3 元，午餐 6.5 元",
                "dishes": _dishes(),
            },
            actor=canteen,
        )
        if send:
            approvals.submit(MENU, doc.name, actor=canteen, comments=["菜品搭配合理，同意公布。"])
            made["menu"] = doc.name
        else:
            made["menu_draft"] = doc.name


def _dishes() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for day, lunch in zip(DAYS, LUNCHES, strict=True):
        rows += [{"day": day, "meal": "早餐", "kind": k, "dish": d} for k, d in BREAKFAST]
        meat, veg, soup = lunch[:2], lunch[2:4], lunch[4]
        rows += [
            {"day": day, "meal": "午餐", "kind": "荤菜", "dish": d, "meat_share": s}
            for d, s in meat
        ]
        rows += [{"day": day, "meal": "午餐", "kind": "素菜", "dish": d} for d in veg]
        rows += [{"day": day, "meal": "午餐", "kind": "汤", "dish": soup}]
        rows += [{"day": day, "meal": "午餐", "kind": "主食", "dish": "米饭"}]
    return rows
