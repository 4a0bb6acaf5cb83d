import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_core.limit import LimitRule, round_up_nicely, suggest_limit


def test_a_reliable_growing_customer_near_its_limit_is_a_candidate():
    suggestion = suggest_limit(limit=10000, exposure=9000, sales_recent=60000, sales_previous=50000)
    assert suggestion.candidate
    assert suggestion.utilisation == 0.9
    assert suggestion.growth == pytest.approx(0.2)
    # 9,000 grown by 20 % = 10,800, used at 70 % -> 15,429 -> 16,000
    assert suggestion.suggested_limit == 16000


@pytest.mark.parametrize(("kwargs", "why"), [
    ({"exposure": 5000}, "uses half its limit"),
    ({"sales_recent": 50000}, "sales flat"),
    ({"sales_previous": 0}, "no sales to compare with"),
    ({"limit": 0}, "no limit"),
    ({"tier_allows": False}, "tier does not propose increases"),
])
def test_not_a_candidate(kwargs, why):
    values = {"limit": 10000, "exposure": 9000, "sales_recent": 60000, "sales_previous": 50000, **kwargs}
    suggestion = suggest_limit(**values)
    assert not suggestion.candidate, why
    assert suggestion.suggested_limit == 0


def test_the_increase_is_capped():
    suggestion = suggest_limit(limit=10000, exposure=15000, sales_recent=300000, sales_previous=50000)
    assert suggestion.suggested_limit == 20000, "Never more than twice the limit at once"


def test_rule_thresholds_are_settings():
    values = {"limit": 10000, "exposure": 6000, "sales_recent": 52000, "sales_previous": 50000}
    assert not suggest_limit(**values).candidate
    rule = LimitRule(min_utilisation=0.5, min_growth=0.02, target_utilisation=0.5)
    assert suggest_limit(**values, rule=rule).candidate


def test_round_up_nicely():
    assert round_up_nicely(17086) == 18000
    assert round_up_nicely(4321) == 4400
    assert round_up_nicely(18000) == 18000
    assert round_up_nicely(7.2) == 8
    assert round_up_nicely(0) == 0


@given(st.floats(1, 1e7), st.floats(0, 2e7), st.floats(0, 1e8), st.floats(1, 1e8))
def test_a_suggestion_is_always_above_the_current_limit_and_capped(limit, exposure, recent, previous):
    suggestion = suggest_limit(limit, exposure, recent, previous)
    if suggestion.candidate:
        assert limit < suggestion.suggested_limit <= 2 * limit
