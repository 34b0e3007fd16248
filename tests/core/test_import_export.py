"""Excel in and out: the import template, all-or-nothing imports, filtered exports, round trips."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from school_logistics.core import data_import, services
from school_logistics.core.models import (
    DataImport,
    Department,
    DocType,
    Document,
    ImportStatus,
    NamingSeries,
    School,
    User,
    Version,
)
from school_logistics.core.registry import clear_meta_cache
from tests.core.test_i18n import english_catalogue  # noqa: F401  (compiles the .mo when stale)
from tests.stores.factories import make_desk_items

ITEMS = "/app/item"
REQS = "/app/material-requisition"
SUPPLIERS = "/app/supplier"


@pytest.fixture(autouse=True)
def inline_jobs(settings: Any, tmp_path: Any) -> None:
    """Run imports inline (the job itself is what is tested) and keep uploads out of the site."""
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def catalogue(users: dict[str, User]) -> list[str]:
    return make_desk_items(users["storekeeper"])


def snapshot() -> tuple[Any, ...]:
    """Everything an import could write: documents, versions, naming counters."""
    return (
        sorted(Document.objects.values_list("doctype", "name", "data")),
        Version.objects.count(),
        sorted(NamingSeries.objects.values_list("prefix", "current")),
    )


def workbook(client: Any, base: str) -> openpyxl.Workbook:
    response = client.get(f"{base}/import/template.xlsx")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def filled(client: Any, base: str, lines: list[dict[str, Any]]) -> bytes:
    """Fill the downloaded template: each line is {key: value}, written under the key row."""
    wb = workbook(client, base)
    ws = wb.worksheets[0]
    keys = [c.value for c in ws[2]]
    for r, line in enumerate(lines, start=3):
        for key, value in line.items():
            ws.cell(row=r, column=keys.index(key) + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(
    client: Any,
    base: str,
    content: bytes,
    name: str = "导入.xlsx",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    data = {"file": SimpleUploadedFile(name, content), **extra}
    return client.post(f"{base}/import/", data, headers=headers or {})


def run(client: Any, base: str, content: bytes, capture: Any, **extra: Any) -> DataImport:
    """Upload a file, run the queued job on commit, and return the finished import."""
    with capture(execute=True):
        response = upload(client, base, content, **extra)
    assert response.status_code == 302, response.content.decode()[:500]
    record = DataImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    return record


def messages(record: DataImport) -> list[str]:
    return [e["message"] for e in record.errors]


ITEM_LINES = [
    {
        "item_code": "N-001",
        "item_name": "白板笔",
        "category": "办公用品",
        "uom": "支",
        "reference_price": 3.5,
    },
    {
        "item_code": "N-002",
        "item_name": "粉笔",
        "category": "教学用品",
        "uom": "盒",
        "reference_price": 12,
        "is_consumable": "否",
    },
    {"item_code": "N-003", "item_name": "扫把", "category": "清洁用品", "uom": "把"},
]


def requisition_lines(first_qty: Any = 2) -> list[dict[str, Any]]:
    """Two requisitions: three item rows on lines 3-5, one on line 6."""
    return [
        {
            "purpose": "初二年级期中考试用纸",
            "required_by": dt.datetime(2031, 5, 20),
            "items.item": "P-A4",
            "items.qty": first_qty,
            "items.rate": 120,
        },
        {"items.item": "P-PEN", "items.qty": 3, "items.rate": 18},
        {"items.item": "C-MOP", "items.qty": 1, "items.rate": 25.5},
        {
            "purpose": "教研组办公用品",
            "budget_line": "办公用品费",
            "items.item": "P-PEN",
            "items.qty": 10,
            "items.rate": 18,
        },
    ]


# --- the template -------------------------------------------------------------------------------


def test_template_lists_labels_hidden_keys_child_columns_options_and_an_example(
    client, users, catalogue
):
    client.force_login(users["teacher"])
    wb = workbook(client, REQS)
    data = wb.worksheets[0]
    labels = [c.value for c in data[1]]
    keys = [c.value for c in data[2]]
    assert "用途" in labels and "物资明细.物资" in labels and "物资明细.数量" in labels
    assert "items.item" in keys and "purpose" in keys
    assert "合计金额" not in labels and "物资明细.金额" not in labels  # computed, not typed
    assert data.row_dimensions[2].hidden
    guide = wb["说明"]
    text = [str(c.value) for row in guide.iter_rows() for c in row if c.value is not None]
    assert "示例（照此格式填写到数据表）" in text
    assert "P-A4" in text  # the example uses an item of the user's own school


def test_item_template_offers_the_select_options_on_their_own_sheet(client, users):
    client.force_login(users["storekeeper"])
    wb = workbook(client, ITEMS)
    options = [c.value for c in wb["选项"]["A"]]
    assert options[0] == "类别" and "办公用品" in options and "食堂物资" in options
    assert wb.worksheets[0].data_validations.dataValidation  # a drop-down on the column


# --- importing ----------------------------------------------------------------------------------


def test_storekeeper_imports_items_with_decimal_prices_and_defaults(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["storekeeper"])
    record = run(
        client, ITEMS, filled(client, ITEMS, ITEM_LINES), django_capture_on_commit_callbacks
    )
    assert record.status == ImportStatus.SUCCESS, record.errors
    assert (record.total, record.done) == (3, 3)
    docs = {d.name: d for d in Document.objects.filter(doctype="Item")}
    assert set(docs) == {"N-001", "N-002", "N-003"}
    assert docs["N-001"].data["reference_price"] == "3.50"
    assert docs["N-001"].data["is_consumable"] == 1  # the DocType's default for an empty cell
    assert docs["N-002"].data["is_consumable"] == 0
    assert all(d.owner == users["storekeeper"] for d in docs.values())


def test_teacher_imports_requisitions_with_child_rows_and_totals(
    client, users, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(users["teacher"])
    content = filled(client, REQS, requisition_lines())
    record = run(client, REQS, content, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.SUCCESS, record.errors
    reqs = list(Document.objects.filter(doctype="Material Requisition").order_by("name"))
    assert [len(r.data["items"]) for r in reqs] == [3, 1]
    first = reqs[0]
    assert first.grand_total == Decimal("319.50")  # 240 + 54 + 25.50, computed by the controller
    assert first.data["required_by"] == "2031-05-20"
    assert first.data["department"] == "语文组" and first.data["requested_by"] == "teacher"
    assert [row["item_name"] for row in first.data["items"]] == ["A4复印纸", "红色水笔", "拖把"]
    assert first.docstatus == 0


def test_bad_cell_in_row_7_saves_nothing_and_names_row_and_field(
    client, users, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(users["teacher"])
    lines = requisition_lines() + [
        {"purpose": "第三张", "items.item": "P-A4", "items.qty": "abc", "items.rate": 1},
    ]
    lines[2]["items.qty"] = 1  # rows 3-6 are fine, row 7 holds "abc"
    before = snapshot()
    record = run(client, REQS, filled(client, REQS, lines), django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.FAILED
    assert messages(record) == ["第 7 行：数量：输入一个数字。"]
    assert record.errors[0]["column"] == "物资明细.数量"
    assert snapshot() == before and record.done == 0


def test_row_errors_are_in_english_for_an_english_uploader(
    client, users, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(users["teacher"])
    lines = requisition_lines()
    lines[2]["items.qty"] = "abc"
    content = filled(client, REQS, lines)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, REQS, content, headers={"Accept-Language": "en"})
    record = DataImport.objects.get()
    assert response.status_code == 302 and record.language == "en"
    assert messages(record) == ["Row 5: Qty: Enter a number."]
    body = client.get(response["Location"], headers={"Accept-Language": "en"}).content.decode()
    assert "Not imported" in body and "Row 5: Qty: Enter a number." in body


def test_every_bad_row_is_reported_at_once_with_its_own_line(
    client, users, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(users["teacher"])
    lines = requisition_lines()
    lines[1]["items.item"] = "NO-SUCH"  # line 4: the second row of the first requisition
    lines[3]["purpose"] = None
    lines[3]["budget_line"] = "办公用品费"  # line 6 still opens a document, without a purpose
    record = run(client, REQS, filled(client, REQS, lines), django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.FAILED
    assert messages(record) == [
        "第 4 行：物资：找不到“NO-SUCH”",
        "第 6 行：用途：这个字段是必填项。",
    ]
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def test_a_bad_number_and_a_missing_record_in_one_document_are_reported_together(
    client, users, catalogue, django_capture_on_commit_callbacks
):
    """Not a bad number first and, once fixed, the missing item in a second round."""
    client.force_login(users["teacher"])
    lines = requisition_lines()
    lines[0]["items.qty"] = "abc"
    lines[1]["items.item"] = "NO-SUCH"
    record = run(client, REQS, filled(client, REQS, lines), django_capture_on_commit_callbacks)
    assert messages(record) == ["第 3 行：数量：输入一个数字。", "第 4 行：物资：找不到“NO-SUCH”"]
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def test_binary_float_noise_is_refused_as_the_form_refuses_it(
    client, users, catalogue, django_capture_on_commit_callbacks
):
    client.force_login(users["teacher"])
    lines = requisition_lines()
    lines[0]["items.rate"] = 0.3
    # Excel keeps 17 digits, so =0.1+0.2 is stored as below (openpyxl would round it).
    content = _patched(filled(client, REQS, lines), "<v>0.3</v>", "<v>0.30000000000000004</v>")
    record = run(client, REQS, content, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.FAILED
    assert messages(record) == ["第 3 行：预估单价：最多 2 位小数"]
    assert not Document.objects.filter(doctype="Material Requisition").exists()


def _patched(content: bytes, old: str, new: str) -> bytes:
    """Return the file with its sheet XML changed, as Excel (not openpyxl) would have written it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            target.writestr(info, data)
    return out.getvalue()


