"""Run the registered periodic jobs every minute (the Procfile's `scheduler` process).

Jobs are declared by the apps, not here: any `school_logistics.<app>.tasks` module may define

    PERIODIC_JOBS = [(sweep_overdue_tasks, 1), (remind_expiring_certificates, 60)]

(function, every N minutes). Each due job runs once per slot however many schedulers run: with
REDIS_URL a slot is claimed in Redis (SET NX) and the job is enqueued for the RQ worker; without
Redis one scheduler per site holds a file lock and runs the jobs inline, the others wait on standby.
Jobs take no arguments, re-read their state and are safe to run twice (STYLE rule 5).
"""

from __future__ import annotations

import fcntl
import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

logger = logging.getLogger("school_logistics.scheduler")
CLAIM_SECONDS = 3600


@dataclass(frozen=True)
class PeriodicJob:
    func: Callable[[], Any]
    every_minutes: int

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def due(self, slot: int) -> bool:
        return slot % max(self.every_minutes, 1) == 0


def discover_jobs() -> list[PeriodicJob]:
    """Collect PERIODIC_JOBS from every School Logistics app's tasks module."""
    jobs: list[PeriodicJob] = []
    for app in apps.get_app_configs():
        if not app.name.startswith("school_logistics."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.tasks":
                raise  # a tasks module that exists but fails to import is a bug to see
            continue
        for func, every in getattr(module, "PERIODIC_JOBS", []):
            jobs.append(PeriodicJob(func, int(every)))
    return jobs


def redis_claim(job: PeriodicJob, slot: int) -> bool:
    """Claim one job's slot across every scheduler sharing this Redis; True for the winner."""
    import django_rq

    key = f"school_logistics:{settings.SITE_NAME}:scheduler:{job.name}:{slot}"
    conn = django_rq.get_connection("default")
    return bool(conn.set(key, "1", nx=True, ex=CLAIM_SECONDS))


def run_slot(jobs: list[PeriodicJob], slot: int) -> list[str]:
    """Run or enqueue the jobs due in this minute; return the names of those started here."""
    started = []
    for job in jobs:
        if not job.due(slot):
            continue
        if settings.REDIS_URL:
            if not redis_claim(job, slot):
                continue
            import django_rq

            django_rq.get_queue("default").enqueue(job.func)
        else:
            try:
                job.func()
            except Exception:
                # One failing job must not stop the others or the scheduler.
                logger.exception("定时任务 %s 失败", job.name)
        started.append(job.name)
    return started


def take_site_lock(wait: bool) -> IO[str] | None:
    """Hold the site's scheduler lock (used without Redis); None when another holds it."""
    path = Path(settings.SITE_DIR) / "scheduler.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
    try:
        fcntl.flock(handle, flags)
    except BlockingIOError:
        handle.close()
        return None
    return handle


class Command(BaseCommand):
    help = "每分钟运行各应用 tasks.PERIODIC_JOBS 中到期的定时任务"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只处理当前这一分钟后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = discover_jobs()
        lock = None
        if not settings.REDIS_URL:
            lock = take_site_lock(wait=False)
            if lock is None and options["once"]:
                self.stdout.write("另一个调度进程正在运行，本次不执行")
                return
            if lock is None:
                self.stdout.write("另一个调度进程正在运行，本进程待命")
                self.stdout.flush()
                lock = take_site_lock(wait=True)
        self.stdout.write(f"定时任务 {len(jobs)} 个：" + ("、".join(j.name for j in jobs) or "无"))
        self.stdout.flush()
        try:
            while True:
                slot = int(time.time() // 60)
                for name in run_slot(jobs, slot):
                    self.stdout.write(f"已启动：{name}")
                self.stdout.flush()
                if options["once"]:
                    return
                time.sleep(max(0.0, (slot + 1) * 60 - time.time()) + 0.5)
        finally:
            if lock is not None:
                lock.close()
