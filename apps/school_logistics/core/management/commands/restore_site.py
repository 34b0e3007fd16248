"""Restore the current site from an archive written by `backup_site`.

A site that holds data is only overwritten with --force. The database is restored first (the
SQLite file as it was, or data.json loaded in one transaction), then the uploaded files, then
site_config.json, and finally `migrate` brings an older backup up to this code's schema.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from school_logistics.core.management.commands.backup_site import (
    ARCHIVE_MEMBERS,
    FORMAT,
    describe,
    row_counts,
)


def read_manifest(archive: Path) -> dict[str, Any]:
    """Return the archive's manifest, refusing files that are not our backups."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.getmember("manifest.json")
            handle = tar.extractfile(member)
            manifest = json.loads(handle.read()) if handle else None
            names = tar.getnames()
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise CommandError(f"{archive} 不是 school-logistics 备份文件（{exc}）") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CommandError(f"{archive} 的备份格式无法识别")
    stray = sorted({n.split("/", 1)[0] for n in names} - ARCHIVE_MEMBERS)
    if stray:
        raise CommandError(f"{archive} 含有不属于备份的内容：{'、'.join(stray)}")
    if "data.json" not in names and "db.sqlite3" not in names:
        raise CommandError(f"{archive} 里没有数据库")
    return manifest


def check_migrations(manifest: dict[str, Any]) -> None:
    """Refuse a backup made by a newer version: its tables may not fit this code."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = sorted(set(manifest.get("migrations", [])) - known)
    if unknown:
        raise CommandError(
            "备份来自更新版本的程序（本程序不认识这些迁移："
            + "、".join(unknown[:5])
            + "）。请先升级程序再恢复"
        )


def existing_data() -> dict[str, int]:
    """Return what the site holds now (rows and uploaded files); empty dict when nothing."""
    connection = connections[DEFAULT_DB_ALIAS]
    found: dict[str, int] = {}
    if "core_document" in connection.introspection.table_names():
        found = {k: v for k, v in row_counts(DEFAULT_DB_ALIAS).items() if v}
    media = Path(settings.MEDIA_ROOT)
    files = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    if files:
        found["files"] = files
    return found


def restore_sqlite_file(source: Path) -> None:
    """Put the archived SQLite file in place of the site's database."""
    target = Path(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
    connections.close_all()
    # The last connection to close removes these; if they remain, another process (a running
    # server or worker) still uses the database and would keep writing to the replaced file.
    busy = [p for p in (Path(f"{target}-wal"), Path(f"{target}-shm")) if p.exists()]
    if busy:
        raise CommandError("数据库正被其他进程使用（服务或后台任务仍在运行？），请先停止它们再恢复")
    previous = target.with_name(target.name + ".before-restore")
    if target.exists():
        os.replace(target, previous)
    os.replace(source, target)
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception:
        connections.close_all()
        if previous.exists():
            os.replace(previous, target)
        raise
    previous.unlink(missing_ok=True)


def load_json_dump(source: Path) -> None:
    """Replace every table's rows with data.json in one transaction (all or nothing)."""
    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        # post_migrate would refill content types and DocTypes with new ids that clash with
        # the dump's; they come back from the dump itself.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        call_command("loaddata", str(source), verbosity=0, ignorenonexistent=True)
    # Re-sync the built-in DocTypes shipped with this version of the code, and with them the
    # search rows (a dump from before the search table, or from before new search fields).
    call_command("migrate", interactive=False, verbosity=0)


def replace_dir(current: Path, new: Path | None) -> None:
    """Swap a folder for the restored one (or an empty one), removing the old copy last."""
    old = current.with_name(f".{current.name}-before-restore")
    if old.exists():
        shutil.rmtree(old)
    if current.exists():
        os.replace(current, old)
    if new is not None and new.exists():
        os.replace(new, current)
    else:
        current.mkdir(parents=True)
    if old.exists():
        shutil.rmtree(old)


def restore_site(archive: Path, *, force: bool) -> dict[str, Any]:
    """Restore the site from archive and return its manifest."""
    manifest = read_manifest(archive)
    check_migrations(manifest)
    present = existing_data()
    if present and not force:
        raise CommandError(
            f"站点“{settings.SITE_NAME}”已有数据（{describe(present)}，"
            f"{present.get('files', 0)} 个文件），恢复会覆盖它们。确认覆盖请加 --force"
        )
    site_dir = Path(settings.SITE_DIR)
    site_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=site_dir) as tmp:
        workdir = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, "..", links and device files.
            tar.extractall(workdir, filter="data")
        same_engine = connections[DEFAULT_DB_ALIAS].vendor == "sqlite"
        if same_engine and (workdir / "db.sqlite3").exists():
            restore_sqlite_file(workdir / "db.sqlite3")
        else:
            load_json_dump(workdir / "data.json")
        replace_dir(Path(settings.MEDIA_ROOT), workdir / "files")
        if (workdir / "site_config.json").exists():
            os.replace(workdir / "site_config.json", site_dir / "site_config.json")
            (site_dir / "site_config.json").chmod(0o600)
    return manifest


class Command(BaseCommand):
    help = "从 backup_site 生成的 .tar.gz 恢复当前站点"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="备份文件（.tar.gz）")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的站点")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["file"])
        if not archive.is_file():
            raise CommandError(f"找不到备份文件：{archive}")
        manifest = restore_site(archive, force=options["force"])
        try:
            made = timezone.localtime(dt.datetime.fromisoformat(manifest["created"]))
            when = f"{made:%Y-%m-%d %H:%M}"
        except (KeyError, TypeError, ValueError):
            when = "未知时间"
        self.stdout.write(
            f"已恢复站点“{settings.SITE_NAME}”：来自站点 {manifest.get('site')} 于 {when} 的备份"
        )
        self.stdout.write(f"现有：{describe(row_counts(DEFAULT_DB_ALIAS))}")
