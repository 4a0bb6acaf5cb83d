"""Credit holds at order confirmation: which rules hold an order, each measured against
its threshold and explained in plain words with what would release the order.

The functions take plain data (a customer's standing, the order amount, the settings) and
two callables from the caller: ``fmt`` formats an amount in the company currency and ``_``
translates a message with ``%(name)s`` placeholders (Odoo passes ``env._``). Both default
to plain Python so that the rules can be used and tested without Odoo.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

POLICY_NONE = "none"
POLICY_OVER_LIMIT = "over_limit"
POLICY_ALWAYS = "always"

# How many overdue invoices an explanation names; the rest is counted and summed.
LISTED_OVERDUE = 5


def _identity(message, **values):
    return message % values if values else message


def _plain_amount(amount):
    return f"{amount:,.2f}"


@dataclass(frozen=True)
class HoldSettings:
    """Which rules hold orders in a company.

    Manual holds (on the customer or the order) always apply: they are explicit decisions.
    """

    tier_policy: bool = True
    """Apply the hold policy of the customer's risk tier (``always`` / ``over_limit``)."""
    over_limit: bool = False
    """Hold any customer with a credit limit when exposure + order exceed it."""
    overdue_days: int = 0
    """Hold when an open invoice is overdue by more than this many days; 0 = off."""

    def limit_applies(self, tier_policy):
        """Whether the over-limit rule applies to a customer of ``tier_policy``."""
        return self.over_limit or (self.tier_policy and tier_policy == POLICY_OVER_LIMIT)


@dataclass(frozen=True)
class OverdueInvoice:
    """An open invoice past the overdue threshold; amount due in company currency."""

    name: str
    days_overdue: int
    amount: float


@dataclass(frozen=True)
class Standing:
    """A customer's credit standing in one company, amounts in company currency."""

    limit: float = 0.0
    """Credit limit; 0 = no limit."""
    exposure: float = 0.0
    """What the customer owes or is committed to, without the order being checked."""
    tier_name: str = ""
    tier_policy: str = POLICY_NONE
    manual_hold: bool = False
    hold_reason: str = ""
    hold_forced: bool = False
    """The customer's hold was forced by a credit manager: only a manager releases it."""
    overdue_count: int = 0
    """Open invoices overdue by more than the rule's days (not disputed nor promised)."""
    overdue_amount: float = 0.0
    overdue_invoices: tuple = ()
    """The most overdue of them (at most :data:`LISTED_OVERDUE`), most overdue first."""


@dataclass(frozen=True)
class HoldReason:
    """Why an order is held: the rule, its measured value against its threshold, and
    plain-words explanations of both the hold and what would release it."""

    code: str
    """``order_hold``, ``manual_hold``, ``tier_always``, ``over_limit`` or ``overdue``."""
    measured: float
    threshold: float
    explanation: str
    release_hint: str
    manager_only: bool = False
    """Only a credit manager can release this reason: a hold a credit manager forced, on
    the order or on the customer (see :func:`needs_manager`)."""


def available_credit(limit, exposure):
    """Credit left to a customer: ``limit`` minus ``exposure`` (company currency);
    negative when over the limit, 0 when the customer has no limit (``limit`` 0)."""
    return limit - exposure if limit else 0.0


def tier_holds_every_order(tier_policy, settings):
    """Whether a customer of a tier with ``tier_policy`` needs approval for every order
    under ``settings`` (the company may switch tier policies off)."""
    return settings.tier_policy and tier_policy == POLICY_ALWAYS


def on_hold(manual_hold, tier_policy, settings):
    """Whether every order of a customer needs credit approval, whatever its amount: it
    is on manual hold, or its tier holds every order under ``settings``. The customer's
    *On Credit Hold* flag and the order check both read this."""
    return bool(manual_hold) or tier_holds_every_order(tier_policy, settings)


