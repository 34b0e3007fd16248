"""The demo school's repair tickets, one at every stage of the repair flow.

Under the flow (总务处派工 → 维修 → 报修人确认, 重新报修 back to 维修) each stage is done by the person whose task it
is; a school without the flow files the report by submitting it and records the repair after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.demo import approvals
from school_logistics.demo.org import Org

REPAIR = "Repair Ticket"


class Repairs:
    """Moves tickets through their stages as the reporter, 总务处 and the worker would."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.flow = approvals.governed(REPAIR, org.school.pk)
        self.logistics = org.users["logistics"]
        self.worker = org.users["worker"]

    def report(self, who: str, location: str, values: dict[str, Any], *, send: bool = True) -> str:
        """The reporter files the ticket and (unless kept as a draft) sends it to 总务处."""
        reporter = self.org.users[who]
        name = services.create_document(
            REPAIR, {"location": location, **values}, actor=reporter
        ).name
        if send:
            if self.flow:
                approvals.submit(REPAIR, name, actor=reporter, approve_steps=0)
            else:
                services.submit_document(REPAIR, name, actor=reporter)
        return name

    def dispatch(self, name: str, note: str) -> None:
        """总务处 assigns the worker at its 派工 step and passes the ticket on."""
        values = {"assigned_to": self.worker.username}
        services.save_document(REPAIR, name, values, actor=self.logistics)
        if not self.flow:
            return
        approvals.act(REPAIR, name, "approve", comment=note, by=self.logistics)
        self._hand_to_worker(name)

    def _hand_to_worker(self, name: str) -> None:
        if approvals.holds_task(REPAIR, name, self.worker):
            return
        # The engine planned 维修 when the ticket was sent, before the worker was chosen, so
        # the task falls back to 总务处; they hand it to the worker with 转交, as the desk offers.
        approvals.act(REPAIR, name, "transfer", to=self.worker.username, by=self.logistics)

    def complete(self, name: str, values: dict[str, Any], note: str) -> None:
        """The worker records completion time, labour and parts, and passes it to the reporter."""
        services.save_document(REPAIR, name, values, actor=self.worker)
        if self.flow:
            approvals.act(REPAIR, name, "approve", comment=note, by=self.worker)

    def confirm(self, name: str, note: str, satisfaction: str = "满意") -> None:
        """The reporter rates the repair and presses 确认修好 (without the flow, ticks 已确认):
        the ticket closes."""
        reporter = self._reporter(name)
        values: dict[str, Any] = {"satisfaction": satisfaction, "confirmation_note": note}
        if not self.flow:
            values["reporter_confirmed"] = True
        services.save_document(REPAIR, name, values, actor=reporter)
        if self.flow:
            approvals.act(REPAIR, name, "approve", comment=note, by=reporter)

    def reopen(self, name: str, reason: str) -> None:
        """The reporter clicks 重新报修: the flow sends the ticket back to the worker's step."""
        if self.flow:
            approvals.decide(REPAIR, name, "reject", reason)
            self._hand_to_worker(name)

    def _data(self, name: str) -> dict[str, Any]:
        return Document.objects.get(doctype=REPAIR, name=name).data

    def _reporter(self, name: str) -> User:
        return User.objects.get(username=self._data(name)["reported_by"])


