"""Controllers of the 水电 DocTypes: the meters, and the monthly 抄表单 that works out each
meter's use and cost since its last reading (节水节电: use is watched per building)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from school_logistics.core.controllers import Controller, register
from school_logistics.core.document import Doc
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.core.values import parse_month, quantity_text
from school_logistics.ledger import meters as ledger

METER = "Meter"
CENT = Decimal("0.01")


@register(METER)
class Meter(Controller):
    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = {}
        if doc.get("multiplier") is not None and doc.get("multiplier") <= 0:
            errors["multiplier"] = [_("倍率必须大于 0")]
        if doc.get("unit_price") is not None and doc.get("unit_price") < 0:
            errors["unit_price"] = [_("单价不能为负数")]
        if doc.get("start_reading") is not None and doc.get("start_reading") < 0:
            errors["start_reading"] = [_("读数不能为负数")]
        if errors:
            raise DocumentValidationError(errors)


def all_meters(school_id: int) -> list[dict[str, Any]]:
    """A row for each of the school's meters, by building and number: a new 抄表单's table."""
    meters = Document.objects.filter(doctype=METER, school_id=school_id).values_list("name", "data")
    return [
        {"meter": name, "meter_title": d.get("title"), "building": d.get("building"),
         "kind": d.get("kind")}
        for name, d in sorted(meters, key=lambda m: (m[1].get("building") or "", m[0]))
    ]  # fmt: skip


@register("Meter Reading")
class MeterReading(Controller):
    """Each row's use is (this reading − the last one) × the meter's multiplier, its cost the
    use at the meter's price; the last reading is the meter's latest month on the books, or
    its starting reading."""

    def validate(self, doc: Doc) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        school_id = doc.instance.school_id
        month = doc.get("month")
        parsed = parse_month(month)
        today = timezone.localdate()
        if parsed is None:
            errors["month"].append(_("月份格式应为 YYYY-MM，如 2026-11"))
        elif parsed > (today.year, today.month):
            errors["month"].append(_("不能抄未来月份的表"))
        if errors:
            raise DocumentValidationError(errors)
        rows = doc.rows("readings") or all_meters(school_id)
        if not rows:
            raise DocumentValidationError.single(_("还没有登记水电计量表"), "readings")
        doc.set("readings", rows)
        cards = self._cards(doc, rows)
        books = ledger.latest(school_id, cards)
        seen: set[str] = set()
        total = Decimal(0)
        for idx, row in enumerate(rows, start=1):
            where = _("读数第 %(idx)s 行：") % {"idx": idx}
            key = f"readings.{idx}."
            card = cards.get(row["meter"], {})
            if row["meter"] in seen:
                errors[key + "meter"].append(where + _("%(m)s 重复") % {"m": row["meter"]})
            seen.add(row["meter"])
            last_month, last = books.get(row["meter"], ("", None))
            if last_month and last_month >= month:
                errors[key + "meter"].append(
                    where + _("%(m)s 已抄到 %(month)s") % {"m": row["meter"], "month": last_month}
                )
            previous = Decimal(str(last if last is not None else card.get("start_reading") or 0))
            row["previous"] = previous
            current = row.get("current")
            row["usage"] = row["amount"] = None
            if current is None:
                continue
            used = self._turned(row, previous, current, where, key, errors)
            if used is None:
                continue
            multiplier = Decimal(str(card.get("multiplier") or 1))
            row["usage"] = used * multiplier
            # 四舍五入 to the cent, as the school and the utility bill round (not to even).
            price = Decimal(str(card.get("unit_price") or 0))
            row["amount"] = (row["usage"] * price).quantize(CENT, rounding=ROUND_HALF_UP)
            total += row["amount"]
        doc.set("total_amount", total)
        if errors:
            raise DocumentValidationError(errors)

    def _turned(
        self,
        row: dict[str, Any],
        previous: Decimal,
        current: Decimal,
        where: str,
        key: str,
        errors: dict[str, list[str]],
    ) -> Decimal | None:
        """How far the meter turned since the last reading: on a meter replaced this month,
        the old one's last stretch and the new one's first; None when a reading runs back."""
        if not row.get("replaced"):
            if current < previous:
                errors[key + "current"].append(
                    where
                    + _("本次读数 %(now)s 小于上次读数 %(last)s；如已换表，请勾选“本月换表”")
                    % {"now": quantity_text(current), "last": quantity_text(previous)}
                )
                return None
            return current - previous
        old_final, new_start = row.get("old_final"), row.get("new_start")
        if old_final is None or new_start is None:
            return None  # the form's rule asks for both
        if old_final < previous:
            errors[key + "old_final"].append(
                where
                + _("旧表止码 %(end)s 小于上次读数 %(last)s")
                % {"end": quantity_text(old_final), "last": quantity_text(previous)}
            )
        if current < new_start:
            errors[key + "current"].append(
                where
                + _("本次读数 %(now)s 小于新表起码 %(start)s")
                % {"now": quantity_text(current), "start": quantity_text(new_start)}
            )
        if old_final < previous or current < new_start:
            return None
        return (old_final - previous) + (current - new_start)

    def _cards(self, doc: Doc, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        linked = doc.linked.get(METER) or {}
        missing = {r["meter"] for r in rows} - set(linked)
        if missing:  # rows the table was filled with here, after the link check
            linked = {
                **linked,
                **dict(
                    Document.objects.filter(
                        doctype=METER, school_id=doc.instance.school_id, name__in=missing
                    ).values_list("name", "data")
                ),
            }
        return linked

    def before_submit(self, doc: Doc) -> None:
        unread = [
            _("读数第 %(idx)s 行（%(m)s）：请填写本次读数，不抄的表请删除该行")
            % {"idx": idx, "m": row["meter"]}
            for idx, row in enumerate(doc.rows("readings"), start=1)
            if row.get("current") is None
        ]
        if unread:
            raise DocumentValidationError({"readings": unread})

    def on_submit(self, doc: Doc) -> None:
        rows = [
            ledger.Reading(
                r["meter"], r.get("building") or "", r.get("kind") or "", r["current"],
                r["usage"], r["amount"],
            )
            for r in doc.rows("readings")
        ]  # fmt: skip
        try:
            ledger.post_readings(
                doc.instance,
                doc.get("month"),
                rows,
                actor=doc.acting_user,
                posting_date=doc.get("reading_date") or timezone.localdate(),
            )
        except ledger.ReadAlready as exc:
            raise DocumentValidationError.single(
                _("这些表该月或之后已抄过：%(read)s")
                % {"read": "、".join(f"{m}（{v}）" for m, v in exc.read.items())},
                "readings",
            ) from exc

    def on_cancel(self, doc: Doc) -> None:
        try:
            ledger.reverse_readings(doc.instance, actor=doc.acting_user)
        except ledger.ReadSince as exc:
            raise DocumentValidationError.single(
                _("之后月份的用量是从这次读数算起的，请先作废：%(v)s")
                % {"v": "、".join(exc.vouchers)}
            ) from exc
