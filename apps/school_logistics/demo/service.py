"""The 意见箱: a view on the canteen answered and rated, one answered and waiting for its
rating, one still waiting for 总务处's answer."""

from __future__ import annotations

from typing import Any

from school_logistics.core import services
from school_logistics.demo import approvals
from school_logistics.demo.org import Org

FEEDBACK = "Feedback"


def create_feedback(org: Org, day: Any, made: dict[str, str]) -> None:
    u = org.users
    office = u["logistics"]

    def raise_view(who: str, days_ago: int, values: dict[str, Any]) -> str:
        name = services.create_document(
            FEEDBACK, {"posting_date": day(days_ago), **values}, actor=u[who]
        ).name
        approvals.submit(FEEDBACK, name, actor=u[who], approve_steps=0)
        return name

    def answer(name: str, reply: str) -> None:
        services.save_document(FEEDBACK, name, {"reply": reply}, actor=office)
        approvals.act(FEEDBACK, name, "approve", comment="已答复", by=office)

    salty = raise_view("teacher", 12, {
        "subject": "午餐菜品偏咸", "category": "食堂伙食", "on_behalf_of": "七年级(1)班学生",
        "content": "近两周午餐的炒菜普遍偏咸，学生剩菜较多，建议减盐。",
    })  # fmt: skip
    answer(salty, "已与食堂沟通，炒菜统一减盐，由伙食监督小组每周试尝检查。")
    services.save_document(FEEDBACK, salty, {"satisfaction": "满意"}, actor=u["teacher"])
    approvals.act(FEEDBACK, salty, "approve", comment="本周已明显改善，谢谢。", by=u["teacher"])
    made["feedback_closed"] = salty

    bikes = raise_view("teacher2", 5, {
        "subject": "车棚照明不足", "category": "安全隐患",
        "content": "晚自习后车棚很暗，学生取车看不清，建议加装照明。",
    })  # fmt: skip
    answer(bikes, "已列入本月维修计划，加装两盏 LED 灯，预计下周完成。")
    made["feedback_answered"] = bikes

    made["feedback_waiting"] = raise_view("head2", 1, {
        "subject": "教学楼二楼卫生间洗手液常缺", "category": "环境卫生",
        "content": "二楼东侧卫生间的洗手液经常用完没有及时补充。",
    })  # fmt: skip
