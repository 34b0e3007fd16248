"""The `school-logistics` command, run as a real subprocess against sites in a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

# Builds a school, a requisition and an uploaded file through the real services.
SEED = """
from django.core.files.uploadedfile import SimpleUploadedFile
from school_logistics.core import services
from school_logistics.core.attachments import upload_attachment
from school_logistics.core.models import Attachment, Department, Role, School, User

school = School.objects.create(name="备份测试中学", code="backup-test")
dept = Department.objects.create(school=school, name="总务处")
keeper = User.objects.create_user("keeper", password="pass12345", school=school, department=dept)
keeper.roles.set(Role.objects.filter(code__in=["storekeeper", "teacher"]))
services.create_document(
    "Item",
    {"item_code": "P-A4", "item_name": "A4复印纸", "category": "办公用品", "uom": "箱",
     "reference_price": "120"},
    actor=keeper,
)
doc = services.create_document(
    "Material Requisition",
    {"purpose": "期中考试用纸", "items": [{"item": "P-A4", "qty": "3", "rate": "120.5"}]},
    actor=keeper,
)
upload = SimpleUploadedFile("验收单.txt", "验收合格，数量无误".encode(), content_type="text/plain")
att = upload_attachment(upload, actor=keeper)
Attachment.objects.filter(pk=att.pk).update(document=doc)
print(json.dumps({"doc": doc.name, "token": att.token}))
"""

# Reports what a site holds, as JSON, so the test can compare before and after.
REPORT = """
from school_logistics.core.models import Attachment, Document, DocType, Role, User
docs = {d.name: str(d.grand_total) for d in Document.objects.all()}
atts = {a.token: {"doc": a.document.name if a.document else None,
                  "content": a.file.open("rb").read().decode()} for a in Attachment.objects.all()}
