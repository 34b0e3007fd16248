"""The `school-logistics` command: create and set up sites, load the demo, back up and restore."""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import config
from config.env import envstr

SITE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
# Same default as config/settings.py, computed without importing the settings (see start_django).
DEFAULT_SITES_DIR = Path(config.__file__).resolve().parent.parent / "sites"


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit status 1."""


# --- sites on disk (no Django needed) ------------------------------------------------------


def sites_dir() -> Path:
    """Return the folder holding every site (SITES_DIR, else sites/ in the checkout)."""
    return Path(envstr("SITES_DIR") or DEFAULT_SITES_DIR)


def site_dir(name: str) -> Path:
    """Return a site's folder, refusing names that could escape the sites folder."""
    if not SITE_NAME_RE.match(name) or ".." in name:
        raise CliError(
            f"站点名称“{name}”无效：只能用字母、数字、点、下划线和连字符，最长 63 个字符"
        )
    return sites_dir() / name


def config_path(name: str) -> Path:
    return site_dir(name) / "site_config.json"


def read_config(name: str) -> dict[str, Any]:
    path = config_path(name)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_config(name: str, values: dict[str, Any]) -> None:
    """Write site_config.json atomically and readable only by its owner (it holds the secret key)."""
    path = config_path(name)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(values, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    os.replace(tmp, path)


def create_site_files(name: str) -> Path:
    """Create sites/NAME/ with a fresh secret key; the database is made by migrate."""
    folder = site_dir(name)
    (folder / "files").mkdir(parents=True, exist_ok=True)
    write_config(name, {"secret_key": secrets.token_urlsafe(50)})
    return folder


def site_exists(name: str) -> bool:
    return config_path(name).exists()


def require_site(name: str) -> None:
    if not site_exists(name):
        raise CliError(
            f"站点“{name}”不存在（{site_dir(name)}）。先运行：school-logistics new-site {name}"
        )


# --- Django ------------------------------------------------------------------------------


def start_django(name: str) -> None:
    """Point the settings at the site and set Django up (settings read SITE at import)."""
    os.environ["SITE"] = name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings
    from django.utils import translation

    django.setup()
    translation.activate(settings.LANGUAGE_CODE)


def ensure_database() -> None:
    """Create the PostgreSQL database named by DATABASE_URL when it does not exist yet."""
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
        return
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise CliError(f"无法连接 PostgreSQL：{exc}") from exc
    import psycopg
    from psycopg import sql

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    print(f"已创建 PostgreSQL 数据库 {db['NAME']}")


def migrate() -> None:
    """Bring the schema up to date; post_migrate syncs DocTypes, then default roles are ensured."""
    from django.core.management import call_command

    from school_logistics.core.roles import ensure_default_roles

    ensure_database()
    call_command("migrate", interactive=False, verbosity=0)
    ensure_default_roles()
    print("数据库已是最新结构，DocType 与默认角色已同步")
    prepare_fonts()


def prepare_fonts() -> None:
    """Make the voucher font subsets PDFs embed from, once per machine (printing/fonts.py)."""
    from school_logistics.printing import fonts

    if all(path.exists() for _, path in fonts.planned()):
        return  # made before, or no Chinese font installed (printing says so)
    print("正在生成 PDF 凭证用的字体子集（每台机器只需一次，约半分钟）…", flush=True)
    try:
        fonts.build()
    except Exception as exc:  # a cache, not the site: PDFs still print from the system font
        print(f"警告：字体子集未能生成（{exc}），PDF 将直接使用系统字体，速度较慢", file=sys.stderr)
        return
    print(f"字体子集已保存在 {fonts.cache_dir()}")


# --- demo logins -------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Return the width of text in a terminal, counting CJK characters as two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return rows as an aligned plain-text table."""
    widths = [
        max(display_width(str(cell)) for cell in column)
        for column in zip(headers, *rows, strict=False)
    ]
    lines = [
        " | ".join(pad(str(cell), w) for cell, w in zip(row, widths, strict=True))
        for row in [headers, *rows]
    ]
    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([lines[0], rule, *lines[1:]])


def print_logins(logins: Sequence[Sequence[str]]) -> None:
    url = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
    print()
    print(f"演示账号（登录 {url}）：")
    print(format_table(["用户名", "角色", "密码"], [[str(c) for c in row] for row in logins]))
    print()


def load_demo_into(name: str) -> list[list[str]]:
    """Load the demo school in one transaction and remember its logins in site_config.json."""
    from django.db import transaction
    from django.utils import timezone

    try:
        from school_logistics.demo import load_demo
    except ModuleNotFoundError as exc:
        if exc.name != "school_logistics.demo":
            raise
        raise CliError("本版本没有演示数据模块（school_logistics.demo），未加载演示学校") from exc

    print("正在加载演示学校……")
    with transaction.atomic():
        result = load_demo()
    logins = [[str(u), str(role), str(pw)] for u, role, pw in result.get("logins", [])]
    values = read_config(name)
    values["demo"] = {"loaded_at": timezone.now().isoformat(), "logins": logins}
    write_config(name, values)
    return logins


# --- commands ----------------------------------------------------------------------------


def cmd_new_site(args: argparse.Namespace) -> None:
    name = args.name
    if site_exists(name):
        raise CliError(f"站点“{name}”已存在（{site_dir(name)}），未做任何修改")
    folder = create_site_files(name)
    start_django(name)
    migrate()
    print(f"站点“{name}”已创建：{folder}")


def cmd_setup(args: argparse.Namespace) -> None:
    name = args.site
    if not site_exists(name):
        create_site_files(name)
        print(f"站点“{name}”已创建：{site_dir(name)}")
    start_django(name)
    migrate()
    from school_logistics.core.models import School

    demo = read_config(name).get("demo")
    if demo is None and not School.objects.exists():
        try:
            logins = load_demo_into(name)
        except CliError as exc:  # the site still works; the admin can use create-admin
            print(f"警告：{exc}", file=sys.stderr)
            return
    elif demo is not None:
        logins = demo.get("logins", [])
        print("演示数据已在首次运行时加载，本次保留现有数据")
    else:
        print("站点已有学校数据，未加载演示数据")
        return
    if logins:
        print_logins(logins)


def cmd_migrate(args: argparse.Namespace) -> None:
    require_site(args.site)
    start_django(args.site)
    migrate()


def cmd_load_demo(args: argparse.Namespace) -> None:
    require_site(args.site)
    start_django(args.site)
    demo = read_config(args.site).get("demo")
    if demo is not None:
        print(f"演示数据已于 {demo.get('loaded_at', '之前')} 加载，不再重复加载")
        logins = demo.get("logins", [])
    else:
        logins = load_demo_into(args.site)
    if logins:
        print_logins(logins)


def cmd_create_admin(args: argparse.Namespace) -> None:
    require_site(args.site)
    start_django(args.site)
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from school_logistics.core.models import Role, School, User
    from school_logistics.core.roles import ensure_default_roles

    school = School.objects.filter(code=args.school).first()
    if school is None and not args.school_name:
        known = "、".join(School.objects.values_list("code", flat=True)) or "（无）"
        raise CliError(
            f"学校代码“{args.school}”不存在。现有学校：{known}。"
            "要新建学校，请同时给出 --school-name 学校名称"
        )
    user = User.objects.filter(username=args.username).first()
    try:
        validate_password(args.password, user)
    except ValidationError as exc:
        raise CliError("密码不符合要求：" + "；".join(exc.messages)) from exc
    with transaction.atomic():
        ensure_default_roles()
        if school is None:
            school = School.objects.create(code=args.school, name=args.school_name)
            print(f"已新建学校：{school.name}（{school.code}）")
        created = user is None
        if user is None:
            user = User(username=args.username, full_name=args.full_name or args.username)
        user.school = school
        user.is_superuser = True
        user.is_staff = True
        user.is_active = True
        user.set_password(args.password)
        user.save()
        user.roles.add(Role.objects.get(code="sys_admin"))
    print(f"{'已创建' if created else '已更新'}系统管理员 {user.username}（学校：{school.name}）")


def cmd_backup(args: argparse.Namespace) -> None:
    require_site(args.site)
    start_django(args.site)
    from django.core.management import call_command

    call_command("backup_site", output=args.output)


def cmd_restore(args: argparse.Namespace) -> None:
    archive = Path(args.file).resolve()
    if not archive.is_file():
        raise CliError(f"找不到备份文件：{archive}")
    if not site_exists(args.site):
        create_site_files(args.site)
    start_django(args.site)
    ensure_database()
    from django.core.management import call_command

    call_command("restore_site", str(archive), force=args.force)


def cmd_sites(args: argparse.Namespace) -> None:
    root = sites_dir()
    names = sorted(p.parent.name for p in root.glob("*/site_config.json"))
    if not names:
        print(f"{root} 下还没有站点。运行 school-logistics new-site 名称 来创建")
        return
    rows = []
    for name in names:
        db = root / name / "db.sqlite3"
        files = root / name / "files"
        count = sum(1 for p in files.rglob("*") if p.is_file()) if files.exists() else 0
        size = f"{db.stat().st_size / 1024 / 1024:.1f} MB" if db.exists() else "—"
        rows.append([name + (" *" if name == args.site else ""), size, str(count)])
    print(format_table(["站点", "SQLite 数据库", "附件文件"], rows))
    print(f"（* 当前站点；目录 {root}）")


def cmd_scheduler(args: argparse.Namespace) -> None:
    require_site(args.site)
    start_django(args.site)
    from django.core.management import call_command

    call_command("run_scheduler", once=args.once)


# --- argument parsing --------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="school-logistics",
        description="学校后勤管理平台：站点、演示数据、备份与恢复",
    )
    parser.add_argument(
        "--site",
        default=os.environ.get("SITE") or "default",
        help="站点名称（默认取环境变量 SITE，否则 default）",
    )
    # --site is also accepted after the command (`setup --site demo`); SUPPRESS keeps the
    # value given before the command when it is not repeated after it.
    site_after = argparse.ArgumentParser(add_help=False)
    site_after.add_argument("--site", default=argparse.SUPPRESS, help="站点名称")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def add(name: str, func: Callable[[argparse.Namespace], None], text: str) -> Any:
        p = sub.add_parser(name, help=text, description=text, parents=[site_after])
        p.set_defaults(func=func)
        return p

    p = add("new-site", cmd_new_site, "新建站点：sites/名称/，生成密钥并建库")
    p.add_argument("name", help="站点名称")
    add(
        "setup",
        cmd_setup,
        "make run 调用：建站（如无）、迁移、同步、首次加载演示学校、打印演示账号",
    )
    add("migrate", cmd_migrate, "迁移数据库并同步 DocType 与默认角色")
    add("load-demo", cmd_load_demo, "加载演示学校（每个站点只加载一次）")
    p = add("create-admin", cmd_create_admin, "创建或更新系统管理员（sys_admin + 超级用户）")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--school", required=True, help="学校代码")
    p.add_argument("--school-name", help="学校不存在时用此名称新建")
    p.add_argument("--full-name", help="姓名")
    p = add("backup", cmd_backup, "备份站点为一个 .tar.gz（数据库 + 附件 + site_config.json）")
    p.add_argument("--output", help="存放目录（默认 sites/站点/backups）")
    p = add("restore", cmd_restore, "从备份恢复站点")
    p.add_argument("file", help="backup 生成的 .tar.gz")
    p.add_argument("--force", action="store_true", help="覆盖已有数据的站点")
    add("sites", cmd_sites, "列出站点")
    p = add(
        "scheduler", cmd_scheduler, "每分钟运行已注册的定时任务（可同时运行多个，只会执行一次）"
    )
    p.add_argument("--once", action="store_true", help="只运行当前这一分钟的任务后退出")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command != "new-site":
            site_dir(args.site)  # validate --site before anything touches the disk
        args.func(args)
    except CliError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from django.core.management import CommandError

        if isinstance(exc, CommandError):
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
