"""Ledgers: typed, append-only rows posted by submitted documents and reversed by cancelling."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AppendOnly(Exception):
    """A ledger row was about to be changed or deleted: books are corrected by new rows."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnly("ledger rows are never updated")

    def delete(self) -> NoReturn:
        raise AppendOnly("ledger rows are never deleted")


class LedgerRow(models.Model):
    """A ledger's row: posted by a submitted document (its voucher) and never changed or
    deleted; a cancelled document's rows are answered by mirror rows pointing at them."""

    school = models.ForeignKey("core.School", on_delete=models.PROTECT, related_name="+")
    posting_date = models.DateField()
    voucher = models.ForeignKey("core.Document", on_delete=models.PROTECT, related_name="+")
    # The row this one cancels (its voucher was cancelled); empty for a posting.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("ledger rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnly("ledger rows are never deleted")

    @classmethod
    def post_mirrors(cls, voucher: Any, *, actor: Any, signed: tuple[str, ...]) -> list[Any]:
        """Post, dated today, the mirror of each live row of a cancelled voucher: the same row
        with its `signed` amounts negated, pointing at the row it answers."""
        own = {"id", "posting_date", "reverses_id", "created_by_id", "created"}
        copied = [f.attname for f in cls._meta.concrete_fields if f.attname not in own]
        today = timezone.localdate()
        mirrors: list[Any] = []
        for row in cls.objects.filter(voucher=voucher, reverses=None, reversal=None).order_by("id"):
            values = {name: getattr(row, name) for name in copied}
            values.update({name: -values[name] for name in signed})
            values.update(posting_date=today, reverses=row, created_by=actor)
            mirrors.append(cls(**values))
        return list(cls.objects.bulk_create(mirrors))


class StockBin(models.Model):
    """An item's stock in a school's store now: the running sum of its ledger rows.

    Kept in the transaction that posts them; its row is also the lock that makes two postings
    of one item take turns (PostgreSQL), so stock never goes below zero.
    """

    school = models.ForeignKey("core.School", on_delete=models.PROTECT, related_name="+")
    item = models.CharField(max_length=140)  # the Item's name (物资编码)
    qty = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    # The latest posting date of its rows: lists show it without reading the ledger.
    last_posted = models.DateField(null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "item"], name="stock_bin_unique_item"),
            models.CheckConstraint(
                condition=Q(qty__gte=0, value__gte=0), name="stock_bin_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.qty}"


class StockLedgerEntry(LedgerRow):
    """One movement of an item into (+) or out of (−) a school's store, with the balance after it.

    Incoming goods are valued at their rate, outgoing ones at the moving average (the store's
    value over its quantity); cancelling a document posts mirror rows that point at these.
    """

    item = models.CharField(max_length=140)
    qty_change = models.DecimalField(max_digits=18, decimal_places=3)
    value_change = models.DecimalField(max_digits=18, decimal_places=2)
    balance_qty = models.DecimalField(max_digits=18, decimal_places=3)
    balance_value = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["school", "item", "id"], name="stock_ledger_item")]
        constraints = [
            models.CheckConstraint(condition=~Q(qty_change=0), name="stock_ledger_moves"),
            models.CheckConstraint(
                condition=Q(balance_qty__gte=0, balance_value__gte=0),
                name="stock_ledger_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.qty_change:+} ({self.voucher_id})"


class BudgetBin(models.Model):
    """A department's budget line for a year now: what was allotted to it, what approved
    requisitions committed of it and is not yet reimbursed, and what reimbursements spent
    (the running sums of its ledger rows, kept with them; its row is the lock that makes two
    postings take turns)."""

    school = models.ForeignKey("core.School", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    budget_line = models.CharField(max_length=140)  # 预算科目, as the budget names it
    allotted = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    committed = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    spent = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "department", "fiscal_year", "budget_line"],
                name="budget_bin_unique_line",
            ),
            models.CheckConstraint(
                condition=Q(
                    committed__gte=0,
                    spent__gte=0,
                    allotted__gte=models.F("committed") + models.F("spent"),
                ),
                name="budget_bin_within_allotment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.budget_line}: {self.used}/{self.allotted}"

    @property
    def used(self) -> Any:
        """已使用: committed by approved requisitions and spent by reimbursements."""
        return self.committed + self.spent

    @property
    def available(self) -> Any:
        return self.allotted - self.used


class BudgetEntry(LedgerRow):
    """One change to a budget line: an allotment (a 经费预算 submitted), a commitment (a
    requisition approved) or a spend (a reimbursement, releasing its requisition's
    commitment), with the line's sums after it; cancelling posts mirror rows."""

    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    budget_line = models.CharField(max_length=140)
    allotted_change = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    committed_change = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    spent_change = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    balance_allotted = models.DecimalField(max_digits=18, decimal_places=2)
    balance_committed = models.DecimalField(max_digits=18, decimal_places=2)
    balance_spent = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["school", "department", "fiscal_year", "budget_line", "id"],
                name="budget_ledger_line",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(allotted_change=0) | ~Q(committed_change=0) | ~Q(spent_change=0),
                name="budget_ledger_moves",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.budget_line} {self.allotted_change:+}/{self.committed_change:+}"
            f"/{self.spent_change:+}"
        )


