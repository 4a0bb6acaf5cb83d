"""Credit limit increase suggestions: offer more credit to reliable customers who are
growing into their limit, before sales has to ask.

A customer is a *candidate* when its tier allows increases, it has a credit limit, uses
at least ``min_utilisation`` of it and its sales of the last six months grew by at least
``min_growth`` over the six months before. The *suggested limit* leaves room for that
growth: today's exposure grown by the sales growth (at most doubled), at the
``target_utilisation`` of the new limit, rounded up to two significant figures, never
more than ``max_increase`` times the current limit and never below it.
"""

import math
from dataclasses import dataclass

# Sales growth compares the invoiced sales of the last this many months with the same
# number of months before.
SALES_WINDOW_MONTHS = 6


@dataclass(frozen=True)
class LimitRule:
    """Thresholds (fractions: 0.8 = 80 %) of the suggestion."""

    min_utilisation: float = 0.8
    min_growth: float = 0.1
    target_utilisation: float = 0.7
    max_increase: float = 2.0


@dataclass(frozen=True)
class LimitSuggestion:
    """Whether the customer is a ``candidate``, its ``utilisation`` (exposure / limit,
    None without limit), sales ``growth`` (None without previous sales) and the
    ``suggested_limit`` (0 when not a candidate)."""

    candidate: bool
    utilisation: float | None
    growth: float | None
    suggested_limit: float


def round_up_nicely(amount):
    """``amount`` rounded up to two significant figures (17,086 -> 18,000)."""
    if amount <= 0:
        return 0.0
    step = 10 ** max(math.floor(math.log10(amount)) - 1, 0)
    return float(math.ceil(amount / step - 1e-9) * step)


def suggest_limit(limit, exposure, sales_recent, sales_previous, tier_allows=True, rule=None):
    """The :class:`LimitSuggestion` for a customer with credit ``limit`` (0 = none),
    ``exposure``, invoiced sales of the last six months ``sales_recent`` and of the six
    before ``sales_previous`` (company currency); ``tier_allows``: its risk tier allows
    limit increases."""
    rule = rule or LimitRule()
    utilisation = exposure / limit if limit > 0 else None
    growth = sales_recent / sales_previous - 1 if sales_previous > 0 else None
    candidate = bool(
        tier_allows and utilisation is not None and growth is not None
        and utilisation >= rule.min_utilisation and growth >= rule.min_growth
    )
    if not candidate:
        return LimitSuggestion(False, utilisation, growth, 0.0)
    projected = exposure * (1 + min(growth, 1.0))
    suggested = round_up_nicely(projected / rule.target_utilisation)
    suggested = min(suggested, limit * rule.max_increase)
    if suggested <= limit:
        return LimitSuggestion(False, utilisation, growth, 0.0)
    return LimitSuggestion(True, utilisation, growth, suggested)
