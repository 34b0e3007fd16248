"""Time one voucher PDF (median of warm runs) on a throwaway SQLite site; optionally keep the PDF.

Run: .venv/bin/python benchmarks/print_voucher.py [--rows 20] [--approved] [--runs 20] [--out x.pdf]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from school_logistics.core.models import Department, Document, School, User

ROOT = Path(__file__).resolve().parent.parent
# An export (git archive) measures its own code, not the editable checkout's.
sys.path[:0] = [str(ROOT), str(ROOT / "apps")]


def pages(pdf: bytes) -> str:
    """Return the page count of a PDF as pdfinfo (poppler-utils) reads it."""
    if shutil.which("pdfinfo") is None:
        return "?"
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout
    match = re.search(rb"Pages:\s+(\d+)", out)
    return match.group(1).decode() if match else "?"


def approved(school: School, dept: Department, teacher: User, rows: int) -> Document:
    """Return a requisition taken through head, 总务处 and principal (≥ 5,000 yuan)."""
    from school_logistics.core.models import Department
    from tests.conftest import make_user
    from tests.printing.conftest import approved_requisition

    office = Department.objects.create(school=school, name="校长室")
    logistics = Department.objects.create(school=school, name="总务处")
    people = {
        "teacher": teacher,
        "head": make_user(
            "head", school, "teacher", "dept_head", department=dept, full_name="示例组长乙"
        ),
        "purchaser": make_user(
            "purchaser", school, "purchaser", department=logistics, full_name="示例采购丙"
        ),
        "principal": make_user(
            "principal", school, "principal", department=office, full_name="示例校长丁"
        ),
    }
    office.head = people["principal"]
    office.save()
    dept.head, dept.parent = people["head"], office
    dept.save()
    return approved_requisition(people, rows=rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20, help="requisition lines (default 20)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs after one warm-up")
    parser.add_argument(
        "--doctype",
        default="Material Requisition",
        choices=["Material Requisition", "Repair Ticket"],
    )
    parser.add_argument(
        "--approved",
        action="store_true",
        help="requisition approved through the shipped flow: a 4-row approval trail",
    )
    parser.add_argument("--out", help="write the last PDF here")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="print-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from school_logistics.core import services
    from school_logistics.printing.services import print_document
    from tests.printing.conftest import make_bench_teacher, make_requisition

    user = make_bench_teacher()
    school = user.school
    if args.doctype == "Repair Ticket":
        loc = services.create_document(
            "Location",
            {"location_name": "七年级(1)班教室", "purpose": "教室", "building": "明德楼"},
            actor=user,
        )
        doc = services.create_document(
            "Repair Ticket",
            {
                "subject": "302 教室日光灯不亮",
                "location": loc.name,
                "category": "水电",
                "description": "前排两支灯管不亮，开关正常。",
                "labour_cost": "30",
                "parts": [
                    {"item": "LAMP-T8", "qty": "2", "rate": "16"} for _ in range(max(args.rows, 1))
                ],
            },
            actor=user,
        )
    elif args.approved:
        doc = approved(school, user.department, user, args.rows)
    else:
        doc = make_requisition(user, rows=args.rows)

    print_document(doc, actor=user, output="pdf")  # warm-up: fonts, templates
    times, cpu = [], []
    result = None
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = print_document(doc, actor=user, output="pdf")
        times.append(time.perf_counter() - start)
        # CPU time of this process: steadier than wall time on a shared, busy machine.
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    if args.out:
        Path(args.out).write_bytes(result.content)
    print(
        f"{args.doctype}, {args.rows} rows: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {args.runs} runs; "
        f"CPU median {statistics.median(cpu) * 1000:.0f} ms, min {min(cpu) * 1000:.0f} ms; "
        f"{pages(result.content)} page(s)"
    )


if __name__ == "__main__":
    main()
