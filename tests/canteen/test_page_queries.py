"""The canteen's money pages read the same number of statements however many classes, months
and costs the books hold: they read ledger sums, not documents one by one."""

from __future__ import annotations

from school_logistics.core import services
from tests.canteen.factories import make_classes
from tests.canteen.test_canteen_accounts import expense
from tests.canteen.test_meal_fee_collection import collection, standard
from tests.canteen.test_meal_fee_refund import last_month
from tests.query_counts import page_statements

PAGES = ("/app/meal-fees/", "/app/meal-fees/accounts/", "/app/student/S001")


def test_the_fee_pages_cost_the_same_as_the_books_grow(client, users, students):
    standard(users)
    doc = collection(users)
    services.submit_document("Meal Fee Collection", doc.name, actor=users["finance"])
    expense(users, [("食材", "大米", "300.00")])
    client.force_login(users["finance"])
    for path in PAGES:
        page_statements(client, path)  # the first request of a session fills what later ones reuse
    before = {path: page_statements(client, path) for path in PAGES}
    make_classes(users["canteen"], {f"九年级({n})班": None for n in range(5)})
    for n in range(5):
        name = f"S9{n:02d}"
        services.create_document(
            "Student",
            {"student_no": name, "student_name": f"学生{n}", "class_name": f"九年级({n})班",
             "meal_plan": "午餐"},
            actor=users["canteen"],
        )  # fmt: skip
        more = collection(users, class_name=f"九年级({n})班")
        services.submit_document("Meal Fee Collection", more.name, actor=users["finance"])
        expense(users, [("水电燃气", f"电费{n}", "50.00"), ("维修", f"维修{n}", "20.00")])
    assert {path: page_statements(client, path) for path in PAGES} == before
    assert last_month() in client.get("/app/meal-fees/accounts/").content.decode()
