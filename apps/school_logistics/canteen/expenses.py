"""食堂支出单: the canteen's costs, kept on its own books (学生食堂独立核算, 分别做帐) once
finance has checked them, for the month they are reckoned to."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import parse_month
from school_logistics.ledger import canteen as books


@register("Canteen Expense")
class CanteenExpense(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        month = parse_month(doc.get("month"))
        today = timezone.localdate()
        if month is None:
            errors["month"].append(_("月份格式应为 YYYY-MM，如 2026-03"))
        elif month > (today.year, today.month):
            errors["month"].append(_("不能计入未来的月份"))
        for idx, row in enumerate(doc.rows("items"), start=1):
            if row.get("amount") is not None and row["amount"] <= 0:
                errors[f"items.{idx}.amount"].append(
                    _("支出明细第 %(idx)s 行：金额必须大于 0") % {"idx": idx}
                )
        if errors:
            raise DocumentValidationError(errors)

    def on_submit(self, doc: Doc) -> None:
        books.post_expenses(
            doc.instance,
            doc.get("month"),
            [
                books.Expense(r["category"], r.get("description") or "", r["amount"])
                for r in doc.rows("items")
            ],
            actor=doc.acting_user,
            posting_date=timezone.localdate(),
        )

    def on_cancel(self, doc: Doc) -> None:
        books.reverse_expenses(doc.instance, actor=doc.acting_user)