def test_formula_cells_import_their_computed_value_and_uncomputed_ones_are_named(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["storekeeper"])
    lines = [dict(ITEM_LINES[0], reference_price="=2*6")]
    content = filled(client, ITEMS, lines)
    record = run(client, ITEMS, content, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.FAILED
    assert messages(record) == [
        "第 3 行：参考单价：公式没有计算结果，请在 Excel 中打开并保存后再导入"
    ]

    record = run(
        client,
        ITEMS,
        _patched(content, "<f>2*6</f><v />", "<f>2*6</f><v>12</v>"),
        django_capture_on_commit_callbacks,
    )
    assert record.status == ImportStatus.SUCCESS, record.errors
    assert Document.objects.get(doctype="Item", name="N-001").data["reference_price"] == "12.00"


def test_empty_rows_are_skipped_and_a_file_without_the_key_row_matches_labels(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["storekeeper"])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["物资编码", "品名", "类别", "单位", "参考单价"])
    ws.append(["K-1", "订书机", "办公用品", "个", 25])
    ws.append([None, None, None, None, None])
    ws.append(["K-2", "订书钉", "办公用品", "盒", 8])
    out = io.BytesIO()
    wb.save(out)
    record = run(client, ITEMS, out.getvalue(), django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.SUCCESS, record.errors
    assert set(Document.objects.filter(doctype="Item").values_list("name", flat=True)) == {
        "K-1",
        "K-2",
    }


def test_unknown_columns_are_refused_by_name(client, users, django_capture_on_commit_callbacks):
    client.force_login(users["storekeeper"])
    wb = openpyxl.Workbook()
    wb.active.append(["物资编码", "颜色"])
    wb.active.append(["K-1", "红"])
    out = io.BytesIO()
    wb.save(out)
    record = run(client, ITEMS, out.getvalue(), django_capture_on_commit_callbacks)
    assert messages(record) == ["第 1 行：无法识别的列：颜色"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("物资.xlsx", b"item_code,item_name\nA,B\n", "文件不是 Excel 工作簿（.xlsx）"),
        ("物资.csv", b"item_code,item_name\nA,B\n", "文件不是 Excel 工作簿（.xlsx）"),
        ("物资.xlsx", b"0" * (5 * 1024 * 1024 + 1), "文件太大：导入文件最大 5 MB"),
    ],
)
def test_a_file_that_is_not_xlsx_or_too_big_gets_a_clear_message(
    client, users, name, content, expected
):
    client.force_login(users["storekeeper"])
    before = snapshot()
    response = upload(client, ITEMS, content, name=name)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not DataImport.objects.exists() and snapshot() == before


