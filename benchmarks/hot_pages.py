"""Time the hot desk pages on a PostgreSQL database filled by `generate_volume.py`.

  .venv/bin/python benchmarks/hot_pages.py --documents 100000 --open-tasks 10000 --users 300
  .venv/bin/python benchmarks/hot_pages.py --reuse          # time again without regenerating
  .venv/bin/python benchmarks/hot_pages.py --reuse --search 纸 --search REQ-2026-0012
  .venv/bin/python benchmarks/hot_pages.py --reuse --page inbox_done --page home

Database `sl_hot` on the server `PG_DSN` names (default 127.0.0.1:5432, user postgres), dropped,
created and filled unless `--reuse`. Pages, each with a logged-in test Client (database
sessions, full middleware), 5 warm-up requests then `--runs` timed ones: the approval inbox of
the approver with most pending tasks and their home page (its card of most urgent tasks), the
我已处理 tab of the approver with most decisions, the
requisition list as it opens (for the 总务处 director, who reads the whole school, and for a
teacher, who reads their own), the item catalogue after it (the same SQL, a DocType of 80
documents), the requisitions filtered by department and by 申请人 typed as a name, searched for
a word in one document (投影) and for one in ~12,000 (数学, a department's name), and a
requisition page whose trail has ~40 lines (passed back and forth through the services). One
JSON line per page: page, n, p50_ms, p95_ms, queries (statements of one request), plus the
volume and the environment.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit  # noqa: E402

MR = "Material Requisition"
WARMUP = 5


def long_trail_document(hops: int) -> str:
    """Submit a requisition and transfer its first step back and forth `hops` times."""
    from school_logistics.core import services
    from school_logistics.core.models import User
    from school_logistics.workflow import actions, handover
    from school_logistics.workflow.models import ApprovalTask

    teacher = User.objects.get(username="teacher")
    doc = services.create_document(
        MR,
        {
            "purpose": "语文组期末复习资料（长审批记录）",
            "budget_line": "教学业务费",  # 语文组 keeps budgets: a requisition names its line
            "items": [{"item": "BG-A4-70", "qty": 5, "rate": "23.50"}],
        },
        actor=teacher,
    )
    actions.start_approval(MR, doc.name, actor=teacher)
    holder = ["head", "head2"]
    for _ in range(hops):
        user = User.objects.get(username=holder[0])
        task = ApprovalTask.objects.get(document=doc.pk, assignee=user, status="pending")
        handover.transfer(task.pk, actor=user, to_user=holder[1], comment="请帮忙看一下")
        holder.reverse()
    return doc.name


def busiest_approver() -> Any:
    from django.db.models import Count

    from school_logistics.core.models import User

    return (
        User.objects.filter(approval_tasks__status="pending")
        .annotate(n=Count("approval_tasks"))
        .order_by("-n")
        .first()
    )


def most_decided_approver() -> Any:
    """The approver with the longest 我已处理 tab."""
    from django.db.models import Count, Q

    from school_logistics.core.models import User
    from school_logistics.workflow.models import DONE_STATUSES

    done = Count("approval_tasks", filter=Q(approval_tasks__status__in=DONE_STATUSES))
    return User.objects.annotate(n=done).order_by("-n").first()


ONLY: set[str] = set()  # --page: time these pages alone


def time_page(
    page: str, user: Any, url: str, runs: int, extra: dict[str, Any]
) -> dict[str, Any] | None:
    """GET the page WARMUP times, then `runs` timed times; return the JSON line."""
    if ONLY and page not in ONLY:
        return None
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.handler.load_middleware()  # once per process on a server, not per request
    for _ in range(WARMUP):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} → {response.status_code}")
    counter = benchkit.QueryCounter()  # request_started clears connection.queries: wrap instead
    with connection.execute_wrapper(counter):
        client.get(url)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t)
    return {
        "page": page,
        "url": url,
        "user": user.username,
        "n": runs,
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(statistics.quantiles(times, n=20)[18] * 1000, 1),
        "queries": counter.total,
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--open-tasks", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--hops", type=int, default=39, help="transfers on the long-trail page")
    parser.add_argument("--reuse", action="store_true", help="time the database as it is")
    parser.add_argument(
        "--search",
        action="append",
        default=[],
        metavar="WORD",
        help="also time the requisition list searched for WORD (repeatable)",
    )
    parser.add_argument(
        "--page", action="append", default=[], metavar="NAME", help="time only this page"
    )
    args = parser.parse_args()
    ONLY.update(args.page)
    benchkit.PG_NAME = "sl_hot"
    benchkit.configure("postgres")
    benchkit.setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test Client's host
    import generate_volume

    volume: dict[str, Any] = {}
    if not args.reuse:
        benchkit.fresh_database()
        volume = generate_volume.generate(args.documents, args.open_tasks, args.users)
        benchkit.emit({"bench": "generate_volume", **volume})
        from django.db import connection

        with connection.cursor() as c:
            # As autovacuum would soon after a bulk load (it vacuums tables that had many
            # inserts): statistics, and the visibility map that index-only scans rely on.
            c.execute("VACUUM ANALYZE")
        trail_doc = long_trail_document(args.hops)
    else:
        from school_logistics.core.models import Document

        trail_doc = (
            Document.objects.filter(doctype=MR, data__purpose__icontains="长审批记录")
            .latest("id")
            .name
        )
    from school_logistics.core.models import Document, User
    from school_logistics.workflow.models import DONE_STATUSES, ApprovalLog, ApprovalTask

    approver = busiest_approver()
    decider = most_decided_approver()
    extra = {
        "documents": Document.objects.count(),
        "pending_tasks": ApprovalTask.objects.filter(status="pending").count(),
        **benchkit.environment(),
    }
    lines = [
        time_page(
            "inbox",
            approver,
            "/app/approvals/",
            args.runs,
            {
                "pending_for_user": ApprovalTask.objects.filter(
                    assignee=approver, status="pending"
                ).count(),
                **extra,
            },
        ),
        time_page(
            "inbox_done",  # 我已处理 of the approver who decided most, newest first
            decider,
            "/app/approvals/?tab=done",
            args.runs,
            {
                "done_for_user": ApprovalTask.objects.filter(
                    assignee=decider, status__in=DONE_STATUSES
                ).count(),
                **extra,
            },
        ),
        time_page(
            "home",  # the desk after logging in: the same approver's most urgent tasks
            approver,
            "/app/",
            args.runs,
            extra,
        ),
        time_page(
            "list",  # the page as it opens, for a reader of the whole school
            User.objects.get(username="logistics"),
            "/app/material-requisition/",
            args.runs,
            extra,
        ),
        time_page(
            "list_own",  # a teacher, who reads their own requisitions only
            User.objects.get(username="teacher"),
            "/app/material-requisition/",
            args.runs,
            extra,
        ),
        time_page(
            # The item catalogue after the requisitions: the list's SQL, another DocType
            "list_small",
            User.objects.get(username="logistics"),
            "/app/item/",
            args.runs,
            extra,
        ),
        time_page(
            "list_filtered",
            User.objects.get(username="logistics"),
            "/app/material-requisition/?department=" + quote("数学组"),
            args.runs,
            extra,
        ),
        time_page(
            "list_by_requester",  # 申请人 typed as the name pages show
            User.objects.get(username="logistics"),
            "/app/material-requisition/?requested_by=" + quote("数学组教师"),
            args.runs,
            extra,
        ),
        time_page(
            "list_by_requester_picked",  # 申请人 picked from the menu: the stored username
            User.objects.get(username="logistics"),
            "/app/material-requisition/?requested_by=canteen2",
            args.runs,
            extra,
        ),
        time_page(
            "list_search",
            User.objects.get(username="logistics"),
            "/app/material-requisition/?q=" + quote("投影"),
            args.runs,
            extra,
        ),
        time_page(
            "list_search_common",
            User.objects.get(username="logistics"),
            "/app/material-requisition/?q=" + quote("数学"),
            args.runs,
            extra,
        ),
        time_page(
            "document_long_trail",
            User.objects.get(username="teacher"),
            f"/app/material-requisition/{trail_doc}",
            args.runs,
            {
                "trail_rows": ApprovalLog.objects.filter(
                    document__doctype=MR, document__name=trail_doc
                ).count(),
                **extra,
            },
        ),
    ]
    for word in args.search:
        lines.append(
            time_page(
                f"list_search:{word}",
                User.objects.get(username="logistics"),
                "/app/material-requisition/?q=" + quote(word),
                args.runs,
                extra,
            )
        )
    for line in lines:
        if line is not None:
            benchkit.emit(line)


if __name__ == "__main__":
    main()
