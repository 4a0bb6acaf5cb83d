import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_core.credit_info import (
    REDACTED,
    SCALE_LETTERS,
    SCALE_RISK,
    SCALE_SCORE,
    AnswerError,
    RetryPolicy,
    amount_or_none,
    backoff_delays,
    lookup_path,
    parse_letter_scale,
    parse_path,
    rating_as_risk,
    redact,
    redacted_text,
    should_retry,
    value_at,
    worst_case_seconds,
)

ANSWER = {"company": {"name": "Acme", "ratings": [{"value": "B"}, {"value": 72}]}, "limit": {"amount": "15000.50"}}


def test_paths_reach_keys_and_list_positions():
    assert value_at(ANSWER, "company.name") == "Acme"
    assert value_at(ANSWER, "$.company.ratings[1].value") == 72
    assert value_at(ANSWER, "company.ratings[0].value") == "B"
    assert value_at({"a": [[1, 2]]}, "a[0][1]") == 2
    assert parse_path("$.a.b[3]") == ["a", "b", 3]


@pytest.mark.parametrize("path", ["company.siret", "company.ratings[5].value", "limit.amount.value", "company[0]"])
def test_a_value_not_there_is_missing(path):
    with pytest.raises(AnswerError) as error:
        value_at(ANSWER, path)
    assert error.value.code == "missing"


def test_null_is_missing():
    with pytest.raises(AnswerError):
        value_at({"rating": None}, "rating")


@pytest.mark.parametrize("path", ["", "$", "a..b", "a[x]", "a[1", "[", "a.[0]"])
def test_malformed_paths_are_refused(path):
    with pytest.raises(ValueError):
        parse_path(path)


def test_letter_scales():
    scale = parse_letter_scale("# best first\nA = 5\nb: 25\n\nC=50,5\n D = 100 ")
    assert scale == {"A": 5.0, "B": 25.0, "C": 50.5, "D": 100.0}
    assert rating_as_risk(" b ", SCALE_LETTERS, scale) == 25.0
    with pytest.raises(AnswerError) as error:
        rating_as_risk("E", SCALE_LETTERS, scale)
    assert error.value.code == "unknown_letter"


@pytest.mark.parametrize(("text", "line"), [("A = 5\nB 25", 2), ("A = 150", 1), ("A = 5\nA = 6", 2), ("= 5", 1)])
def test_bad_letter_scales_name_the_line(text, line):
    with pytest.raises(ValueError) as error:
        parse_letter_scale(text)
    assert error.value.args[0] == line


def test_numeric_ratings_as_risks():
    assert rating_as_risk(72, SCALE_RISK) == 72.0
    assert rating_as_risk("72.44", SCALE_RISK) == 72.4
    assert rating_as_risk(72, SCALE_SCORE) == 28.0, "a score of 72 (100 safest) is a risk of 28"
    for value, code in ((101, "out_of_range"), (-1, "out_of_range"), ("high", "not_a_number"),
                        (True, "not_a_number"), ([1], "not_a_number"), ("nan", "not_a_number")):
        with pytest.raises(AnswerError) as error:
            rating_as_risk(value, SCALE_RISK)
        assert error.value.code == code, value


def test_amounts():
    assert amount_or_none("15 000.50", "limit") == 15000.5
    assert amount_or_none(0, "limit") == 0.0
    with pytest.raises(AnswerError):
        amount_or_none(-5, "limit")


def test_only_server_errors_are_retried():
    assert should_retry(500) and should_retry(503)
    assert not should_retry(401) and not should_retry(404) and not should_retry(200)


def test_backoff_grows_and_is_capped():
    assert backoff_delays(1) == []
    assert backoff_delays(3) == [1.0, 2.0]
    assert backoff_delays(6, first=1, longest=8) == [1, 2, 4, 8, 8]
    assert worst_case_seconds(3, 10, backoff_delays(3)) == 33


def test_retry_policy_is_bounded_in_tries_and_time():
    policy = RetryPolicy(attempts=3, timeout=10, first_delay=1, budget=60)
    assert policy.delay_before(2, elapsed=10) == 1
    assert policy.delay_before(3, elapsed=21) == 2
    assert policy.delay_before(4, elapsed=33) is None, "tries used up"
    assert RetryPolicy(attempts=5, timeout=20, budget=50).delay_before(3, elapsed=41) is None, "over the budget"


@given(st.integers(1, 8), st.floats(0.1, 30), st.lists(st.floats(0, 30), min_size=8, max_size=8))
def test_a_call_never_outlasts_its_budget(attempts, timeout, durations):
    """Whatever each try takes (at most its timeout), the tries started end within the
    budget (or are the first)."""
    policy = RetryPolicy(attempts=attempts, timeout=timeout, budget=60)
    elapsed, attempt = min(durations[0], timeout), 1
    while True:
        delay = policy.delay_before(attempt + 1, elapsed)
        if delay is None:
            break
        attempt += 1
        elapsed += delay + min(durations[attempt - 1], timeout)
        assert elapsed <= max(policy.budget, timeout)
    assert attempt <= attempts


def test_lookup_paths_are_filled_and_encoded():
    assert lookup_path("/v1/companies/{country}/{identifier}", "BE 0477/472", "vat", "be") == \
        "/v1/companies/be/BE%200477%2F472"
    assert lookup_path("/search?{identifier_type}={identifier}", "1&x=2", "company_registry", "fr") == \
        "/search?company_registry=1%26x%3D2"
    with pytest.raises(ValueError):
        lookup_path("/companies/{vat}", "x", "vat", "be")


def test_secrets_are_redacted_by_key_and_by_value():
    answer = {"access_token": "tok-123", "echo": {"headers": ["X-API-Key: key-456"]}, "note": "tok-123 used",
              "tok-123": 1, "rating": 40, "password": "", "token_type": "bearer"}
    safe = redact(answer, ["key-456", "tok-123", ""])
    assert safe["access_token"] == REDACTED
    assert safe["echo"]["headers"] == [f"X-API-Key: {REDACTED}"]
    assert safe["note"] == f"{REDACTED} used"
    assert REDACTED in safe and safe["rating"] == 40
    assert "tok-123" not in json.dumps(safe) and "key-456" not in json.dumps(safe)


def test_redacted_text_of_json_and_of_anything_else():
    assert "s3cret" not in redacted_text('{"password": "s3cret", "a": 1}', [])
    assert redacted_text("<html>bad key s3cret</html>", ["s3cret"]) == f"<html>bad key {REDACTED}</html>"
    assert redacted_text("x" * 50, [], limit=10) == "x" * 10 + "…"


SECRET_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+/="


@given(st.text(SECRET_CHARACTERS, min_size=1), st.text(), st.text())
def test_a_secret_never_survives_redaction(secret, before, after):
    text = secret.join([before, after, ""])
    assert secret not in redact(text, [secret])
    safe = redact({"note": text, "items": [text, {text: text}]}, [secret])
    assert not any(secret in string for string in _strings(safe))


def _strings(value):
    """Every text in decoded JSON ``value``, keys included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
