"""The demo school's budgets for the year: two subject groups on 限额包干, and a further
allotment waiting for the principal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from school_logistics.core import services
from school_logistics.demo import approvals
from school_logistics.demo.org import Org

BUDGET = "Budget"

# department, budget line, amount; the requisitions of these groups name these lines.
BUDGETS = [
    ("语文组", "教学业务费", "6000"),
    ("语文组", "办公经费", "1500"),
    ("数学组", "教学业务费", "3000"),
    ("数学组", "办公经费", "1500"),
    ("数学组", "电教设备更新", "16000"),
    # 总务处 buys for the school and pays its running costs (电话费、水电费、打印费).
    ("总务处", "校舍设备购置", "60000"),
    ("总务处", "公用经费", "20000"),
    ("总务处", "维修经费", "30000"),
    ("总务处", "水电费", "240000"),
    ("总务处", "电话费", "8000"),
    ("总务处", "打印费", "12000"),
]


def create_budgets(
    org: Org, today: dt.date, day: Callable[[int], dt.date], made: dict[str, str]
) -> None:
    """Finance draws up the year's budgets and the principal approves them."""
    finance = org.users["finance"]
    for department, line, amount in BUDGETS:
        name = services.create_document(
            BUDGET,
            {
                "fiscal_year": today.year,
                "department": department,
                "budget_line": line,
                "amount": amount,
                "posting_date": day(60),  # as early as the demo's dates go
                "remarks": "年初预算，经校长办公会研究确定",
            },
            actor=finance,
        ).name
        approvals.submit(BUDGET, name, actor=finance)
    more = services.create_document(
        BUDGET,
        {
            "fiscal_year": today.year,
            "department": "语文组",
            "budget_line": "办公经费",
            "amount": "1000",
            "remarks": "追加：下学期组内打印机耗材",
        },
        actor=finance,
    ).name
    approvals.submit(BUDGET, more, actor=finance, approve_steps=0)
    made["budget_more"] = more
    # The groups' teachers hold the school as it was read before the first allotment.
    org.school.refresh_from_db(fields=["has_budgets"])
