"""The credit risk score: 0 (safest) to 100 (riskiest), explained factor by factor.

Each factor turns one measured value into a risk between 0 and 1, linearly between the
value where it adds nothing (``zero_at``) and the value where it adds all its weight
(``full_at``). The score is the weighted mean of these risks, times 100, over the factors
that apply to the customer (credit utilisation needs a credit limit, the external rating
needs a rating). Each factor's *contribution* is its share of that sum, in points, so
that the contributions add up to the score.

New customers have too little history to judge: below ``new_invoices`` invoices, or
``new_days`` days since the first one, the score is raised to a neutral prior score when
lower (a bad start still shows in full). The raise is shown as a factor of its own.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from .bounds import REVIEW_INTERVAL_DAYS

# code: (unit, zero_at, full_at); the models give each code its translated label.
FACTORS = {
    "late_share": ("%", 0.0, 1.0),
    "days_late": ("days", 0.0, 60.0),
    "overdue_share": ("%", 0.0, 1.0),
    "oldest_overdue": ("days", 0.0, 90.0),
    "utilisation": ("%", 0.5, 1.2),
    "disputes": ("invoices", 0.0, 3.0),
    "tenure": ("months", 24.0, 0.0),
    "external": ("/100", 0.0, 100.0),
}
PRIOR = "new_customer"

DEFAULT_WEIGHTS = {
    "late_share": 25.0,
    "days_late": 25.0,
    "overdue_share": 15.0,
    "oldest_overdue": 15.0,
    "utilisation": 10.0,
    "disputes": 5.0,
    "tenure": 5.0,
    "external": 10.0,
}


@dataclass(frozen=True)
class ScoreSettings:
    """The manager's settings: factor ``weights`` (relative, any scale), the history
    below which a customer is new (``new_invoices`` invoices due, ``new_days`` days) and
    the ``prior_score`` new customers start from."""

    weights: dict = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    new_invoices: int = 3
    new_days: int = 90
    prior_score: float = 40.0


@dataclass(frozen=True)
class Factor:
    """One line of a score's explanation: the measured ``value`` (in ``unit``; shares
    as fractions 0-1), its ``weight``, the ``risk`` (0-1) it means and the points it
    ``contribution`` adds to the score."""

    code: str
    value: float
    unit: str
    weight: float
    risk: float
    contribution: float

    def as_dict(self):
        """The factor as stored on a review (JSON)."""
        return {
            "code": self.code, "value": round(self.value, 4), "unit": self.unit,
            "weight": self.weight, "risk": round(self.risk, 4), "contribution": round(self.contribution, 2),
        }


@dataclass(frozen=True)
class ScoreResult:
    """A score (0-100, one decimal) and the factors that make it, in :data:`FACTORS`
    order, the new-customer prior last when it applies."""

    score: float
    factors: tuple


def factor_risk(code, value):
    """The risk (0-1) that ``value`` of factor ``code`` means: linear between the
    factor's ``zero_at`` and ``full_at`` values, clipped."""
    _unit, zero_at, full_at = FACTORS[code]
    risk = (value - zero_at) / (full_at - zero_at)
    return min(max(risk, 0.0), 1.0)


def is_new(history, settings):
    """Whether a customer with ``history`` is new: fewer than ``new_invoices`` invoices,
    or a first invoice less than ``new_days`` days ago."""
    return history.invoice_count < settings.new_invoices or history.tenure_days < settings.new_days


def factor_values(history, utilisation=None, external_rating=None):
    """``{code: value}`` of the factors that apply: utilisation (exposure / limit, a
    fraction) only with a credit limit, the external rating (0-100, higher = riskier)
    only when known."""
    values = {
        "late_share": history.late_share,
        "days_late": history.avg_days_late,
        "overdue_share": history.overdue_share,
        "oldest_overdue": float(history.oldest_overdue_days),
        "disputes": float(history.open_disputes),
        "tenure": history.tenure_days * 12 / 365.25,
    }
    if utilisation is not None:
        values["utilisation"] = max(utilisation, 0.0)
    if external_rating is not None:
        values["external"] = min(max(external_rating, 0.0), 100.0)
    return values


