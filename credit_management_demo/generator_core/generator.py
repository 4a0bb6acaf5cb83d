"""Realistic customers and their receivables history, for demos and benchmarks.

Everything here is pure and deterministic: the same ``seed`` and ``today`` give the same
customers, invoices, payments and credit notes, and nothing reads the clock or the global
random generator. Customer ``index`` (0-based) draws from its own ``random.Random``, so a
customer does not depend on how many others are generated, nor on the batch it is in:
``generate_customer(seed, 41, today)`` is customer ``GEN-00042`` of every run with that seed.

Amounts are integers in cents of the company currency; dates are ``datetime.date``.
Invoices cover ``history_days`` (two years) up to ``today``; what would happen after
``today`` (payments, credit notes) is not recorded, so recent invoices and slow payers leave
open and overdue receivables, as real ones do.

Payment behaviours (``profile``), the ground truth the credit classification should find:

``prompt``
    Pays each invoice in full around its due date: a few days early to 1-2 days late.
``forgetful``
    Usually pays on time, but now and then (10-20 % of its invoices, a rate of its own)
    pays 5-25 days late; short delays, always in full.
``habitual``
    Consistently late by a similar margin: a mean delay of its own (15-45 days) with a
    small spread (2-5 days), in full.
``struggling``
    Delays that grow over the history (from 5-15 days to 60-120 days), invoices paid in
    several instalments, some never paid in full, so an open overdue balance that grows in
    recent months.
``new``
    First invoice within the last ~3 months (7-85 days ago), a few invoices (1-6), paid
    mostly on time.
"""

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

PROFILES = ("prompt", "forgetful", "habitual", "struggling", "new")
DEFAULT_MIX = {"prompt": 0.40, "forgetful": 0.20, "habitual": 0.20, "struggling": 0.12, "new": 0.08}
# Payment terms in days after the invoice date (0 = immediate), with how often each is agreed.
PAYMENT_TERMS = {0: 0.10, 15: 0.15, 30: 0.45, 45: 0.20, 60: 0.10}
DEFAULT_COUNTRIES = {"US": 0.55, "CA": 0.10, "GB": 0.10, "DE": 0.07, "FR": 0.07, "BE": 0.04, "NL": 0.04, "ES": 0.03}
SCALES = {"demo": 50, "benchmark": 20_000}

NAME_FIRST = (
    "Northwind", "Blue Harbor", "Summit", "Evergreen", "Silverline", "Redwood", "Atlas", "Pioneer",
    "Lakeside", "Granite", "Horizon", "Cobalt", "Maple Leaf", "Orion", "Keystone", "Riverbend",
    "Sterling", "Westfield", "Crescent", "Ironwood", "Golden Gate", "Bright Path", "Oakridge", "Seaside",
    "Highland", "Clearwater", "Falcon", "Meridian", "Starlight", "Cedar Point", "Union", "Vanguard",
)
NAME_TRADE = (
    "Traders", "Logistics", "Foods", "Engineering", "Supplies", "Textiles", "Electronics", "Builders",
    "Pharma", "Motors", "Furniture", "Printing", "Packaging", "Consulting", "Hardware", "Farms",
    "Labs", "Interiors", "Wholesale", "Retail", "Outfitters", "Distribution", "Plastics", "Garden Center",
)

