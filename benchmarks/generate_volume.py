"""Fill a database with realistic volume fast: documents, approval runs, open tasks and users.

  DJANGO_SETTINGS_MODULE=config.settings DATABASE_URL=postgres://…/sl_hot \
    .venv/bin/python benchmarks/generate_volume.py --documents 100000 --open-tasks 10000 --users 300

Shape, not services: the demo school (`school_logistics.demo.load_demo`) is first made through
the services, so every DocType, state, trail and version row it holds is exactly what the
engine writes. Its four core DocTypes (物资申购单, 招标, 报修单, 伙食费退费) are the templates:
each generated document copies one template's promoted columns, `data` JSON, approval process
(route JSON), tasks, trail (ApprovalLog), CC and version rows with `bulk_create`, bypassing the
services on purpose (speed: 100k documents in minutes instead of hours). Per copy: a new name
in the template's series, a school (the demo school or one of two mirror schools with the same
departments and roles), a requester from one of the teaching groups with that group's head as
approver, every user id in the route, tasks and trail mapped to the same person in that school,
usernames in `data` likewise, quantities scaled and totals recomputed, posting dates spread over
a year. Documents with open tasks are copied only from templates waiting at a step until
`--open-tasks` pending tasks exist. Notifications and comments are not copied.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

CORE = ("Material Requisition", "Tender", "Repair Ticket", "Meal Fee Refund")
TEACHING = ("语文组", "数学组", "英语组", "理化生组", "政史地组", "体艺组")
MIRRORS = (("实验二中（生成）", "gen2"), ("实验三中（生成）", "gen3"))
BATCH = 5000
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
PURPOSES = {
    "Material Requisition": [
        "期中考试用纸", "班级读书角用品", "实验课耗材补充", "办公室文具", "多媒体教室设备更新",
        "大课间器材补充", "教研活动资料印刷", "开学卫生工具",
    ],
    "Repair Ticket": [
        "教室灯管不亮", "卫生间水龙头漏水", "投影仪无信号", "门锁损坏", "课桌椅松动",
        "宿舍空调不制冷", "走廊插座烧坏",
    ],
}  # fmt: skip


@dataclass
class Template:
    doc: Any
    processes: list[Any] = field(default_factory=list)
    tasks: list[Any] = field(default_factory=list)
    logs: list[Any] = field(default_factory=list)
    ccs: list[Any] = field(default_factory=list)
    versions: list[Any] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(1 for t in self.tasks if t.status == "pending")


@dataclass
class People:
    """Per school: username → user, the mirror of each demo user, teachers per group."""

    schools: list[Any]
    mirror: list[dict[int, Any]]  # per school: demo user id → that school's user
    departments: list[dict[str, Any]]  # per school: name → Department
    teachers: list[dict[str, list[Any]]]  # per school: group → plain teachers


def build_people(n_users: int) -> People:
    """Make two mirror schools of the demo school and teachers up to `n_users` users in all."""
    from django.contrib.auth.hashers import make_password

    from school_logistics.core.models import Department, Role, School, User
    from school_logistics.demo import org

    demo = School.objects.get(code=org.SCHOOL_CODE)
    roles = {r.code: r for r in Role.objects.all()}
    password = make_password("bench1234")  # hashed once: the product hasher is slow on purpose
    schools, mirrors, departments = [demo], [], []
    demo_users = {u.username: User.objects.get(username=u.username) for u in org.USERS}
    mirrors.append({u.pk: u for u in demo_users.values()})
    departments.append({d.name: d for d in Department.objects.filter(school=demo)})
    Through = User.roles.through
    for label, code in MIRRORS:
        school = School.objects.create(name=label, code=code, address="（生成数据）")
        depts = {n: Department(school=school, name=n) for n in org.DEPARTMENTS}
        Department.objects.bulk_create(depts.values())
        users = [
            User(
                username=f"{s.username}-{code}",
                full_name=s.full_name.replace("（演示）", "（生成）"),
                school=school,
                department=depts[s.department],
                password=password,
            )
            for s in org.USERS
        ]
        User.objects.bulk_create(users)
        Through.objects.bulk_create(
            [
                Through(user_id=u.pk, role_id=roles[c].pk)
                for u, s in zip(users, org.USERS, strict=True)
                for c in s.roles
            ]
        )
        for u, s in zip(users, org.USERS, strict=True):
            for name in s.heads:
                depts[name].head = u
        for name, parent in org.DEPARTMENTS.items():
            depts[name].parent = depts[parent] if parent else None
        Department.objects.bulk_update(depts.values(), ["head", "parent"])
        schools.append(school)
        mirrors.append(
            {demo_users[s.username].pk: u for u, s in zip(users, org.USERS, strict=True)}
        )
        departments.append(depts)
    extra = max(n_users - User.objects.count(), 0)
    made = []
    for i in range(extra):
        k = i % len(schools)
        group = TEACHING[(i // len(schools)) % len(TEACHING)]
        name = SURNAMES[i % len(SURNAMES)] + f"老师{i:03d}（生成）"
        made.append(
            User(
                username=f"t{i:03d}-{schools[k].code}",
                full_name=name,
                school=schools[k],
                department=departments[k][group],
                password=password,
            )
        )
    User.objects.bulk_create(made)
    Through.objects.bulk_create([Through(user_id=u.pk, role_id=roles["teacher"].pk) for u in made])
    teachers: list[dict[str, list[Any]]] = [defaultdict(list) for _ in schools]
    for u in made:
        teachers[schools.index(u.school)][u.department.name].append(u)
    return People(schools, mirrors, departments, teachers)


def load_templates() -> list[Template]:
    """Read the demo's core documents with everything the engine wrote for them."""
    from school_logistics.core.models import Document, Version
    from school_logistics.workflow.models import (
        ApprovalLog,
        ApprovalProcess,
        ApprovalTask,
        CarbonCopy,
    )

    docs = Document.objects.filter(doctype__in=CORE, amended_from="").order_by("id")
    templates = {d.pk: Template(d) for d in docs}
    for model, attr in (
        (ApprovalProcess, "processes"),
        (ApprovalTask, "tasks"),
        (ApprovalLog, "logs"),
        (CarbonCopy, "ccs"),
        (Version, "versions"),
    ):
        for row in model.objects.filter(document_id__in=templates).order_by("id"):
            getattr(templates[row.document_id], attr).append(row)
    # A template whose trail has attachments or delegates is left out: those are not copied.
    return [t for t in templates.values() if not any(x.on_behalf_of_id for x in t.tasks)]


