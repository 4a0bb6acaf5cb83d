"""Ageing of receivables: how long an amount has been due, in the buckets credit
teams use (not due, 1–30, 31–60, 61–90 and over 90 days overdue)."""

from .receivables import days_overdue

__all__ = ["AGEING_BUCKETS", "AGEING_BUCKET_KEYS", "ageing_bucket", "ageing_case_sql", "days_overdue"]

# (key, label, first day overdue, last day overdue); None = open-ended.
AGEING_BUCKETS = (
    ("not_due", "Not due", None, 0),
    ("1_30", "1-30", 1, 30),
    ("31_60", "31-60", 31, 60),
    ("61_90", "61-90", 61, 90),
    ("90_plus", "90+", 91, None),
)
# The bucket keys from the youngest to the oldest: the order in which reports show them
# (their alphabetical order would put "not_due" last).
AGEING_BUCKET_KEYS = tuple(key for key, _label, _first, _last in AGEING_BUCKETS)


def ageing_bucket(overdue_days: int) -> str:
    """The key of the bucket of an amount ``overdue_days`` past due (0 or less = not due)."""
    for key, _label, first, last in AGEING_BUCKETS:
        if (first is None or overdue_days >= first) and (last is None or overdue_days <= last):
            return key
    raise AssertionError(f"no ageing bucket for {overdue_days} days")


def ageing_case_sql(days_expression: str) -> tuple[str, list]:
    """A SQL ``CASE`` giving the bucket key of ``days_expression`` (an SQL expression of
    whole days overdue), with its parameters, so that SQL and Python age alike."""
    parts, params = [], []
    for key, _label, first, last in AGEING_BUCKETS:
        conditions = []
        if first is not None:
            conditions.append(f"{days_expression} >= %s")
            params.append(first)
        if last is not None:
            conditions.append(f"{days_expression} <= %s")
            params.append(last)
        parts.append(f"WHEN {' AND '.join(conditions) or 'TRUE'} THEN %s")
        params.append(key)
    return f"CASE {' '.join(parts)} END", params
