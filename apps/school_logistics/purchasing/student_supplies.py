"""学生用品征订 (校服、作业本): ordered only from the supplier a tender chose (定点), only for the
students whose parents agree (家长自愿), and every one of them issued the full quantity
(按生按量足额发放)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.canteen.classes import (
    check_student,
    class_students,
    filed_class,
    normalize_class_name,
)
from school_logistics.canteen.statements import Charge, Term
from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc, live_clash
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError

ORDER = "Student Supply Order"
AGREED, DECLINED = "同意", "不同意"
UNIFORM = "校服"
TURNED_DOWN = ("已拒绝",)  # an order the office or the principal refused is not placed
# Steps after the principal's approval: an order waiting at them is placed, so charged.
PLACED_STEPS = ("到货验收", "发放登记")
# The supplier categories (Supplier.category) that may supply each kind.
SUPPLIER_CATEGORIES = {UNIFORM: ("服装",), "作业本": ("图书", "办公")}

Errors = dict[str, list[str]]


def _row_label(idx: int) -> str:
    return _("征订学生第 %(idx)s 行：") % {"idx": idx}


@register(ORDER)
class StudentSupplyOrder(Controller):
    def validate(self, doc: Doc) -> None:
        errors: Errors = defaultdict(list)
        class_name = filed_class(doc, errors)
        self._tender(doc, errors)
        clash = live_clash(
            doc, ORDER, class_name=class_name, term=doc.get("term"), item_name=doc.get("item_name")
        )
        if clash:
            errors["item_name"].append(
                _("%(c)s %(t)s 已有“%(i)s”的征订单 %(n)s")
                % {"c": class_name, "t": doc.get("term"), "i": doc.get("item_name"), "n": clash}
            )
        if doc.get("per_student") < 1:
            errors["per_student"].append(_("每生数量至少为 1"))
        if doc.get("unit_price") <= 0:
            errors["unit_price"].append(_("单价必须大于 0"))
        rows = doc.rows("students") or [
            {"student": name, "student_name": data.get("student_name")}
            for name, data in class_students(doc.instance.school_id, class_name)
        ]
        if not rows:
            errors["students"].append(_("%(c)s 没有学生：请先在学生名册中登记") % {"c": class_name})
        doc.set("students", rows)
        if errors:
            raise DocumentValidationError(errors)
        self._count(doc, rows, class_name, errors)
        self._issue(doc, errors)
        if errors:
            raise DocumentValidationError(errors)

    def _tender(self, doc: Doc, errors: Errors) -> None:
        """The supplier is the one an approved tender chose, and it supplies this kind."""
        found = (
            Document.objects.filter(
                doctype="Tender", school_id=doc.instance.school_id, name=doc.get("tender")
            )
            .values_list("docstatus", "data")
            .first()
        )
        if found is None:
            return  # the link check named it
        docstatus, tender = found
        if docstatus != DocStatus.SUBMITTED or not tender.get("awarded_supplier"):
            errors["tender"].append(
                _("招标 %(t)s 尚未定标：校服、作业本只向招标确定的定点供应商征订")
                % {"t": doc.get("tender")}
            )
            return
        kind = doc.get("category")
        category = (
            Document.objects.filter(
                doctype="Supplier",
                school_id=doc.instance.school_id,
                name=tender["awarded_supplier"],
            )
            .values_list("data__category", flat=True)
            .first()
        )
        if category not in SUPPLIER_CATEGORIES.get(kind, ()):
            errors["tender"].append(
                _("中标供应商“%(s)s”的供应类别是“%(c)s”，不能供应%(k)s")
                % {"s": tender.get("awarded_supplier_name"), "c": category or "—", "k": kind}
            )

    def _count(self, doc: Doc, rows: list[dict[str, Any]], class_name: str, errors: Errors) -> None:
        students = doc.linked.get("Student") or {}
        per_student, price = doc.get("per_student"), doc.get("unit_price")
        seen: set[str] = set()
        for idx, row in enumerate(rows, start=1):
            student = students.get(row["student"]) or {
                "student_name": row.get("student_name"),
                "class_name": class_name,
            }
            check_student(
                _row_label(idx),
                f"students.{idx}.",
                row["student"],
                student,
                class_name,
                seen,
                errors,
            )
            quantity = per_student if row.get("consent") == AGREED else 0
            row.update(quantity=quantity, amount=price * quantity)
            if row.get("paid") and not quantity:
                errors[f"students.{idx}.paid"].append(_row_label(idx) + _("家长不同意征订，不收费"))
        ordering = [r for r in rows if r["quantity"]]
        doc.set("consented", len(ordering))
        doc.set("total_quantity", sum(r["quantity"] for r in ordering))
        doc.set("total_amount", sum((r["amount"] for r in ordering), Decimal(0)))
        doc.set("paid_amount", sum((r["amount"] for r in ordering if r.get("paid")), Decimal(0)))

    def _issue(self, doc: Doc, errors: Errors) -> None:
        """按生按量足额发放: once the issue date is written, every student who ordered got the
        full quantity, and nobody else got any."""
        issued_on = doc.get("issued_on")
        delivered_on = doc.get("delivered_on")
        today = timezone.localdate()
        for fieldname, day in (("delivered_on", delivered_on), ("issued_on", issued_on)):
            if day and day > today:
                errors[fieldname].append(_("日期不能晚于今天"))
        if issued_on and not delivered_on:
            errors["issued_on"].append(_("到货验收后才能发放"))
        elif issued_on and delivered_on and issued_on < delivered_on:
            errors["issued_on"].append(_("发放日期不能早于到货日期"))
        short = []
        for idx, row in enumerate(doc.rows("students"), start=1):
            key, label = f"students.{idx}.issued", _row_label(idx)
            issued, due = row.get("issued"), row["quantity"]
            if issued is not None and issued < 0:
                errors[key].append(label + _("实发数量不能为负数"))
            elif not due and issued:
                errors[key].append(label + _("家长不同意征订，不能发放"))
            elif issued is not None and issued > due:
                errors[key].append(label + _("实发 %(i)s 超过应发 %(d)s") % {"i": issued, "d": due})
            elif issued_on and due and issued != due:
                short.append(
                    _("%(n)s 应发 %(d)s，实发 %(i)s")
                    % {"n": row.get("student_name") or row["student"], "d": due, "i": issued or 0}
                )
        if short:
            errors["students"].append(
                _("按生按量足额发放，尚未发足：%(rows)s") % {"rows": "；".join(short)}
            )

    def before_send(self, doc: Doc) -> None:
        errors: Errors = {}
        uniform = doc.get("category") == UNIFORM
        for idx, row in enumerate(doc.rows("students"), start=1):
            if not row.get("consent"):
                errors[f"students.{idx}.consent"] = [
                    _row_label(idx) + _("请按家长回执填写家长意见（同意或不同意）")
                ]
            elif uniform and row["consent"] == AGREED and not row.get("size"):
                errors[f"students.{idx}.size"] = [_row_label(idx) + _("请填写校服尺码")]
        if not errors and not doc.get("consented"):
            errors["students"] = [_("没有家长同意征订的学生，无需提交")]
        if errors:
            raise DocumentValidationError(errors)

    def before_submit(self, doc: Doc) -> None:
        if not doc.get("issued_on"):
            raise DocumentValidationError.single(
                _("发放后才能办结：请填写发放日期和每个学生的实发数量"), "issued_on"
            )


@dataclass
class ClassOrder:
    """One class's order of an item in the 征订汇总."""

    name: str
    class_name: str
    state: str
    issued: bool
    students: int
    ordering: int
    declined: int
    quantity: int
    amount: Decimal
    paid: Decimal  # what the families paid of the amount (代收)