class Cloner:
    """Copy templates into one school with a chosen requester; collect rows for bulk_create."""

    def __init__(self, people: People, rng: random.Random) -> None:
        self.people = people
        self.rng = rng
        self.serial: dict[str, int] = defaultdict(int)
        self.docs: list[Any] = []
        self.children: list[tuple[Template, dict[int, int], int]] = []  # template, ids, school
        self.today = dt.date.today()

    def next_name(self, template_name: str) -> str:
        prefix = re.sub(r"\d+$", "", template_name)
        self.serial[prefix] += 1
        return f"{prefix}{900000 + self.serial[prefix]}"

    def user_map(self, t: Template, k: int) -> tuple[dict[int, Any], Any]:
        """Map every demo user to school k; swap a plain-teacher requester for one of a group."""
        mapping = dict(self.people.mirror[k])
        dept = self.people.departments[k][t.doc.department.name] if t.doc.department else None
        owner = t.doc.owner
        if owner.role_codes() == {"teacher"} and owner.department.name in TEACHING:
            group = self.rng.choice(TEACHING)
            pool = self.people.teachers[k][group]
            if pool:
                new_owner = self.rng.choice(pool)
                dept = self.people.departments[k][group]
                mapping[owner.pk] = new_owner
                old_head = owner.department.head_id
                if old_head:
                    mapping[old_head] = dept.head
        return mapping, dept

    def clone(self, t: Template, k: int) -> None:
        from school_logistics.core.models import Document

        mapping, dept = self.user_map(t, k)
        names = {self.people.mirror[0][pk].username: u.username for pk, u in mapping.items()}
        if dept is not None and t.doc.department:
            names[t.doc.department.name] = dept.name
        data = _remap_values(copy.deepcopy(t.doc.data), names)
        scale = Decimal(self.rng.choice((1, 1, 2, 3, 5)))
        total = _scale_rows(data, scale, t.doc.grand_total)
        posted = self.today - dt.timedelta(days=self.rng.randrange(365))
        if "posting_date" in data:
            data["posting_date"] = posted.isoformat()
        purposes = PURPOSES.get(t.doc.doctype)
        title = t.doc.title
        if purposes and "purpose" in data:
            data["purpose"] = self.rng.choice(purposes)
            title = data["purpose"] if title == t.doc.data.get("purpose") else title
        if t.doc.doctype == "Repair Ticket" and purposes and "subject" in data:
            data["subject"] = self.rng.choice(purposes)
            title = data["subject"] if title == t.doc.data.get("subject") else title
        self.docs.append(
            Document(
                doctype=t.doc.doctype,
                name=self.next_name(t.doc.name),
                docstatus=t.doc.docstatus,
                workflow_state=t.doc.workflow_state,
                school=self.people.schools[k],
                department=dept,
                owner=mapping[t.doc.owner_id],
                modified_by=mapping.get(t.doc.modified_by_id, mapping[t.doc.owner_id]),
                title=title,
                grand_total=total,
                posting_date=posted if t.doc.posting_date else None,
                data=data,
            )
        )
        self.children.append((t, {pk: u.pk for pk, u in mapping.items()}, k))


