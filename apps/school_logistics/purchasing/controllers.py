"""Controllers of the purchasing DocTypes: requisitions, suppliers and tenders (budgets in
`budget.py`)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.validation import DocumentValidationError
from school_logistics.purchasing import (  # noqa: F401  (register controllers)
    budget,
    contracts,
    expense_claims,
    procurement,
    receiving,
    student_supplies,
    tender,
)
from school_logistics.stores.items import check_item_rows

# Mobile (13800000000), landline (0571-88880000) or with an extension; separators allowed.
# 统一社会信用代码: 18 characters, digits and capitals without I, O, S, V, Z.
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


@register("Material Requisition")
class MaterialRequisition(Controller):
    def validate(self, doc: Doc) -> None:
        # Item names, units and rates come by fetch_from, amounts and the grand total by
        # formulas: both before this runs.
        errors = check_item_rows(doc, ("items", _("物资明细")))
        required_by, posting_date = doc.get("required_by"), doc.get("posting_date")
        if required_by and posting_date and required_by < posting_date:
            errors["required_by"] = [_("需用日期不能早于申请日期")]
        budget.check_budget_line(doc, errors)
        if errors:
            raise DocumentValidationError(errors)

    def before_send(self, doc: Doc) -> None:
        budget.check_within_budget(doc)

    def on_submit(self, doc: Doc) -> None:
        budget.commit_requisition(doc)

    def on_cancel(self, doc: Doc) -> None:
        claim = expense_claims.reimbursed_by(doc.instance)
        if claim:
            # Its reimbursement released what it committed: cancel that first.
            raise DocumentValidationError.single(
                _("申购单已报销（%(c)s）：请先作废报销单") % {"c": claim}, "items"
            )
        refusal = receiving.refuse_cancelling_a_bought_requisition(doc.instance)
        if refusal:
            raise DocumentValidationError.single(refusal, "items")
        budget.release_requisition(doc)


@register("Supplier")
class Supplier(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        license_no = doc.get("license_no")
        if license_no:
            license_no = license_no.replace(" ", "").upper()
            doc.set("license_no", license_no)
            if not CREDIT_CODE_RE.match(license_no):
                errors["license_no"] = [_("统一社会信用代码应为 18 位数字或大写字母")]
        if errors:
            raise DocumentValidationError(errors)
        expiries = [r["valid_until"] for r in doc.rows("certificates") if r.get("valid_until")]
        doc.set("earliest_expiry", min(expiries) if expiries else None)
