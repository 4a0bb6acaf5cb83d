import statistics
from dataclasses import replace
from datetime import date, timedelta

import pytest
from histories import generated_histories
from hypothesis import given
from hypothesis import strategies as st

from credit_core.history import PaymentHistory
from credit_core.score import (
    DEFAULT_WEIGHTS,
    FACTORS,
    PRIOR,
    Band,
    ScoreSettings,
    band_problems,
    compute_score,
    factor_risk,
    is_new,
    next_review_date,
    override_in_force,
    risk_level,
    tier_for_score,
)

TODAY = date(2026, 6, 15)

ESTABLISHED = PaymentHistory(invoice_count=24, tenure_days=800, due_count=12, due_amount=12000.0)

histories = st.builds(
    PaymentHistory,
    invoice_count=st.integers(0, 300),
    tenure_days=st.integers(0, 3000),
    due_count=st.integers(0, 150),
    due_amount=st.floats(0, 1e7),
    late_count=st.integers(0, 150),
    late_amount=st.floats(0, 1e7),
    days_late_amount=st.floats(0, 1e9),
    open_amount=st.floats(0, 1e7),
    overdue_amount=st.floats(0, 1e7),
    oldest_overdue_days=st.integers(0, 2000),
    open_disputes=st.integers(0, 20),
)
weights = st.fixed_dictionaries({code: st.floats(0, 100) for code in FACTORS})


def by_code(result):
    return {factor.code: factor for factor in result.factors}


def test_a_clean_established_history_scores_near_zero():
    result = compute_score(ESTABLISHED)
    assert result.score == pytest.approx(0, abs=0.1)
    assert PRIOR not in by_code(result)


def test_each_factor_adds_its_weighted_risk():
    history = replace(ESTABLISHED, late_amount=6000.0, days_late_amount=12000.0 * 30,
                      open_amount=2000.0, overdue_amount=500.0, oldest_overdue_days=45, open_disputes=3)
    result = compute_score(history)
    factors = by_code(result)
    total = sum(w for code, w in DEFAULT_WEIGHTS.items() if code not in ("utilisation", "external"))
    assert factors["late_share"].value == 0.5
    assert factors["late_share"].contribution == pytest.approx(100 * 25 * 0.5 / total)
    assert factors["days_late"].value == 30
    assert factors["days_late"].risk == 0.5, "60 days late on average is the full risk"
    assert factors["overdue_share"].value == 0.25
    assert factors["oldest_overdue"].risk == 0.5
    assert factors["disputes"].risk == 1
    assert factors["tenure"].value == pytest.approx(800 * 12 / 365.25)
    assert factors["tenure"].risk == 0, "Over two years a customer: no tenure risk"
    assert "utilisation" not in factors and "external" not in factors, "Without limit or rating they do not apply"
    assert result.score == pytest.approx(sum(f.contribution for f in result.factors), abs=0.06)


def test_utilisation_and_external_rating_apply_when_known():
    result = compute_score(ESTABLISHED, utilisation=1.2, external_rating=50)
    factors = by_code(result)
    assert factors["utilisation"].risk == 1, "120 % of the limit used is the full risk"
    assert factors["external"].risk == 0.5
    assert compute_score(ESTABLISHED, utilisation=0.5).score == 0, "Half the limit used is no risk"


def test_factor_risk_is_linear_between_its_bounds_and_clipped():
    assert factor_risk("days_late", -10) == 0
    assert factor_risk("days_late", 15) == 0.25
    assert factor_risk("days_late", 600) == 1
    assert factor_risk("tenure", 24) == 0 and factor_risk("tenure", 6) == 0.75, "Newer customers are riskier"


def test_a_customer_without_history_gets_the_prior_score():
    result = compute_score(PaymentHistory(), settings=ScoreSettings(prior_score=40))
    factors = by_code(result)
    assert result.score == 40
    assert factors["tenure"].risk == 1, "A brand new customer"
    assert factors[PRIOR].contribution == pytest.approx(40 - factors["tenure"].contribution)


def test_a_new_customer_is_raised_to_the_prior_until_it_has_a_history():
    settings = ScoreSettings(new_invoices=3, new_days=90, prior_score=40)
    young = PaymentHistory(invoice_count=2, tenure_days=400)
    assert is_new(young, settings), "Fewer than 3 invoices"
    assert is_new(replace(young, invoice_count=5, tenure_days=45), settings), "First invoice under 90 days ago"
    assert not is_new(replace(young, invoice_count=3, tenure_days=90), settings)
    assert compute_score(replace(young, tenure_days=800), settings=settings).score == 40
    assert compute_score(replace(young, invoice_count=3, tenure_days=800), settings=settings).score == 0


def test_a_bad_start_is_not_hidden_by_the_prior():
    history = PaymentHistory(invoice_count=2, tenure_days=60, due_count=2, due_amount=2000.0, late_amount=2000.0,
                             days_late_amount=2000.0 * 60, open_amount=2000.0, overdue_amount=2000.0,
                             oldest_overdue_days=90)
    result = compute_score(history)
    assert result.score > 80
    assert PRIOR not in by_code(result)


def test_weights_are_relative():
    history = replace(ESTABLISHED, late_amount=3000.0, days_late_amount=12000.0 * 10)
    doubled = {code: 2 * weight for code, weight in DEFAULT_WEIGHTS.items()}
    assert compute_score(history).score == compute_score(history, settings=ScoreSettings(weights=doubled)).score


def test_a_zero_weight_switches_a_factor_off():
    history = replace(ESTABLISHED, late_amount=12000.0)
    weights = dict(DEFAULT_WEIGHTS, late_share=0.0)
    assert compute_score(history, settings=ScoreSettings(weights=weights)).score == 0


