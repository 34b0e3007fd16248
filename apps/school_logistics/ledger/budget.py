"""Post budget allotments, commitments and spends, and reverse them when their document is
cancelled.

A 经费预算 allots an amount to a department's budget line for a year; an approved requisition
commits its total against the line it names; a reimbursement (报销) spends what its invoices
say, releasing as much of what its requisition committed. Callers run inside the transaction that
submits or cancels the document, so a refused posting undoes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.models import Document, User
from school_logistics.core.models.org import School
from school_logistics.core.services import DocumentStateError
from school_logistics.ledger.models import BudgetBin, BudgetEntry


@dataclass(frozen=True)
class BudgetKey:
    """A department's budget line for a year."""

    department_id: int
    fiscal_year: int
    budget_line: str


class OverBudget(Exception):
    """A commitment beyond what is left of the line; nothing was posted."""

    def __init__(self, line: BudgetBin, wanted: Decimal) -> None:
        super().__init__(line.budget_line)
        self.line = line
        self.wanted = wanted


class AllotmentSpent(Exception):
    """An allotment cannot be taken back: requisitions and reimbursements used more than would
    be left."""

    def __init__(self, line: BudgetBin) -> None:
        super().__init__(line.budget_line)
        self.line = line


def allot(
    voucher: Document, key: BudgetKey, amount: Decimal, *, actor: User, posting_date: dt.date
) -> BudgetEntry:
    """Add a submitted budget's amount to its line (made at its first allotment)."""
    _refuse_posted(voucher)
    BudgetBin.objects.bulk_create([_bin(voucher.school_id, key)], ignore_conflicts=True)
    school = voucher.school
    if not school.has_budgets:
        School.objects.filter(pk=school.pk).update(has_budgets=True)
        school.has_budgets = True
    line = _locked(voucher.school_id, key)
    assert line is not None  # made above
    return _post(
        voucher, line, amount, Decimal(0), Decimal(0), actor=actor, posting_date=posting_date
    )


def commit(
    voucher: Document, key: BudgetKey, amount: Decimal, *, actor: User, posting_date: dt.date
) -> BudgetEntry | None:
    """Commit an approved requisition's total against its line; None when the school keeps no
    budget for that line (nothing to control). Refuse what the line has not got left."""
    line = _line_to_post(voucher, key, amount)
    if line is None:
        return None
    if amount > line.available:
        raise OverBudget(line, amount)
    return _post(
        voucher, line, Decimal(0), amount, Decimal(0), actor=actor, posting_date=posting_date
    )


def spend(
    voucher: Document,
    key: BudgetKey,
    amount: Decimal,
    *,
    actor: User,
    posting_date: dt.date,
    releasing: Sequence[Document] = (),
    closing: bool = False,
) -> BudgetEntry | None:
    """Spend a reimbursement's amount from its line, giving back up to that much of what is
    still committed there by `releasing` (the requisition it pays for and that requisition's
    earlier reimbursements), or all of it when the reimbursement is `closing` the purchase;
    None when the school keeps no budget for the line. Refuse what the line has not got left
    once that is given back."""
    line = _line_to_post(voucher, key, amount)
    if line is None:
        return None
    still_committed = BudgetEntry.objects.filter(
        voucher__in=releasing,
        department_id=key.department_id,
        fiscal_year=key.fiscal_year,
        budget_line=key.budget_line,
    ).aggregate(n=Sum("committed_change"))["n"] or Decimal(0)
    released = max(still_committed, Decimal(0))
    if not closing:
        released = min(released, amount)
    if amount - released > line.available:
        raise OverBudget(line, amount - released)
    return _post(
        voucher, line, Decimal(0), -released, amount, actor=actor, posting_date=posting_date
    )


def reverse_budget(voucher: Document, *, actor: User) -> list[BudgetEntry]:
    """Post the mirror of what a cancelled document posted to budget lines, dated today."""
    if not voucher.school.has_budgets:
        return []
    posted = list(
        BudgetEntry.objects.filter(voucher=voucher, reverses=None, reversal=None).order_by("id")
    )
    out = []
    for entry in posted:
        key = BudgetKey(entry.department_id, entry.fiscal_year, entry.budget_line)
        line = _locked(voucher.school_id, key)
        assert line is not None  # a posted row's line exists
        used_after = line.used - entry.committed_change - entry.spent_change
        if line.allotted - entry.allotted_change < used_after:
            raise AllotmentSpent(line)
        out.append(
            _post(
                voucher,
                line,
                -entry.allotted_change,
                -entry.committed_change,
                -entry.spent_change,
                actor=actor,
                posting_date=timezone.localdate(),
                reverses=entry,
            )
        )
    return out


def budget_years(school_id: int, department_name: str) -> list[int]:
    """Return the years a department was allotted a budget in, by the department's name."""
    bins = BudgetBin.objects.filter(
        school_id=school_id, department__name=department_name, allotted__gt=0
    )
    return sorted(set(bins.values_list("fiscal_year", flat=True)))


def lines_of(school_id: int, department_name: str, fiscal_year: int) -> list[BudgetBin]:
    """Return a department's budget lines for a year, by the department's name."""
    return list(
        BudgetBin.objects.filter(
            school_id=school_id,
            department__name=department_name,
            fiscal_year=fiscal_year,
            allotted__gt=0,
        ).order_by("budget_line")
    )


def _line_to_post(voucher: Document, key: BudgetKey, amount: Decimal) -> BudgetBin | None:
    """The line a voucher posts an amount to, locked; None when there is nothing to control
    (no amount, or the school keeps no budget for the line)."""
    if not voucher.school.has_budgets or not amount:
        return None
    _refuse_posted(voucher)
    return _locked(voucher.school_id, key)


def _refuse_posted(voucher: Document) -> None:
    if BudgetEntry.objects.filter(voucher=voucher).exists():
        raise DocumentStateError(_("单据 %(n)s 已记入预算台账") % {"n": voucher.name})


def _bin(school_id: int, key: BudgetKey) -> BudgetBin:
    return BudgetBin(
        school_id=school_id,
        department_id=key.department_id,
        fiscal_year=key.fiscal_year,
        budget_line=key.budget_line,
    )


def _locked(school_id: int, key: BudgetKey) -> BudgetBin | None:
    return (
        BudgetBin.objects.select_for_update()
        .filter(
            school_id=school_id,
            department_id=key.department_id,
            fiscal_year=key.fiscal_year,
            budget_line=key.budget_line,
        )
        .first()
    )


def _post(
    voucher: Document,
    line: BudgetBin,
    allotted: Decimal,
    committed: Decimal,
    spent: Decimal,
    *,
    actor: User,
    posting_date: dt.date,
    reverses: BudgetEntry | None = None,
) -> BudgetEntry:
    line.allotted += allotted
    line.committed += committed
    line.spent += spent
    line.save(update_fields=["allotted", "committed", "spent", "modified"])
    return BudgetEntry.objects.create(
        school_id=voucher.school_id,
        department_id=line.department_id,
        fiscal_year=line.fiscal_year,
        budget_line=line.budget_line,
        posting_date=posting_date,
        voucher=voucher,
        allotted_change=allotted,
        committed_change=committed,
        spent_change=spent,
        balance_allotted=line.allotted,
        balance_committed=line.committed,
        balance_spent=line.spent,
        reverses=reverses,
        created_by=actor,
    )
