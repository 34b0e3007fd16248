"""学生用品征订 (校服、作业本): only from the supplier a tender chose, only for the students whose
parents agree, each of them issued the full quantity (按生按量足额发放)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from school_logistics.canteen.statements import Term, class_statements
from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.purchasing.student_supplies import summary
from school_logistics.workflow import actions
from tests.canteen.factories import make_classes
from tests.purchasing.test_tender import tender_values
from tests.query_counts import page_statements
from tests.stores.factories import make_supplier
from tests.workflow.conftest import pending, send_and_approve

ORDER = "Student Supply Order"
ROLL = [("S001", "林一"), ("S002", "林二"), ("S003", "林三")]


@pytest.fixture
def students(users) -> list[str]:
    make_classes(
        users["canteen"], {"七年级(1)班": users["teacher"], "七年级(2)班": users["colleague"]}
    )
    made = [
        services.create_document(
            "Student",
            {"student_no": no, "student_name": name, "class_name": "七年级(1)班"},
            actor=users["canteen"],
        ).name
        for no, name in ROLL
    ]
    services.create_document(
        "Student",
        {"student_no": "S101", "student_name": "许一", "class_name": "七年级(2)班"},
        actor=users["canteen"],
    )
    return made


def awarded_tender(users, category: str = "服装", *, submit: bool = True) -> str:
    """A 询价 among three suppliers of `category`, awarded to the first."""
    valid = timezone.localdate() + dt.timedelta(days=365)
    names = [
        make_supplier(users["purchaser"], f"{category}供应商{n}", valid_until=valid,
                      category=category).name
        for n in range(3)
    ]  # fmt: skip
    doc = services.create_document(
        "Tender", tender_values(names, subject="秋季校服定点采购"), actor=users["purchaser"]
    )
    if submit:
        send_and_approve(doc, users["purchaser"])
    return doc.name


def order(users, tender: str, **values) -> Document:
    return services.create_document(
        ORDER,
        {"item_name": "秋季校服（运动套装）", "category": "校服", "term": "2026年秋季",
         "class_name": "七年级（1）班", "tender": tender, "unit_price": "120.00",
         "per_student": 2, **values},
        actor=users["teacher"],
    )  # fmt: skip


def consents(doc: Document, *answers: tuple[str, str]) -> list[dict]:
    """The order's rows with each parent's answer and a size where one is given."""
    return [
        {"name": row["name"], "student": row["student"], "consent": consent, "size": size}
        for row, (consent, size) in zip(doc.data["students"], answers, strict=True)
    ]


def test_saved_empty_it_lists_the_class_and_charges_only_those_who_agree(users, students):
    doc = order(users, awarded_tender(users))
    assert [r["student"] for r in doc.data["students"]] == ["S001", "S002", "S003"]
    assert doc.data["supplier_name"] == "服装供应商0"
    assert (doc.data["consented"], doc.data["total_amount"]) == (0, "0.00")
    rows = consents(doc, ("同意", "160/80A"), ("不同意", ""), ("同意", "165/84A"))
    doc = services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    assert [(r["quantity"], r["amount"]) for r in doc.data["students"]] == [
        (2, "240.00"), (0, "0.00"), (2, "240.00"),
    ]  # fmt: skip
    assert (doc.data["consented"], doc.data["total_quantity"]) == (2, 4)
    assert Decimal(doc.data["total_amount"]) == Decimal("480.00")


@pytest.mark.parametrize(
    ("category", "submit", "message"),
    [
        ("服装", False, "尚未定标"),
        ("办公", True, "不能供应校服"),
    ],
)
def test_only_a_supplier_a_tender_chose_for_the_kind(users, students, category, submit, message):
    tender = awarded_tender(users, category, submit=submit)
    with pytest.raises(DocumentValidationError, match=message) as exc:
        order(users, tender)
    assert "tender" in exc.value.errors
    assert not Document.objects.filter(doctype=ORDER).exists()


def test_exercise_books_may_come_from_a_stationer(users, students):
    doc = order(users, awarded_tender(users, "办公"), item_name="练习本", category="作业本",
                unit_price="1.50", per_student=20)  # fmt: skip
    assert doc.data["supplier_name"] == "办公供应商0"


def test_one_order_of_an_item_a_class_a_term(users, students):
    tender = awarded_tender(users)
    order(users, tender)
    with pytest.raises(DocumentValidationError, match="已有“秋季校服（运动套装）”的征订单"):
        order(users, tender, class_name="七年级(1)班")


def test_a_student_of_another_class_is_refused(users, students):
    with pytest.raises(DocumentValidationError, match="不在七年级\\(1\\)班") as exc:
        order(users, awarded_tender(users), students=[{"student": "S101", "consent": "同意"}])
    assert "students.1.student" in exc.value.errors


def test_a_class_teacher_orders_for_their_own_class_only(users, students):
    tender = awarded_tender(users)
    with pytest.raises(DocumentValidationError) as exc:
        order(users, tender, class_name="七年级(2)班")
    assert exc.value.errors["class_name"] == [
        "七年级(2)班 不是您担任班主任的班级，您只能为本班填报（您的班级：七年级(1)班）"
    ]
    assert not Document.objects.filter(doctype=ORDER).exists()
    mine = order(users, tender)  # 七年级（1）班 as typed: the teacher's class, its roll
    assert mine.data["class_name"] == "七年级(1)班"
    assert [r["student"] for r in mine.data["students"]] == ["S001", "S002", "S003"]
    theirs = services.create_document(
        ORDER,
        {**{k: mine.data[k] for k in ("item_name", "category", "term", "tender", "unit_price")},
         "per_student": 2, "class_name": "七年级(2)班"},
        actor=users["colleague"],
    )  # fmt: skip
    assert [r["student"] for r in theirs.data["students"]] == ["S101"]
    with pytest.raises(DocumentValidationError) as exc:  # a class the school does not keep
        services.create_document(
            ORDER, {**mine.data, "class_name": "九年级(9)班", "students": []}, actor=users["admin"]
        )
    assert exc.value.errors["class_name"] == ["本校没有班级“九年级(9)班”，请先在“班级”中登记"]


@pytest.mark.workflows
def test_it_is_sent_only_with_every_parents_answer_and_each_uniforms_size(users, students):
    doc = order(users, awarded_tender(users))
    with pytest.raises(DocumentValidationError) as exc:
        actions.start_approval(ORDER, doc.name, actor=users["teacher"])
    assert "请按家长回执填写家长意见" in exc.value.errors["students.1.consent"][0]
    rows = consents(doc, ("同意", ""), ("不同意", ""), ("不同意", ""))
    services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    with pytest.raises(DocumentValidationError) as exc:
        actions.start_approval(ORDER, doc.name, actor=users["teacher"])
    assert list(exc.value.errors) == ["students.1.size"]
    rows = consents(doc, ("不同意", ""), ("不同意", ""), ("不同意", ""))
    services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    with pytest.raises(DocumentValidationError, match="没有家长同意征订的学生"):
        actions.start_approval(ORDER, doc.name, actor=users["teacher"])
    assert Document.objects.get(pk=doc.pk).workflow_state == ""


def issue(doc: Document, users, issued: list[int | None], **values) -> Document:
    rows = [{**row, "issued": n} for row, n in zip(doc.data["students"], issued, strict=True)]
    return services.save_document(
        ORDER, doc.name, {"students": rows, **values}, actor=users["teacher"]
    )


@pytest.mark.workflows
def test_approved_delivered_and_issued_in_full_to_each_who_ordered(client, users, students):
    doc = order(users, awarded_tender(users))
    rows = consents(doc, ("同意", "160/80A"), ("不同意", ""), ("同意", "165/84A"))
    doc = services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    actions.start_approval(ORDER, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    receive = pending(doc, users["purchaser"])
    today = timezone.localdate()
    services.save_document(
        ORDER, doc.name, {"delivered_on": today, "inspection_note": "数量、尺码与样品一致"},
        actor=users["purchaser"],
    )  # fmt: skip
    actions.approve(receive.pk, actor=users["purchaser"])
    doc.refresh_from_db()
    assert doc.workflow_state == "发放登记"

    # What was approved stays: the class teacher only writes what each student got.
    client.force_login(users["teacher"])
    page = client.get(f"/app/student-supply-order/{doc.name}").content.decode()
    assert 'name="students-1-issued"' in page and 'name="students-1-consent"' not in page
    changed = [dict(r) for r in doc.data["students"]]
    changed[1]["consent"] = "同意"
    with pytest.raises(DocumentStateError, match="不能修改：征订学生第 2 行的家长意见"):
        services.save_document(ORDER, doc.name, {"students": changed}, actor=users["teacher"])
    with pytest.raises(DocumentStateError, match="征订学生的行（不能增删）"):
        services.save_document(
            ORDER, doc.name, {"students": doc.data["students"][:2]}, actor=users["teacher"]
        )
    with pytest.raises(DocumentValidationError, match="家长不同意征订，不能发放"):
        issue(doc, users, [2, 1, 2])
    with pytest.raises(DocumentValidationError, match="尚未发足：林一 应发 2，实发 1"):
        issue(doc, users, [1, None, 2], issued_on=today)
    assert Document.objects.get(pk=doc.pk).data["issued_on"] is None

    issue(doc, users, [2, None, 2], issued_on=today)
    actions.approve(pending(doc, users["teacher"]).pk, actor=users["teacher"])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已发放")
    assert [r["issued"] for r in doc.data["students"]] == [2, None, 2]


def test_it_is_closed_only_once_issued(users, students):
    doc = order(users, awarded_tender(users))
    rows = consents(doc, ("同意", "160/80A"), ("不同意", ""), ("不同意", ""))
    services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    with pytest.raises(DocumentValidationError, match="发放后才能办结"):
        services.submit_document(ORDER, doc.name, actor=users["teacher"])
    doc.refresh_from_db()
    with pytest.raises(DocumentValidationError, match="到货验收后才能发放"):
        issue(doc, users, [2, None, None], issued_on=timezone.localdate())


def test_a_closed_order_still_takes_a_familys_late_payment_and_nothing_else(
    client, users, students
):
    doc = order(users, awarded_tender(users))
    rows = consents(doc, ("同意", "160/80A"), ("不同意", ""), ("同意", "165/84A"))
    doc = services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    today = timezone.localdate()
    services.save_document(ORDER, doc.name, {"delivered_on": today}, actor=users["teacher"])
    doc.refresh_from_db()
    doc = issue(doc, users, [2, None, 2], issued_on=today)
    services.submit_document(ORDER, doc.name, actor=users["teacher"])
    doc.refresh_from_db()
    paid = [{**r, "paid": int(r["student"] == "S003")} for r in doc.data["students"]]
    doc = services.save_document(ORDER, doc.name, {"students": paid}, actor=users["teacher"])
    assert doc.docstatus == DocStatus.SUBMITTED and doc.data["paid_amount"] == "240.00"
    changed = [{**r, "size": "170/88A" if r["student"] == "S001" else r.get("size")}
               for r in doc.data["students"]]  # fmt: skip
    with pytest.raises(DocumentStateError, match="已提交的单据不能修改：征订学生第 1 行的尺码"):
        services.save_document(ORDER, doc.name, {"students": changed}, actor=users["teacher"])
    assert Document.objects.get(pk=doc.pk).data["students"][0]["size"] == "160/80A"

    # On the page only the 已缴费 cells are inputs, and rows cannot be added or removed.
    client.force_login(users["teacher"])
    url = f"/app/student-supply-order/{doc.name}"
    page = client.get(url).content.decode()
    assert page.count('name="students-0-') == 3  # the row's id, its 已缴费 box and the box's 0
    assert 'name="students-0-paid"' in page and 'name="students-0-size"' not in page
    assert "row-remove" not in page and "grid-add" not in page
    posted = {"students-present": "1", "students-0-name": doc.data["students"][0]["name"],
              "students-0-paid": "1", "students-1-name": doc.data["students"][1]["name"],
              "students-2-name": doc.data["students"][2]["name"], "students-2-paid": "1"}  # fmt: skip
    assert client.post(url, posted).status_code == 302
    doc.refresh_from_db()
    assert [r["paid"] for r in doc.data["students"]] == [1, 0, 1]
    assert doc.data["paid_amount"] == "480.00" and doc.data["students"][0]["size"] == "160/80A"


def test_the_office_sees_the_terms_orders_by_item_class_and_size(client, users, students):
    doc = order(users, awarded_tender(users))
    rows = consents(doc, ("同意", "160/80A"), ("不同意", ""), ("同意", "160/80A"))
    rows[0]["paid"] = 1
    services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    (item,) = summary(users["purchaser"].school_id, "2026年秋季")
    assert (item.ordering, item.declined, item.quantity, item.amount) == (2, 1, 4, Decimal("480"))
    assert dict(item.sizes) == {"160/80A": 4} and item.paid == Decimal("240")
    client.force_login(users["purchaser"])
    page = client.get("/app/student-supplies/").content.decode()
    assert "2026年秋季 征订汇总" in page and "160/80A × 4" in page and "不征订 1 人" in page
    assert "（已缴 ¥240.00）" in page
    client.force_login(users["teacher"])
    assert client.get("/app/student-supplies/").status_code == 403


def test_the_summary_costs_the_same_as_classes_order(client, users, students):
    tender = awarded_tender(users)
    order(users, tender)
    client.force_login(users["purchaser"])
    page_statements(client, "/app/student-supplies/")
    before = page_statements(client, "/app/student-supplies/")
    make_classes(users["canteen"], {f"八年级({n})班": users["teacher"] for n in range(4)})
    for n in range(4):
        services.create_document(
            "Student",
            {"student_no": f"S9{n}", "student_name": f"学生{n}", "class_name": f"八年级({n})班"},
            actor=users["canteen"],
        )
        order(users, tender, class_name=f"八年级({n})班", item_name=f"校服{n}")
    assert page_statements(client, "/app/student-supplies/") == before


def test_the_class_teacher_prints_a_reply_slip_for_each_student(client, users, students):
    doc = order(users, awarded_tender(users))
    client.force_login(users["teacher"])
    assert 'id="btn-slips"' in client.get(f"/app/student-supply-order/{doc.name}").content.decode()
    page = client.get(f"/app/student-supplies/{doc.name}/slips").content.decode()
    assert [page.count(f'id="slip-{s}"') for s, _n in ROLL] == [1, 1, 1]
    assert "服装供应商0为定点供应单位" in page and "共 ¥240.00" in page and "家长自愿" in page
    assert "尺码" in page
    pdf = client.get(f"/app/student-supplies/{doc.name}/slips.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    client.force_login(users["colleague"])  # not their order
    assert client.get(f"/app/student-supplies/{doc.name}/slips").status_code in (403, 404)


@pytest.mark.workflows
def test_the_terms_statement_lists_what_each_student_ordered_and_whether_paid(
    client, users, students
):
    doc = order(users, awarded_tender(users))
    rows = consents(doc, ("同意", "160/80A"), ("不同意", ""), ("同意", "165/84A"))
    declined_paid = [{**r, "paid": int(r["consent"] == "不同意")} for r in rows]
    with pytest.raises(DocumentValidationError) as exc:
        services.save_document(ORDER, doc.name, {"students": declined_paid},
                               actor=users["teacher"])  # fmt: skip
    assert "不收费" in exc.value.errors["students.2.paid"][0]
    rows[0]["paid"] = 1  # S001 paid with the reply slip
    doc = services.save_document(ORDER, doc.name, {"students": rows}, actor=users["teacher"])
    assert doc.data["paid_amount"] == "240.00"
    term = Term.of(timezone.localdate().strftime("%Y-%m"))
    school = users["teacher"].school_id
    actions.start_approval(ORDER, doc.name, actor=users["teacher"])
    actions.approve(pending(doc, users["purchaser"]).pk, actor=users["purchaser"])
    assert class_statements(school, "七年级(1)班", term) == []  # not placed before the principal
    actions.approve(pending(doc, users["principal"]).pk, actor=users["principal"])
    found = {s.student: s for s in class_statements(school, "七年级(1)班", term)}
    assert sorted(found) == ["S001", "S003"]  # S002's parents declined
    assert [(c.label, c.amount, c.paid) for c in found["S001"].charges] == [
        ("秋季校服（运动套装）", Decimal("240.00"), True)
    ]
    assert (found["S003"].charges_unpaid, found["S001"].charges_unpaid) == (240, 0)
    client.force_login(users["finance"])
    query = {"class_name": "七年级(1)班", "month": timezone.localdate().strftime("%Y-%m")}
    page = client.get("/app/meal-fees/statements/", query).content.decode()
    assert "代收费未缴 ¥240.00" in page and "代收费已缴清" in page and "学生费用结算清单" in page
