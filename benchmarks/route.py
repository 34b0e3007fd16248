"""Push N 物资申购单 through the shipped approval route and print one JSON line per variant.

Route per document: the requester fills in a new form with 3 item rows and presses 提交审批
(saved and submitted in one step, as the peer's start view does; `--draft-first` saves a draft
with 保存草稿 first, then submits it from the draft's page) → the department head approves → 总务处 (either purchaser) approves → the principal approves only
when the total is ≥ 5,000 (even-numbered documents, about 6,650; odd ones about 1,000). The
engine writes what it always writes: trail rows, versions, tasks, CC and in-app notifications.

  --mode service   the services: create_document, start_approval, approve
  --mode http      Django test Client, one logged-in client per user, the desk's own POST URLs
  --mode both      (default) both, each on a fresh database: two JSON lines

Run from the project root or from the peer harness folder (its `run_all.py --also`):
  .venv/bin/python benchmarks/route.py --n 500 --warmup 10 [--db sqlite|postgres]
Finding a document's pending task (as an inbox row would) is the "lookup" phase, left out of
queries_per_doc_excl_harness. After each variant every document is checked (see `verify`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit  # noqa: E402

MR = "Material Requisition"
THRESHOLD = Decimal("5000")
N_DEPARTMENTS = 5
N_REQUESTERS = 20
ITEMS = {  # code: (name, uom)
    "B-PROJ": ("投影仪", "台"),
    "B-SCRN": ("幕布", "幅"),
    "B-HDMI": ("HDMI线", "根"),
    "B-A4": ("A4纸", "箱"),
    "B-PEN": ("白板笔", "支"),
    "B-FOLD": ("文件夹", "个"),
}


@dataclass
class Fixture:
    school: Any
    departments: list[Any]  # each with a head
    requesters: list[Any]
    purchasers: list[Any]
    principal: Any
    finance: Any


@dataclass
class Doc:
    i: int
    requester: Any
    purpose: str
    items: list[tuple[str, Decimal, Decimal]]  # (item code, qty, rate)
    grand_total: Decimal


def make_fixture() -> Fixture:
    """Build the school, 5 departments with heads, 20 requesters and the approvers (not timed)."""
    from school_logistics.core import services
    from school_logistics.core.models import Department, Role, School, User
    from school_logistics.core.roles import ensure_default_roles

    ensure_default_roles()
    school = School.objects.create(name="基准测试实验中学", code="bench")
    roles = {r.code: r for r in Role.objects.all()}

    def user(username: str, full_name: str, *codes: str, department: Any = None) -> Any:
        made = User.objects.create_user(
            username=username, school=school, department=department, full_name=full_name
        )
        made.roles.set([roles[c] for c in codes])
        return made

    general = Department.objects.create(school=school, name="总务处")
    departments = []
    for d in range(N_DEPARTMENTS):
        dept = Department.objects.create(school=school, name=f"教研组{d}")
        dept.head = user(f"head{d}", f"组长{d}", "teacher", "dept_head", department=dept)
        dept.save(update_fields=["head"])
        departments.append(dept)
    requesters = [
        user(f"teacher{i}", f"教师{i}", "teacher", department=departments[i % N_DEPARTMENTS])
        for i in range(N_REQUESTERS)
    ]
    purchasers = [user(f"zongwu{k}", f"采购员{k}", "purchaser", department=general) for k in (0, 1)]
    principal = user("principal", "校长甲", "principal")
    finance = user("finance", "会计乙", "finance", department=general)
    admin = user("admin", "管理员丙", "sys_admin", department=general)
    for code, (name, uom) in ITEMS.items():
        services.create_document(
            "Item",
            {"item_code": code, "item_name": name, "uom": uom, "category": "教学用品"},
            actor=admin,
        )
    return Fixture(school, departments, requesters, purchasers, principal, finance)


def make_doc(i: int, fx: Fixture) -> Doc:
    """Document i, with the peer harness's rows: even i ≥ 5,000 (principal step), odd below."""
    bump = Decimal(i % 7)
    if i % 2 == 0:
        items = [
            ("B-PROJ", Decimal("2"), Decimal("2800") + bump),
            ("B-SCRN", Decimal("2"), Decimal("450")),
            ("B-HDMI", Decimal("4"), Decimal("35.5")),
        ]
    else:
        items = [
            ("B-A4", Decimal("20"), Decimal("28.5") + bump),
            ("B-PEN", Decimal("50"), Decimal("3.2")),
            ("B-FOLD", Decimal("30"), Decimal("6.8")),
        ]
    total = sum((q * r).quantize(Decimal("0.01")) for _, q, r in items)
    assert (total >= THRESHOLD) == (i % 2 == 0)
    return Doc(i, fx.requesters[i % N_REQUESTERS], f"申购 #{i}", items, total)


