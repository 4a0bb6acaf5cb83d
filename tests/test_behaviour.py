from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from histories import generated_histories
from hypothesis import given
from hypothesis import strategies as st

from credit_core.behaviour import BEHAVIOURS, BehaviourRule, classify
from credit_core.history import PaymentHistory

TODAY = date(2026, 6, 15)
# 12 invoices due in the year, two years a customer, nothing open.
BASE = PaymentHistory(invoice_count=24, tenure_days=730, due_count=12, due_amount=12000.0)


def test_too_little_history_is_new():
    assert classify(replace(BASE, invoice_count=2)).code == "new"
    assert classify(replace(BASE, tenure_days=60)).code == "new"
    assert classify(replace(BASE, tenure_days=60)).rule == "short_history"
    assert classify(replace(BASE, invoice_count=2), BehaviourRule(new_invoices=2)).code == "prompt"


def test_never_late_is_prompt():
    assert classify(BASE).code == "prompt"


def test_rare_short_delays_are_forgetful():
    behaviour = classify(replace(BASE, late_count=2, late_days_mean=12, late_days_stddev=5))
    assert (behaviour.code, behaviour.rule) == ("forgetful", "rare_short_delays")
    assert behaviour.facts["late_share"] == pytest.approx(2 / 12, abs=0.001)


def test_consistent_delays_are_habitual():
    behaviour = classify(replace(BASE, late_count=11, late_days_mean=28, late_days_stddev=3, delay_trend=0.2))
    assert (behaviour.code, behaviour.rule) == ("habitual", "consistently_late")


def test_growing_delays_are_struggling():
    behaviour = classify(replace(BASE, late_count=10, late_days_mean=40, late_days_stddev=20, delay_trend=6))
    assert (behaviour.code, behaviour.rule) == ("struggling", "growing_delays")


def test_partial_payments_are_struggling():
    behaviour = classify(replace(BASE, late_count=4, late_days_mean=20, partial_count=4))
    assert (behaviour.code, behaviour.rule) == ("struggling", "partial_payments")
    assert classify(replace(BASE, partial_count=1)).code == "prompt", "One split payment is no pattern"


def test_a_large_old_overdue_is_struggling():
    history = replace(BASE, open_amount=5000.0, overdue_amount=4000.0, oldest_overdue_days=75)
    behaviour = classify(history)
    assert (behaviour.code, behaviour.rule) == ("struggling", "large_overdue")
    assert classify(replace(history, oldest_overdue_days=20)).code == "prompt", "Overdue, but recently"


def test_rare_but_long_delays_are_struggling():
    behaviour = classify(replace(BASE, late_count=3, late_days_mean=50))
    assert (behaviour.code, behaviour.rule) == ("struggling", "rare_long_delays")


@given(st.builds(
    PaymentHistory,
    invoice_count=st.integers(0, 100), tenure_days=st.integers(0, 2000), due_count=st.integers(0, 50),
    late_count=st.integers(0, 50), late_days_mean=st.floats(0, 200), late_days_stddev=st.floats(0, 100),
    delay_trend=st.floats(-20, 20), partial_count=st.integers(0, 50), open_amount=st.floats(0, 1e6),
    overdue_amount=st.floats(0, 1e6), oldest_overdue_days=st.integers(0, 1000),
))
def test_every_history_gets_exactly_one_known_behaviour(history):
    assert classify(history).code in BEHAVIOURS


def test_generated_behaviours_are_recognised():
    """On the generator's customers, most of each profile get its own behaviour."""
    counts = Counter()
    profiles = Counter()
    for customer, history in generated_histories(seed=3, count=800, today=TODAY):
        counts[(customer.profile, classify(history).code)] += 1
        profiles[customer.profile] += 1
    for profile, minimum in (("prompt", 0.9), ("habitual", 0.85), ("struggling", 0.8), ("new", 0.95),
                             ("forgetful", 0.55)):
        assert counts[(profile, profile)] / profiles[profile] >= minimum, (profile, counts)
    assert counts[("prompt", "struggling")] + counts[("prompt", "habitual")] <= 0.02 * profiles["prompt"]