def test_too_many_documents_are_refused_before_any_is_created(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["storekeeper"])
    wb = workbook(client, ITEMS)
    ws = wb.worksheets[0]
    for n in range(data_import.MAX_DOCUMENTS + 1):
        ws.append([f"B-{n}", "本子", "办公用品", None, "本"])
    out = io.BytesIO()
    wb.save(out)
    before = snapshot()
    record = run(client, ITEMS, out.getvalue(), django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.FAILED
    assert messages(record) == ["单据太多：一次最多导入 2000 条，请拆分文件"]
    assert snapshot() == before


def test_running_the_job_twice_creates_the_documents_once(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["storekeeper"])
    record = run(
        client, ITEMS, filled(client, ITEMS, ITEM_LINES), django_capture_on_commit_callbacks
    )
    data_import.run_import(record.pk)
    assert Document.objects.filter(doctype="Item").count() == 3


# --- who may import -----------------------------------------------------------------------------


def test_without_the_create_right_import_is_refused_and_nothing_saved(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["finance"])  # may read and export items, not create them
    before = snapshot()
    assert client.get(f"{ITEMS}/import/").status_code == 403
    assert client.get(f"{ITEMS}/import/template.xlsx").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ITEMS, b"PK")
    assert response.status_code == 403
    assert not DataImport.objects.exists() and snapshot() == before


