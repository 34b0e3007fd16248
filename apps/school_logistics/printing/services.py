"""Print a document (and log it), and save admins' print formats: the only writes of printing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from school_logistics.core import permissions
from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import DocumentValidationError
from school_logistics.printing.context import Verification
from school_logistics.printing.default_format import STANDARD_NAME
from school_logistics.printing.formats import choose_format
from school_logistics.printing.logo import clean_logo
from school_logistics.printing.models import Letterhead, PageSize, PrintFormat, PrintLog
from school_logistics.printing.pdf import html_to_pdf
from school_logistics.printing.preview import check_format_prints
from school_logistics.printing.render import render_voucher
from school_logistics.printing.sandbox import PrintTemplateError, check_template
from school_logistics.printing.verification import fingerprint, new_code, qr_data_uri, verify_url


@dataclass(frozen=True)
class PrintResult:
    log: PrintLog
    content: bytes | str  # PDF bytes, or the HTML page
    filename: str


def _unused_code() -> str:
    # 31^10 codes: a clash is astronomically rare, but a retry costs nothing.
    for _attempt in range(5):
        code = new_code()
        if not PrintLog.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw an unused verification code")


def prepare_voucher(
    document: Document,
    *,
    actor: User,
    output: str = "pdf",
    format_name: str | None = None,
    base_url: str = "",
    toolbar: Mapping[str, object] | None = None,
) -> tuple[str, PrintLog]:
    """Return a voucher's HTML and its print-log row, unsaved; refuse without `print` right.

    A voucher is the school's paper record, framed in Chinese: it prints in the site's language
    whoever prints it (the standard format takes its labels from the DocType in the active
    language, so an English-speaking user's voucher would mix languages).
    """
    meta = get_meta(document.doctype)
    permissions.check_permission(actor, meta, "print", document)
    with translation.override(settings.LANGUAGE_CODE):
        fmt = choose_format(meta, document.school_id, format_name)
        now = timezone.now()
        code = _unused_code()
        url = verify_url(code, base_url)
        verification = Verification(code, url, qr_data_uri(url), fingerprint(document))
        html = render_voucher(
            document,
            fmt,
            verification=verification,
            printed_by=actor,
            printed_at=now,
            screen=output == "html",
            toolbar=toolbar,
        )
    log = PrintLog(
        code=code,
        document=document,
        doctype=document.doctype,
        document_name=document.name,
        school_id=document.school_id,
        printed_by=actor,
        printed_at=now,
        format_name=fmt.name,
        output=output,
        docstatus=document.docstatus,
        fingerprint=verification.fingerprint,
    )
    return html, log


def print_document(
    document: Document,
    *,
    actor: User,
    output: str = "pdf",
    format_name: str | None = None,
    base_url: str = "",
    toolbar: Mapping[str, object] | None = None,
) -> PrintResult:
    """Render a document's voucher as PDF or HTML and log the print; refuse without `print` right.

    Raises PermissionDenied, PrintTemplateError or CJKFontMissing; nothing is logged then.
    """
    html, log = prepare_voucher(
        document,
        actor=actor,
        output=output,
        format_name=format_name,
        base_url=base_url,
        toolbar=toolbar,
    )
    content: bytes | str = html_to_pdf(html) if output == "pdf" else html
    try:
        with transaction.atomic():
            log.save(force_insert=True)
    except IntegrityError:  # the same code drawn by a concurrent print: print again
        return print_document(
            document,
            actor=actor,
            output=output,
            format_name=format_name,
            base_url=base_url,
            toolbar=toolbar,
        )
    safe_name = document.name.replace("/", "_")
    return PrintResult(log, content, f"{safe_name}.{output}")


def save_print_format(
    doctype: str,
    name: str,
    template: str,
    *,
    actor: User,
    css: str = "",
    page_size: str = PageSize.A4_PORTRAIT,
    is_default: bool = False,
    create_only: bool = False,
    rename_from: str | None = None,
) -> PrintFormat:
    """Create or update a school's print format; only admins, only templates that print.

    The template is rendered for a sample document (the newest the admin may read, else a
    made-up one) in the print sandbox: a format that fails there would fail every print.
    `create_only` (the 新建 form) refuses a name in use instead of replacing that format;
    `rename_from` (the edit form) is the format being edited, renamed when `name` differs.
    """
    meta = get_meta(doctype)
    if not permissions.is_admin(actor) or actor.school_id is None:
        raise PermissionDenied(_("只有系统管理员可以修改打印格式"))
    name = name.strip()
    if not name or name == STANDARD_NAME:
        raise PrintTemplateError(_("请填写格式名称（不能叫“%(name)s”）") % {"name": STANDARD_NAME})
    if page_size not in PageSize.values:
        raise PrintTemplateError(_("纸张只能是 A4 纵向或 A5 横向"))
    check_template(template)
    check_format_prints(actor, meta, template, page_size)
    values = {
        "template": template,
        "css": css,
        "page_size": page_size,
        "is_default": is_default,
        "modified_by": actor,
    }
    key: dict[str, Any] = {"school_id": actor.school_id, "doctype": meta.name}
    own = PrintFormat.objects.filter(**key)
    try:
        # A name in use, by an older format or a concurrent save, breaks the unique
        # constraint on (school, DocType, name): the whole save is refused then.
        with transaction.atomic():
            if is_default:
                # One default per school and DocType: the old one steps down in this transaction.
                own.filter(is_default=True).exclude(name=name).update(is_default=False)
            if rename_from is not None and rename_from != name:
                fmt = own.select_for_update().get(name=rename_from)
                fmt.name = name
                for field, value in values.items():
                    setattr(fmt, field, value)
                fmt.save()
            elif create_only:
                fmt = PrintFormat.objects.create(**key, name=name, **values)
            else:
                fmt, _created = PrintFormat.objects.update_or_create(
                    **key, name=name, defaults=values
                )
    except IntegrityError:
        raise PrintTemplateError(
            _("名称“%(name)s”已被本校的另一个打印格式使用，请换一个名称") % {"name": name}
        ) from None
    except PrintFormat.DoesNotExist:
        raise PrintTemplateError(
            _("没有名为“%(name)s”的打印格式") % {"name": rename_from}
        ) from None
    return fmt


def set_default_format(doctype: str, name: str, *, actor: User) -> None:
    """Make a school format (or the standard one) what the school prints a DocType with.

    A school format is first rendered for a sample document: one that cannot print (saved
    before this check, or broken by a later change to the DocType) is refused.
    """
    meta = get_meta(doctype)
    if not permissions.is_admin(actor) or actor.school_id is None:
        raise PermissionDenied(_("只有系统管理员可以修改打印格式"))
    with transaction.atomic():
        own = PrintFormat.objects.select_for_update().filter(
            school_id=actor.school_id, doctype=meta.name
        )
        if name != STANDARD_NAME:
            fmt = own.filter(name=name).first()
            if fmt is None:
                raise PrintTemplateError(_("没有名为“%(name)s”的打印格式") % {"name": name})
            # Checked under the lock: the template tried is the one that becomes the default.
            check_format_prints(actor, meta, fmt.template, fmt.page_size)
        own.exclude(name=name).filter(is_default=True).update(is_default=False)
        if name != STANDARD_NAME:
            own.filter(name=name).update(is_default=True, modified_by=actor)


def save_letterhead(
    *,
    actor: User,
    text: str,
    show_logo: bool,
    show_text: bool,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> Letterhead:
    """Set the actor's school's logo and letterhead line; a bad picture changes nothing."""
    if not permissions.is_admin(actor) or actor.school_id is None:
        raise PermissionDenied(_("只有本校系统管理员可以设置校徽和信头"))
    # One line on paper: the line breaks a paste brings along become single spaces; the
    # full-width spaces a school types between address, phone and motto stay.
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    max_length = Letterhead._meta.get_field("text").max_length or 0
    if len(text) > max_length:
        raise DocumentValidationError.single(
            _("信头文字最多 %(n)s 个字") % {"n": max_length}, "text"
        )
    cleaned = clean_logo(logo) if logo is not None else None
    with transaction.atomic():
        letterhead, _created = Letterhead.objects.select_for_update().get_or_create(
            school_id=actor.school_id, defaults={"modified_by": actor}
        )
        if cleaned is not None:
            letterhead.logo, letterhead.logo_type = cleaned
        elif remove_logo:
            letterhead.logo, letterhead.logo_type = b"", ""
        letterhead.text = text
        letterhead.show_logo = show_logo
        letterhead.show_text = show_text
        letterhead.modified_by = actor
        letterhead.save()
    return letterhead
