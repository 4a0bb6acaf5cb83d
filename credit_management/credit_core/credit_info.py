"""Reading a credit-information provider's answer and calling it safely, as plain Python.

- Where the answer keeps a value: a path of keys and list positions (``report.rating``,
  ``data.scores[0].value``, ``$.limit.amount``), :func:`value_at`.
- The rating as a risk from 0 (safest) to 100 (riskiest): a number on the provider's 0-100
  scale (a risk, or a score where 100 is safest) or a letter mapped by a table of
  ``letter = risk`` lines, :func:`parse_letter_scale` and :func:`rating_as_risk`.
- When to try again: timeouts and server errors (5xx) are retried after growing delays, a
  few times, within a bounded time, :func:`backoff_delays` and :func:`worst_case_seconds`.
- Secrets (API keys, passwords, tokens) never leave: :func:`redact` blanks them out of
  answers and messages before they are logged, shown or stored.
"""

import json
import math
import re
import string
from dataclasses import dataclass
from urllib.parse import quote

# Rating scales.
SCALE_RISK = "risk"        # 0-100, 100 = riskiest (as our score)
SCALE_SCORE = "score"      # 0-100, 100 = safest: risk = 100 - score
SCALE_LETTERS = "letters"  # letters mapped to a risk by a table

REDACTED = "***"
# Keys of an answer whose values are secrets whatever they hold.
SECRET_KEY_RE = re.compile(r"token|password|passwd|secret|api[_-]?key|authorization|credential", re.IGNORECASE)

_PATH_RE = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
_LETTER_LINE_RE = re.compile(r"^\s*([^=:]+?)\s*[=:]\s*([-+]?\d+(?:[.,]\d+)?)\s*$")
# Placeholders a lookup path may use.
LOOKUP_PLACEHOLDERS = frozenset({"identifier", "identifier_type", "country"})


class AnswerError(ValueError):
    """The answer does not hold what the mapping says: ``code`` is ``missing`` (no value
    at the path), ``not_a_number``, ``out_of_range`` or ``unknown_letter``; ``value`` is
    what was found."""

    def __init__(self, code, path, value=None):
        super().__init__(code, path, value)
        self.code = code
        self.path = path
        self.value = value


def parse_path(path):
    """The steps of ``path`` (``a.b[0].c``, an optional leading ``$``): keys (str) and
    list positions (int). Raises ValueError for an empty or malformed path."""
    text = (path or "").strip()
    if text.startswith("$"):
        text = text[1:].lstrip(".")
    if not text:
        raise ValueError(path)
    steps, position = [], 0
    for match in _PATH_RE.finditer(text):
        if match.start() != position:
            raise ValueError(path)
        key, index = match.groups()
        steps.append(int(index) if index is not None else key.strip())
        position = match.end()
    if position != len(text) or any(step == "" for step in steps):
        raise ValueError(path)
    return steps


def value_at(data, path):
    """The value at ``path`` in the decoded JSON ``data``, or raise :class:`AnswerError`
    (``missing``) when a step is not there or the value is null."""
    value = data
    for step in parse_path(path):
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            raise AnswerError("missing", path)
    if value is None:
        raise AnswerError("missing", path)
    return value


def parse_letter_scale(text):
    """``{letter (upper case): risk}`` from ``text``: one ``letter = risk`` (or ``letter:
    risk``) a line, risks from 0 (safest) to 100 (riskiest); empty lines and lines
    starting with ``#`` are skipped. Raises ValueError(line number, line) for a line that
    is not so, a risk out of 0-100 or a letter given twice."""
    scale = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LETTER_LINE_RE.match(line)
        if not match:
            raise ValueError(number, line.strip())
        letter, risk = match.group(1).strip().upper(), float(match.group(2).replace(",", "."))
        if not 0 <= risk <= 100 or letter in scale:
            raise ValueError(number, line.strip())
        scale[letter] = risk
    return scale


def as_number(value, path):
    """``value`` (a number, or a number in text: ``"72"``, ``"1 500.50"``) as a finite
    float, or raise :class:`AnswerError` (``not_a_number``)."""
    if isinstance(value, bool):
        raise AnswerError("not_a_number", path, value)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            raise AnswerError("not_a_number", path, value) from None
    else:
        raise AnswerError("not_a_number", path, value)
    if not math.isfinite(number):
        raise AnswerError("not_a_number", path, value)
    return number


