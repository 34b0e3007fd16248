"""费用报销: the 语文组's exam paper reimbursed once received (请购 → 审批 → 验收 → 入库 → 报销),
and 总务处's running costs on their budget lines: the phone bill reimbursed, the month's water
and power waiting for finance, the printing bill still a draft."""

from __future__ import annotations

from typing import Any

from school_logistics.core import services
from school_logistics.demo import approvals
from school_logistics.demo.org import Org
from school_logistics.purchasing.expense_claims import CLAIM, claim_from_requisition


def create_claims(org: Org, cal: Any, made: Any) -> None:
    u = org.users
    office = u["purchaser"]
    paper = claim_from_requisition(made["exam_paper"], actor=office)
    rows = [
        {**r, "invoice_no": f"2643200000{n:010d}"} for n, r in enumerate(paper.data["items"], 1)
    ]
    services.save_document(
        CLAIM,
        paper.name,
        {"items": rows, "remarks": "红笔未到货，到货后随下一张入库单另行报销。"},
        actor=office,
    )
    approvals.submit(CLAIM, paper.name, actor=office)
    made["claim_paper"] = paper.name

    def running_cost(kind: str, line: str, items: list[tuple[str, str, str]], **values: Any) -> str:
        return services.create_document(
            CLAIM,
            {
                "expense_type": kind,
                "department": "总务处",
                "budget_line": line,
                "posting_date": cal.day(3),
                "items": [
                    {"description": d, "invoice_no": no, "invoice_date": cal.day(6), "amount": a}
                    for d, no, a in items
                ],
                **values,
            },
            actor=office,
        ).name

    phone = running_cost("电话费", "电话费", [("上月办公电话及宽带费", "43000018", "486.00")],
                         payee="中国电信清河分公司（演示）")  # fmt: skip
    approvals.submit(CLAIM, phone, actor=office)
    made["claim_phone"] = phone
    utilities = running_cost(
        "水电费",
        "水电费",
        [("上月电费", "43000021", "18620.50"), ("上月水费", "43000022", "4236.00")],
        payee="清河区供电公司、自来水公司（演示）",
        remarks="与水电抄表单核对一致",
    )
    approvals.submit(CLAIM, utilities, actor=office, approve_steps=2)
    made["claim_utilities"] = utilities
    made["claim_printing"] = running_cost(
        "打印费",
        "打印费",
        [("期中试卷印刷", "43000035", "1260.00")],
        payee="清河区文印中心（演示）",
    )
