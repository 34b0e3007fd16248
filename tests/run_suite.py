"""Run the test suite twice: on SQLite (the embedded default) and on PostgreSQL with Redis.

`make test` calls this after lint. Extra arguments go to pytest in both passes, e.g.
`python tests/run_suite.py tests/core -x`. With CI=true both passes are mandatory: a missing
PostgreSQL or Redis fails the run. Locally a missing service is reported loudly and fails too,
unless SL_ALLOW_NO_POSTGRES=1, which skips the PostgreSQL pass (and says so in the summary).

The two passes run at the same time, each in its own sites folder (uploads, generated PDFs), and
each pass's output is printed whole when it ends: a single pass keeps one core busy and leaves the
other mostly idle, and running them side by side takes the suite from the sum of the two to
about the longer one. SL_SERIAL=1 runs them one after the other, streaming the output.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/school_logistics"
REDIS_URL = "redis://127.0.0.1:6379/0"
NO_TESTS_COLLECTED = 5


@dataclass
class PassResult:
    name: str
    status: str  # "ok", "failed", "skipped", "no tests"
    detail: str
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in {"failed", "no tests"}


def truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def reachable(url: str, default_port: int) -> str | None:
    """Return None when a TCP connection to the URL's host succeeds, else the reason."""
    parts = urlparse(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return f"{host}:{port} 无法连接（{exc}）"


def postgres_ready(url: str) -> str | None:
    """Return None when PostgreSQL accepts a login, else the reason."""
    problem = reachable(url, 5432)
    if problem:
        return problem
    import psycopg

    parts = urlparse(url)
    try:
        psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.Error as exc:
        return f"PostgreSQL 拒绝连接：{exc}"
    return None


def redis_ready(url: str) -> str | None:
    """Return None when Redis answers PING, else the reason."""
    problem = reachable(url, 6379)
    if problem:
        return problem
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=5).ping()
    except redis.RedisError as exc:
        return f"Redis 无应答：{exc}"
    return None


def summarise_junit(path: Path) -> str:
    """Return "N passed, M failed, …" from pytest's JUnit XML report."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return "没有测试报告"
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return "没有测试报告"
    total = int(suite.get("tests", 0))
    failures = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    parts = [f"{total - failures - skipped} passed"]
    if failures:
        parts.append(f"{failures} failed/errors")
    if skipped:
        parts.append(f"{skipped} skipped")
    return ", ".join(parts)


def run_pass(
    name: str, env: dict[str, str], pytest_args: list[str], *, streamed: bool
) -> PassResult:
    """Run pytest once in a subprocess with env, in a sites folder of its own; return its outcome.

    A streamed pass writes to this process's output as it goes; otherwise its output is kept and
    printed whole when it ends, so that two passes running at once do not interleave lines.
    """
    banner = f" {name} "
    if streamed:
        print(f"\n{banner:=^78}", flush=True)
    with tempfile.TemporaryDirectory(prefix="sl-suite-") as tmp:
        report = Path(tmp) / "junit.xml"
        log = Path(tmp) / "output.txt"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
            "-o",
            "junit_family=xunit2",
            *pytest_args,
        ]
        env = env | {"SITES_DIR": str(Path(tmp) / "sites")}
        started = time.monotonic()
        with log.open("wb") as out:
            code = subprocess.call(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=None if streamed else out,
                stderr=None if streamed else subprocess.STDOUT,
            )
        seconds = time.monotonic() - started
        if not streamed:
            with PRINTING:
                print(f"\n{banner:=^78}", flush=True)
                sys.stdout.write(log.read_text(errors="replace"))
                sys.stdout.flush()
        detail = summarise_junit(report)
    if code == NO_TESTS_COLLECTED:
        return PassResult(name, "no tests", "没有运行任何测试（pytest 退出码 5）", seconds)
    if code != 0:
        return PassResult(name, "failed", f"{detail}（pytest 退出码 {code}）", seconds)
    return PassResult(name, "ok", detail, seconds)


PRINTING = threading.Lock()


def run_passes(
    passes: list[tuple[str, dict[str, str]]], pytest_args: list[str], *, serial: bool
) -> list[PassResult]:
    """Run the passes one after another (streamed) or all at once; results in the given order."""
    if serial or len(passes) == 1:
        return [run_pass(name, env, pytest_args, streamed=True) for name, env in passes]
    results: dict[str, PassResult] = {}

    def run(name: str, env: dict[str, str]) -> None:
        results[name] = run_pass(name, env, pytest_args, streamed=False)

    threads = [threading.Thread(target=run, args=item) for item in passes]
    print(f"同时运行：{'、'.join(name for name, _ in passes)}（各轮结束后输出全文）", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[name] for name, _ in passes]


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Each pass chooses its own services; nothing leaks in from the caller's shell.
    for key in ("DATABASE_URL", "REDIS_URL", "SITE"):
        env.pop(key, None)
    return env


def main(argv: list[str]) -> int:
    """Run both passes, print one summary line per pass; non-zero when any pass failed."""
    ci = truthy("CI")
    allow_no_postgres = truthy("SL_ALLOW_NO_POSTGRES") and not ci
    passes = [("SQLite", base_env())]
    skipped: list[PassResult] = []

    problems = [p for p in (postgres_ready(POSTGRES_URL), redis_ready(REDIS_URL)) if p]
    if problems:
        reason = "；".join(problems)
        loud = "!" * 78
        print(f"\n{loud}\nPostgreSQL 轮次无法运行：{reason}\n{loud}", file=sys.stderr, flush=True)
        if allow_no_postgres:
            skipped.append(PassResult("PostgreSQL + Redis", "skipped", f"已跳过（{reason}）"))
        else:
            hint = "" if ci else "（本地可设 SL_ALLOW_NO_POSTGRES=1 暂时跳过）"
            skipped.append(PassResult("PostgreSQL + Redis", "failed", f"{reason}{hint}"))
    else:
        env = base_env() | {"DATABASE_URL": POSTGRES_URL, "REDIS_URL": REDIS_URL}
        passes.append(("PostgreSQL + Redis", env))
    results = run_passes(passes, argv, serial=truthy("SL_SERIAL")) + skipped

    print("\n" + "=" * 78)
    for r in results:
        mark = {"ok": "OK  ", "skipped": "SKIP", "failed": "FAIL", "no tests": "FAIL"}[r.status]
        took = f" in {r.seconds:.0f}s" if r.seconds else ""
        print(f"[{mark}] {r.name}: {r.detail}{took}")
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
