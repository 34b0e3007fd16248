"""Time one batch PDF of N requisition vouchers and its peak memory, on a throwaway SQLite site.

Run: .venv/bin/python benchmarks/print_batch.py [--count 200] [--rows 5] [--chunk 20]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# An export (git archive) measures its own code, not the editable checkout's.
sys.path[:0] = [str(ROOT), str(ROOT / "apps")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200, help="vouchers in the batch")
    parser.add_argument("--rows", type=int, default=5, help="lines per requisition")
    parser.add_argument(
        "--chunk", type=int, default=0, help="vouchers per WeasyPrint document (0: the default)"
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="print-batch-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["REDIS_URL"] = ""  # build inline: the job's own cost, no queue latency
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = Path(tmp) / "media"
    call_command("migrate", verbosity=0)

    from school_logistics.printing import batch as batch_module
    from school_logistics.printing.batch import build_batch
    from school_logistics.printing.models import PrintBatch
    from tests.printing.conftest import make_bench_teacher, make_requisition

    user = make_bench_teacher()
    school = user.school
    names = [make_requisition(user, rows=args.rows).name for _ in range(args.count)]
    batch = PrintBatch.objects.create(
        school=school,
        created_by=user,
        doctype="Material Requisition",
        names=names,
        total=len(names),
    )
    if args.chunk:
        batch_module.CHUNK_SIZE = args.chunk
    start, start_cpu = time.perf_counter(), time.process_time()
    build_batch(batch.pk)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    batch.refresh_from_db()
    # ru_maxrss is in KiB on Linux: the whole process's peak, Django and fonts included.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = batch.file.size / 1024 / 1024 if batch.file else 0
    print(
        f"{args.count} vouchers × {args.rows} rows, chunks of {batch_module.CHUNK_SIZE}: "
        f"{batch.status}, {wall:.1f} s wall, "
        f"{cpu:.1f} s CPU, {wall / args.count * 1000:.0f} ms per voucher, "
        f"peak RSS {peak:.0f} MiB, PDF {size:.1f} MiB"
    )


if __name__ == "__main__":
    main()