def rating_as_risk(value, scale, letters=None, path=""):
    """The risk (0-100, 100 riskiest, one decimal) the provider's rating ``value`` means
    on ``scale`` (:data:`SCALE_RISK`, :data:`SCALE_SCORE` or :data:`SCALE_LETTERS` with
    ``letters`` from :func:`parse_letter_scale`). Raises :class:`AnswerError`."""
    if scale == SCALE_LETTERS:
        letter = str(value).strip().upper()
        if letter not in (letters or {}):
            raise AnswerError("unknown_letter", path, value)
        return round(letters[letter], 1)
    number = as_number(value, path)
    if not 0 <= number <= 100:
        raise AnswerError("out_of_range", path, value)
    return round(100.0 - number if scale == SCALE_SCORE else number, 1)


def amount_or_none(value, path):
    """A recommended amount from the answer: a number ≥ 0, or raise
    :class:`AnswerError` (``not_a_number`` or ``out_of_range``)."""
    number = as_number(value, path)
    if number < 0:
        raise AnswerError("out_of_range", path, value)
    return number


# ---------------------------------------------------------------------- calling
def should_retry(status):
    """Whether an HTTP ``status`` is worth trying again: server errors (5xx). Client
    errors (4xx) will not change by asking again."""
    return 500 <= status <= 599


def backoff_delays(attempts, first=1.0, factor=2.0, longest=8.0):
    """The seconds to wait before each retry of a call tried at most ``attempts``
    times: ``first``, then ``factor`` times longer each time, at most ``longest``
    (1, 2, 4, 8, 8... by default); ``attempts - 1`` delays."""
    return [min(first * factor ** index, longest) for index in range(max(attempts - 1, 0))]


def worst_case_seconds(attempts, timeout, delays):
    """The longest one call can take: every attempt waiting ``timeout`` seconds for an
    answer, and the ``delays`` between them."""
    return attempts * timeout + sum(delays)


@dataclass(frozen=True)
class RetryPolicy:
    """How a call is retried: at most ``attempts`` tries, waiting ``timeout`` seconds
    for each answer and the :func:`backoff_delays` between them, never starting a try
    that could end after ``budget`` seconds since the first one."""

    attempts: int = 3
    timeout: float = 10.0
    first_delay: float = 1.0
    budget: float = 60.0

    @property
    def delays(self):
        return backoff_delays(self.attempts, self.first_delay)

    def delay_before(self, attempt, elapsed):
        """The seconds to wait before try number ``attempt`` (2 for the first retry)
        after ``elapsed`` seconds, or None when no further try is allowed (tries used
        up, or the try could not finish within the budget)."""
        if attempt > self.attempts:
            return None
        delay = self.delays[attempt - 2]
        if elapsed + delay + self.timeout > self.budget:
            return None
        return delay


def lookup_path(template, identifier, identifier_type, country):
    """The path (and query) of a lookup: ``template`` with ``{identifier}``,
    ``{identifier_type}`` (``vat`` or ``company_registry``) and ``{country}`` (lower-case
    ISO code) filled in, each URL-encoded. Raises ValueError naming a placeholder not in
    :data:`LOOKUP_PLACEHOLDERS`."""
    unknown = template_placeholders(template) - LOOKUP_PLACEHOLDERS
    if unknown:
        raise ValueError(sorted(unknown)[0])
    values = {"identifier": identifier, "identifier_type": identifier_type, "country": country or ""}
    return template.format_map({key: quote(str(value), safe="") for key, value in values.items()})


def template_placeholders(template):
    """The names of the ``{placeholders}`` of ``template``; ValueError when malformed."""
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template or "") if name is not None}


# ---------------------------------------------------------------------- secrets
def redact(value, secrets):
    """``value`` (decoded JSON, or text) with every secret blanked out: the values of
    keys that name a secret (:data:`SECRET_KEY_RE`) and every occurrence of one of
    ``secrets`` (the provider's key, password, token) in any text, keys included."""
    secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    return _redact(value, secrets)


def _redact(value, secrets):
    if isinstance(value, dict):
        return {
            _redact(key, secrets): REDACTED if isinstance(key, str) and SECRET_KEY_RE.search(key) and item
            else _redact(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    return value


def redacted_text(text, secrets, limit=None):
    """``text`` (an answer's body) made safe to store and show: JSON re-encoded with its
    secrets blanked out (:func:`redact`), other text with the ``secrets`` blanked out;
    cut to ``limit`` characters when given."""
    try:
        safe = json.dumps(redact(json.loads(text), secrets), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        safe = redact(text, secrets)
    if limit is not None and len(safe) > limit:
        safe = safe[:limit] + "…"
    return safe
