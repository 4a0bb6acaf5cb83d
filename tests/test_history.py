from datetime import date, timedelta

import pytest

from credit_core.history import HistoryWindow, InvoiceFact, PaymentHistory, summarize_history

AS_OF = date(2026, 6, 30)
WINDOW = HistoryWindow(AS_OF, window_days=365, grace_days=5)


def invoice(days_ago, amount=1000.0, term=30, paid_after_due=None, parts=(), credits=(), disputed=False):
    """An invoice issued ``days_ago`` days before AS_OF, due ``term`` days later, paid in
    full ``paid_after_due`` days after its due date (None: not paid), or by ``parts``
    given as (days after due, amount)."""
    issued = AS_OF - timedelta(days=days_ago)
    due = issued + timedelta(days=term)
    payments = tuple((due + timedelta(days=offset), share) for offset, share in parts)
    if paid_after_due is not None:
        payments = ((due + timedelta(days=paid_after_due), amount),)
    return InvoiceFact(issued, due, amount, payments, tuple(credits), disputed)


def test_no_invoice_gives_an_empty_history():
    assert summarize_history([], WINDOW) == PaymentHistory()
    assert PaymentHistory().late_share == 0
    assert PaymentHistory().overdue_share == 0


def test_late_share_and_days_late_are_weighted_by_amount():
    history = summarize_history([
        invoice(200, amount=1000, paid_after_due=0),
        invoice(150, amount=3000, paid_after_due=20),
        invoice(100, amount=1000, paid_after_due=-3),
    ], WINDOW)
    assert history.due_count == 3
    assert history.late_count == 1
    assert history.late_share == pytest.approx(3000 / 5000)
    assert history.avg_days_late == pytest.approx(3000 * 20 / 5000)
    assert history.late_days_mean == 20


def test_delays_within_the_grace_days_are_not_late():
    history = summarize_history([invoice(100, paid_after_due=5), invoice(90, paid_after_due=6)], WINDOW)
    assert history.late_count == 1
    assert history.avg_days_late == pytest.approx(5.5), "Days late still count every day"


def test_an_open_overdue_invoice_is_late_by_its_days_overdue_so_far():
    history = summarize_history([invoice(100, amount=500)], WINDOW)  # due 70 days ago
    assert history.late_count == 1
    assert history.avg_days_late == 70
    assert history.open_amount == 500
    assert history.overdue_amount == 500
    assert history.overdue_share == 1
    assert history.oldest_overdue_days == 70


def test_an_invoice_not_due_yet_is_open_but_not_in_the_window():
    history = summarize_history([invoice(10, amount=800)], WINDOW)
    assert history.due_count == 0
    assert history.open_amount == 800
    assert history.overdue_amount == 0
    assert history.invoice_count == 1
    assert history.tenure_days == 10


def test_old_open_invoices_count_as_overdue_even_outside_the_window():
    history = summarize_history([invoice(600, amount=400), invoice(100, amount=100, paid_after_due=0)], WINDOW)
    assert history.due_count == 1, "Due 570 days ago: outside the 365-day window"
    assert history.overdue_amount == 400
    assert history.oldest_overdue_days == 570


def test_partial_payments_and_instalments_are_counted():
    history = summarize_history([
        invoice(200, amount=900, parts=((10, 300), (30, 600))),  # two payments
        invoice(150, amount=900, parts=((10, 300),)),  # partly paid, still open
        invoice(120, amount=900, paid_after_due=0, credits=((AS_OF - timedelta(days=110), 100),)),
    ], WINDOW)
    assert history.partial_count == 2, "A credit note next to one payment is not a partial payment"
    assert history.open_amount == pytest.approx(600 + 0)
    assert history.late_days_mean == pytest.approx((30 + 120) / 2)


def test_settlement_is_read_as_of_the_date():
    fact = invoice(100, amount=1000, paid_after_due=40)  # due 70 days ago, paid 30 days ago
    before = summarize_history([fact], HistoryWindow(AS_OF - timedelta(days=45)))
    after = summarize_history([fact], WINDOW)
    assert before.open_amount == 1000 and before.oldest_overdue_days == 25
    assert after.open_amount == 0 and after.late_days_mean == 40


def test_invoices_issued_after_the_date_are_ignored():
    history = summarize_history([invoice(-5), invoice(50, paid_after_due=0)], WINDOW)
    assert history.invoice_count == 1


def test_disputed_invoices_are_disputes_not_overdue():
    history = summarize_history([invoice(100, disputed=True), invoice(90)], WINDOW)
    assert history.open_disputes == 1
    assert history.oldest_overdue_days == 60
    assert history.overdue_share == pytest.approx(0.5)


def test_delay_trend_shows_growing_delays():
    growing = summarize_history([invoice(330 - 30 * i, paid_after_due=5 + 10 * i) for i in range(8)], WINDOW)
    steady = summarize_history([invoice(330 - 30 * i, paid_after_due=20) for i in range(8)], WINDOW)
    assert growing.delay_trend == pytest.approx(10.0, abs=0.01), "10 more days of delay every 30 days"
    assert steady.delay_trend == pytest.approx(0.0)
    assert summarize_history([invoice(100, paid_after_due=1), invoice(60, paid_after_due=30)],
                             WINDOW).delay_trend == 0, "No trend from fewer than 3 invoices"
