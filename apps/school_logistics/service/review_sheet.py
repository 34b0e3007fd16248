"""后勤考核表: a month's review of the logistics staff as an Excel sheet, with a column for
the reviewer's mark and lines to sign (the office files it: 岗位责任制，量化考核)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from school_logistics.core.report_sheet import FIRST_ROW, report_sheet, workbook_bytes
from school_logistics.service.staff_review import StaffReview

PERCENT = "0%"


def review_workbook(
    rows: Sequence[StaffReview], *, school: str, month: str, taken_at: dt.datetime
) -> bytes:
    headers = [
        _("姓名"), _("岗位"), _("办理审批"), _("按时办理率"), _("平均用时（小时）"),
        _("当前待办"), _("其中超时"), _("维修完工"), _("24小时内完工率"), _("返修"),
        _("维修满意率"), _("答复意见"), _("答复满意率"), _("到期隐患"), _("按期整改"),
        _("逾期"), _("考核意见"),
    ]  # fmt: skip
    wb, ws = report_sheet(
        _("后勤考核"),
        _("%(school)s %(month)s 后勤人员考核表") % {"school": school, "month": month},
        taken_at,
        headers,
        [14, 14, 9, 10, 10, 8, 8, 8, 10, 6, 10, 8, 10, 8, 8, 6, 24],
        as_of=_("统计时间 %(at)s"),
    )
    for n, r in enumerate(rows, start=FIRST_ROW):
        repairs = r.repairs
        ws.append(
            [
                r.user.display_name,
                "、".join(r.roles),
                r.handled,
                r.on_time_share,
                round(r.average_hours, 1) if r.average_hours is not None else None,
                r.pending,
                r.overdue,
                repairs.done if repairs else None,
                repairs.prompt_share if repairs else None,
                repairs.reopened if repairs else None,
                repairs.satisfied_share if repairs else None,
                r.replies.done,
                r.replies.satisfied_share,
                r.hazards_due,
                r.hazards_in_time,
                r.hazards_late,
                None,
            ]
        )
        for column in "DIKM":
            ws[f"{column}{n}"].number_format = PERCENT
    ws.append([])
    ws.append([_("考核人签字："), None, None, None, None, _("校长签字："), None, None, _("日期：")])
    return workbook_bytes(wb)
