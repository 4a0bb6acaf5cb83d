"""Open receivables: what is owed, when it is overdue and when it is left alone.

The Python reference of the receivables layer (``credit.receivable`` in the addon builds
the same rules in SQL for many customers at once). A receivable is one instalment of an
invoice — an invoice on 30 % now and 70 % in 60 days is two receivables, each with its
own due date — or a credit note or payment not allocated yet (a negative residual).
Amounts in company currency, durations in days.
"""

from dataclasses import dataclass
from datetime import date, timedelta

# Why a receivable is left alone (neither chased by follow-ups nor counted by the overdue
# hold rule), in the order they are reported when several apply.
EXCLUSIONS = ("disputed", "promised", "paused")


@dataclass(frozen=True)
class Receivable:
    """One open receivable line of a customer."""

    due: date
    residual: float
    """What is still owed, company currency (negative: a credit in the customer's favour)."""
    disputed: bool = False
    """An open complaint on the invoice pauses its follow-up."""
    promise_date: date | None = None
    """The customer promised to pay the invoice by this date."""
    paused_until: date | None = None
    """The customer's follow-up is paused until this date included."""


def days_overdue(due: date, on: date) -> int:
    """Days past ``due`` on the day ``on``: negative or zero while not yet due."""
    return (on - due).days


def due_before(on: date, allowed_days: int = 0) -> date:
    """The due date from which a receivable is not overdue by more than ``allowed_days``
    on ``on``: it is when it is due before this date. (The receivables layer reads the
    overdue instalments of a customer as this range of due dates.)"""
    return on - timedelta(days=allowed_days)


def owed(receivables) -> float:
    """What a customer owes on ``receivables``: their residuals summed, credits netted,
    whether they are chased or left alone — a disputed invoice is still owed. The
    receivable part of its exposure, which reads the line alone (no exclusion)."""
    return sum(receivable.residual for receivable in receivables)


def exclusion(receivable: Receivable, on: date) -> str | None:
    """The first reason of :data:`EXCLUSIONS` for which ``receivable`` is left alone on
    ``on``, or None when it is chased: disputed; promised for ``on`` or later; the
    customer's follow-up paused until ``on`` or later."""
    if receivable.disputed:
        return "disputed"
    if receivable.promise_date and receivable.promise_date >= on:
        return "promised"
    if receivable.paused_until and receivable.paused_until >= on:
        return "paused"
    return None


def is_overdue(receivable: Receivable, on: date, allowed_days: int = 0) -> bool:
    """Whether ``receivable`` is owed, more than ``allowed_days`` past due on ``on`` and
    not left alone: what the overdue hold rule counts and follow-ups chase."""
    return (
        receivable.residual > 0
        and days_overdue(receivable.due, on) > allowed_days
        and exclusion(receivable, on) is None
    )
