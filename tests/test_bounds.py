import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_core.bounds import AMOUNT, FOLLOWUP_DELAY_DAYS, REVIEW_INTERVAL_DAYS, Bounds, out_of_bounds


@pytest.mark.parametrize("value", [0, 0.0, 1, 10_000.5, 1e12, None, False])
def test_a_sensible_amount_is_accepted(value):
    assert value in AMOUNT


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308, 1e15, 1e12 + 1, -0.01, "abc", "12", True])
def test_nonsense_amounts_are_refused(value):
    assert value not in AMOUNT


def test_day_ranges_keep_dates_computable():
    assert -365 in FOLLOWUP_DELAY_DAYS and 3650 in FOLLOWUP_DELAY_DAYS
    assert -3_000_000 not in FOLLOWUP_DELAY_DAYS and 3651 not in FOLLOWUP_DELAY_DAYS
    assert 1 in REVIEW_INTERVAL_DAYS and 3650 in REVIEW_INTERVAL_DAYS
    assert 0 not in REVIEW_INTERVAL_DAYS and 3_000_000 not in REVIEW_INTERVAL_DAYS


def test_out_of_bounds_names_only_the_values_given_and_wrong():
    bounds = {"limit": AMOUNT, "delay": FOLLOWUP_DELAY_DAYS}
    assert out_of_bounds({"limit": 5.0, "delay": 7, "other": math.nan}, bounds) == []
    assert out_of_bounds({"delay": -3_000_000, "limit": math.nan}, bounds) == ["limit", "delay"]
    assert out_of_bounds({}, bounds) == []


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_whatever_is_accepted_is_finite_and_within(value):
    bounds = Bounds(-10, 10)
    if value in bounds:
        assert math.isfinite(value) and -10 <= value <= 10
    else:
        assert not math.isfinite(value) or not -10 <= value <= 10