def compute_score(history, utilisation=None, external_rating=None, settings=None):
    """The :class:`ScoreResult` of a customer with ``history`` (a ``PaymentHistory``),
    ``utilisation`` (exposure / credit limit, None without a limit) and
    ``external_rating`` (0-100, None when unknown)."""
    settings = settings or ScoreSettings()
    values = factor_values(history, utilisation, external_rating)
    weights = {code: max(settings.weights.get(code, 0.0), 0.0) for code in FACTORS if code in values}
    total_weight = sum(weights.values())
    observed = 0.0
    rows = []
    for code, (unit, _zero, _full) in FACTORS.items():
        if code not in values:
            continue
        risk = factor_risk(code, values[code])
        points = 100.0 * weights[code] * risk / total_weight if total_weight else 0.0
        observed += points
        rows.append(Factor(code, values[code], unit, weights[code], risk, points))
    raised = max(settings.prior_score - observed, 0.0) if is_new(history, settings) else 0.0
    if raised:
        rows.append(Factor(PRIOR, settings.prior_score, "/100", 0.0, settings.prior_score / 100, raised))
    return ScoreResult(round(min(max(observed + raised, 0.0), 100.0), 1), tuple(rows))


# ---------------------------------------------------------------------- tiers
# A factor's risk (0-1) reads as high from this level, medium from the next one.
RISK_HIGH = 0.66
RISK_MEDIUM = 0.33


def risk_level(risk):
    """``high``, ``medium`` or ``low``: how a factor's ``risk`` (0-1) is shown."""
    if risk >= RISK_HIGH:
        return "high"
    return "medium" if risk >= RISK_MEDIUM else "low"


# A tier without a review interval is reviewed this often (days).
DEFAULT_REVIEW_INTERVAL_DAYS = 30


def override_in_force(has_override, until, today):
    """Whether a tier override (``until``: its last day, None = until removed) still
    decides the customer's tier on ``today``."""
    return bool(has_override) and not (until and until < today)


def next_review_date(today, interval_days):
    """When a customer reviewed on ``today`` in a tier reviewed every ``interval_days``
    days is reviewed again: after the default interval when the tier's is empty or out of
    :data:`~.bounds.REVIEW_INTERVAL_DAYS` (saved before the bounds existed)."""
    if interval_days not in REVIEW_INTERVAL_DAYS:
        interval_days = DEFAULT_REVIEW_INTERVAL_DAYS
    return today + timedelta(days=interval_days)


@dataclass(frozen=True)
class Band:
    """A tier as the bands see it: its ``key`` (the tier's id), ``name`` and the
    ``max_score`` it goes up to; bands are given in the tiers' sequence order."""

    key: object
    name: str
    max_score: float


def tier_for_score(score, bands):
    """The key of the first band (in order) whose ``max_score`` is at least ``score``,
    or None when no band covers it."""
    for band in bands:
        if band.max_score >= score:
            return band.key
    return None


@dataclass(frozen=True)
class BandProblem:
    """Why a set of bands is refused: ``kind`` is ``none`` (no tier at all),
    ``overlap`` (``band`` goes up to less than the ``previous`` band, so part of its
    scores are already taken and none is left for it) or ``gap`` (the last ``band`` stops
    below 100: higher scores belong to no tier)."""

    kind: str
    band: Band | None = None
    previous: Band | None = None


def band_problems(bands):
    """The :class:`BandProblem` list of ``bands`` (in sequence order), empty when every
    score from 0 to 100 falls in exactly one band.

    A band whose ``max_score`` equals the previous one's is accepted: it covers no
    score (a tier being phased out) but takes none from another.
    """
    bands = list(bands)
    if not bands:
        return [BandProblem("none")]
    problems = []
    highest = None
    for band in bands:
        if highest is not None and band.max_score < highest.max_score:
            problems.append(BandProblem("overlap", band, highest))
        elif highest is None or band.max_score > highest.max_score:
            highest = band
    if highest.max_score < 100:
        problems.append(BandProblem("gap", highest))
    return problems
