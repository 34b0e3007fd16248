"""Shared pieces of our benchmarks: a throwaway database, a statement counter and the JSON line.

The JSON keys follow the viewflow peer harness (`../shared/perf/viewflow_peer/benchlib.py`), so
our scripts run in the same `run_all.py --also` call and their lines compare key by key.
Import this module before Django is set up: `configure()` chooses the database first.
"""

from __future__ import annotations

import cProfile
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
TX_PREFIXES = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
PG_NAME = "sl_bench"


def configure(db: str) -> str:
    """Point Django at a throwaway database ("sqlite" or "postgres"); return its URL.

    SQLite: a file in a fresh temporary folder beside the peer's file (`SQLITE_PATH`), so a
    peer run never deletes it. PostgreSQL: the `sl_bench` database (`sl_hot` for the hot pages;
    `BENCH_PG_NAME` names another) on the server `PG_DSN` names (default 127.0.0.1:5432, user
    postgres), dropped and created again per variant.
    """
    # This checkout's code, even when run from an export (`git archive`) beside the editable one.
    sys.path[:0] = [str(ROOT), str(ROOT / "apps")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Jobs run inline and the cache is local: the route measures the database, not Redis.
    os.environ.pop("REDIS_URL", None)
    if db == "postgres":
        peer = urlsplit(os.environ.get("PG_DSN") or "postgresql://postgres@127.0.0.1:5432/x")
        auth = peer.username or "postgres"
        if peer.password:
            auth += f":{peer.password}"
        name = os.environ.get("BENCH_PG_NAME") or PG_NAME
        url = f"postgres://{auth}@{peer.hostname or '127.0.0.1'}:{peer.port or 5432}/{name}"
    else:
        base = os.path.dirname(os.environ.get("SQLITE_PATH") or "") or tempfile.gettempdir()
        folder = tempfile.mkdtemp(prefix="sl-bench-", dir=base)
        url = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    return url


def setup_django() -> None:
    """Set Django up; SQLITE_OPTIONS (JSON, as the peer harness reads it) replaces ours."""
    import django
    from django.conf import settings

    options = os.environ.get("SQLITE_OPTIONS")
    if options and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"]["OPTIONS"] = json.loads(options)
    django.setup()


def fresh_database() -> None:
    """Give the next variant an empty, migrated database (not timed)."""
    from django.core.management import call_command
    from django.db import connection

    from school_logistics.core.registry import clear_meta_cache

    connection.close()
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        s = connection.settings_dict
        with psycopg.connect(
            host=s["HOST"],
            port=s["PORT"] or 5432,
            user=s["USER"],
            password=s["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{s["NAME"]}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{s["NAME"]}"')
    clear_meta_cache()
    call_command("migrate", verbosity=0)
    _forget_parsed_flows()


def _forget_parsed_flows() -> None:
    from school_logistics.workflow import flows

    flows._parsed.cache_clear()


def drop_sqlite_folder() -> None:
    """Remove the temporary SQLite folder at exit."""
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)


class QueryCounter:
    """Count every statement Django sends, per phase, as the peer harness does.

    BEGIN/SAVEPOINT/RELEASE are counted and also given apart; COMMIT is not a statement here.
    The time inside the driver's execute is summed too: the database's share of a document
    (a round trip on PostgreSQL, an in-process call on SQLite).
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.tx = 0
        self.in_db = 0.0
        self.by_phase: Counter[str] = Counter()
        self.phase_runs: Counter[str] = Counter()
        self.phase = "other"
        self.statements: list[tuple[str, str]] | None = None

    def enter(self, phase: str) -> None:
        self.phase = phase
        self.phase_runs[phase] += 1

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.total += 1
        if sql.lstrip().upper().startswith(TX_PREFIXES):
            self.tx += 1
        self.by_phase[self.phase] += 1
        if self.statements is not None:
            self.statements.append((self.phase, sql))
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.in_db += time.perf_counter() - start


def run(
    name: str,
    docs: list[Any],
    warmup: int,
    do_doc: Callable[[Any, QueryCounter], None],
    *,
    exclude_phases: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run the first `warmup` docs unmeasured, then time the rest; return the result line."""
    from django.db import connection

    counter = QueryCounter()
    measured = docs[warmup:]
    with connection.execute_wrapper(counter):
        for doc in docs[:warmup]:
            do_doc(doc, counter)
        counter.reset()
        if os.environ.get("BENCH_TRACE"):  # print one measured document's statements
            counter.statements = []
        per_doc = []
        profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        if profiler:  # the measured documents only, not the set-up
            profiler.enable()
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        for doc in measured:
            t = time.perf_counter()
            do_doc(doc, counter)
            per_doc.append(time.perf_counter() - t)
            if counter.statements is not None and len(per_doc) == 1:
                for phase, sql in counter.statements:
                    print(f"[{phase}] {sql[:200]}", file=sys.stderr)
                counter.statements = None
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        if profiler:
            profiler.disable()
            profiler.dump_stats(f"{os.environ['BENCH_PROFILE']}.{name}")
    n = len(measured)
    excluded = sum(counter.by_phase[p] for p in exclude_phases)
    result: dict[str, Any] = {
        "bench": name,
        "n": n,
        "warmup": warmup,
        "wall_s": round(wall, 3),
        "docs_per_s": round(n / wall, 1),
        "ms_per_doc_p50": round(statistics.median(per_doc) * 1000, 2),
        "ms_per_doc_p95": round(statistics.quantiles(per_doc, n=20)[18] * 1000, 2),
        # This process's CPU (steadier than wall time on a shared machine; not PostgreSQL's).
        "cpu_ms_per_doc": round(cpu * 1000 / n, 2),
        "db_ms_per_doc": round(counter.in_db * 1000 / n, 2),
        "queries_per_doc": round(counter.total / n, 2),
        "tx_stmts_per_doc": round(counter.tx / n, 2),
        "queries_per_doc_excl_harness": round((counter.total - excluded) / n, 2),
        "queries_by_phase": {
            p: round(counter.by_phase[p] / max(counter.phase_runs[p], 1), 2)
            for p in sorted(counter.by_phase)
        },
    }
    result.update(extra or {})
    result.update(environment())
    return result


def environment() -> dict[str, Any]:
    """Return the versions and database settings the figures depend on."""
    from importlib.metadata import version

    from django.conf import settings
    from django.db import connection

    env: dict[str, Any] = {
        "db": connection.vendor,
        "django": version("django"),
        "python": platform.python_version(),
        "sessions": settings.SESSION_ENGINE.rsplit(".", 1)[-1],
    }
    if connection.vendor == "sqlite":
        import sqlite3

        env["sqlite"] = sqlite3.sqlite_version
        with connection.cursor() as c:
            c.execute("PRAGMA journal_mode")
            env["sqlite_journal"] = c.fetchone()[0]
            c.execute("PRAGMA synchronous")
            env["sqlite_synchronous"] = c.fetchone()[0]  # 2 = FULL, 1 = NORMAL
        env["sqlite_options"] = connection.settings_dict["OPTIONS"]
    else:
        env["pg_server"] = connection.pg_version
    return env


def school_people() -> tuple[Any, Any]:
    """A school with a storekeeper (总务处, also purchasing) and a teacher of 语文组, whose
    department head approves; return (storekeeper, teacher)."""
    from school_logistics.core.models import Department, Role, School, User
    from school_logistics.core.roles import ensure_default_roles

    ensure_default_roles()
    school = School.objects.create(name="示例实验中学", code="bench")
    office = Department.objects.create(school=school, name="总务处")
    group = Department.objects.create(school=school, name="语文组")
    keeper = User.objects.create_user(
        username="keeper", password="x", school=school, department=office, full_name="库管员甲"
    )
    keeper.roles.set(Role.objects.filter(code__in=["storekeeper", "purchaser"]))
    teacher = User.objects.create_user(
        username="teacher", password="x", school=school, department=group, full_name="老师甲"
    )
    teacher.roles.set(Role.objects.filter(code="teacher"))
    head = User.objects.create_user(
        username="head", password="x", school=school, department=group, full_name="组长甲"
    )
    head.roles.set(Role.objects.filter(code__in=["teacher", "dept_head"]))
    group.head = head
    group.save()
    return keeper, teacher


def time_pages(
    user: Any, pages: list[tuple[str, str]], requests: int, extra: dict[str, Any]
) -> None:
    """Request each (name, path) `requests` times as the user through Django's test client
    (after one unmeasured request) and emit p50/p95, statements and size per page."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test Client's host
    client = Client()
    client.force_login(user)
    for name, path in pages:
        client.get(path)  # warm
        times, statements = [], 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code)
            statements = len(ctx.captured_queries)
        emit(
            {
                "bench": name,
                "n": requests,
                "ms_p50": round(statistics.median(times) * 1000, 1),
                "ms_p95": round(statistics.quantiles(times, n=20)[18] * 1000, 1),
                "statements": statements,
                **extra,
                "bytes": len(response.content),
            }
            | environment()
        )


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False), flush=True)
