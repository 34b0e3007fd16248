"""The benchmark scripts still run from a fresh clone, at toy sizes (their figures are not
checked here: benchmarks/README.md records those). Each run checks its own results: the route
verifies every document's final state and trail, the pages answer 200 (in-process and through
gunicorn)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
sqlite_pass = pytest.mark.skipif(ON_POSTGRES, reason="runs in the SQLite pass")
postgres_pass = pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass")


def run(script: str, *args: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *args],
        cwd=ROOT,
        # Not the sl_bench / sl_hot databases an engineer may have filled to measure.
        env={**os.environ, "BENCH_PG_NAME": "sl_bench_smoke", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def check_route(out: str, db: str) -> None:
    results = json_lines(out)
    assert [r["bench"] for r in results] == ["ours_service", "ours_http"]
    for r in results:
        assert r["verified"] and r["n"] == 4 and r["db"] == db
        assert r["above_threshold"] == 2 and r["queries_per_doc_excl_harness"] > 0


@sqlite_pass
def test_route_on_sqlite() -> None:
    check_route(run("route.py", "--n", "4", "--warmup", "1", "--mode", "both"), "sqlite")


@postgres_pass
def test_route_on_postgres() -> None:
    out = run("route.py", "--n", "4", "--warmup", "1", "--mode", "both", "--db", "postgres")
    check_route(out, "postgresql")


@postgres_pass
def test_hot_pages_at_toy_volume() -> None:
    out = run(
        "hot_pages.py", "--documents", "300", "--open-tasks", "30", "--users", "40",
        "--runs", "2", "--hops", "3",
    )  # fmt: skip
    lines = json_lines(out)
    pages = {r["page"]: r for r in lines if "page" in r}
    volume = next(r for r in lines if r.get("bench") == "generate_volume")
    assert volume["documents"] >= 300 and volume["pending_tasks"] >= 30, volume
    assert set(pages) >= {"inbox", "home", "list_filtered", "list_search", "document_long_trail"}
    assert pages["document_long_trail"]["trail_rows"] == 5  # submit + 3 transfers + 1
    assert all(r["queries"] > 0 for r in pages.values())


@sqlite_pass
def test_voucher_and_batch() -> None:
    assert "median" in run("print_voucher.py", "--rows", "3", "--approved", "--runs", "1")
    assert "3 vouchers × 2 rows" in run("print_batch.py", "--count", "3", "--rows", "2")


@sqlite_pass
def test_served_pages(tmp_path: Path) -> None:
    """The demo school made in a folder of its own, its pages answered by gunicorn."""
    out = run("served_pages.py", "--requests", "3", SITES_DIR=str(tmp_path))
    pages = {r["page"]: r for r in json_lines(out)}
    assert set(pages) == {"inbox", "list", "doc"}
    assert all(r["n"] == 3 and r["p50_ms"] > 0 and r["server_cpu_ms"] > 0 for r in pages.values())


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_stock_books(database: str) -> None:
    if (database == "postgres") != ON_POSTGRES:
        pytest.skip("runs in the other pass")
    out = run(
        "stock.py", "--db", database, "--n", "12", "--items", "60", "--movements", "500",
        "--requests", "2",
    )  # fmt: skip
    lines = {r["bench"]: r for r in json_lines(out)}
    assert set(lines) == {
        "stock_receipt", "stock_issue", "stock_page_all_items", "stock_item_movements"
    }  # fmt: skip
    assert lines["stock_issue"]["n"] == 12 and lines["stock_page_all_items"]["statements"] > 0


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_asset_books(database: str) -> None:
    if (database == "postgres") != ON_POSTGRES:
        pytest.skip("runs in the other pass")
    out = run(
        "assets.py", "--db", database, "--n", "12", "--assets", "300", "--rooms", "10",
        "--requests", "2",
    )  # fmt: skip
    lines = {r["bench"]: r for r in json_lines(out)}
    assert set(lines) == {
        "asset_register", "asset_transfer", "asset_register_all", "asset_register_room",
        "asset_register_room_xlsx", "asset_history",
    }  # fmt: skip
    assert lines["asset_transfer"]["n"] == 12 and lines["asset_register_all"]["statements"] > 0


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_meal_fee_books(database: str) -> None:
    if (database == "postgres") != ON_POSTGRES:
        pytest.skip("runs in the other pass")
    out = run(
        "meal_fees.py", "--db", database, "--classes", "3", "--students", "10", "--months", "2",
        "--requests", "2",
    )  # fmt: skip
    lines = {r["bench"]: r for r in json_lines(out)}
    assert set(lines) == {
        "meal_fee_collection", "meal_fees_month", "meal_fees_class", "canteen_accounts",
        "student_statement", "term_statements",
    }  # fmt: skip
    assert lines["meal_fee_collection"]["n"] == 3 and lines["canteen_accounts"]["statements"] > 0


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_district_overview(database: str) -> None:
    if (database == "postgres") != ON_POSTGRES:
        pytest.skip("runs in the other pass")
    out = run(
        "district.py", "--db", database, "--schools", "3", "--students", "10", "--months", "2",
        "--requests", "2",
    )  # fmt: skip
    (line,) = json_lines(out)
    assert (line["bench"], line["schools"]) == ("district_overview", 3) and line["statements"] > 0