@dataclass
class ItemSummary:
    """One item a term's orders ask for, class by class and size by size (what the supplier
    is sent)."""

    item_name: str
    category: str
    supplier_name: str
    unit_price: Decimal
    classes: list[ClassOrder] = field(default_factory=list)
    sizes: Counter[str] = field(default_factory=Counter)

    @property
    def size_list(self) -> list[tuple[str, int]]:
        return sorted(self.sizes.items())

    @property
    def ordering(self) -> int:
        return sum(c.ordering for c in self.classes)

    @property
    def declined(self) -> int:
        return sum(c.declined for c in self.classes)

    @property
    def unanswered(self) -> int:
        """Students whose parents' reply slip is not in yet."""
        return sum(c.students - c.ordering - c.declined for c in self.classes)

    @property
    def quantity(self) -> int:
        return sum(c.quantity for c in self.classes)

    @property
    def amount(self) -> Decimal:
        return sum((c.amount for c in self.classes), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((c.paid for c in self.classes), Decimal(0))

    @property
    def issued_classes(self) -> int:
        return sum(c.issued for c in self.classes)


def terms(school_id: int) -> list[str]:
    """The terms the school's orders name, the latest first."""
    found = (
        Document.objects.filter(doctype=ORDER, school_id=school_id)
        .values_list("data__term", flat=True)
        .distinct()
    )
    return sorted((t for t in found if t), reverse=True)


def summary(school_id: int, term: str) -> list[ItemSummary]:
    """The term's live orders (not cancelled or turned down) by item, then class."""
    rows = (
        Document.objects.filter(doctype=ORDER, school_id=school_id, data__term=term)
        .exclude(docstatus=DocStatus.CANCELLED)
        .exclude(workflow_state__in=TURNED_DOWN)
        .values_list("name", "docstatus", "workflow_state", "data")
    )
    items: dict[tuple[str, str, str], ItemSummary] = {}
    for name, docstatus, state, data in rows:
        price = Decimal(str(data.get("unit_price") or 0))
        key = (data["item_name"], data.get("supplier_name") or "", str(price))
        item = items.setdefault(
            key,
            ItemSummary(data["item_name"], data["category"], key[1], price),
        )
        students = data.get("students") or []
        for row in students:
            if row.get("quantity") and row.get("size"):
                item.sizes[row["size"]] += row["quantity"]
        item.classes.append(
            ClassOrder(
                name=name,
                class_name=data["class_name"],
                state=state or _("草稿"),
                issued=docstatus == DocStatus.SUBMITTED,
                students=len(students),
                ordering=data.get("consented") or 0,
                declined=sum(r.get("consent") == DECLINED for r in students),
                quantity=data.get("total_quantity") or 0,
                amount=Decimal(str(data.get("total_amount") or 0)),
                paid=Decimal(str(data.get("paid_amount") or 0)),
            )
        )
    for item in items.values():
        item.classes.sort(key=lambda c: c.class_name)
    return sorted(items.values(), key=lambda i: (i.category, i.item_name))


def term_charges(
    school_id: int, class_name: str, term: Term
) -> dict[str, tuple[str, list[Charge]]]:
    """代收费 on the term's 费用结算清单: what each student of the class ordered, once the
    principal approved the order, and whether it was paid."""
    first, last = term.days
    orders = (
        Document.objects.filter(
            doctype=ORDER,
            school_id=school_id,
            data__class_name=normalize_class_name(class_name),
            posting_date__gte=first,
            posting_date__lte=last,
        )
        .filter(
            Q(docstatus=DocStatus.SUBMITTED)
            | Q(docstatus=DocStatus.DRAFT, workflow_state__in=PLACED_STEPS)
        )
        .order_by("posting_date", "pk")
        .values_list("data", flat=True)
    )
    found: dict[str, tuple[str, list[Charge]]] = {}
    for data in orders:
        for row in data.get("students") or []:
            if row.get("consent") != AGREED:
                continue
            _name, charges = found.setdefault(row["student"], (row.get("student_name") or "", []))
            charges.append(
                Charge(data["item_name"], Decimal(str(row["amount"])), bool(row.get("paid")))
            )
    return found
