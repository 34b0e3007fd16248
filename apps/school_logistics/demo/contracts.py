"""采购合同: the canteen's rice, flour and oil contract signed with the 询价's winner, signed off
by the principal and in force; its first delivery came in short of ten bags of rice, so its
page shows what is still to come and offers 按合同入库."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from school_logistics.core import services
from school_logistics.core.attachments import upload_attachment
from school_logistics.demo import approvals
from school_logistics.demo.org import Org
from school_logistics.purchasing.contracts import CONTRACT

# The 询价 was won at 8,380.00 for the requisition's 40 rice, 10 flour and 20 oil.
AGREED = [("ST-RICE", "141.00", 40), ("ST-FLOUR", "118.00", 10), ("ST-OIL", "78.00", 20)]


def _scan() -> SimpleUploadedFile:
    """A stand-in for the signed, stamped contract: a page of ruled lines and a red seal."""
    page = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, 580, 837), outline="#444", width=2)
    for y in range(140, 700, 28):
        draw.line((80, y, 540 if y % 3 else 420, y), fill="#999", width=3)
    draw.ellipse((400, 690, 520, 810), outline="#c0392b", width=6)
    out = io.BytesIO()
    page.save(out, "PNG")
    return SimpleUploadedFile("食堂米面油供货合同（签章）.png", out.getvalue(), "image/png")


def create_contracts(org: Org, cal: Any, made: Any) -> None:
    office = org.users["purchaser"]
    scan = upload_attachment(_scan(), actor=office)
    name = services.create_document(
        CONTRACT,
        {
            "subject": "食堂米面油供货合同",
            "tender": made["tender_staples"],
            "signed_on": cal.day(19),
            "starts_on": cal.day(18),
            "ends_on": cal.today + dt.timedelta(days=40),
            "items": [{"item": code, "rate": rate, "qty": qty} for code, rate, qty in AGREED],
            "payment_terms": "每批验收合格后，凭增值税发票按实收数量结算",
            "quality_terms": "随货附检验检疫合格证明；每日 7:00 前送达学校食堂，验收不合格的退货重送",
            "signed_copy": f"/files/{scan.token}/{scan.filename}",
        },
        actor=office,
    ).name
    approvals.submit(CONTRACT, name, actor=office)
    made["contract_staples"] = name
