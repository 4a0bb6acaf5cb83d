"""Follow-up (dunning) level choice: which level each customer has reached on a date.

A segment's levels are ordered by their delay (days after the due date, negative before
it). An open invoice reaches the *highest* level whose delay has passed and that is above
the last level it already received: levels are never repeated and never go back, and an
invoice that skipped levels (the run did not go by, the customer was paused) jumps to
the highest one due rather than receiving every level it missed. A customer gets one
communication, at the highest level reached by any of its invoices, listing all the
invoices that reached a new level.

Customers are left alone when they were contacted less than ``quiet_days`` ago, or when
what they owe net of their open credits is below ``min_amount``; invoices whose residual
is within ``tolerance`` are not chased at all (nobody is chased for cents). :func:`propose`
can say why each customer with open invoices gets no communication (:data:`SKIP_REASONS`).
"""

from dataclasses import dataclass, field
from datetime import date

# Why a customer with open invoices gets no communication, as :func:`propose` reports it,
# the most telling first when several apply to its invoices.
LEVEL_SENT = "level_sent"
"""Its invoices reached levels it already received (levels are never repeated)."""
NOT_DUE = "not_due"
"""No invoice reached a level yet."""
QUIET = "quiet"
"""Contacted less than the quiet days ago."""
MIN_AMOUNT = "min_amount"
"""What it owes, net of its open credits, is below the minimum amount (or within the tolerance)."""
SKIP_REASONS = (LEVEL_SENT, NOT_DUE, QUIET, MIN_AMOUNT)


@dataclass(frozen=True)
class Level:
    """A follow-up level of a segment."""

    id: int
    delay_days: int
    """Days after the due date (negative: before it) from which the level is due."""


@dataclass(frozen=True)
class OpenInvoice:
    """An open instalment of an invoice to consider (an invoice without payment terms
    has one), amounts in the company currency. Each instalment is chased from its own
    due date; the level an invoice last received applies to all its instalments."""

    id: int
    """The invoice."""
    partner_id: int
    segment_id: int
    days_past_due: int
    """The run date minus the due date, in days (negative: not due yet)."""
    residual: float
    """What the instalment still owes."""
    last_delay: int | None = None
    """The delay of the last level the invoice received, None if it received none."""
    line_id: int | None = None
    """The receivable line of the instalment, when the caller knows it."""


@dataclass(frozen=True)
class FollowupRules:
    """What keeps customers from being chased too often or for too little."""

    quiet_days: int = 0
    """Days that must pass between two communications to the same customer."""
    min_amount: float = 0.0
    """A customer is not chased for less than this, net of its open credits."""
    tolerance: float = 0.0
    """Invoices whose residual is at most this are ignored."""


@dataclass
class Proposal:
    """The communication proposed to one customer."""

    partner_id: int
    level: Level
    invoice_ids: list = field(default_factory=list)
    amount_due: float = 0.0
    """The residual of the instalments that reached a level, company currency."""
    line_ids: list = field(default_factory=list)
    """The receivable lines of those instalments (those given with a ``line_id``)."""


def level_for_invoice(days_past_due, last_delay, levels):
    """The highest of ``levels`` whose delay is reached at ``days_past_due`` and is above
    ``last_delay`` (the delay of the level already received, or None), or None."""
    best = None
    for level in levels:
        if level.delay_days > days_past_due:
            continue
        if last_delay is not None and level.delay_days <= last_delay:
            continue
        if best is None or level.delay_days > best.delay_days:
            best = level
    return best


def propose(invoices, levels_by_segment, rules=None, on_date=None, last_contact=None, credits=None,
            skipped=None):
    """The communications due: ``{partner id: Proposal}``.

    :param invoices: iterable of :class:`OpenInvoice` (already free of disputed, promised
        and paused ones); an invoice is listed once however many of its instalments
        reached a level, and only the instalments that reached one count in the amount due.
    :param levels_by_segment: ``{segment id: [Level, ...]}``.
    :param rules: :class:`FollowupRules`.
    :param on_date: the run date (needed with ``quiet_days``).
    :param last_contact: ``{partner id: date of the last communication}``.
    :param credits: ``{partner id: open credits}``, a positive amount in company currency
        (credit notes and payments not allocated yet) netted against what is due.
    :param skipped: a dict filled with ``{partner id: reason}`` (one of :data:`SKIP_REASONS`)
        for each partner of ``invoices`` that gets no proposal.
    """
    rules = rules or FollowupRules()
    last_contact = last_contact or {}
    credits = credits or {}
    proposals = {}
    misses = {}
    for invoice in invoices:
        levels = levels_by_segment.get(invoice.segment_id, ())
        if invoice.residual <= rules.tolerance:
            misses.setdefault(invoice.partner_id, set()).add(MIN_AMOUNT)
            continue
        level = level_for_invoice(invoice.days_past_due, invoice.last_delay, levels)
        if level is None:
            reached = any(candidate.delay_days <= invoice.days_past_due for candidate in levels)
            misses.setdefault(invoice.partner_id, set()).add(LEVEL_SENT if reached else NOT_DUE)
            continue
        proposal = proposals.get(invoice.partner_id)
        if proposal is None:
            proposal = proposals[invoice.partner_id] = Proposal(invoice.partner_id, level)
        elif level.delay_days > proposal.level.delay_days:
            proposal.level = level
        if invoice.id not in proposal.invoice_ids:
            proposal.invoice_ids.append(invoice.id)
        if invoice.line_id is not None:
            proposal.line_ids.append(invoice.line_id)
        proposal.amount_due += invoice.residual
    result = {}
    for partner_id, proposal in proposals.items():
        contacted = last_contact.get(partner_id)
        if rules.quiet_days and contacted and on_date and is_quiet(contacted, on_date, rules.quiet_days):
            misses[partner_id] = {QUIET}
            continue
        net = proposal.amount_due - credits.get(partner_id, 0.0)
        if net <= rules.tolerance or net < rules.min_amount:
            misses[partner_id] = {MIN_AMOUNT}
            continue
        result[partner_id] = proposal
    if skipped is not None:
        for partner_id, reasons in misses.items():
            if partner_id not in result:
                skipped[partner_id] = next(reason for reason in SKIP_REASONS if reason in reasons)
    return result


def is_quiet(last_contact: date, on_date: date, quiet_days: int) -> bool:
    """True when ``on_date`` is less than ``quiet_days`` after ``last_contact``."""
    return (on_date - last_contact).days < quiet_days