def create_repairs(
    org: Org, moment: Callable[..., dt.datetime], rooms: dict[str, str], made: dict[str, str]
) -> None:
    """Create tickets: draft, waiting for 派工, 维修, 确认, reopened, confirmed, rejected, cancelled.

    `moment(days_ago, hour, minute)` gives an aware past time (the demo's Calendar.moment).
    """
    r = Repairs(org)

    made["repair_draft"] = r.report("teacher", rooms["七年级(1)班教室"], {
        "subject": "教室后门门锁损坏", "category": "门窗", "urgency": "一般",
        "description": "后门执手锁转不动，放学后无法锁门。",
    }, send=False)  # fmt: skip

    made["repair_reported"] = r.report("head2", rooms["八年级(1)班教室"], {
        "subject": "教室日光灯闪烁", "category": "水电", "urgency": "紧急",
        "reported_on": moment(0, 8, 10), "asset_item": "SD-T8",
        "description": "讲台上方两支灯管一直闪，影响学生看黑板。",
    })  # fmt: skip

    assigned = r.report("affairs", rooms["男生宿舍1号楼101"], {
        "subject": "宿舍窗户玻璃破损", "category": "门窗", "urgency": "紧急",
        "reported_on": moment(1, 21, 40),
        "description": "靠床一侧窗户玻璃裂开，已用胶带临时固定，请尽快更换。",
    })  # fmt: skip
    r.dispatch(assigned, "玻璃破损有安全隐患，请今天上午更换。")
    made["repair_assigned"] = assigned

    done = r.report("teacher2", rooms["七年级(2)班教室"], {
        "subject": "投影仪开机不亮", "category": "电教", "urgency": "一般",
        "reported_on": moment(3, 10, 5), "asset_item": "DJ-PROJ",
        "description": "投影仪指示灯亮但无画面，灯泡已用满时长。",
    })  # fmt: skip
    r.dispatch(done, "请更换投影仪灯泡。")
    r.complete(done, {
        "completed_on": moment(2, 15, 30), "labour_cost": "0",
        "parts": [{"item": "DJ-PROJLAMP", "qty": 1}],
    }, "已更换灯泡，画面正常，请老师确认。")  # fmt: skip
    made["repair_completed"] = done

    reopened = r.report("head", rooms["语文组办公室"], {
        "subject": "办公室插座没电", "category": "水电", "urgency": "一般",
        "reported_on": moment(2, 9, 30), "asset_item": "SD-SOCKET",
        "description": "靠窗一排五孔插座都没电，电脑无法使用。",
    })  # fmt: skip
    r.dispatch(reopened, "请检查线路。")
    r.complete(reopened, {
        "completed_on": moment(1, 11, 0), "labour_cost": "20",
        "parts": [{"item": "SD-SOCKET", "qty": 2}],
    }, "已更换两个插座。")  # fmt: skip
    r.reopen(reopened, "换了插座还是没电，可能是空气开关的问题，请再看看。")
    made["repair_reopened"] = reopened

    confirmed = r.report("teacher", rooms["七年级(1)班教室"], {
        "subject": "课桌椅松动", "category": "课桌椅", "urgency": "一般",
        "reported_on": moment(6, 9, 0), "asset_item": "JJ-DESK",
        "description": "第三排两套课桌椅螺丝松动，椅脚垫脱落。",
    })  # fmt: skip
    r.dispatch(confirmed, "请带螺丝和椅脚垫。")
    r.complete(confirmed, {
        "completed_on": moment(6, 15, 30), "labour_cost": "30.00",
        "parts": [
            {"item": "WX-SCREW", "qty": 1, "rate": "12.00"},
            {"item": "WX-FOOTPAD", "qty": 1, "rate": "15.00"},
        ],
    }, "螺丝已紧固，椅脚垫已换新。")  # fmt: skip
    r.confirm(confirmed, "已修好，桌椅稳固，谢谢！")
    made["repair_confirmed"] = confirmed

    duplicate = r.report("canteen2", rooms["学生餐厅"], {
        "subject": "餐厅洗手池水龙头漏水", "category": "水电", "urgency": "一般",
        "reported_on": moment(4, 12, 10), "asset_item": "SD-TAP",
        "description": "东侧洗手池第二个水龙头关不紧。",
    })  # fmt: skip
    if r.flow:
        approvals.decide(REPAIR, duplicate, "reject", "与食堂管理员同日报修重复，合并处理。")
        made["repair_rejected"] = duplicate

    tap = r.report("canteen", rooms["学生餐厅"], {
        "subject": "餐厅洗手池水龙头漏水", "category": "水电", "urgency": "一般",
        "reported_on": moment(4, 12, 20), "asset_item": "SD-TAP",
        "description": "东侧洗手池第二个水龙头关不紧，地面积水易滑倒。",
    })  # fmt: skip
    r.dispatch(tap, "请当天处理，注意防滑。")
    r.complete(tap, {
        "completed_on": moment(4, 16, 0), "labour_cost": "20",
        "parts": [{"item": "SD-TAP", "qty": 2}],
    }, "已更换水龙头。")  # fmt: skip
    r.confirm(tap, "不漏了。")
    services.add_comment(
        REPAIR, tap, "实际只换了一个水龙头，用料登记有误，作废后修订。", actor=r.logistics
    )
    services.cancel_document(REPAIR, tap, actor=r.logistics)
    made["repair_cancelled"] = tap


# Earlier faults in the canteen, so that 维修统计 advises a thorough check of its plumbing:
# (days ago, subject, what was done, labour).
CANTEEN_FAULTS = [
    (52, "后厨下水道堵塞", "疏通下水道，清理隔油池。", "60"),
    (31, "洗碗池下水管漏水", "更换下水管一段。", "40"),
    (16, "后厨地漏返味", "更换防臭地漏。", "30"),
]


def create_repeated_faults(
    org: Org, moment: Callable[..., dt.datetime], rooms: dict[str, str]
) -> None:
    r = Repairs(org)
    for days, subject, done, labour in CANTEEN_FAULTS:
        name = r.report("canteen", rooms["学生餐厅"], {
            "subject": subject, "category": "水电", "urgency": "一般",
            "reported_on": moment(days, 9, 0), "description": subject,
        })  # fmt: skip
        r.dispatch(name, "请尽快处理。")
        r.complete(name, {"completed_on": moment(days - 1, 15, 0), "labour_cost": labour}, done)
        r.confirm(name, "已修好。", "满意" if days > 40 else "基本满意")