_HISTORY_MARGIN = 120  # a customer who joined later started at least this many days before today
_NEW_MEAN_INVOICES = 3.5  # mean of randint(1, 6)
_MAX_INVOICES = 400


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate: the behaviour mix (shares summing to 1), the history length in
    days, the mean number of invoices per customer over all profiles, the share of invoices
    that get a credit note (and, of those, the share that cancel the whole invoice), the
    payment terms and the countries, each with its weight."""

    mix: dict = field(default_factory=lambda: dict(DEFAULT_MIX))
    history_days: int = 730
    invoices_per_customer: float = 25.0
    credit_note_rate: float = 0.03
    full_credit_share: float = 0.15
    payment_terms: dict = field(default_factory=lambda: dict(PAYMENT_TERMS))
    countries: dict = field(default_factory=lambda: dict(DEFAULT_COUNTRIES))

    def __post_init__(self):
        unknown = set(self.mix) - set(PROFILES)
        if unknown:
            raise ValueError(f"unknown payment behaviours in the mix: {sorted(unknown)}")
        total = sum(self.mix.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6) or min(self.mix.values()) < 0:
            raise ValueError(f"the behaviour mix must be non-negative shares summing to 1, not {total}")
        if self.history_days < 2 * _HISTORY_MARGIN:
            raise ValueError(f"the history must cover at least {2 * _HISTORY_MARGIN} days")


@dataclass(frozen=True)
class Payment:
    """A customer payment of ``amount`` cents received on ``date``."""

    date: date
    amount: int


@dataclass(frozen=True)
class CreditNote:
    """A credit note of ``amount`` cents issued on ``date`` against one invoice."""

    date: date
    amount: int


@dataclass(frozen=True)
class Invoice:
    """A posted customer invoice of ``amount`` cents and what settled it up to ``today``:
    its payments (oldest first) and its credit note, if any."""

    date: date
    due_date: date
    amount: int
    payments: tuple = ()
    credit_note: CreditNote | None = None

    @property
    def credited(self):
        """Cents settled by the credit note."""
        return self.credit_note.amount if self.credit_note else 0

    @property
    def paid(self):
        """Cents settled by payments."""
        return sum(payment.amount for payment in self.payments)

    @property
    def residual(self):
        """Cents still owed."""
        return self.amount - self.credited - self.paid

    @property
    def payment_state(self):
        """``not_paid``, ``partial``, ``paid``, or ``reversed`` (settled by its credit note
        alone), as Odoo names an invoice's payment state."""
        if self.residual:
            return "partial" if self.residual < self.amount else "not_paid"
        return "paid" if self.payments else "reversed"

    @property
    def settled_date(self):
        """The date the invoice was fully settled, or None while something is owed."""
        if self.residual:
            return None
        dates = [payment.date for payment in self.payments]
        if self.credit_note:
            dates.append(self.credit_note.date)
        return max(dates)

    def days_late(self):
        """Days between the due date and the last payment (negative = early), or None
        without payments."""
        if not self.payments:
            return None
        return (self.payments[-1].date - self.due_date).days


@dataclass(frozen=True)
class Customer:
    """A generated customer: ``number`` is ``index + 1``, ``ref`` its reference
    (``GEN-00042``), ``activity`` its size relative to the average customer (1.0), and
    ``payment_term_days`` its payment term in days (0 = immediate)."""

    index: int
    ref: str
    name: str
    email: str
    country_code: str
    profile: str
    activity: float
    payment_term_days: int
    invoices: tuple

    @property
    def number(self):
        return self.index + 1


# ---------------------------------------------------------------------- profiles
_GOLDEN = (math.sqrt(5) - 1) / 2


def profile_for(index, seed, mix=None):
    """The payment behaviour of customer ``index``.

    Profiles follow a low-discrepancy (Weyl) sequence shifted by the seed: any run of
    consecutive customers shows the mix closely, even 50 of them, and a customer's profile
    depends only on ``seed`` and ``index``.
    """
    mix = DEFAULT_MIX if mix is None else mix
    offset = random.Random(f"profiles:{seed}").random()
    point = (offset + index * _GOLDEN) % 1.0
    cumulated = 0.0
    chosen = None
    for profile in PROFILES:
        share = mix.get(profile, 0.0)
        if share <= 0:
            continue
        chosen = profile
        cumulated += share
        if point < cumulated:
            return profile
    return chosen


# ---------------------------------------------------------------------- helpers
def _weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys])[0]


def _weekday_on_or_before(day):
    """Saturday and Sunday move back to Friday: nobody invoices at the weekend."""
    return day - timedelta(days=max(day.weekday() - 4, 0))


