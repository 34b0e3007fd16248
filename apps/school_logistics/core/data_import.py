"""Import documents from .xlsx: every row through `services.create_document`, all or nothing.

`start_import` (a service) checks the right and the file and queues `run_import`, which parses
the sheet into the same values the form posts and creates every document in ONE transaction.
Any refused row rolls the whole file back; its errors name the Excel row and column.
"""

from __future__ import annotations

import functools
import logging
import secrets
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from school_logistics.core import jobs, permissions, services
from school_logistics.core.meta import Meta
from school_logistics.core.models import DataImport, ImportStatus, School, User
from school_logistics.core.registry import get_meta
from school_logistics.core.sheet_layout import CellError, Column, cell_text, columns
from school_logistics.core.validation import DocumentValidationError

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 2000
# Lines of the sheet, child rows included; beyond this a file is refused before any work.
MAX_LINES = 20000
# A 5 MB zip could unpack to gigabytes; an honest sheet of this size unpacks to far less.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ERRORS = 500


class ImportRefused(Exception):
    """The file as a whole cannot be imported (not xlsx, no header, too many rows)."""


@dataclass
class RowError:
    row: int
    message: str
    column: str = ""
    field: str = ""

    def as_dict(self) -> dict[str, Any]:
        text = self.message
        if self.row:  # row 0 is the file as a whole
            text = _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}
        return {"row": self.row, "column": self.column, "field": self.field, "message": text}


@dataclass
class ParsedDoc:
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)
    # Excel row of each child row, per table, so `items.2.qty` maps back to a line.
    child_rows: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class ParsedSheet:
    docs: list[ParsedDoc]
    errors: list[RowError]


# --- the upload (a service: it writes the DataImport row) ---------------------------------------


