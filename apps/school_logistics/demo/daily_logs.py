"""The daily logs the schools' plans ask for (外来人员登记, 食品留样, 消毒, 宿舍值班, 总务后勤工作
日志), installed from the form library by the district's administrator as a school would, with
a few days written in each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from school_logistics.core import services
from school_logistics.core.models import User
from school_logistics.demo.org import Org
from school_logistics.designer import library

FORMS = ("visitor_registration", "food_sample", "disinfection", "dorm_duty", "logistics_work_log")

Moment = Callable[[int, int, int], dt.datetime]


def create_daily_logs(org: Org, day: Callable[[int], dt.date], moment: Moment) -> None:
    admin = User.objects.get(username="district_admin")
    for key in FORMS:
        library.install(key, actor=admin)
    u = org.users

    def write(doctype: str, who: str, values: dict[str, Any]) -> None:
        services.create_document(doctype, values, actor=u[who])

    for days_ago, (visitor, unit, purpose, host) in enumerate([
        ("送货人员（演示）", "清河区鲜达农副产品配送中心", "送货", "食堂管理员（演示）"),
        ("家长（演示）", "", "家长来访", "语文组教师（演示）"),
        ("维修技师（演示）", "清河区电梯维保公司", "维修施工", "总务处主任（演示）"),
    ], start=1):  # fmt: skip
        write("Visitor Registration", "guard", {
            "visitor_name": visitor, "id_number": f"11010519800101{days_ago:04d}",
            "organisation": unit, "visit_purpose": purpose, "host": host,
            "visit_date": day(days_ago), "time_in": moment(days_ago, 10, 5),
            "time_out": moment(days_ago, 11, 20), "guard": "guard",
        })  # fmt: skip
    for days_ago in (1, 2):
        for meal, dish, at in (("早餐", "鸡蛋、馒头", 7), ("午餐", "红烧鸡块、清炒西兰花", 12)):
            write("Food Sample Retention", "canteen", {
                "meal_date": day(days_ago), "meal": meal, "dish": dish, "weight_g": 125,
                "sampled_at": moment(days_ago, at, 10), "fridge": "留样冰箱 1 号",
                "sampler": "canteen",
            })  # fmt: skip
        write("Disinfection Record", "canteen", {
            "record_date": day(days_ago), "target": "餐具", "method": "高温蒸汽",
            "started_at": moment(days_ago, 13, 0), "ended_at": moment(days_ago, 13, 30),
            "operator": "canteen",
        })  # fmt: skip
        write("Dormitory Duty Log", "life", {
            "duty_date": day(days_ago), "building": "男生宿舍楼", "shift": "夜班",
            "duty_teacher": "life", "boarders": 148, "present": 147, "absent": 1,
            "absent_note": "一名学生病假回家，家长已接回", "fire_check": 1,
        })  # fmt: skip
        write("Logistics Work Log", "logistics", {
            "log_date": day(days_ago), "recorder": "logistics",
            "summary": "巡查校园，处理报修", "on_duty": "总务处主任（演示）",
            "work_done": "上午巡查教学楼和食堂；下午安排维修工更换 302 教室灯管。",
        })  # fmt: skip
