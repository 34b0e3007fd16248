"""Time desk pages through a real server: gunicorn on the demo school's site.

  .venv/bin/python benchmarks/served_pages.py                 # site `bench-served`, made once
  .venv/bin/python benchmarks/served_pages.py --requests 1000 --user head
  createdb -h 127.0.0.1 -U postgres sl_served   # once, for the same pages on PostgreSQL:
  .venv/bin/python benchmarks/served_pages.py --site bench-served-pg --database-url URL
  (URL: postgres://postgres@127.0.0.1:5432/sl_served)

`hot_pages.py` times the views in-process with Django's test client, whose database
connection outlives every request. A served page also pays what the server pays around the
view: the WSGI cycle, a TCP connection (gunicorn's sync worker closes it after each response)
and, unless connections are kept (`CONN_MAX_AGE`), a new SQLite connection that runs its
PRAGMAs, parses the schema and compiles each statement again. The site is the demo school
(`school-logistics setup`, ≈ 25 s on first use; on its SQLite file, or on the PostgreSQL
database `--database-url` names), served by one gunicorn worker on a free port; one client
sends requests one after another. Pages, as `--user` (default: teacher) sees them:
the approval inbox, the requisition list, and the first requisition on it. One JSON line per
page: page, n, p50_ms, p95_ms, mean_ms, requests_per_s, server_cpu_ms (the worker's CPU
a request, steadier than the times on a shared machine), plus the environment.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIST = "/app/material-requisition/"
WARMUP = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One user's requests to the server: a new TCP connection each, the session cookie kept."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        conn.close()
        return response.status, text

    def log_in(self, username: str) -> None:
        _, page = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no login form"
        status, _ = self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token[1], "username": username, "password": "demo1234"},
        )
        assert status == 302 and "sessionid" in self.cookies, f"login refused ({status})"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_page(client: Client, name: str, path: str, n: int, worker: int) -> dict:
    for _ in range(WARMUP):
        status, _ = client.request("GET", path)
        assert status == 200, f"{path}: {status}"
    took = []
    cpu0 = cpu_seconds(worker)
    t0 = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        status, _ = client.request("GET", path)
        took.append((time.perf_counter() - t) * 1000)
        assert status == 200, f"{path}: {status}"
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(worker) - cpu0
    took.sort()
    return {
        "page": name,
        "n": n,
        "p50_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[int(n * 0.95) - 1], 2),
        "mean_ms": round(statistics.fmean(took), 2),
        "requests_per_s": round(n / wall, 1),
        "server_cpu_ms": round(cpu * 1000 / n, 2),  # the worker's, a request
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="bench-served")
    parser.add_argument("--user", default="teacher")
    parser.add_argument("--requests", type=int, default=500, help="timed requests a page")
    parser.add_argument(
        "--database-url",
        help="serve the site from this database instead of its SQLite file (an existing, "
        "throwaway PostgreSQL database: setup migrates it and loads the demo school once)",
    )
    args = parser.parse_args()

    # This checkout's code, even when run from an export (`git archive`) beside the editable one.
    env = {**os.environ, "SITE": args.site, "DEBUG": "0", "PYTHONPATH": f"{ROOT}:{ROOT / 'apps'}"}
    env.pop("DATABASE_URL", None)  # the site's own SQLite file, unless --database-url
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    env.pop("REDIS_URL", None)
    # Makes the site and loads the demo school the first time; later, only migrates (a few s).
    subprocess.run(
        [BIN / "school-logistics", "--site", args.site, "setup"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        client = Client(port)
        for _ in range(300):  # up to 30 s for the worker to start
            try:
                client.request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.1)
        client.log_in(args.user)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        worker = int(children[0])
        _, listing = client.request("GET", LIST)
        first = re.search(rf'href="({re.escape(LIST)}REQ-[^"]+)"', listing)
        assert first, "no requisition on the list"
        extra = {
            "user": args.user,
            "server": "gunicorn, 1 sync worker",
            "python": platform.python_version(),
            "db": "postgresql" if args.database_url else f"sqlite {sqlite3.sqlite_version}",
        }
        for name, path in (("inbox", "/app/approvals/"), ("list", LIST), ("doc", first[1])):
            print(
                json.dumps(time_page(client, name, path, args.requests, worker) | extra), flush=True
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