def hold_reasons(standing, order_amount, settings, order_hold_reason=None, *, fmt=_plain_amount, _=_identity):
    """Return the list of :class:`HoldReason` holding an order of ``order_amount``
    (company currency) for a customer of ``standing`` under ``settings``; empty when the
    order may be confirmed. ``order_hold_reason`` is the reason of a hold a credit manager
    put on this order itself, if any."""
    reasons = []
    if order_hold_reason is not None:
        reasons.append(HoldReason(
            code="order_hold", measured=1, threshold=0,
            explanation=_("A credit manager holds this order: %(reason)s", reason=order_hold_reason or "-"),
            release_hint=_("Only a credit manager can release it."),
            manager_only=True,
        ))
    if standing.manual_hold:
        if standing.hold_forced:
            hint = _("The hold was forced by a credit manager: only a credit manager can release it.")
        else:
            hint = _("Lifting the customer's hold, or a credit approval, releases it.")
        reasons.append(HoldReason(
            code="manual_hold", measured=1, threshold=0,
            explanation=_("The customer is on credit hold: %(reason)s", reason=standing.hold_reason or "-"),
            release_hint=hint,
            manager_only=standing.hold_forced,
        ))
    if tier_holds_every_order(standing.tier_policy, settings):
        reasons.append(HoldReason(
            code="tier_always", measured=1, threshold=0,
            explanation=_("The customer is in the risk tier %(tier)s: every order needs credit approval.",
                          tier=standing.tier_name or "-"),
            release_hint=_("A credit approval releases it."),
        ))
    reason = over_limit_reason(standing, order_amount, settings, fmt=fmt, _=_)
    if reason:
        reasons.append(reason)
    reason = overdue_reason(standing, settings, fmt=fmt, _=_)
    if reason:
        reasons.append(reason)
    return reasons


def over_limit_reason(standing, order_amount, settings, *, fmt=_plain_amount, _=_identity):
    """The :class:`HoldReason` of exposure + order over the credit limit, or None.

    A limit of 0 means no limit: such customers are never over it.
    """
    if not settings.limit_applies(standing.tier_policy) or standing.limit <= 0:
        return None
    total = standing.exposure + order_amount
    excess = round(total - standing.limit, 2)
    if excess <= 0:
        return None
    values = {
        "exposure": fmt(standing.exposure), "order": fmt(order_amount), "total": fmt(total),
        "limit": fmt(standing.limit), "excess": fmt(excess),
    }
    explanation = _("Exposure %(exposure)s + this order %(order)s = %(total)s, over the credit limit of "
                    "%(limit)s by %(excess)s.", **values)
    if excess < order_amount:
        hint = _("An order %(excess)s smaller, or a payment of %(excess)s, would release it.", **values)
    else:
        hint = _("The customer is over its limit even without this order: a payment of %(excess)s "
                 "would release it.", **values)
    return HoldReason(code="over_limit", measured=total, threshold=standing.limit,
                      explanation=explanation, release_hint=hint)


def overdue_reason(standing, settings, *, fmt=_plain_amount, _=_identity):
    """The :class:`HoldReason` of invoices overdue by more than the allowed days, or None."""
    if settings.overdue_days <= 0 or standing.overdue_count <= 0:
        return None
    listed = standing.overdue_invoices
    oldest = max((invoice.days_overdue for invoice in listed), default=settings.overdue_days + 1)
    if standing.overdue_count == 1 and listed:
        invoice = listed[0]
        explanation = _("%(invoice)s is %(days)s days overdue (%(amount)s due), the rule allows %(allowed)s.",
                        invoice=invoice.name, days=invoice.days_overdue, amount=fmt(invoice.amount),
                        allowed=settings.overdue_days)
        hint = _("Paying %(invoice)s releases it.", invoice=invoice.name)
    else:
        details = ", ".join(
            _("%(invoice)s: %(days)s days, %(amount)s", invoice=invoice.name, days=invoice.days_overdue,
              amount=fmt(invoice.amount))
            for invoice in listed
        )
        if standing.overdue_count > len(listed):
            details = _("%(details)s and %(count)s more", details=details,
                        count=standing.overdue_count - len(listed))
        explanation = _("%(count)s invoices are more than %(allowed)s days overdue (%(amount)s due); "
                        "the oldest is %(days)s days overdue: %(details)s.",
                        count=standing.overdue_count, allowed=settings.overdue_days,
                        amount=fmt(standing.overdue_amount), days=oldest, details=details)
        hint = _("Paying these invoices (%(amount)s) releases it.", amount=fmt(standing.overdue_amount))
    return HoldReason(code="overdue", measured=oldest, threshold=settings.overdue_days,
                      explanation=explanation, release_hint=hint)


# ---------------------------------------------------------------------- approvals
def needs_manager(reasons):
    """Whether only a credit manager may release an order held for ``reasons`` (a list of
    :class:`HoldReason`): a credit manager forced the hold of the order or of its customer."""
    return any(reason.manager_only for reason in reasons)