def test_outsider_cannot_import_into_our_school_nor_see_our_imports(
    client, users, outsider, school, django_capture_on_commit_callbacks
):
    client.force_login(users["storekeeper"])
    content = filled(client, ITEMS, ITEM_LINES)
    ours = run(client, ITEMS, content, django_capture_on_commit_callbacks)
    before = snapshot()

    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ITEMS, content, school=str(school.pk))
    assert response.status_code == 403
    assert DataImport.objects.count() == 1 and snapshot() == before
    assert client.get(f"{ITEMS}/import/{ours.pk}").status_code == 404


def test_the_import_page_polls_until_the_import_has_finished(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["storekeeper"])
    record = DataImport.objects.create(
        doctype="Item",
        school=users["storekeeper"].school,
        filename="物资.xlsx",
        created_by=users["storekeeper"],
        status=ImportStatus.RUNNING,
        total=10,
    )
    from django.core.cache import cache

    cache.set(data_import.progress_key(record.pk), 4)
    body = client.get(f"{ITEMS}/import/{record.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in body and "4 / 10 条" in body and "width: 40%" in body
    DataImport.objects.filter(pk=record.pk).update(status=ImportStatus.SUCCESS, done=10)
    body = client.get(f"{ITEMS}/import/{record.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in body and "已导入 10 条单据" in body


# --- exporting ----------------------------------------------------------------------------------


def export_sheet(client: Any, base: str, query: str = "") -> Any:
    response = client.get(f"{base}/export.xlsx{query}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]


def lines_of(ws: Any) -> list[dict[str, Any]]:
    keys = [c.value for c in ws[2]]
    return [
        {k: v for k, v in zip(keys, row, strict=False) if v is not None}
        for row in ws.iter_rows(min_row=3, values_only=True)
    ]


def make_requisition(user: User, purpose: str, qty: str = "2") -> Document:
    return services.create_document(
        "Material Requisition",
        {"purpose": purpose, "items": [{"item": "P-A4", "qty": qty, "rate": "120"}]},
        actor=user,
    )


def test_export_writes_money_as_2_decimal_numbers_dates_as_dates_and_child_rows_as_lines(
    client, users, catalogue
):
    doc = services.create_document(
        "Material Requisition",
        {
            "purpose": '=HYPERLINK("http://example.invalid")',
            "required_by": "2031-05-20",
            "items": [
                {"item": "P-A4", "qty": "2", "rate": "120.5"},
                {"item": "P-PEN", "qty": "1.5", "rate": "18"},
            ],
        },
        actor=users["purchaser"],
    )
    client.force_login(users["purchaser"])
    ws = export_sheet(client, REQS)
    keys = [c.value for c in ws[2]]
    first, second = ws[3], ws[4]
    cell = dict(zip(keys, first, strict=False))
    assert cell["name"].value == doc.name
    assert cell["grand_total"].value == 268 and cell["grand_total"].number_format == "#,##0.00"
    assert cell["required_by"].is_date and cell["required_by"].value.date() == dt.date(2031, 5, 20)
    assert cell["purpose"].data_type == "s"  # typed text never becomes a formula
    assert cell["items.rate"].value == 120.5
    below = dict(zip(keys, second, strict=False))
    assert below["name"].value is None and below["items.item"].value == "P-PEN"
    assert below["items.qty"].value == 1.5
    assert ws.max_row == 4


def test_export_follows_the_lists_filters(client, users, catalogue):
    make_requisition(users["teacher"], "期中考试用纸")
    make_requisition(users["colleague"], "清洁用品补充")
    client.force_login(users["purchaser"])
    ws = export_sheet(client, REQS, "?q=考试")
    purposes = [line.get("purpose") for line in lines_of(ws)]
    assert purposes == ["期中考试用纸"]
    assert len(lines_of(export_sheet(client, REQS))) == 2


def _grant_teacher_export_of_own_requisitions() -> None:
    row = DocType.objects.get(name="Material Requisition")
    definition = dict(row.definition)
    definition["permissions"] = [
        {**p, "export": 1} if p["role"] == "teacher" else p for p in definition["permissions"]
    ]
    row.definition = definition
    row.save()
    clear_meta_cache()


def test_teacher_with_an_own_only_export_right_exports_only_own_requisitions(
    client, users, catalogue
):
    mine = make_requisition(users["teacher"], "我的申购")
    make_requisition(users["colleague"], "同事的申购")
    client.force_login(users["teacher"])
    assert client.get(f"{REQS}/export.xlsx").status_code == 403  # no export right yet
    _grant_teacher_export_of_own_requisitions()
    try:
        names = [line.get("name") for line in lines_of(export_sheet(client, REQS))]
    finally:
        clear_meta_cache()
    assert names == [mine.name]


def test_export_is_refused_without_the_right_and_the_button_shows_only_with_it(
    client, users, catalogue
):
    client.force_login(users["teacher"])  # reads items, may not export them
    assert client.get(f"{ITEMS}/export.xlsx").status_code == 403
    assert 'id="btn-export"' not in client.get(f"{ITEMS}/").content.decode()
    client.force_login(users["storekeeper"])
    body = client.get(f"{ITEMS}/?category=%E5%8A%9E%E5%85%AC%E7%94%A8%E5%93%81").content.decode()
    assert re.search(r'id="btn-export" href="/app/item/export\.xlsx\?[^"]*category=', body)
    assert 'id="btn-import-page"' in body


def test_outsider_exports_nothing_of_our_school(client, users, outsider, catalogue):
    make_requisition(users["teacher"], "期中考试用纸")
    client.force_login(outsider)
    assert lines_of(export_sheet(client, ITEMS)) == []
    assert lines_of(export_sheet(client, REQS)) == []


# --- round trips --------------------------------------------------------------------------------


def _contents(doc: Document) -> dict[str, Any]:
    """Return a document's values without row ids, which a new document gets afresh."""
    return {
        k: ([{c: v for c, v in r.items() if c != "name"} for r in v] if isinstance(v, list) else v)
        for k, v in doc.data.items()
    }


def test_requisitions_exported_and_imported_again_are_equal(
    client, users, catalogue, django_capture_on_commit_callbacks
):
    originals = [
        services.create_document(
            "Material Requisition",
            {
                "purpose": "期末考试用纸",
                "required_by": "2031-06-30",
                "budget_line": "办公用品费",
                "remarks": "分两次送到",
                "items": [
                    {"item": "P-A4", "qty": "2.5", "rate": "120.35"},
                    {"item": "P-PEN", "qty": "3", "rate": "18", "specification": "0.5mm"},
                ],
            },
            actor=users["purchaser"],
        ),
        make_requisition(users["purchaser"], "拖把", qty="4"),
    ]
    client.force_login(users["purchaser"])
    content = client.get(f"{REQS}/export.xlsx").content
    record = run(client, REQS, content, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.SUCCESS, record.errors
    copies = Document.objects.filter(doctype="Material Requisition").exclude(
        pk__in=[d.pk for d in originals]
    )

    def by_purpose(docs: Any) -> list[dict[str, Any]]:
        return sorted((_contents(d) for d in docs), key=lambda c: c["purpose"])

    assert by_purpose(copies) == by_purpose(originals)


def test_suppliers_exported_from_one_school_import_equal_into_another(
    client, users, outsider, other_school, django_capture_on_commit_callbacks
):
    original = services.create_document(
        "Supplier",
        {
            "supplier_name": "示例粮油配送公司",
            "category": "食品",
            "in_supplier_pool": "1",
            "contact": "张示例",
            "phone": "0571-88880000",
            "license_no": "91330100MA2XXXXX0A",
            "certificates": [
                {"cert_type": "营业执照", "cert_no": "A-1", "valid_until": "2030-12-31"},
                {"cert_type": "食品经营许可证", "cert_no": "JY-2", "valid_until": "2029-06-30"},
            ],
        },
        actor=users["purchaser"],
    )
    client.force_login(users["purchaser"])
    content = client.get(f"{SUPPLIERS}/export.xlsx").content

    client.force_login(outsider)
    record = run(client, SUPPLIERS, content, django_capture_on_commit_callbacks)
    assert record.status == ImportStatus.SUCCESS, record.errors
    copy = Document.objects.get(doctype="Supplier", school=other_school)
    assert copy.name != original.name and copy.owner == outsider
    assert _contents(copy) == _contents(original)
    assert copy.data["earliest_expiry"] == "2029-06-30"


def test_a_district_user_picks_the_school_to_import_into(
    client, users, other_school, django_capture_on_commit_callbacks
):
    storekeeper = users["storekeeper"]
    Department.objects.create(school=other_school, name="总务处")
    storekeeper.other_schools.add(other_school)
    client.force_login(storekeeper)
    content = filled(client, ITEMS, ITEM_LINES)
    record = run(
        client, ITEMS, content, django_capture_on_commit_callbacks, school=str(other_school.pk)
    )
    assert record.status == ImportStatus.SUCCESS, record.errors
    assert set(Document.objects.filter(doctype="Item").values_list("school", flat=True)) == {
        other_school.pk
    }
    assert School.objects.count() == 2


def test_a_link_column_of_the_template_offers_no_list_of_doctype_names(client, users):
    """A Link's options name its DocType: the template lists no "Location" to pick."""
    import io

    from openpyxl import load_workbook

    client.force_login(users["teacher"])
    response = client.get("/app/repair-ticket/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    listed = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert not {"Location", "Item", "Asset"} & listed
