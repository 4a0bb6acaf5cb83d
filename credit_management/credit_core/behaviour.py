"""Payment behaviour: *why* a customer pays late, so that each is chased the right way.

The rule, applied in this order to the customer's :class:`~.history.PaymentHistory`
(the invoices due in the history window; *late* = paid or still open more than the grace
days after the due date):

1. ``new`` — fewer than ``new_invoices`` invoices, or a first invoice less than
   ``new_days`` days ago: too little history to say.
2. ``struggling`` — cash-flow trouble, any of:
   growing delays (the delay grows by at least ``growing_days_per_month`` days a month
   over the window, and late invoices are ``growing_min_days`` days late on average);
   partial payments (at least ``partial_share`` of the invoices, and ``partial_min_count``
   of them, paid in several payments or partly paid);
   a large overdue (at least ``overdue_share`` of the open receivable overdue, the oldest
   invoice ``overdue_days`` days past due or more).
3. ``prompt`` — at most ``prompt_late_share`` of the invoices late.
4. ``habitual`` — at least ``habitual_late_share`` of the invoices late: consistently
   late (by a similar margin when the delays' spread is small).
5. ``forgetful`` — rare delays that stay short (``forgetful_max_days`` days on average).
6. ``struggling`` — rare but long delays.
"""

from dataclasses import dataclass

BEHAVIOURS = ("new", "prompt", "forgetful", "habitual", "struggling")


@dataclass(frozen=True)
class BehaviourRule:
    """The thresholds of the classification (shares as fractions 0-1, days)."""

    new_invoices: int = 3
    new_days: int = 90
    growing_days_per_month: float = 2.0
    growing_min_days: float = 15.0
    partial_share: float = 0.2
    partial_min_count: int = 2
    overdue_share: float = 0.5
    overdue_days: int = 60
    prompt_late_share: float = 0.05
    habitual_late_share: float = 0.5
    forgetful_max_days: float = 30.0


@dataclass(frozen=True)
class Behaviour:
    """A behaviour ``code`` (one of :data:`BEHAVIOURS`), the ``rule`` that decided it
    and the measured ``facts`` the rule looked at, to explain it."""

    code: str
    rule: str
    facts: dict


def classify(history, rule=None):
    """The :class:`Behaviour` of a customer with ``history``."""
    rule = rule or BehaviourRule()
    facts = {
        "due_count": history.due_count,
        "late_count": history.late_count,
        "late_share": round(history.late_count_share, 3),
        "late_days_mean": round(history.late_days_mean, 1),
        "late_days_stddev": round(history.late_days_stddev, 1),
        "delay_trend": round(history.delay_trend, 2),
        "partial_share": round(history.partial_share, 3),
        "overdue_share": round(history.overdue_share, 3),
        "oldest_overdue_days": history.oldest_overdue_days,
    }

    def result(code, why):
        return Behaviour(code, why, facts)

    if history.invoice_count < rule.new_invoices or history.tenure_days < rule.new_days:
        return result("new", "short_history")
    if history.delay_trend >= rule.growing_days_per_month and history.late_days_mean >= rule.growing_min_days:
        return result("struggling", "growing_delays")
    if history.partial_share >= rule.partial_share and history.partial_count >= rule.partial_min_count:
        return result("struggling", "partial_payments")
    if history.overdue_share >= rule.overdue_share and history.oldest_overdue_days >= rule.overdue_days:
        return result("struggling", "large_overdue")
    late_share = history.late_count_share
    if late_share <= rule.prompt_late_share:
        return result("prompt", "rarely_late")
    if late_share >= rule.habitual_late_share:
        return result("habitual", "consistently_late")
    if history.late_days_mean <= rule.forgetful_max_days:
        return result("forgetful", "rare_short_delays")
    return result("struggling", "rare_long_delays")