@given(histories, st.one_of(st.none(), st.floats(0, 10)), st.one_of(st.none(), st.floats(-50, 150)), weights)
def test_score_is_within_0_and_100_and_explained_by_its_factors(history, utilisation, rating, weights):
    result = compute_score(history, utilisation, rating, ScoreSettings(weights=weights))
    assert 0 <= result.score <= 100
    assert sum(f.contribution for f in result.factors) == pytest.approx(result.score, abs=0.06)
    assert all(0 <= f.risk <= 1 for f in result.factors)


@given(histories, st.floats(0, 1e9), weights)
def test_score_is_monotone_in_days_late(history, more_days, weights):
    settings = ScoreSettings(weights=weights)
    later = replace(history, days_late_amount=history.days_late_amount + more_days)
    assert compute_score(later, settings=settings).score >= compute_score(history, settings=settings).score


@given(histories, st.floats(0, 1e7), st.integers(0, 1000))
def test_score_is_monotone_in_overdue(history, more_amount, more_days):
    more = replace(history, overdue_amount=history.overdue_amount + more_amount,
                   open_amount=history.open_amount + more_amount,
                   oldest_overdue_days=history.oldest_overdue_days + more_days)
    assert compute_score(more).score >= compute_score(history).score - 1e-9


def test_generated_behaviours_score_in_the_expected_order():
    """On the generator's customers (2 years of history), the average score ranks
    prompt < forgetful < habitual < struggling, with clear gaps."""
    scores = {}
    for customer, history in generated_histories(seed=11, count=600, today=TODAY):
        scores.setdefault(customer.profile, []).append(compute_score(history).score)
    means = {profile: statistics.mean(values) for profile, values in scores.items()}
    assert means["prompt"] < means["forgetful"] < means["habitual"] < means["struggling"]
    assert means["forgetful"] < 25 < means["habitual"], "Forgetful payers stay Low, habitual ones do not"
    assert means["struggling"] - means["habitual"] > 10
    assert 40 <= means["new"] <= 45, "New customers start at the neutral prior"


def test_the_score_predicts_who_pays_the_next_invoices_late():
    """Scored on the history before a cutoff, customers with a higher score pay the
    invoices issued after it later: the share of those invoices paid more than 30
    days late rises band after band."""
    cutoff = TODAY - timedelta(days=180)
    late, total = [0] * 4, [0] * 4
    for customer, history in generated_histories(seed=5, count=600, today=TODAY, as_of=cutoff):
        band = min(int(compute_score(history).score // 25), 3)
        for invoice in customer.invoices:
            settled = invoice.settled_date
            if invoice.date <= cutoff or (settled is None and invoice.due_date >= TODAY):
                continue
            total[band] += 1
            late[band] += ((settled or TODAY) - invoice.due_date).days > 30
    rates = [late[band] / total[band] for band in range(4)]
    assert rates == sorted(rates)
    assert rates[0] < 0.05
    assert rates[3] > 0.5


# ---------------------------------------------------------------------- bands
DEFAULT_BANDS = [Band(1, "Low", 25), Band(2, "Medium", 50), Band(3, "High", 75), Band(4, "Critical", 100)]


def test_tier_is_the_first_band_reaching_the_score():
    assert tier_for_score(0, DEFAULT_BANDS) == 1
    assert tier_for_score(25, DEFAULT_BANDS) == 1
    assert tier_for_score(25.1, DEFAULT_BANDS) == 2
    assert tier_for_score(100, DEFAULT_BANDS) == 4
    assert tier_for_score(101, DEFAULT_BANDS) is None


def test_valid_bands_have_no_problem():
    assert band_problems(DEFAULT_BANDS) == []
    assert band_problems([Band(1, "All", 100)]) == []


def test_a_band_below_an_earlier_one_is_an_overlap():
    problems = band_problems([Band(1, "Low", 50), Band(2, "Medium", 40), Band(3, "Critical", 100)])
    assert [(p.kind, p.band.name, p.previous.name) for p in problems] == [("overlap", "Medium", "Low")]


def test_scores_above_the_last_band_are_a_gap():
    problems = band_problems([Band(1, "Low", 25), Band(2, "High", 75)])
    assert [(p.kind, p.band.name) for p in problems] == [("gap", "High")]


def test_no_band_at_all_is_refused():
    assert [p.kind for p in band_problems([])] == ["none"]


def test_a_band_equal_to_the_previous_one_is_empty_but_accepted():
    """While a manager raises a tier to 100 before archiving the one above it."""
    assert band_problems([Band(1, "Low", 25), Band(2, "High", 100), Band(3, "Critical", 100)]) == []


@given(st.lists(st.floats(0, 100), min_size=1, max_size=6), st.floats(0, 100))
def test_valid_bands_give_every_score_a_tier(maxima, score):
    bands = [Band(i, str(i), value) for i, value in enumerate([*sorted(maxima), 100])]
    assert band_problems(bands) == []
    assert tier_for_score(score, bands) is not None


def test_override_holds_until_its_last_day_included():
    today = date(2026, 11, 29)
    assert override_in_force(True, None, today)
    assert override_in_force(True, today, today)
    assert not override_in_force(True, date(2026, 11, 28), today)
    assert not override_in_force(False, None, today)


def test_next_review_from_the_tier_interval_else_a_month():
    today = date(2026, 11, 29)
    assert next_review_date(today, 7) == date(2026, 12, 6)
    assert next_review_date(today, 0) == date(2026, 12, 29)


def test_risk_levels_split_the_factor_risk_in_three():
    assert [risk_level(r) for r in (0.0, 0.32, 0.33, 0.65, 0.66, 1.0)] == [
        "low", "low", "medium", "medium", "high", "high"]
