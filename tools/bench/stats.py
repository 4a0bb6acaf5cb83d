"""What the benchmark computes and prints, in plain Python (no Odoo): statistics of the
repetitions, the SQL queries grouped by statement, and the table.

Tested by ``tests/test_benchmark_stats.py``.
"""

import re
import statistics
from dataclasses import dataclass, field

# Columns of the table, in order.
COLUMNS = ("Scenario", "Data size", "SQL queries", "Median ms", "Max ms", "Peak memory", "Budget", "Notes")


@dataclass
class Row:
    """One line of the table: a scenario measured ``len(times_ms)`` times.

    ``queries``: the SQL queries of each repetition; ``peak_bytes``: the most memory the
    Python heap took above its level at the start (None: not measured); ``skipped``: why
    the scenario has no figures (the row then prints it instead)."""

    scenario: str
    size: str = ""
    times_ms: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    peak_bytes: int | None = None
    budget: str = ""
    notes: str = ""
    skipped: str = ""

    @property
    def median_ms(self):
        return statistics.median(self.times_ms) if self.times_ms else None

    @property
    def max_ms(self):
        return max(self.times_ms) if self.times_ms else None

    def cells(self):
        if self.skipped:
            return [self.scenario, self.size, self.skipped, "", "", "", self.budget, self.notes]
        return [self.scenario, self.size, format_range(self.queries), format_ms(self.median_ms),
                format_ms(self.max_ms), format_bytes(self.peak_bytes), self.budget, self.notes]


def format_range(values):
    """``13`` when every value is 13, ``13–15`` when they vary, ``""`` when none."""
    if not values:
        return ""
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"


def format_ms(ms):
    """Milliseconds, with a precision that suits their size."""
    if ms is None:
        return ""
    if ms < 10:
        return f"{ms:.2f}"
    if ms < 100:
        return f"{ms:.1f}"
    return f"{ms:,.0f}"


def format_bytes(size):
    """``512 KiB``, ``12.3 MiB``; ``""`` when not measured."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{max(size, 0) / 1024:,.0f} KiB"
    return f"{size / (1024 * 1024):,.1f} MiB"


def ratio(numerator, denominator):
    """``numerator / denominator`` or None when the denominator is zero or missing."""
    if not denominator or numerator is None:
        return None
    return numerator / denominator


def format_table(rows, columns=COLUMNS):
    """A Markdown table of ``rows`` (lists of cells), padded so that it also reads as
    plain text; the pipes of cells are escaped."""
    text = [[str(cell).replace("|", "\\|") for cell in row] for row in rows]
    widths = [max([len(column)] + [len(row[index]) for row in text]) for index, column in enumerate(columns)]

    def line(cells):
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(columns), "|" + "|".join("-" * (width + 2) for width in widths) + "|",
                      *(line(row) for row in text)])


# ---------------------------------------------------------------- SQL statements
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w\"$.])-?\d+(?:\.\d+)?(?![\w\"])")
_SPACES = re.compile(r"\s+")
_LISTS = re.compile(r"\((?:\s*\?\s*,)+\s*\?\s*\)")
_PLACEHOLDERS = re.compile(r"%\((\w+)\)s|%s")


def statement_shape(query):
    """The shape of a SQL query: whitespace collapsed, string and number literals and
    placeholders replaced by ``?`` and lists of them by ``(?...)``, so that the same
    statement run for different records groups as one (an N+1 shows as one shape run
    many times)."""
    shape = _STRING.sub("?", query)
    shape = _PLACEHOLDERS.sub("?", shape)
    shape = _NUMBER.sub("?", shape)
    shape = _SPACES.sub(" ", shape).strip()
    return _LISTS.sub("(?...)", shape)


@dataclass
class Statement:
    """The executions of one statement shape: how many, their total and longest time,
    and the query and parameters of the longest (to explain it)."""

    shape: str
    count: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0
    slowest: tuple = (None, None)


class QueryLog:
    """SQL queries grouped by :func:`statement_shape`."""

    def __init__(self):
        self.statements = {}
        self.count = 0
        self.total_ms = 0.0

    def add(self, query, params, ms):
        self.count += 1
        self.total_ms += ms
        shape = statement_shape(query)
        statement = self.statements.get(shape)
        if statement is None:
            statement = self.statements[shape] = Statement(shape)
        statement.count += 1
        statement.total_ms += ms
        if ms >= statement.max_ms:
            statement.max_ms = ms
            statement.slowest = (query, params)

    def top(self, limit, key="total_ms"):
        """The ``limit`` statements with the highest ``key`` (``total_ms``, ``max_ms``,
        ``count``), highest first."""
        return sorted(self.statements.values(), key=lambda s: getattr(s, key), reverse=True)[:limit]


def abbreviate(text, width=160):
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= width else text[: width - 1] + "…"
