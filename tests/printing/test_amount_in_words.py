"""大写金额 follows the financial rules: 零 placement, 万/亿, 整, negatives, cents, rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from school_logistics.printing.amount_in_words import amount_in_words

DIGIT = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def parse_words(text: str) -> Decimal:
    """Read 大写 back into a number: an independent check of what the converter wrote."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整")
    yuan_part, _, rest = text.partition("元") if "元" in text else ("", "", text)
    total = 0
    section = 0  # below 万
    number = 0
    for ch in yuan_part:
        if ch in DIGIT:
            number = DIGIT[ch]
        elif ch in SMALL:
            section += number * SMALL[ch]
            number = 0
        elif ch == "万":
            total += (section + number) * 10**4
            section = number = 0
        elif ch == "亿":
            # 万亿: what was gathered before 亿 (including 万s) is multiplied again.
            total = (total + section + number) * 10**8
            section = number = 0
    total += section + number
    cents = 0
    for unit, factor in (("角", 10), ("分", 1)):
        idx = rest.find(unit)
        if idx > 0:
            cents += DIGIT[rest[idx - 1]] * factor
    return sign * (Decimal(total) + Decimal(cents) / 100)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("0.56", "伍角陆分"),
        ("10", "壹拾元整"),
        ("15.00", "壹拾伍元整"),
        ("100.04", "壹佰元零肆分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("1409.50", "壹仟肆佰零玖元伍角整"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("1010", "壹仟零壹拾元整"),
        ("10001", "壹万零壹元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("10010000", "壹仟零壹万元整"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000000000", "壹万亿元整"),
        ("1000100000000", "壹万零壹亿元整"),
        ("1000000050000", "壹万亿零伍万元整"),
        ("-100", "负壹佰元整"),
        ("-0.3", "负叁角整"),
        ("4270.00", "肆仟贰佰柒拾元整"),
    ],
)
def test_amount_is_written_by_the_financial_rules(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_amount_rounds_half_up_to_the_cent():
    assert amount_in_words("0.005") == "壹分"
    assert amount_in_words("0.004") == "零元整"
    assert amount_in_words("2.675") == "贰元陆角捌分"


def test_amount_accepts_strings_with_separators_and_ints():
    assert amount_in_words("1,234.50") == "壹仟贰佰叁拾肆元伍角整"
    assert amount_in_words(8) == "捌元整"


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "", "1e20"])
def test_unusable_amount_is_refused_with_a_chinese_message(bad):
    with pytest.raises(ValueError, match="金额"):
        amount_in_words(bad)


def test_float_is_refused_because_money_is_decimal():
    with pytest.raises(TypeError, match="浮点数"):
        amount_in_words(1.1)  # type: ignore[arg-type]


cents = st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1)


@given(cents)
def test_words_read_back_to_the_same_amount(c):
    amount = Decimal(c) / 100
    assert parse_words(amount_in_words(amount)) == amount


@given(cents)
def test_words_never_double_zero_nor_end_dangling(c):
    words = amount_in_words(Decimal(c) / 100)
    assert "零零" not in words
    assert words.endswith(("整", "分"))
    assert not words.endswith("零整")
    assert words == "零元整" or not words.lstrip("负").startswith("零")
    # 整 only closes amounts without 分.
    assert not (words.endswith("整") and "分" in words)
    assert set(words) <= set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整负")


@given(st.integers(min_value=10, max_value=19))
def test_teens_keep_the_leading_one(n):
    assert amount_in_words(n).startswith("壹拾")
