"""A customer's payment history, summed up as of a date: the facts the risk score and the
payment behaviour are computed from.

The Odoo models fill a :class:`PaymentHistory` for many customers at once with one SQL
query per batch (``res.partner._credit_review_histories``); :func:`summarize_history` is
the same summary computed in Python from a list of invoices. It is the reference the SQL
is tested against, and what the pure tests use on generated histories.

Units: amounts in the company currency, durations in days. An *invoice* here is a
receivable line of a posted customer invoice (an invoice with an instalment payment term
has one per instalment, each with its own due date).

- An invoice is *settled* on the date of the reconciliation that paid its last cent
  (payment or credit note), counting only reconciliations dated up to ``as_of``.
- Its *delay* is the days from its due date to that date, or, while still open, to
  ``as_of`` (days overdue so far). It is *late* when the delay exceeds the grace days.
- The history *window* holds the invoices due in the ``window_days`` up to ``as_of``:
  they have had the chance to be paid late. Open and overdue amounts count every
  invoice still open on ``as_of``, whatever its date.
- An invoice the customer disputes now is an open dispute: it is left out of the
  lateness and overdue figures (it still counts in the open receivable).
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

# Below this, an open amount is considered paid: rounding left-overs of reconciliations.
SETTLED_TOLERANCE = 0.005


@dataclass(frozen=True)
class InvoiceFact:
    """One invoice (receivable line) as the history sees it: issued on ``date``, due on
    ``due``, of ``amount``, with the ``payments`` and ``credits`` (credit notes)
    reconciled with it as ``(date, amount)`` pairs, and whether it is ``disputed`` now."""

    date: date
    due: date
    amount: float
    payments: tuple = ()
    credits: tuple = ()
    disputed: bool = False


@dataclass(frozen=True)
class PaymentHistory:
    """What a customer's invoices say about how it pays, as of a date.

    Counts and amounts of the window (invoices due in it): ``due_count``, ``due_amount``,
    ``late_count``, ``late_amount``; ``days_late_amount`` is the sum of amount × days late
    (0 when paid on time); ``late_days_mean`` and ``late_days_stddev`` describe the delays
    of the late invoices (days, unweighted); ``delay_trend`` is how many days of delay are
    added per 30 days over the window (least-squares slope, 0 with fewer than 3 invoices);
    ``partial_count`` counts invoices paid in several payments, or partly paid and still open.
    Whole history: ``invoice_count`` (invoices issued up to ``as_of``), ``tenure_days``
    (days since the first one), ``open_amount``, ``overdue_amount`` (open and more than the
    grace days past due, disputed invoices excluded), ``oldest_overdue_days`` (days past
    due of the oldest open invoice, disputed excluded), ``open_disputes`` (open invoices the
    customer disputes).
    """

    invoice_count: int = 0
    tenure_days: int = 0
    due_count: int = 0
    due_amount: float = 0.0
    late_count: int = 0
    late_amount: float = 0.0
    days_late_amount: float = 0.0
    late_days_mean: float = 0.0
    late_days_stddev: float = 0.0
    delay_trend: float = 0.0
    partial_count: int = 0
    open_amount: float = 0.0
    overdue_amount: float = 0.0
    oldest_overdue_days: int = 0
    open_disputes: int = 0

    @property
    def late_share(self):
        """Share (0-1) of the amount due in the window that was paid late or is overdue."""
        return self.late_amount / self.due_amount if self.due_amount > 0 else 0.0

    @property
    def late_count_share(self):
        """Share (0-1) of the invoices due in the window that were paid late or are overdue."""
        return self.late_count / self.due_count if self.due_count else 0.0

    @property
    def avg_days_late(self):
        """Days late on average over the window, weighted by amount (on time counts 0)."""
        return self.days_late_amount / self.due_amount if self.due_amount > 0 else 0.0

    @property
    def overdue_share(self):
        """Share (0-1) of the open receivable that is overdue beyond the grace days."""
        return min(self.overdue_amount / self.open_amount, 1.0) if self.open_amount > 0 else 0.0

    @property
    def partial_share(self):
        """Share (0-1) of the invoices due in the window paid in several payments or partly paid."""
        return self.partial_count / self.due_count if self.due_count else 0.0


@dataclass(frozen=True)
class HistoryWindow:
    """How a history is read: ``as_of`` date, ``window_days`` back, ``grace_days``."""

    as_of: date
    window_days: int = 365
    grace_days: int = 5
    window_start: date = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "window_start", self.as_of - timedelta(days=self.window_days))


def _settled_on(fact, as_of):
    """(date the invoice was fully settled or None, amount still open on ``as_of``,
    number of payments by ``as_of``)."""
    known = [(day, amount) for day, amount in (*fact.payments, *fact.credits) if day <= as_of]
    residual = fact.amount - sum(amount for _day, amount in known)
    settled_on = max(day for day, _amount in known) if known and residual <= SETTLED_TOLERANCE else None
    return settled_on, max(residual, 0.0), sum(1 for day, _amount in fact.payments if day <= as_of)


def _slope(points):
    """Least-squares slope of ``points`` [(x, y)], 0 when undefined."""
    if len(points) < 3:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    var_x = sum((x - mean_x) ** 2 for x, _y in points)
    if not var_x:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var_x


def summarize_history(facts, window):
    """The :class:`PaymentHistory` of the invoices ``facts`` read through ``window``
    (a :class:`HistoryWindow`); invoices issued after ``window.as_of`` are ignored."""
    as_of, grace = window.as_of, window.grace_days
    facts = [fact for fact in facts if fact.date <= as_of and fact.amount > 0]
    if not facts:
        return PaymentHistory()
    due_count = late_count = partial_count = open_disputes = 0
    due_amount = late_amount = days_late_amount = 0.0
    open_amount = overdue_amount = 0.0
    oldest = 0
    late_delays, trend_points = [], []
    for fact in facts:
        settled_on, residual, parts = _settled_on(fact, as_of)
        delay = ((settled_on or as_of) - fact.due).days
        if residual > SETTLED_TOLERANCE:
            open_amount += residual
            if fact.disputed:
                open_disputes += 1
            elif fact.due < as_of:
                oldest = max(oldest, (as_of - fact.due).days)
                if delay > grace:
                    overdue_amount += residual
        if fact.disputed or not window.window_start < fact.due <= as_of:
            continue
        due_count += 1
        due_amount += fact.amount
        days_late_amount += fact.amount * max(delay, 0)
        trend_points.append(((fact.due - window.window_start).days, max(delay, 0)))
        if delay > grace:
            late_count += 1
            late_amount += fact.amount
            late_delays.append(delay)
        if parts >= 2 or SETTLED_TOLERANCE < residual < fact.amount - SETTLED_TOLERANCE:
            partial_count += 1
    mean = sum(late_delays) / len(late_delays) if late_delays else 0.0
    stddev = math.sqrt(sum((d - mean) ** 2 for d in late_delays) / len(late_delays)) if late_delays else 0.0
    return PaymentHistory(
        invoice_count=len(facts),
        tenure_days=(as_of - min(fact.date for fact in facts)).days,
        due_count=due_count,
        due_amount=due_amount,
        late_count=late_count,
        late_amount=late_amount,
        days_late_amount=days_late_amount,
        late_days_mean=mean,
        late_days_stddev=stddev,
        delay_trend=_slope(trend_points) * 30,
        partial_count=partial_count,
        open_amount=open_amount,
        overdue_amount=overdue_amount,
        oldest_overdue_days=oldest,
        open_disputes=open_disputes,
    )
