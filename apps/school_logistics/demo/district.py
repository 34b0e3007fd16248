"""The district around the demo school: a neighbouring primary school keeping a little of its
own logistics (its meal fee standard, last month's fees and canteen costs), and the bureau's
后勤科 who looks after both schools on 学校后勤概览."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password

from school_logistics.core import services
from school_logistics.core.models import Department, Role, School, User
from school_logistics.demo import approvals
from school_logistics.demo.org import PASSWORD, DemoUser, Org

CODE = "demo2"
NAME = "清河区第二实验小学"
ADDRESS = "清河区建设路 18 号（演示地址）"
DEPARTMENTS = ["校长室", "总务处", "食堂"]
# The neighbour's own people, and the bureau's (whose home is the demo school's district).
USERS: list[DemoUser] = [
    DemoUser("s2_finance", "二小总务会计（演示）", "总务处", ("finance",), "第二实验小学财务"),
    DemoUser("s2_canteen", "二小食堂管理员（演示）", "食堂", ("canteen_manager",), "第二实验小学食堂管理员", ("食堂",)),
    DemoUser("s2_principal", "二小校长（演示）", "校长室", ("principal",), "第二实验小学校长", ("校长室",)),
    DemoUser("bureau", "区教育局后勤科（演示）", "总务处", ("bureau",), "区教育局后勤科：两所学校的学校后勤概览"),
    DemoUser("district_admin", "区级系统管理员（演示）", "总务处", ("sys_admin",), "区级系统管理员：设计全区共用的表单、审批流程"),
]  # fmt: skip
# District staff whose home is the demo school and who serve the neighbour too.
DISTRICT_STAFF = ("bureau", "district_admin")
CLASS_NAME = "一年级(1)班"
PUPILS = ["王小一", "李小二", "张小三", "刘小四", "陈小五", "杨小六", "黄小七", "赵小八"]


def create_district(org: Org, cal: Any) -> School:
    """Create the neighbour school with its people and a month of canteen books; the bureau
    user's home is the demo school and they look after the neighbour too."""
    school = School.objects.create(name=NAME, code=CODE, address=ADDRESS)
    departments = {n: Department.objects.create(school=school, name=n) for n in DEPARTMENTS}
    roles = {r.code: r for r in Role.objects.all()}
    hashed = make_password(PASSWORD)
    users: dict[str, User] = {}
    for spec in USERS:
        home = org.school if spec.username in DISTRICT_STAFF else school
        user = User.objects.create(
            username=spec.username,
            full_name=spec.full_name,
            school=home,
            department=departments[spec.department] if home == school else None,
            password=hashed,
            # Forms are shared by the district's schools: its administrator designs them.
            is_superuser=spec.username == "district_admin",
        )
        user.roles.set([roles[code] for code in spec.roles])
        users[spec.username] = user
        for dept in spec.heads:
            departments[dept].head = user
            departments[dept].save(update_fields=["head"])
    for username in DISTRICT_STAFF:
        users[username].other_schools.set([school])

    month = cal.previous_month
    standard = services.create_document(
        "Meal Fee Standard",
        {"title": "第二实验小学午餐标准", "effective_from": month, "area": "城区",
         "cap_per_meal": "6.00", "meal_rate": "4.50", "billing_days": 20,
         "basis": "区教育局关于中小学食堂伙食费标准的通知"},
        actor=users["s2_finance"],
    ).name  # fmt: skip
    approvals.submit("Meal Fee Standard", standard, actor=users["s2_finance"])
    # The neighbour keeps no teachers' logins here: its class has no 班主任 on record.
    services.create_document("School Class", {"class_name": CLASS_NAME}, actor=users["s2_canteen"])
    for n, name in enumerate(PUPILS, start=1):
        services.create_document(
            "Student",
            {"student_no": f"E2025{n:03d}", "student_name": name, "class_name": CLASS_NAME,
             "meal_plan": "午餐"},
            actor=users["s2_canteen"],
        )  # fmt: skip
    fees = services.create_document(
        "Meal Fee Collection",
        {"class_name": CLASS_NAME, "month": month, "posting_date": cal.first_of_previous},
        actor=users["s2_finance"],
    ).name
    services.submit_document("Meal Fee Collection", fees, actor=users["s2_finance"])
    # 720 yuan in, 540 spent: a quarter left over, which 学校后勤概览 marks for a look.
    costs = services.create_document(
        "Canteen Expense",
        {"title": f"{month} 食堂成本", "month": month, "posting_date": cal.first_of_month,
         "items": [{"category": "食材", "description": "米面油及蔬菜肉类", "amount": "460.00"},
                   {"category": "水电燃气", "description": "燃气费", "amount": "80.00"}]},
        actor=users["s2_canteen"],
    ).name  # fmt: skip
    approvals.submit("Canteen Expense", costs, actor=users["s2_canteen"])
    return school