keeper = User.objects.filter(username="keeper").first()
print(json.dumps({
    "docs": docs, "attachments": atts, "doctypes": DocType.objects.count(),
    "roles": sorted(Role.objects.values_list("code", flat=True)),
    "keeper_login": bool(keeper and keeper.check_password("pass12345")),
}))
"""


class Sites:
    """Runs the CLI and small Django scripts against sites under one temporary SITES_DIR."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SITE"}}
        self.env.pop("REDIS_URL", None)
        self.env |= {"SITES_DIR": str(root), "DJANGO_SETTINGS_MODULE": "config.settings"}
        self.databases: dict[str, str] = {}
        self.blank_site: Path | None = None

    def copy_blank(self, site: str) -> None:
        """Make a migrated, empty SQLite site quickly (new-site itself is tested on its own)."""
        assert self.blank_site is not None
        shutil.copytree(self.blank_site, self.root / site)

    def env_for(self, site: str) -> dict[str, str]:
        env = dict(self.env)
        if site in self.databases:
            env["DATABASE_URL"] = self.databases[site]
        return env

    def cli(self, site: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        script = Path(sys.executable).with_name("school-logistics")
        command = (
            [str(script)] if script.exists() else [sys.executable, "-m", "school_logistics.cli"]
        )
        return self.run([*command, "--site", site, *args], site, check=check)

    def django(self, site: str, code: str) -> dict:
        program = "import json, django\ndjango.setup()\n" + textwrap.dedent(code)
        env = self.env_for(site) | {"SITE": site}
        out = self.run([sys.executable, "-c", program], site, env=env)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def run(
        self, command: list[str], site: str, *, check: bool = True, env: dict | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            command,
            cwd=ROOT,
            env=env or self.env_for(site),
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            pytest.fail(f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result


@pytest.fixture(scope="module")
def blank_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite site made by the real new-site, copied by tests that just need a site."""
    helper = Sites(tmp_path_factory.mktemp("template") / "sites")
    helper.cli("blank", "new-site", "blank")
    return helper.root / "blank"


@pytest.fixture
def sites(tmp_path: Path, blank_site: Path) -> Iterator[Sites]:
    helper = Sites(tmp_path / "sites")
    helper.blank_site = blank_site
    yield helper
    for url in helper.databases.values():
        drop_postgres_database(url)


def postgres_url(sites: Sites, site: str) -> None:
    """Give a site its own throwaway PostgreSQL database (created by the CLI)."""
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    name = f"sl_cli_{uuid.uuid4().hex[:10]}"
    sites.databases[site] = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def drop_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def test_new_site_creates_a_working_site(sites: Sites) -> None:
    result = sites.cli("alpha", "new-site", "alpha")

    config = json.loads((sites.root / "alpha" / "site_config.json").read_text())
    assert len(config["secret_key"]) >= 50
    assert (sites.root / "alpha" / "db.sqlite3").exists()
    assert "已创建" in result.stdout
    report = sites.django("alpha", REPORT)
    assert report["doctypes"] > 0  # built-in DocTypes synced
    assert "sys_admin" in report["roles"] and "teacher" in report["roles"]
    assert "alpha" in sites.cli("alpha", "sites").stdout

    admin = sites.cli(
        "alpha", "create-admin", "--username", "zhang", "--password", "admin-pass-1",
        "--school", "no1", "--school-name", "第一中学",
    )  # fmt: skip
    assert "zhang" in admin.stdout
    can_login = sites.django(
        "alpha",
        """
        from django.contrib.auth import authenticate
        user = authenticate(username="zhang", password="admin-pass-1")
        print(json.dumps([user.is_superuser, sorted(user.role_codes()), user.school.code]))
        """,
    )
    assert can_login == [True, ["sys_admin"], "no1"]


def test_new_site_refuses_an_existing_site_and_bad_names(sites: Sites) -> None:
    sites.copy_blank("alpha")
    config_before = (sites.root / "alpha" / "site_config.json").read_text()

    again = sites.cli("alpha", "new-site", "alpha", check=False)
    bad = sites.cli("alpha", "new-site", "../escape", check=False)

    assert again.returncode == 1 and "已存在" in again.stderr
    assert bad.returncode == 1 and "无效" in bad.stderr
    assert (sites.root / "alpha" / "site_config.json").read_text() == config_before
    assert not (sites.root.parent / "escape").exists()


def test_create_admin_rejects_unknown_school_and_short_password(sites: Sites) -> None:
    sites.copy_blank("alpha")

    no_school = sites.cli(
        "alpha", "create-admin", "--username", "li", "--password", "long-enough-1", "--school", "x",
        check=False,
    )  # fmt: skip
    short = sites.cli(
        "alpha", "create-admin", "--username", "li", "--password", "abc", "--school", "x",
        "--school-name", "某中学", check=False,
    )  # fmt: skip

    assert no_school.returncode == 1 and "学校代码" in no_school.stderr
    assert short.returncode == 1 and "密码" in short.stderr
    users = sites.django(
        "alpha",
        "from school_logistics.core.models import School, User\n"
        "print(json.dumps([User.objects.count(), School.objects.count()]))",
    )
    assert users == [0, 0]


def test_setup_loads_the_demo_once_and_prints_logins_every_time(sites: Sites) -> None:
    sites.copy_blank("demo")

    first = sites.cli("demo", "setup")
    second = sites.cli("demo", "setup")
    again = sites.cli("demo", "load-demo")

    for run in (first, second, again):
        assert "teacher" in run.stdout and "demo1234" in run.stdout and "系统管理员" in run.stdout
    assert "正在加载演示学校" in first.stdout
    assert "正在加载演示学校" not in second.stdout + again.stdout
    assert "不再重复加载" in again.stdout
    site = sites.django(
        "demo",
        """
        from django.contrib.auth import authenticate
        from school_logistics.core.models import Document, School
        print(json.dumps({
            "schools": list(School.objects.values_list("code", flat=True)),
            "principal": authenticate(username="principal", password="demo1234") is not None,
            "requisitions": Document.objects.filter(doctype="Material Requisition").count(),
        }))
        """,
    )
    # The demo school and its neighbour (the bureau's second school), loaded once.
    assert sorted(site["schools"]) == ["demo", "demo2"] and site["principal"] is True
    assert site["requisitions"] > 10  # loaded once, not twice


ENGINE_PAIRS = [
    pytest.param("sqlite", "sqlite", id="sqlite-to-sqlite"),
    pytest.param(
        "sqlite",
        "postgres",
        id="sqlite-to-postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass"),
        ],
    ),
    pytest.param(
        "postgres",
        "sqlite",
        id="postgres-to-sqlite",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass"),
        ],
    ),
]


@pytest.mark.parametrize(("source_engine", "target_engine"), ENGINE_PAIRS)
def test_backup_then_restore_into_a_fresh_site_brings_back_documents_and_attachment(
    sites: Sites, tmp_path: Path, source_engine: str, target_engine: str
) -> None:
    if target_engine == "postgres":
        postgres_url(sites, "copy")
    if source_engine == "postgres":
        postgres_url(sites, "school")
        sites.cli("school", "new-site", "school")
    else:
        sites.copy_blank("school")
    seeded = sites.django("school", SEED)
    before = sites.django("school", REPORT)

    backup = sites.cli("school", "backup", "--output", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("school-*.tar.gz")
    assert "1 个附件" in backup.stdout
    restored = sites.cli("copy", "restore", str(archive))

    assert "已恢复" in restored.stdout
    after = sites.django("copy", REPORT)
    assert after == before
    assert after["docs"][seeded["doc"]] == "361.50"
    assert after["attachments"][seeded["token"]] == {
        "doc": seeded["doc"],
        "content": "验收合格，数量无误",
    }
    assert after["keeper_login"] is True
    src_config = json.loads((sites.root / "school" / "site_config.json").read_text())
    dst_config = json.loads((sites.root / "copy" / "site_config.json").read_text())
    assert dst_config["secret_key"] == src_config["secret_key"]  # sessions and tokens stay valid


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("sqlite", id="sqlite"),
        pytest.param(
            "postgres",
            id="postgres",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass"),
            ],
        ),
    ],
)
def test_restore_refuses_to_overwrite_a_site_with_data_without_force(
    sites: Sites, tmp_path: Path, engine: str
) -> None:
    if engine == "postgres":
        postgres_url(sites, "school")
        sites.cli("school", "new-site", "school")
    else:
        sites.copy_blank("school")
    seeded = sites.django("school", SEED)
    sites.cli("school", "backup", "--output", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("school-*.tar.gz")
    later = sites.django(
        "school",
        """
        from school_logistics.core import services
        from school_logistics.core.models import User
        doc = services.create_document(
            "Material Requisition",
            {"purpose": "备份之后的申购", "items": [{"item": "P-A4", "qty": "1", "rate": "10"}]},
            actor=User.objects.get(username="keeper"),
        )
        print(json.dumps(doc.name))
        """,
    )

    refused = sites.cli("school", "restore", str(archive), check=False)

    assert refused.returncode == 1
    assert "--force" in refused.stderr and "已有数据" in refused.stderr
    assert later in sites.django("school", REPORT)["docs"]  # nothing was overwritten

    sites.cli("school", "restore", str(archive), "--force")

    docs = sites.django("school", REPORT)["docs"]
    assert later not in docs and seeded["doc"] in docs


def test_restore_rejects_a_file_that_is_not_a_backup(sites: Sites, tmp_path: Path) -> None:
    sites.copy_blank("alpha")
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")

    result = sites.cli("alpha", "restore", str(bogus), check=False)

    assert result.returncode == 1 and "不是 school-logistics 备份文件" in result.stderr


def test_scheduler_runs_once_without_jobs_and_a_second_copy_stands_by(sites: Sites) -> None:
    sites.copy_blank("alpha")
    script = Path(sys.executable).with_name("school-logistics")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "school_logistics.cli"]
    first = subprocess.Popen(
        [*command, "--site", "alpha", "scheduler"],
        cwd=ROOT,
        env=sites.env | {"PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert first.stdout is not None
        assert "定时任务" in first.stdout.readline()  # started and holds the site lock
        second = sites.cli("alpha", "scheduler", "--once")
    finally:
        first.terminate()
        first.wait(timeout=10)

    assert "另一个调度进程正在运行" in second.stdout
