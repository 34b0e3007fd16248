"""Write money in Chinese capital numerals (大写金额) as vouchers and cheques require."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Units inside one group of four digits, highest first.
GROUP_UNITS = ("仟", "佰", "拾", "")
# 10^16 and above has no unit in everyday financial writing (万亿 is the largest used).
LIMIT = Decimal(10) ** 16
CENT = Decimal("0.01")


def _group(value: int) -> str:
    """Write 1..9999 with inner zeros collapsed to one 零 and trailing zeros dropped."""
    text: list[str] = []
    zero_pending = False
    for unit, ch in zip(GROUP_UNITS, f"{value:04d}", strict=True):
        digit = int(ch)
        if digit == 0:
            zero_pending = bool(text)
            continue
        if zero_pending:
            text.append("零")
            zero_pending = False
        text.append(DIGITS[digit] + unit)
    return "".join(text)


def _integer(value: int) -> str:
    """Write a whole number of 元 below 10^16 using 万, 亿 and 万亿."""
    groups = [(value // 10**12) % 10**4, (value // 10**8) % 10**4, (value // 10**4) % 10**4]
    groups.append(value % 10**4)
    # The 万亿 group takes "万亿" when the 亿 group is empty: 1,0000,0000,0000 → 壹万亿.
    units = ["万亿" if groups[1] == 0 else "万", "亿", "万", ""]
    out: list[str] = []
    gap = False  # a skipped group or leading zeros sit between written digits
    for group, unit in zip(groups, units, strict=True):
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out.append("零")
        out.append(_group(group) + unit)
        gap = False
    return "".join(out)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Return the amount rounded to the cent, refusing floats, NaN and infinities."""
    if isinstance(value, float):
        raise TypeError("金额必须是 Decimal、整数或字符串，不能是浮点数")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"无法识别的金额：{value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"无法识别的金额：{value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def amount_in_words(value: Decimal | int | str) -> str:
    """Return an amount in 大写, e.g. Decimal("1234.50") → 壹仟贰佰叁拾肆元伍角整."""
    amount = to_decimal(value)
    if abs(amount) >= LIMIT:
        raise ValueError("金额过大，无法写成大写（上限为万亿级）")
    sign = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and yuan:
        # 角 is zero between 元 and 分: the 零 is required (叁佰贰拾伍元零肆分).
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        # Amounts ending at 元 or 角 are closed with 整 so nothing can be appended.
        text += "整"
    return sign + text