def actor(step: str, doc: Doc, fx: Fixture) -> Any:
    if step == "dept_head":
        return doc.requester.department.head
    if step == "general_affairs":
        return fx.purchasers[doc.i % len(fx.purchasers)]
    return fx.principal


def pending_task(name: str, fx: Fixture, doc: Doc) -> tuple[int, str, Any] | None:
    """Return (task id, step, actor) of the document's open task for its expected approver."""
    from school_logistics.workflow.models import ApprovalTask, TaskStatus

    rows = ApprovalTask.objects.filter(
        document__doctype=MR, document__name=name, status=TaskStatus.PENDING
    ).values_list("pk", "step", "assignee_id")
    for pk, step, assignee_id in rows:
        who = actor(step, doc, fx)
        if who.pk == assignee_id:
            return pk, step, who
    if rows:
        raise RuntimeError(f"{name}: no pending task for the expected approver: {list(rows)}")
    return None


def fresh(user: Any) -> Any:
    """Drop the per-instance role and school caches, as a new request would start without them."""
    for attr in ("_role_codes", "_school_ids"):
        user.__dict__.pop(attr, None)
    return user


# --- the services --------------------------------------------------------------------------


def service_doc(fx: Fixture, draft_first: bool):  # type: ignore[no-untyped-def]
    from school_logistics.core import services
    from school_logistics.workflow import actions

    def do_doc(doc: Doc, counter: benchkit.QueryCounter) -> None:
        values = {
            "department": doc.requester.department.name,
            "purpose": doc.purpose,
            "items": [{"item": c, "qty": str(q), "rate": str(r)} for c, q, r in doc.items],
        }
        if draft_first:
            counter.enter("create")
            name = services.create_document(MR, values, actor=fresh(doc.requester)).name
            counter.enter("start")
            actions.start_approval(MR, name, actor=fresh(doc.requester))
        else:
            counter.enter("create_and_start")
            process = actions.create_and_start(MR, values, actor=fresh(doc.requester))
            name = process.document.name
        while True:
            counter.enter("lookup")
            found = pending_task(name, fx, doc)
            if found is None:
                return
            task_id, step, who = found
            counter.enter(f"{step}.approve")
            actions.approve(task_id, actor=fresh(who), comment="同意")

    return do_doc


# --- HTTP ----------------------------------------------------------------------------------


def http_doc(fx: Fixture, draft_first: bool):  # type: ignore[no-untyped-def]
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import Client, RequestFactory
    from django.urls import reverse

    users = fx.requesters + [d.head for d in fx.departments] + fx.purchasers + [fx.principal]
    clients: dict[int, Client] = {}
    for user in users:  # sessions are made here, before timing
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
        # A server loads its middleware once per process, not once per user (WhiteNoise
        # scans the static files then): load it now, outside the timing.
        clients[user.pk].handler.load_middleware()
    slug = "material-requisition"
    new_url = reverse("desk:new", args=[slug])
    save_and_start_url = reverse("approvals:new_and_start", args=[slug])
    decoder = CookieStorage(RequestFactory().get("/"))

    def post(user: Any, url: str, data: dict[str, Any], *, multipart: bool = False) -> str:
        """POST as a browser would; the answer must be a redirect carrying a success message.

        Encoded as the page's form is: the document form and 提交审批 are plain forms
        (urlencoded), the decision form carries files (multipart).
        """
        client = clients[user.pk]
        if multipart:
            response = client.post(url, data)
        else:
            body = urlencode(data, doseq=True)
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
        if response.status_code != 302:
            raise RuntimeError(f"POST {url} → {response.status_code}: {response.content[:400]!r}")
        cookie = client.cookies.pop("messages", None)
        shown = decoder._decode(cookie.value) if cookie else None
        if not shown or any(m.level != constants.SUCCESS for m in shown):
            raise RuntimeError(f"POST {url}: {[str(m) for m in shown or []]}")
        return response["Location"]

    def form(doc: Doc) -> dict[str, Any]:
        data: dict[str, Any] = {
            "department": doc.requester.department.name,
            "requested_by": doc.requester.username,
            "posting_date": "",
            "required_by": "",
            "purpose": doc.purpose,
            "budget_line": "",
            "remarks": "",
            "items-present": "1",
        }
        for k, (code, qty, rate) in enumerate(doc.items):
            data.update(
                {
                    f"items-{k}-name": "",
                    f"items-{k}-item": code,
                    f"items-{k}-item_name": "",
                    f"items-{k}-specification": "",
                    f"items-{k}-qty": str(qty),
                    f"items-{k}-uom": "",
                    f"items-{k}-rate": str(rate),
                }
            )
        return data

    def do_doc(doc: Doc, counter: benchkit.QueryCounter) -> None:
        from django.utils import timezone

        data = form(doc)
        data["posting_date"] = timezone.localdate().isoformat()
        if draft_first:
            counter.enter("create")
            location = post(doc.requester, new_url, data)
            name = location.rstrip("/").rsplit("/", 1)[1]
            counter.enter("start")
            post(doc.requester, reverse("approvals:doc_action", args=[MR, name, "start"]), {})
        else:  # the new form's 提交审批 button posts the same form to its own URL
            counter.enter("create_and_start")
            location = post(doc.requester, save_and_start_url, data)
            name = location.rstrip("/").rsplit("/", 1)[1]
        while True:
            counter.enter("lookup")
            found = pending_task(name, fx, doc)
            if found is None:
                return
            task_id, step, who = found
            counter.enter(f"{step}.approve")
            url = reverse("approvals:task_action", args=[task_id, "approve"])
            post(who, url, {"comment": "同意"}, multipart=True)

    return do_doc


