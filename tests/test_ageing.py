from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from credit_core.ageing import AGEING_BUCKET_KEYS, AGEING_BUCKETS, ageing_bucket, ageing_case_sql, days_overdue


def test_buckets_at_their_boundaries():
    assert ageing_bucket(-10) == "not_due"
    assert ageing_bucket(0) == "not_due"
    assert ageing_bucket(1) == "1_30"
    assert ageing_bucket(30) == "1_30"
    assert ageing_bucket(31) == "31_60"
    assert ageing_bucket(60) == "31_60"
    assert ageing_bucket(61) == "61_90"
    assert ageing_bucket(90) == "61_90"
    assert ageing_bucket(91) == "90_plus"
    assert ageing_bucket(4000) == "90_plus"


def test_days_overdue_counts_from_the_due_date():
    assert days_overdue(date(2026, 1, 31), date(2026, 3, 2)) == 30
    assert days_overdue(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert days_overdue(date(2026, 3, 10), date(2026, 3, 2)) == -8


@given(st.integers(min_value=-1000, max_value=1000), st.integers(min_value=0, max_value=1000))
def test_later_means_an_older_or_same_bucket(overdue, extra):
    keys = [key for key, *_ in AGEING_BUCKETS]
    assert keys.index(ageing_bucket(overdue + extra)) >= keys.index(ageing_bucket(overdue))


def test_sql_case_lists_every_bucket_in_order():
    sql, params = ageing_case_sql("d")
    assert sql.startswith("CASE WHEN d <= %s THEN %s")
    assert sql.count("WHEN") == len(AGEING_BUCKETS)
    assert params[:2] == [0, "not_due"]
    assert params[-2:] == [91, "90_plus"]
    assert params.count("1_30") == 1


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(-400, 400))
def test_bucket_of_a_due_date_matches_days_overdue(due, shift):
    on = due + timedelta(days=shift)
    assert ageing_bucket(days_overdue(due, on)) == ageing_bucket(shift)


def test_bucket_keys_are_in_time_order():
    assert AGEING_BUCKET_KEYS == ("not_due", "1_30", "31_60", "61_90", "90_plus")
    assert list(AGEING_BUCKET_KEYS) != sorted(AGEING_BUCKET_KEYS), "reports cannot sort them by key"
    lasts = [last for _key, _label, _first, last in AGEING_BUCKETS[:-1]]
    firsts = [first for _key, _label, first, _last in AGEING_BUCKETS[1:]]
    assert [last + 1 for last in lasts] == firsts
