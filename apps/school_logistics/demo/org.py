"""The demo school's organisation: departments with their heads, and one login per role."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from school_logistics.core.models import Department, Role, School, User

SCHOOL_CODE = "demo"
SCHOOL_NAME = "清河区实验中学"
SCHOOL_ADDRESS = "清河区学府路 1 号（演示地址）"
PASSWORD = "demo1234"

# Department name → its superior department, so "the head's superior" resolves in approvals.
DEPARTMENTS: dict[str, str | None] = {
    "校长室": None,
    "教务处": "校长室",
    "政教处": "校长室",
    "总务处": "校长室",
    "食堂": "总务处",
    "语文组": "教务处",
    "数学组": "教务处",
    "英语组": "教务处",
    "理化生组": "教务处",
    "政史地组": "教务处",
    "体艺组": "教务处",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    department: str
    roles: tuple[str, ...]
    # What the login is for, shown next to it in the printed table and the README.
    label: str
    heads: tuple[str, ...] = ()


# Names are job titles marked 演示, never real people. The nine first logins are the README's.
USERS: list[DemoUser] = [
    DemoUser("teacher", "语文组教师（演示）", "语文组", ("teacher",), "申请人/教师（语文组，七年级(1)班班主任）"),
    DemoUser("head", "语文组组长（演示）", "语文组", ("teacher", "dept_head"), "部门负责人（语文组组长）", ("语文组",)),
    DemoUser("purchaser", "总务处采购员（演示）", "总务处", ("purchaser",), "总务处采购"),
    DemoUser("storekeeper", "总务处库管员（演示）", "总务处", ("storekeeper",), "库管员"),
    DemoUser("worker", "总务处维修工（演示）", "总务处", ("repair_worker",), "维修工"),
    DemoUser("canteen", "食堂管理员（演示）", "食堂", ("canteen_manager",), "食堂管理员", ("食堂",)),
    DemoUser("finance", "总务处会计（演示）", "总务处", ("finance",), "财务"),
    DemoUser("principal", "校长（演示）", "校长室", ("principal",), "校长", ("校长室",)),
    DemoUser("admin", "信息中心管理员（演示）", "教务处", ("sys_admin",), "本校系统管理员（用户、通知、打印格式；表单由区级管理员设计）"),
    DemoUser("teacher2", "数学组教师（演示）", "数学组", ("teacher",), "申请人/教师（数学组，七年级(2)班班主任）"),
    DemoUser("head2", "数学组组长（演示）", "数学组", ("teacher", "dept_head"), "部门负责人（数学组组长，八年级(1)班班主任）", ("数学组",)),
    DemoUser("canteen2", "食堂采买员（演示）", "食堂", ("teacher",), "申请人（食堂采买）"),
    DemoUser("logistics", "总务处主任（演示）", "总务处", ("dept_head", "purchaser"), "部门负责人（总务处主任）", ("总务处",)),
    DemoUser("academic", "教务处主任（演示）", "教务处", ("teacher", "dept_head"), "部门负责人（教务处主任，各教研组的上级）", ("教务处",)),
    DemoUser("affairs", "政教处主任（演示）", "政教处", ("teacher", "dept_head", "witness"), "部门负责人（政教处主任，宿舍管理，招标纪检监督）", ("政教处",)),
    DemoUser("life", "宿舍生活老师（演示）", "政教处", ("life_teacher",), "生活老师（男生宿舍，寄宿生 150:1 配备）"),
    DemoUser("guard", "门卫（演示）", "总务处", ("guard",), "门卫（外来人员登记，各班次共用登记簿）"),
    DemoUser("head_en", "英语组组长（演示）", "英语组", ("teacher", "dept_head"), "部门负责人（英语组组长）", ("英语组",)),
    DemoUser("head_sci", "理化生组组长（演示）", "理化生组", ("teacher", "dept_head"), "部门负责人（理化生组组长，实验室保管）", ("理化生组",)),
    DemoUser("head_hum", "政史地组组长（演示）", "政史地组", ("teacher", "dept_head"), "部门负责人（政史地组组长）", ("政史地组",)),
    DemoUser("head_pe", "体艺组组长（演示）", "体艺组", ("teacher", "dept_head"), "部门负责人（体艺组组长）", ("体艺组",)),
]  # fmt: skip


@dataclass
class Org:
    school: School
    departments: dict[str, Department]
    users: dict[str, User] = field(default_factory=dict)


def create_org() -> Org:
    """Create the school, its departments with superiors and heads, and the demo users."""
    school = School.objects.create(name=SCHOOL_NAME, code=SCHOOL_CODE, address=SCHOOL_ADDRESS)
    departments = {
        name: Department.objects.create(school=school, name=name) for name in DEPARTMENTS
    }
    for name, parent in DEPARTMENTS.items():
        if parent:
            departments[name].parent = departments[parent]
            departments[name].save(update_fields=["parent"])
    roles = {r.code: r for r in Role.objects.all()}
    # Every demo user shares one published password: hash it once, since the product's
    # password hasher is deliberately slow and would make loading take seconds per user.
    hashed = make_password(PASSWORD)
    org = Org(school, departments)
    for spec in USERS:
        user = User(
            username=spec.username,
            full_name=spec.full_name,
            school=school,
            department=departments[spec.department],
            password=hashed,
        )
        user.save()
        user.roles.set([roles[code] for code in spec.roles])
        org.users[spec.username] = user
        for dept in spec.heads:
            departments[dept].head = user
            departments[dept].save(update_fields=["head"])
    return org