# --- correctness -----------------------------------------------------------------------------


def verify(docs: list[Doc]) -> None:
    """Every document approved and submitted, with exactly the trail, tasks, versions and notices
    of its route; principal tasks only from 5,000."""
    from school_logistics.core.models import Document, Version
    from school_logistics.notify.models import Notification
    from school_logistics.workflow.models import (
        ApprovalLog,
        ApprovalProcess,
        ApprovalTask,
        CarbonCopy,
    )

    by_purpose = {d.purpose: d for d in docs}
    rows = list(Document.objects.filter(doctype=MR).values_list("pk", "data", "docstatus"))
    assert len(rows) == len(docs), (len(rows), len(docs))
    states = Counter(Document.objects.filter(doctype=MR).values_list("workflow_state", flat=True))
    assert states == {"已通过": len(docs)}, states
    assert ApprovalProcess.objects.exclude(status="approved").count() == 0

    def per_doc(model: Any, field: str = "action") -> dict[int, Counter[str]]:
        out: dict[int, Counter[str]] = {}
        for pk, value in model.objects.values_list("document_id", field):
            out.setdefault(pk, Counter())[value] += 1
        return out

    logs, tasks = per_doc(ApprovalLog), per_doc(ApprovalTask, "step")
    versions = per_doc(Version)
    notices = per_doc(Notification, "event")
    ccs = Counter(CarbonCopy.objects.values_list("document_id", flat=True))
    for pk, data, docstatus in rows:
        doc = by_purpose[data["purpose"]]
        above = doc.grand_total >= THRESHOLD
        assert docstatus == 1, pk
        assert Decimal(str(data["grand_total"])) == doc.grand_total, (pk, data["grand_total"])
        trail = {"submit": 1, "approve": 3} if above else {"submit": 1, "skip": 1, "approve": 2}
        assert logs[pk] == trail, (pk, logs[pk])
        steps = {"dept_head": 1, "general_affairs": 2} | ({"principal": 1} if above else {})
        assert tasks[pk] == steps, (pk, tasks[pk])
        assert versions[pk] == {"create": 1, "submit": 1}, (pk, versions[pk])
        told = {"task": 4 if above else 3, "approved": 1} | ({"cc": 1} if above else {})
        assert notices[pk] == told, (pk, notices[pk])
        assert ccs[pk] == (1 if above else 0), pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--mode", choices=["service", "http", "both"], default="both")
    parser.add_argument(
        "--draft-first",
        action="store_true",
        help="save a draft, then submit it from its page (two requests) instead of 提交审批 on the new form",
    )
    parser.add_argument(
        "--label", default="ours", help="bench name prefix, e.g. to run two commits side by side"
    )
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="postgres" if os.environ.get("PG_DSN") else "sqlite",
        help="default: postgres when PG_DSN is set (as the peer harness reads it), else sqlite",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="run as deployed with Redis (cache, cached sessions, queued deliveries: none here)",
    )
    args = parser.parse_args()
    benchkit.configure(args.db)
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    benchkit.setup_django()
    from django.conf import settings

    # Users are made per run and never log in with a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test Client's host
    try:
        for mode in ["service", "http"] if args.mode == "both" else [args.mode]:
            benchkit.fresh_database()
            fx = make_fixture()
            docs = [make_doc(i, fx) for i in range(args.warmup + args.n)]
            make = service_doc if mode == "service" else http_doc
            do_doc = make(fx, args.draft_first)
            result = benchkit.run(
                f"{args.label}_{mode}",
                docs,
                args.warmup,
                do_doc,
                exclude_phases=("lookup",),
                extra={
                    "above_threshold": sum(d.grand_total >= THRESHOLD for d in docs[args.warmup :]),
                    "submitted_from": "draft" if args.draft_first else "new_form",
                },
            )
            verify(docs)
            result["verified"] = True
            benchkit.emit(result)
    finally:
        benchkit.drop_sqlite_folder()


if __name__ == "__main__":
    main()