def check_xlsx(upload: UploadedFile) -> None:
    """Refuse a file that is too big or is not an .xlsx workbook, with a message for the user."""
    if upload.size is None or upload.size > MAX_IMPORT_BYTES:
        raise DocumentValidationError.single(
            _("文件太大：导入文件最大 %(mb)s MB") % {"mb": MAX_IMPORT_BYTES // 1024 // 1024}, "file"
        )
    name = (upload.name or "").lower()
    problem = _("文件不是 Excel 工作簿（.xlsx），请用模板填写后另存为 .xlsx 再上传")
    if not name.endswith(".xlsx"):
        raise DocumentValidationError.single(problem, "file")
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            unpacked = sum(i.file_size for i in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentValidationError.single(problem, "file") from exc
    finally:
        upload.seek(0)
    if "xl/workbook.xml" not in names:
        raise DocumentValidationError.single(problem, "file")
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentValidationError.single(_("文件内容过大，请拆分后分批导入"), "file")


def start_import(
    doctype: str, upload: UploadedFile, *, actor: User, school: School | None = None
) -> DataImport:
    """Store the uploaded file and queue its import; refuse without the `create` right."""
    meta = get_meta(doctype)
    if meta.istable:
        raise PermissionDenied(_("子表“%(doctype)s”只能随主单据导入") % {"doctype": meta.label})
    permissions.check_permission(actor, meta, "create")
    school = school or actor.school
    if school is None:
        raise DocumentValidationError.single(_("请先为用户指定所属学校"))
    if not permissions.in_users_schools(actor, school.pk):
        raise PermissionDenied(_("没有权限：在“%(school)s”新建单据") % {"school": school.name})
    check_xlsx(upload)
    filename = (upload.name or "import.xlsx").replace("/", "_").replace("\\", "_")[-150:]
    with transaction.atomic():
        record = DataImport(
            doctype=meta.name,
            school=school,
            filename=filename,
            created_by=actor,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        # A random stored name: the upload's own name is only shown, never used as a path.
        record.file.save(f"{secrets.token_hex(8)}.xlsx", upload, save=False)
        record.save()
        transaction.on_commit(functools.partial(jobs.enqueue, run_import, record.pk))
    return record


# --- reading the sheet --------------------------------------------------------------------------


def _match_columns(
    meta: Meta, labels: list[Any], keys: list[Any]
) -> tuple[list[Column | None], bool]:
    """Return each sheet column's Column (None to ignore) and whether row 2 holds the keys."""
    known = {c.key: c for c in columns(meta, with_computed=True)}
    key_texts = [str(k).strip() if k is not None else "" for k in keys]
    has_keys = any(key_texts) and all(k in known or k == "" for k in key_texts)
    by_label: dict[str, Column] = {}
    if not has_keys:
        # Without the key row, match labels in either language.
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                for col in columns(meta, with_computed=True):
                    by_label.setdefault(col.label, known[col.key])
    matched: list[Column | None] = []
    unknown: list[str] = []
    for idx, label in enumerate(labels):
        label_text = str(label).strip() if label is not None else ""
        if has_keys:
            key = key_texts[idx] if idx < len(key_texts) else ""
            matched.append(known.get(key) if key else None)
            if not key and label_text:
                unknown.append(label_text)
        else:
            found = by_label.get(label_text)
            matched.append(found)
            if found is None and label_text:
                unknown.append(label_text)
    if unknown:
        raise ImportRefused(_("第 1 行：无法识别的列：%(cols)s") % {"cols": "、".join(unknown)})
    if not any(c is not None and c.accepts_input for c in matched):
        raise ImportRefused(_("第 1 行：没有可导入的列，请使用下载的模板"))
    return matched, has_keys


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _starts_document(cells: list[tuple[Column, Any]]) -> bool:
    """Return whether a line opens a new document: any of its parent cells is filled."""
    return any(not col.is_child and not _blank(value) for col, value in cells)


def _read_line(
    cells: list[tuple[Column, Any]], row: int, doc: ParsedDoc, errors: list[RowError]
) -> None:
    """Add a line's parent cells (first line only) and its child row(s) to the document."""
    child: dict[str, dict[str, Any]] = {}
    for col, value in cells:
        if not col.accepts_input:
            continue  # the name, status and computed columns of an export
        f = col.field
        assert f is not None
        try:
            text = cell_text(f, value)
        except CellError as exc:
            errors.append(RowError(row, f"{col.label}：{exc}", col.label, col.key))
            continue
        if col.table is not None:
            cells_of_row = child.setdefault(col.table.fieldname, {})
            if text != "":
                cells_of_row[f.fieldname] = text
        elif text != "":
            # Empty cells are left out, so the DocType's defaults apply as on a new form.
            doc.values[f.fieldname] = text
    for table, row_values in child.items():
        if row_values:
            doc.values.setdefault(table, []).append(row_values)
            doc.child_rows[table].append(row)


def _formula_cells(path: Any, max_col: int) -> set[tuple[int, int]]:
    """Return (row, column) of formula cells: with no cached result they must not read as empty."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        found = set()
        for r, values in enumerate(ws.iter_rows(min_row=3, max_col=max_col, values_only=True), 3):
            for c, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    found.add((r, c))
        return found
    finally:
        wb.close()


def parse_sheet(meta: Meta, path: Any) -> ParsedSheet:
    """Read the first sheet into documents' input values; raise ImportRefused for bad files."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a broken file)
        raise ImportRefused(_("文件不是有效的 Excel 工作簿（.xlsx）")) from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        labels = list(next(rows, None) or [])
        while labels and labels[-1] in (None, ""):
            labels.pop()
        if not labels:
            raise ImportRefused(_("第 1 行应为列名，请使用下载的模板"))
        second = list(next(rows, None) or [])[: len(labels)]
        matched, has_keys = _match_columns(meta, labels, second)
        lines: list[tuple[int, tuple[Any, ...]]] = []
        if not has_keys:
            lines.append((2, tuple(second)))
        for r, values in enumerate(
            ws.iter_rows(min_row=3, max_col=len(labels), values_only=True), 3
        ):
            if not all(_blank(v) for v in values):
                lines.append((r, values))
                if len(lines) > MAX_LINES:
                    raise ImportRefused(
                        _("行数太多：一次最多导入 %(n)s 行，请拆分文件") % {"n": MAX_LINES}
                    )
    finally:
        wb.close()
    return _build_docs(matched, lines, _formula_cells(path, len(labels)))


def _build_docs(
    matched: list[Column | None],
    lines: list[tuple[int, tuple[Any, ...]]],
    formulas: set[tuple[int, int]],
) -> ParsedSheet:
    docs: list[ParsedDoc] = []
    errors: list[RowError] = []
    for row, values in lines:
        cells = [
            (col, values[i] if i < len(values) else None)
            for i, col in enumerate(matched)
            if col is not None
        ]
        for i, col in enumerate(matched):
            if col is not None and (row, i) in formulas and (i >= len(values) or values[i] is None):
                errors.append(
                    RowError(
                        row,
                        _("%(col)s：公式没有计算结果，请在 Excel 中打开并保存后再导入")
                        % {"col": col.label},
                        col.label,
                        col.key,
                    )
                )
        if _starts_document(cells):
            docs.append(ParsedDoc(first_row=row))
            if len(docs) > MAX_DOCUMENTS:
                raise ImportRefused(
                    _("单据太多：一次最多导入 %(n)s 条，请拆分文件") % {"n": MAX_DOCUMENTS}
                )
        elif not docs:
            errors.append(RowError(row, _("明细行上方没有单据：请在第一行填写单据的列")))
            continue
        _read_line(cells, row, docs[-1], errors)
    if not docs and not errors:
        raise ImportRefused(_("文件中没有数据：请从第 3 行起填写"))
    return ParsedSheet(docs, errors)


# --- errors of services → rows of the sheet ---------------------------------------------------


def row_errors(meta: Meta, doc: ParsedDoc, exc: DocumentValidationError) -> list[RowError]:
    """Map `items.2.qty` style keys to the Excel line of that child row, messages kept."""
    labels = {c.key: c.label for c in columns(meta, with_computed=True)}
    tables = {f.fieldname: f for f in meta.table_fields}
    out = []
    for key, messages in exc.errors.items():
        parts = key.split(".")
        row, column_key = doc.first_row, key
        strip = ""
        if len(parts) == 3 and parts[0] in tables and parts[1].isdigit():
            table, idx = tables[parts[0]], int(parts[1])
            lines = doc.child_rows.get(table.fieldname, [])
            if 0 < idx <= len(lines):
                row = lines[idx - 1]
            column_key = f"{parts[0]}.{parts[2]}"
            strip = _("%(table)s第 %(idx)s 行：") % {"table": table.label, "idx": idx}
        for message in messages:
            text = message.removeprefix(strip) if strip else message
            out.append(RowError(row, text, labels.get(column_key, ""), key))
    return out


# --- the background job -------------------------------------------------------------------------


def progress_key(pk: int) -> str:
    return f"data-import:{pk}:done"


def live_done(record: DataImport) -> int:
    """Return how many documents a running import has created so far (kept outside its transaction)."""
    if record.status != ImportStatus.RUNNING:
        return record.done
    return int(cache.get(progress_key(record.pk)) or 0)


class _RollBack(Exception):
    """Leave the import's transaction without committing anything."""


def _finish(pk: int, status: str, *, total: int, done: int, errors: list[RowError]) -> None:
    errors = sorted(errors, key=lambda e: e.row)[:MAX_ERRORS]
    DataImport.objects.filter(pk=pk).update(
        status=status,
        total=total,
        done=done,
        errors=[e.as_dict() for e in errors],
        finished=timezone.now(),
    )
    cache.delete(progress_key(pk))


def run_import(pk: int) -> None:
    """Create every document of an uploaded file in one transaction; safe to run twice."""
    claimed = DataImport.objects.filter(pk=pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return  # another worker has it, or it has finished
    record = DataImport.objects.select_related("created_by", "school").get(pk=pk)
    with translation.override(record.language):
        try:
            _import(record)
        except Exception:  # noqa: BLE001  (a bug must not leave the page polling forever)
            log.exception("import %s failed", pk)
            _finish(
                pk,
                ImportStatus.FAILED,
                total=record.total,
                done=0,
                errors=[RowError(0, _("导入时发生内部错误，未保存任何数据，请联系管理员"))],
            )


def _import(record: DataImport) -> None:
    meta = get_meta(record.doctype)
    try:
        with record.file.open("rb") as handle:
            parsed = parse_sheet(meta, handle)
    except ImportRefused as exc:
        _finish(record.pk, ImportStatus.FAILED, total=0, done=0, errors=[RowError(0, str(exc))])
        return
    total = len(parsed.docs)
    DataImport.objects.filter(pk=record.pk).update(total=total)
    errors = list(parsed.errors)
    if errors:
        _finish(record.pk, ImportStatus.FAILED, total=total, done=0, errors=errors)
        return
    created = 0
    try:
        with transaction.atomic():
            for n, doc in enumerate(parsed.docs, start=1):
                try:
                    services.create_document(
                        meta.name, doc.values, actor=record.created_by, school=record.school
                    )
                    created += 1
                except DocumentValidationError as exc:
                    errors.extend(row_errors(meta, doc, exc))
                except (PermissionDenied, services.DocumentStateError) as exc:
                    errors.append(RowError(doc.first_row, str(exc)))
                    break  # the right is gone for every row, not just this one
                cache.set(progress_key(record.pk), n, 3600)
            if errors:
                raise _RollBack
    except _RollBack:
        _finish(record.pk, ImportStatus.FAILED, total=total, done=0, errors=errors)
        return
    _finish(record.pk, ImportStatus.SUCCESS, total=total, done=created, errors=[])
