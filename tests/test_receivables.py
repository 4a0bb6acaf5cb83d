from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from credit_core.ageing import ageing_bucket
from credit_core.receivables import Receivable, days_overdue, due_before, exclusion, is_overdue, owed

TODAY = date(2026, 11, 29)


def test_each_instalment_is_overdue_from_its_own_due_date():
    first = Receivable(due=TODAY - timedelta(days=40), residual=600.0)
    second = Receivable(due=TODAY + timedelta(days=20), residual=400.0)
    assert [is_overdue(r, TODAY, 30) for r in (first, second)] == [True, False]
    assert [ageing_bucket(days_overdue(r.due, TODAY)) for r in (first, second)] == ["31_60", "not_due"]


def test_reasons_to_leave_a_receivable_alone_in_their_order():
    due = TODAY - timedelta(days=10)
    assert exclusion(Receivable(due, 100.0), TODAY) is None
    assert exclusion(Receivable(due, 100.0, disputed=True, promise_date=TODAY), TODAY) == "disputed"
    assert exclusion(Receivable(due, 100.0, promise_date=TODAY), TODAY) == "promised"
    assert exclusion(Receivable(due, 100.0, promise_date=TODAY - timedelta(days=1)), TODAY) is None
    assert exclusion(Receivable(due, 100.0, paused_until=TODAY), TODAY) == "paused"
    assert not is_overdue(Receivable(due, 100.0, paused_until=TODAY), TODAY)


def test_credits_are_never_overdue():
    assert not is_overdue(Receivable(TODAY - timedelta(days=90), -50.0), TODAY)


@given(st.integers(-400, 400), st.integers(0, 120), st.booleans())
def test_overdue_is_more_than_the_allowed_days_past_due_and_not_left_alone(days, allowed, disputed):
    receivable = Receivable(TODAY - timedelta(days=days), 10.0, disputed=disputed)
    assert is_overdue(receivable, TODAY, allowed) == (days > allowed and not disputed)


@given(st.integers(-400, 400), st.integers(0, 120))
def test_overdue_by_more_than_the_allowed_days_is_due_before_the_threshold(days, allowed):
    due = TODAY - timedelta(days=days)
    assert (days_overdue(due, TODAY) > allowed) == (due < due_before(TODAY, allowed))
    assert is_overdue(Receivable(due, 10.0), TODAY, allowed) == (due < due_before(TODAY, allowed))


def test_what_is_owed_counts_receivables_left_alone_and_nets_credits():
    due = TODAY - timedelta(days=60)
    receivables = [
        Receivable(due, 100.0),
        Receivable(due, 200.0, disputed=True),
        Receivable(due, 50.0, promise_date=TODAY + timedelta(days=5)),
        Receivable(TODAY, -30.0),
    ]
    assert [exclusion(r, TODAY) for r in receivables] == [None, "disputed", "promised", None]
    assert owed(receivables) == 320.0
    assert owed([]) == 0
