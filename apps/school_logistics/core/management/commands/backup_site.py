"""Back up the current site into one .tar.gz: database, uploaded files and site_config.json.

Archive layout (format 1):
  manifest.json     site, engine, time, applied migrations, row counts
  site_config.json  the site's secret key and settings
  db.sqlite3        SQLite sites only: an exact, consistent copy made with SQLite's backup API
  data.json         always: Django `dumpdata` of every table, read from one consistent snapshot;
                    it restores into either engine, so a SQLite site can move to PostgreSQL
  files/            the uploaded attachments (MEDIA_ROOT)

PostgreSQL sites are dumped as JSON rather than with pg_dump: the client tools must match the
server's major version and may be missing, while the JSON dump needs only the database connection.
"""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
SNAPSHOT_ALIAS = "sl_backup_snapshot"
# Unmanaged (no table) or disposable: never part of a backup.
DUMP_EXCLUDE = ["django_rq", "sessions"]
ARCHIVE_MEMBERS = {"manifest.json", "site_config.json", "db.sqlite3", "data.json", "files"}


def row_counts(alias: str) -> dict[str, int]:
    """Return the counts shown to people checking a backup or a restore."""
    from school_logistics.core.models import Attachment, Document, School, User

    return {
        "schools": School.objects.using(alias).count(),
        "users": User.objects.using(alias).count(),
        "documents": Document.objects.using(alias).count(),
        "attachments": Attachment.objects.using(alias).count(),
    }


def describe(counts: dict[str, Any]) -> str:
    return "{schools} 所学校，{users} 个用户，{documents} 个单据，{attachments} 个附件".format(
        **{k: counts.get(k, 0) for k in ("schools", "users", "documents", "attachments")}
    )


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a live SQLite database page by page, consistent even while others write to it."""
    if not source.exists():
        raise CommandError(f"找不到数据库文件：{source}")
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # A self-contained file: no -wal/-shm companions inside the archive.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


@contextmanager
def sqlite_alias(path: Path) -> Iterator[str]:
    """Open an extra connection alias on a SQLite file, closed and forgotten afterwards."""
    config = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    config.update(ENGINE="django.db.backends.sqlite3", NAME=str(path), OPTIONS={}, CONN_MAX_AGE=0)
    connections.settings[SNAPSHOT_ALIAS] = config
    try:
        yield SNAPSHOT_ALIAS
    finally:
        connections[SNAPSHOT_ALIAS].close()
        del connections[SNAPSHOT_ALIAS]
        del connections.settings[SNAPSHOT_ALIAS]


def dump(alias: str, target: Path) -> dict[str, Any]:
    """Write data.json from `alias` and return the manifest facts read in the same snapshot."""
    call_command("dumpdata", exclude=DUMP_EXCLUDE, output=str(target), database=alias, verbosity=0)
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    return {
        "migrations": sorted(f"{app}.{name}" for app, name in applied),
        "counts": row_counts(alias),
    }


def snapshot(workdir: Path) -> dict[str, Any]:
    """Dump the database into workdir (db.sqlite3 and/or data.json); return manifest facts."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        db_copy = workdir / "db.sqlite3"
        copy_sqlite(Path(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"]), db_copy)
        with sqlite_alias(db_copy) as alias:
            return dump(alias, workdir / "data.json")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Every table read from one snapshot, without blocking writers.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return dump(DEFAULT_DB_ALIAS, workdir / "data.json")


def backup_site(output: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Write the site's backup archive and return its path and manifest."""
    site_dir = Path(settings.SITE_DIR)
    out_dir = (output or site_dir / "backups").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    target = out_dir / f"{settings.SITE_NAME}-{stamp}.tar.gz"
    n = 1
    while target.exists():
        n += 1
        target = out_dir / f"{settings.SITE_NAME}-{stamp}-{n}.tar.gz"
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=out_dir) as tmp:
        workdir = Path(tmp)
        facts = snapshot(workdir)
        manifest = {
            "format": FORMAT,
            "site": settings.SITE_NAME,
            "engine": connections[DEFAULT_DB_ALIAS].vendor,
            "created": timezone.now().isoformat(),
            "django": django.get_version(),
            **facts,
        }
        (workdir / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        partial = workdir / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(workdir / "manifest.json", "manifest.json")
            config = site_dir / "site_config.json"
            if config.exists():
                tar.add(config, "site_config.json")
            for name in ("db.sqlite3", "data.json"):
                if (workdir / name).exists():
                    tar.add(workdir / name, name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, "files")
        os.replace(partial, target)
    target.chmod(0o600)  # holds the secret key and every user's data
    return target, manifest


class Command(BaseCommand):
    help = "备份当前站点：数据库、附件文件和 site_config.json 打包为一个 .tar.gz"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="备份文件存放目录（默认 sites/<站点>/backups）")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]) if options.get("output") else None
        path, manifest = backup_site(output)
        size = path.stat().st_size / 1024 / 1024
        self.stdout.write(f"备份完成：{path}（{size:.1f} MB）")
        self.stdout.write(f"包含：{describe(manifest['counts'])}")