def _weekday_on_or_after(day):
    """Saturday and Sunday move on to Monday: banks credit payments on weekdays."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _split(rng, amount, parts):
    """``amount`` cents in ``parts`` positive instalments summing to it, oldest first."""
    parts = max(1, min(parts, amount))
    if parts == 1:
        return [amount]
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    total = sum(weights)
    shares = [max(1, int(amount * weight / total)) for weight in weights[:-1]]
    shares.append(amount - sum(shares))
    if shares[-1] < 1:
        return [amount]
    return shares


def _non_new_mean(config):
    """The mean number of invoices of a customer who is not new, so that the mean over all
    profiles is ``config.invoices_per_customer``."""
    new_share = config.mix.get("new", 0.0)
    if new_share >= 1:
        return 0.0
    return max(1.0, (config.invoices_per_customer - new_share * _NEW_MEAN_INVOICES) / (1 - new_share))


def _mean_tenure(history_days):
    """Mean tenure in days of customers who are not new (see ``_start_date``)."""
    early = history_days - 15
    late = history_days - (30 + history_days - _HISTORY_MARGIN) / 2
    return 0.75 * early + 0.25 * late


def _start_date(rng, profile, today, history_days):
    """When the customer's first invoice may come: most customers were there when the
    history starts, a quarter joined later (but long enough ago not to be new)."""
    if profile == "new":
        return today - timedelta(days=rng.randint(7, 85))
    first_day = today - timedelta(days=history_days)
    if rng.random() < 0.75:
        return first_day + timedelta(days=rng.randint(0, 30))
    return first_day + timedelta(days=rng.randint(30, history_days - _HISTORY_MARGIN))


# ---------------------------------------------------------------------- behaviours
class _Behaviour:
    """Draws, for one customer, how each invoice is settled."""

    def __init__(self, rng, profile, start, today):
        self.rng = rng
        self.profile = profile
        self.start = start
        self.today = today
        self.span = max((today - start).days, 1)
        if profile == "forgetful":
            self.forget_rate = rng.uniform(0.10, 0.20)
        elif profile == "habitual":
            self.mean_delay = rng.uniform(15, 45)
            self.spread = rng.uniform(2, 5)
        elif profile == "struggling":
            self.first_delay = rng.uniform(5, 15)
            self.last_delay = rng.uniform(60, 120)

    def progress(self, invoice_date):
        """How far into the customer's history ``invoice_date`` is, from 0 to 1."""
        return min(max((invoice_date - self.start).days / self.span, 0.0), 1.0)

    def delay(self, invoice_date):
        """Days from the due date to the (first) payment; negative = early."""
        rng = self.rng
        if self.profile == "prompt":
            return round(rng.triangular(-5, 2, -1))
        if self.profile == "forgetful":
            if rng.random() < self.forget_rate:
                return rng.randint(5, 25)
            return round(rng.triangular(-4, 1, 0))
        if self.profile == "habitual":
            return max(1, round(rng.gauss(self.mean_delay, self.spread)))
        if self.profile == "struggling":
            mean = self.first_delay + (self.last_delay - self.first_delay) * self.progress(invoice_date) ** 1.5
            return max(1, round(rng.gauss(mean, 0.15 * mean)))
        # new: mostly on time, sometimes a little late
        return round(rng.triangular(-3, 8, 0))

    def instalments(self, invoice_date, amount, first_payment):
        """The planned payments of ``amount`` cents from ``first_payment`` on."""
        rng = self.rng
        if self.profile != "struggling":
            return [Payment(first_payment, amount)]
        progress = self.progress(invoice_date)
        parts = 1
        if rng.random() < 0.3 + 0.5 * progress:
            parts += rng.randint(1, 3)
        payments = []
        day = first_payment
        for share in _split(rng, amount, parts):
            payments.append(Payment(day, share))
            day = _weekday_on_or_after(day + timedelta(days=rng.randint(10, 30)))
        if len(payments) > 1 and rng.random() < 0.05 + 0.25 * progress:
            payments.pop()  # the last instalment never comes
        return payments