# Why a user may not decide a release request (see :func:`decision_refusal`).
REFUSAL_NOT_CREDIT = "not_credit"
"""The user is not in the credit team."""
REFUSAL_FORCED = "forced"
"""A credit manager forced the hold: only a credit manager decides."""
REFUSAL_NO_LIMIT = "no_limit"
"""The company lets no credit controller decide (approval limit 0)."""
REFUSAL_OVER_LIMIT = "over_limit"
"""The order is above the amount credit controllers may decide."""


def decision_refusal(is_manager, is_controller, amount, controller_limit, forced):
    """Why a user may not approve or decline a release request, or None when they may.

    Credit managers (``is_manager``) decide every request. Credit controllers
    (``is_controller``) decide the requests of orders up to ``controller_limit`` (company
    currency; 0 = none) whose hold no credit manager ``forced``. ``amount`` is the order
    amount of the request in company currency. Returns one of the ``REFUSAL_*`` codes.
    """
    if is_manager:
        return None
    if not is_controller:
        return REFUSAL_NOT_CREDIT
    if forced:
        return REFUSAL_FORCED
    if controller_limit <= 0:
        return REFUSAL_NO_LIMIT
    if round(amount - controller_limit, 2) > 0:
        return REFUSAL_OVER_LIMIT
    return None


@dataclass(frozen=True)
class ApprovalScope:
    """What an approval is given for besides its amount (record ids): the customer of the
    order and the customer its invoices go to (commercial partners), its company and the
    currency of its amounts. An approval covers an order of the same scope only."""

    customer: int
    invoiced_customer: int
    company: int
    currency: int


def approval_scope_changes(approved, current):
    """What differs between the ``approved`` :class:`ApprovalScope` and the order's
    ``current`` one: a tuple of ``customer``, ``company``, ``currency`` (in this order);
    empty when the approval is still about this order as it is."""
    changes = []
    if (approved.customer, approved.invoiced_customer) != (current.customer, current.invoiced_customer):
        changes.append("customer")
    if approved.company != current.company:
        changes.append("company")
    if approved.currency != current.currency:
        changes.append("currency")
    return tuple(changes)


def approval_max_amount(approved_amount, tolerance_percent):
    """The highest order total an approval of ``approved_amount`` covers, with a
    tolerance of ``tolerance_percent`` % (in the approval's currency)."""
    return round(approved_amount * (1 + max(tolerance_percent, 0) / 100.0), 2)


def approval_valid_until(decided_on, validity_days):
    """The last day an approval decided on ``decided_on`` lets its order be confirmed."""
    return decided_on + timedelta(days=validity_days)


def approval_status(void, valid_until, today):
    """``void`` (no longer covers its order: the order or the customer changed),
    ``expired`` (``valid_until`` is past) or ``valid``, for an approval on ``today``."""
    if void:
        return "void"
    if valid_until is not None and today > valid_until:
        return "expired"
    return "valid"


def approval_covers(approved_amount, tolerance_percent, order_amount, valid_until, today, approved_scope,
                    order_scope):
    """Whether an approval of ``approved_amount`` (valid until the day ``valid_until``
    included, None = no end), given for ``approved_scope``, still covers an order of
    ``order_amount`` and ``order_scope`` on ``today``. Both amounts are in their scope's
    currency: an order of another currency, customer or company is never covered, so
    amounts of two currencies are never compared."""
    if approval_scope_changes(approved_scope, order_scope):
        return False
    if approval_status(False, valid_until, today) != "valid":
        return False
    return order_amount <= approval_max_amount(approved_amount, tolerance_percent) + 0.005


def response_hours(requested: datetime, decided: datetime) -> float:
    """Hours between a request and its decision, to two decimals (never negative)."""
    return max(round((decided - requested).total_seconds() / 3600.0, 2), 0.0)


def waiting_label(hours: float, _=_identity) -> str:
    """A short human label of a waiting time given in hours: ``45 min``, ``5 h``, ``3 d 4 h``."""
    if hours < 1:
        return _("%(minutes)s min", minutes=round(hours * 60))
    if hours < 24:
        return _("%(hours)s h", hours=int(hours))
    days, rest = divmod(int(hours), 24)
    return _("%(days)s d %(hours)s h", days=days, hours=rest) if rest else _("%(days)s d", days=days)