class MealFeeEntry(LedgerRow):
    """A student's meal fee for a month: charged and paid (a 伙食费收缴单), or refunded for
    missed meals (a 伙食费退费单 approved), or the mirror of either when it is cancelled: the
    books a 结算清单 and the canteen's accounts are read from."""

    student = models.CharField(max_length=140)  # the Student's name (学号)
    student_name = models.CharField(max_length=140, blank=True)
    class_name = models.CharField(max_length=140)
    month = models.CharField(max_length=7)  # YYYY-MM
    charged = models.DecimalField(max_digits=18, decimal_places=2, default=0)  # 应收
    waived = models.DecimalField(
        max_digits=18, decimal_places=2, default=0
    )  # 资助减免, not charged
    collected = models.DecimalField(max_digits=18, decimal_places=2, default=0)  # 实收
    missed_meals = models.IntegerField(default=0)
    refund = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["school", "student", "month"], name="meal_fee_student"),
            models.Index(fields=["school", "month", "class_name"], name="meal_fee_month"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.month} {self.collected}/{self.refund}"


class CanteenExpenseEntry(LedgerRow):
    """A cost the canteen's own books carry for a month (食堂独立核算): posted by an approved
    食堂支出单, one row per line, mirrored when it is cancelled."""

    month = models.CharField(max_length=7)  # YYYY-MM
    category = models.CharField(max_length=40)
    description = models.CharField(max_length=280, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["school", "month"], name="canteen_expense_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.category} {self.amount}"


class AssetBin(models.Model):
    """Where a registered asset (校产) is now, who keeps it, and what of it is on the books:
    the running sums of its ledger rows, kept with them; its row is the lock that makes two
    postings of one asset take turns."""

    school = models.ForeignKey("core.School", on_delete=models.PROTECT, related_name="+")
    asset = models.CharField(max_length=140)  # the Asset's name (资产编号)
    location = models.CharField(max_length=140)  # the Location's name
    custodian = models.CharField(max_length=150, blank=True)  # the keeper's username
    qty = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    last_posted = models.DateField(null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "asset"], name="asset_bin_unique_asset"),
            models.CheckConstraint(
                condition=Q(qty__gte=0, value__gte=0), name="asset_bin_not_negative"
            ),
        ]
        indexes = [
            # 校产台账 pages through the books by room, then asset number.
            models.Index(fields=["school", "location", "asset"], name="asset_bin_location"),
            models.Index(fields=["school", "custodian"], name="asset_bin_custodian"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} @ {self.location}: {self.qty}"


class AssetLedgerEntry(LedgerRow):
    """An asset coming onto the books at a place (+) or leaving it (−), with its keeper.

    Registration brings it in; a transfer is a pair of rows, out of the old place and keeper
    and into the new; a disposal takes it (or part of it) off the books; cancelling a
    document posts mirror rows. What a room holds on a date is the sum of its rows.
    """

    asset = models.CharField(max_length=140)
    location = models.CharField(max_length=140)
    custodian = models.CharField(max_length=150, blank=True)
    qty_change = models.DecimalField(max_digits=18, decimal_places=3)
    value_change = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["school", "asset", "id"], name="asset_ledger_asset"),
            models.Index(fields=["school", "location", "id"], name="asset_ledger_location"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(qty_change=0), name="asset_ledger_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} {self.qty_change:+} @ {self.location} ({self.voucher_id})"


class MeterReadingEntry(LedgerRow):
    """A meter read for a month (水电抄表): its reading, and the use and cost since the reading
    before, posted by a submitted 抄表单; a cancelled one is answered by a mirror row."""

    meter = models.CharField(max_length=140)  # the Meter's name (编号)
    building = models.CharField(max_length=140)
    kind = models.CharField(max_length=20)  # 水表, 电表, 燃气表
    month = models.CharField(max_length=7)  # YYYY-MM
    reading = models.DecimalField(max_digits=18, decimal_places=2)
    usage = models.DecimalField(max_digits=18, decimal_places=2)
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [
            models.Index(fields=["school", "meter", "month"], name="meter_reading_meter"),
            models.Index(fields=["school", "month"], name="meter_reading_month"),
        ]

    def __str__(self) -> str:
        return f"{self.meter} {self.month} {self.reading}"