# ---------------------------------------------------------------------- customers
def generate_customer(seed, index, today, config=None):
    """The customer ``index`` (0-based) of the run ``seed``, with its invoices up to
    ``today``: a :class:`Customer` whose amounts are in cents."""
    config = config or GeneratorConfig()
    rng = random.Random(f"customer:{seed}:{index}")
    profile = profile_for(index, seed, config.mix)
    number = index + 1
    name = f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_TRADE)} {number:04d}"
    email = f"billing@{_slug(name)}.example.com"
    country_code = _weighted(rng, config.countries)
    term_days = _weighted(rng, config.payment_terms)
    sigma = 0.8
    activity = rng.lognormvariate(-sigma * sigma / 2, sigma)
    typical_amount = math.exp(rng.gauss(math.log(1200), 0.7)) * activity ** 0.3

    start = _start_date(rng, profile, today, config.history_days)
    if profile == "new":
        count = rng.randint(1, 6)
    else:
        mean = _non_new_mean(config) * activity * (today - start).days / _mean_tenure(config.history_days)
        count = int(mean) + (rng.random() < mean - int(mean))
        count = min(max(count, 1), _MAX_INVOICES)
    # The first invoice opens the relationship; the others fall anywhere after it.
    start = _weekday_on_or_after(start)
    span = (today - start).days
    dates = sorted([start] + [
        max(_weekday_on_or_before(start + timedelta(days=rng.randint(0, span))), start) for _ in range(count - 1)])

    behaviour = _Behaviour(rng, profile, start, today)
    invoices = []
    for invoice_date in dates:
        amount = max(5000, round(typical_amount * rng.lognormvariate(0, 0.45) * 100))
        due_date = invoice_date + timedelta(days=term_days)
        first_payment = _weekday_on_or_after(
            max(invoice_date, due_date + timedelta(days=behaviour.delay(invoice_date))))
        credit_note = None
        if rng.random() < config.credit_note_rate:
            credit_date = min(invoice_date + timedelta(days=rng.randint(1, 15)), first_payment)
            if rng.random() < config.full_credit_share:
                credit_amount = amount
            else:
                credit_amount = max(1, round(amount * rng.uniform(0.05, 0.5)))
            if credit_date <= today:
                credit_note = CreditNote(credit_date, credit_amount)
        owed = amount - (credit_note.amount if credit_note else 0)
        planned = behaviour.instalments(invoice_date, owed, first_payment) if owed else []
        payments = tuple(payment for payment in planned if payment.date <= today)
        invoices.append(Invoice(invoice_date, due_date, amount, payments, credit_note))

    return Customer(
        index=index,
        ref=f"GEN-{number:05d}",
        name=name,
        email=email,
        country_code=country_code,
        profile=profile,
        activity=activity,
        payment_term_days=term_days,
        invoices=tuple(invoices),
    )


def generate_customers(seed, count, today, config=None, start=0):
    """Yield the customers ``start`` to ``start + count - 1`` of the run ``seed`` one by
    one, so that callers can stream them in batches."""
    config = config or GeneratorConfig()
    for index in range(start, start + count):
        yield generate_customer(seed, index, today, config)


def customers_for_scale(scale):
    """The number of customers of a named scale (``demo``: 50, ``benchmark``: 20,000)."""
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}") from None


def summarize(customers):
    """Counts of a list of customers: customers, invoices, payments, credit notes, and
    customers per profile."""
    summary = {"customers": 0, "invoices": 0, "payments": 0, "credit_notes": 0,
               "profiles": dict.fromkeys(PROFILES, 0)}
    for customer in customers:
        summary["customers"] += 1
        summary["profiles"][customer.profile] += 1
        summary["invoices"] += len(customer.invoices)
        for invoice in customer.invoices:
            summary["payments"] += len(invoice.payments)
            summary["credit_notes"] += invoice.credit_note is not None
    return summary