def _remap_values(value: Any, names: dict[str, str]) -> Any:
    """Replace usernames (and the department name) wherever they stand as whole values."""
    if isinstance(value, dict):
        return {k: _remap_values(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_remap_values(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def _scale_rows(data: dict[str, Any], scale: Decimal, total: Decimal | None) -> Decimal | None:
    """Scale item quantities and recompute row amounts and the grand total (requisitions)."""
    rows = data.get("items")
    if not isinstance(rows, list) or not rows or "qty" not in rows[0] or total is None:
        return total
    grand = Decimal("0")
    for row in rows:
        qty = Decimal(str(row["qty"])) * scale
        rate = Decimal(str(row.get("rate") or 0))
        row["qty"] = str(qty) if isinstance(row["qty"], str) else float(qty)
        amount = (qty * rate).quantize(Decimal("0.01"))
        if "amount" in row:
            row["amount"] = str(amount) if isinstance(row["amount"], str) else float(amount)
        grand += amount
    if "grand_total" in data:
        data["grand_total"] = str(grand) if isinstance(data["grand_total"], str) else float(grand)
    return grand


def flush(cloner: Cloner) -> dict[str, int]:
    """Insert the collected documents and their processes, tasks, trail, CC and versions."""
    from django.db import transaction

    from school_logistics.core.models import Document, DocumentSearch, Version
    from school_logistics.core.registry import get_meta
    from school_logistics.core.search import search_text
    from school_logistics.workflow.models import (
        ApprovalLog,
        ApprovalProcess,
        ApprovalTask,
        CarbonCopy,
    )

    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        Document.objects.bulk_create(cloner.docs, batch_size=BATCH)
        DocumentSearch.objects.bulk_create(
            [
                DocumentSearch(
                    document=doc,
                    doctype=doc.doctype,
                    text=search_text(get_meta(doc.doctype), doc.name, doc.title, doc.data),
                )
                for doc in cloner.docs
            ],
            batch_size=BATCH,
        )
        processes, owners = [], []
        for doc, (t, ids, _k) in zip(cloner.docs, cloner.children, strict=True):
            for p in t.processes:
                route = copy.deepcopy(p.route)
                for step in route:
                    step["approvers"] = [ids.get(a, a) for a in step.get("approvers", [])]
                processes.append(
                    ApprovalProcess(
                        document=doc,
                        version_id=p.version_id,
                        requester_id=ids[p.requester_id],
                        status=p.status,
                        route=route,
                        current_step=p.current_step,
                        activation=p.activation,
                        is_current=p.is_current,
                        finished=p.finished,
                    )
                )
                owners.append(p.pk)
        ApprovalProcess.objects.bulk_create(processes, batch_size=BATCH)
        tasks, logs, ccs, versions = [], [], [], []
        it = iter(processes)
        for doc, (t, ids, _k) in zip(cloner.docs, cloner.children, strict=True):
            made = {p.pk: next(it) for p in t.processes}
            for x in t.tasks:
                tasks.append(
                    ApprovalTask(
                        process=made[x.process_id],
                        document=doc,
                        step=x.step,
                        step_label=x.step_label,
                        assignee_id=ids[x.assignee_id],
                        status=x.status,
                        activation=x.activation,
                        order=x.order,
                        added=x.added,
                        comment=x.comment,
                        acted_at=x.acted_at,
                        due_at=x.due_at,
                    )
                )
            for x in t.logs:
                logs.append(
                    ApprovalLog(
                        process=made[x.process_id],
                        document=doc,
                        step=x.step,
                        step_label=x.step_label,
                        action=x.action,
                        actor_id=ids.get(x.actor_id, x.actor_id) if x.actor_id else None,
                        comment=x.comment,
                    )
                )
            for x in t.ccs:
                ccs.append(
                    CarbonCopy(
                        document=doc,
                        process=made[x.process_id],
                        user_id=ids[x.user_id],
                        step_label=x.step_label,
                    )
                )
            for x in t.versions:
                versions.append(
                    Version(document=doc, actor_id=ids[x.actor_id], action=x.action, diff=x.diff)
                )
        for model, rows in (
            (ApprovalTask, tasks),
            (ApprovalLog, logs),
            (CarbonCopy, ccs),
            (Version, versions),
        ):
            model.objects.bulk_create(rows, batch_size=BATCH)
            counts[model.__name__] += len(rows)
        counts["Document"] += len(cloner.docs)
        counts["ApprovalProcess"] += len(processes)
        counts["pending"] += sum(1 for x in tasks if x.status == "pending")
    cloner.docs, cloner.children = [], []
    return counts


def generate(documents: int, open_tasks: int, users: int, seed: int = 7) -> dict[str, Any]:
    """Load the demo school, then copy its core documents up to the volume asked for."""
    from school_logistics.core.models import Document, NamingSeries
    from school_logistics.demo import load_demo

    t0 = time.perf_counter()
    load_demo()
    people = build_people(users)
    templates = load_templates()
    waiting = [t for t in templates if t.pending]
    settled = [t for t in templates if not t.pending and t.doc.doctype in CORE]
    if not waiting or not settled:
        raise SystemExit("the demo school has no waiting or no settled core documents")
    rng = random.Random(seed)
    cloner = Cloner(people, rng)
    totals: dict[str, int] = defaultdict(int)
    pending = sum(t.pending for t in templates)
    made = len(templates)
    while made < documents:
        if pending < open_tasks:
            t = rng.choice(waiting)
            pending += t.pending
        else:
            t = rng.choice(settled)
        cloner.clone(t, rng.randrange(len(people.schools)))
        made += 1
        if len(cloner.docs) >= BATCH * 2:
            for key, n in flush(cloner).items():
                totals[key] += n
    for key, n in flush(cloner).items():
        totals[key] += n
    # The series go on after the generated numbers, so new documents get free names.
    for prefix, n in cloner.serial.items():
        series, _ = NamingSeries.objects.get_or_create(prefix=prefix)
        series.current = max(series.current, 900000 + n)
        series.save(update_fields=["current"])
    from school_logistics.workflow.models import ApprovalTask

    return {
        "documents": Document.objects.filter(doctype__in=CORE).count(),
        "by_doctype": _count_by_doctype(),
        "pending_tasks": ApprovalTask.objects.filter(status="pending").count(),
        "users": _user_count(),
        "rows_inserted": dict(totals),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def _count_by_doctype() -> dict[str, int]:
    from django.db.models import Count

    from school_logistics.core.models import Document

    rows = Document.objects.filter(doctype__in=CORE).values("doctype").annotate(n=Count("id"))
    return {r["doctype"]: r["n"] for r in rows}


def _user_count() -> int:
    from school_logistics.core.models import User

    return User.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--open-tasks", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--fresh", action="store_true", help="drop, create and migrate sl_hot")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import benchkit

    benchkit.PG_NAME = "sl_hot"
    if args.fresh:
        benchkit.configure("postgres")
    benchkit.setup_django()
    if args.fresh:
        benchkit.fresh_database()
    import json

    print(json.dumps(generate(args.documents, args.open_tasks, args.users), ensure_ascii=False))


if __name__ == "__main__":
    main()
