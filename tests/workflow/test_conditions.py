"""Route conditions are data: they compare document values and never execute admin text."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from school_logistics.workflow.conditions import ConditionError, describe, matches, validate

THRESHOLD = {"all": [{"field": "grand_total", "op": ">=", "value": "5000"}]}


@pytest.mark.parametrize(
    ("total", "expected"),
    [(Decimal("4999.99"), False), (Decimal("5000.00"), True), (Decimal("5000.01"), True)],
)
def test_principal_threshold_below_at_and_above(total, expected):
    assert matches(THRESHOLD, {"grand_total": total}) is expected


def test_missing_amount_does_not_meet_threshold():
    assert matches(THRESHOLD, {"grand_total": None}) is False


def test_any_group_with_nested_all():
    cond = {
        "any": [
            {"field": "department", "op": "==", "value": "食堂"},
            {
                "all": [
                    {"field": "grand_total", "op": ">", "value": 1000},
                    {"field": "budget_line", "op": "is set"},
                ]
            },
        ]
    }
    assert matches(cond, {"department": "食堂", "grand_total": Decimal(1)})
    assert matches(
        cond, {"department": "语文组", "grand_total": Decimal(2000), "budget_line": "办公"}
    )
    assert not matches(
        cond, {"department": "语文组", "grand_total": Decimal(2000), "budget_line": ""}
    )


def test_dates_and_lists_compare_as_users_expect():
    assert matches(
        {"all": [{"field": "d", "op": "<", "value": "2026-12-01"}]}, {"d": dt.date(2026, 11, 30)}
    )
    assert matches({"all": [{"field": "c", "op": "in", "value": "水电, 门窗"}]}, {"c": "门窗"})
    assert not matches({"all": [{"field": "c", "op": "not in", "value": ["水电"]}]}, {"c": "水电"})


@pytest.mark.parametrize(
    "bad",
    [
        {"all": [{"field": "nope", "op": "==", "value": 1}]},
        {"all": [{"field": "grand_total", "op": "__import__", "value": 1}]},
        {"all": []},
        {"all": [], "any": []},
        {"all": ["grand_total >= 5000"]},
        {"some": [{"field": "grand_total", "op": "==", "value": 1}]},
    ],
)
def test_malformed_conditions_are_refused_on_save(bad):
    with pytest.raises(ConditionError):
        validate(bad, {"grand_total", "department"})


def test_describe_reads_as_chinese():
    assert describe(THRESHOLD, {"grand_total": "合计金额"}) == "合计金额 大于等于 5000"


@given(
    value=st.one_of(
        st.none(), st.text(), st.integers(), st.decimals(allow_nan=False), st.booleans()
    ),
    ref=st.one_of(st.text(), st.integers(), st.lists(st.text(), max_size=3)),
    op=st.sampled_from(
        ["==", "!=", ">", ">=", "<", "<=", "in", "not in", "contains", "is set", "is not set"]
    ),
)
def test_fuzzed_values_never_raise(value, ref, op):
    result = matches({"all": [{"field": "f", "op": op, "value": ref}]}, {"f": value})
    assert isinstance(result, bool)
