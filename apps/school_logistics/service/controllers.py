"""Controllers of the 服务 DocTypes: 意见建议 (意见箱), answered by 总务处 and rated by whoever
raised it (服务承诺: every view gets an answer)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.validation import DocumentValidationError


@register("Feedback")
class Feedback(Controller):
    def validate(self, doc: Doc) -> None:
        day = doc.get("posting_date")
        if day and day > timezone.localdate():
            raise DocumentValidationError.single(_("提出日期不能晚于今天"), "posting_date")
        if doc.get("satisfaction") and not doc.get("reply"):
            raise DocumentValidationError.single(_("总务处答复后才能评价"), "satisfaction")
