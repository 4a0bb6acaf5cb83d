"""The ranges a credit setting or amount must stay in.

Nonsense that the database would store anyway (NaN, infinity, a limit of 10^300, a
follow-up level ten thousand years after the due date) is refused where it is typed, with
the accepted range, instead of breaking a conversion or a daily job later. Amounts are in
the currency of their record; days are calendar days.
"""

import math
from dataclasses import dataclass
from numbers import Real


@dataclass(frozen=True)
class Bounds:
    """An inclusive range ``low`` .. ``high`` of finite numbers."""

    low: float
    high: float

    def __contains__(self, value):
        """Whether ``value`` is a finite number within the range; an empty value
        (``None``, ``False``) counts as 0, as the ORM stores it."""
        if value is None or value is False:
            value = 0
        if isinstance(value, bool) or not isinstance(value, Real):
            return False
        return math.isfinite(value) and self.low <= value <= self.high


# Credit limits and amounts (limits, default limits, disputed amounts, minimum amounts
# to chase): up to a thousand billion, far above any customer and well within the
# precision of a float to the cent.
AMOUNT = Bounds(0, 1e12)
# An amount a customer's exposure or available credit (negative over the limit) is
# compared with, in searches and segment rules.
SIGNED_AMOUNT = Bounds(-1e12, 1e12)
# A follow-up level: up to a year before the due date, ten years after it.
FOLLOWUP_DELAY_DAYS = Bounds(-365, 3650)
# Days between two automatic risk reviews: every day to every ten years.
REVIEW_INTERVAL_DAYS = Bounds(1, 3650)


def out_of_bounds(values, bounds):
    """The names, among those of ``bounds`` (name -> :class:`Bounds`) that ``values``
    (name -> value) gives, whose value is outside its range, in the order of ``bounds``."""
    return [name for name, allowed in bounds.items() if name in values and values[name] not in allowed]
