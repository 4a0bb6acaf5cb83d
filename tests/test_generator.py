import statistics
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator_core.generator import (
    DEFAULT_MIX,
    PAYMENT_TERMS,
    PROFILES,
    GeneratorConfig,
    customers_for_scale,
    generate_customer,
    generate_customers,
    profile_for,
    summarize,
)

TODAY = date(2026, 6, 15)


@pytest.fixture(scope="module")
def customers():
    return list(generate_customers(seed=42, count=1000, today=TODAY))


def by_profile(customers, profile):
    return [customer for customer in customers if customer.profile == profile]


def test_same_seed_gives_the_same_customers_and_another_seed_others():
    first = list(generate_customers(seed=7, count=30, today=TODAY))
    assert first == list(generate_customers(seed=7, count=30, today=TODAY))
    other = list(generate_customers(seed=8, count=30, today=TODAY))
    assert [c.invoices for c in first] != [c.invoices for c in other]
    assert [c.profile for c in first] != [c.profile for c in other]


def test_a_customer_does_not_depend_on_the_batch_it_is_generated_in():
    whole = list(generate_customers(seed=3, count=20, today=TODAY))
    assert list(generate_customers(seed=3, count=5, today=TODAY, start=10)) == whole[10:15]
    assert generate_customer(3, 17, TODAY) == whole[17]
    assert whole[17].ref == "GEN-00018"


def test_the_behaviour_mix_follows_the_shares(customers):
    counts = summarize(customers)["profiles"]
    for profile, share in DEFAULT_MIX.items():
        assert abs(counts[profile] / len(customers) - share) < 0.01, profile


@pytest.mark.parametrize("seed", [1, 42, 2024])
def test_fifty_customers_show_every_behaviour(seed):
    counts = summarize(generate_customers(seed=seed, count=50, today=TODAY))["profiles"]
    for profile, share in DEFAULT_MIX.items():
        assert abs(counts[profile] - 50 * share) <= 2, (profile, counts)


def test_a_custom_mix_is_followed():
    config = GeneratorConfig(mix={"prompt": 0.5, "struggling": 0.5})
    profiles = {profile_for(index, 9, config.mix) for index in range(40)}
    assert profiles == {"prompt", "struggling"}


def test_a_mix_that_does_not_sum_to_one_is_refused():
    with pytest.raises(ValueError, match="summing to 1"):
        GeneratorConfig(mix={"prompt": 0.5, "habitual": 0.2})
    with pytest.raises(ValueError, match="unknown"):
        GeneratorConfig(mix={"prompt": 0.5, "sloppy": 0.5})


def test_invoices_are_dated_within_the_history_and_due_after_their_date(customers):
    first_day = TODAY - timedelta(days=730)
    for customer in customers:
        assert customer.invoices, customer.ref
        assert customer.payment_term_days in PAYMENT_TERMS
        for invoice in customer.invoices:
            assert first_day - timedelta(days=2) <= invoice.date <= TODAY
            assert invoice.date.weekday() < 5
            assert invoice.due_date - invoice.date == timedelta(days=customer.payment_term_days)
            assert invoice.amount >= 5000


def test_nothing_is_paid_or_credited_beyond_what_is_owed_nor_after_today(customers):
    for customer in customers:
        for invoice in customer.invoices:
            assert 0 <= invoice.residual <= invoice.amount
            assert invoice.residual == invoice.amount - invoice.paid - invoice.credited
            for payment in invoice.payments:
                assert payment.amount > 0
                assert invoice.date <= payment.date <= TODAY
            if invoice.credit_note:
                assert 0 < invoice.credit_note.amount <= invoice.amount
                assert invoice.date <= invoice.credit_note.date <= TODAY
                assert all(invoice.credit_note.date <= payment.date for payment in invoice.payments)


def test_payment_states_follow_the_residual(customers):
    states = {invoice.payment_state for customer in customers for invoice in customer.invoices}
    assert states == {"paid", "partial", "not_paid", "reversed"}
    for customer in customers:
        for invoice in customer.invoices:
            if invoice.payment_state == "reversed":
                assert invoice.credited == invoice.amount and not invoice.payments
            elif invoice.payment_state == "paid":
                assert invoice.residual == 0 and invoice.payments
                assert invoice.settled_date == max(
                    [p.date for p in invoice.payments] + ([invoice.credit_note.date] if invoice.credit_note else []))
            else:
                assert invoice.residual and invoice.settled_date is None


def test_prompt_customers_pay_in_full_around_the_due_date(customers):
    delays = []
    for customer in by_profile(customers, "prompt"):
        for invoice in customer.invoices:
            assert len(invoice.payments) <= 1
            if invoice.payments:
                delays.append(invoice.days_late())
            elif not invoice.credit_note:
                # unpaid only while not due yet, or barely
                assert invoice.due_date >= TODAY - timedelta(days=5)
    assert sum(delay <= 2 for delay in delays) / len(delays) > 0.95
    assert max(delays) <= 4  # a weekend may push a payment due on Friday + 2 to Monday


def test_forgetful_customers_are_sometimes_a_few_weeks_late(customers):
    for customer in by_profile(customers, "forgetful"):
        delays = [invoice.days_late() for invoice in customer.invoices if invoice.payments]
        assert max(delays, default=0) <= 27
    delays = [invoice.days_late() for customer in by_profile(customers, "forgetful")
              for invoice in customer.invoices if invoice.payments]
    late = sum(delay >= 5 for delay in delays) / len(delays)
    assert 0.08 < late < 0.25


def test_habitual_customers_are_late_by_a_similar_margin(customers):
    spreads = []
    for customer in by_profile(customers, "habitual"):
        delays = [invoice.days_late() for invoice in customer.invoices if invoice.payments]
        if len(delays) < 5:
            continue
        assert min(delays) >= 1
        assert 12 <= statistics.median(delays) <= 50
        typical = statistics.median(delays)
        assert sum(abs(delay - typical) <= 10 for delay in delays) / len(delays) >= 0.75, customer.ref
        spreads.append(statistics.pstdev(delays))
    assert statistics.mean(spreads) < 5


def test_struggling_customers_pay_later_and_later_in_instalments_and_owe_overdue_amounts(customers):
    strugglers = by_profile(customers, "struggling")
    growing = overdue = 0
    for customer in strugglers:
        delays = [(invoice.date, invoice.days_late()) for invoice in customer.invoices if invoice.payments]
        if len(delays) >= 6:
            half = len(delays) // 2
            growing += statistics.mean(d for _, d in delays[half:]) > statistics.mean(d for _, d in delays[:half])
        overdue += any(invoice.residual and invoice.due_date < TODAY for invoice in customer.invoices)
    assert growing >= 0.9 * sum(1 for c in strugglers if sum(1 for i in c.invoices if i.payments) >= 6)
    assert overdue >= 0.95 * len(strugglers)
    invoices = [invoice for customer in strugglers for invoice in customer.invoices]
    assert sum(len(invoice.payments) > 1 for invoice in invoices) / len(invoices) > 0.2
    old = [invoice for invoice in invoices if invoice.date < TODAY - timedelta(days=365)]
    assert any(invoice.payment_state == "partial" for invoice in old)  # some instalments never came


def test_other_customers_have_little_overdue(customers):
    for profile in ("prompt", "forgetful"):
        for customer in by_profile(customers, profile):
            assert not any(invoice.residual and invoice.due_date < TODAY - timedelta(days=30)
                           for invoice in customer.invoices if not invoice.credit_note), customer.ref


def test_new_customers_started_recently_with_a_few_invoices(customers):
    for customer in by_profile(customers, "new"):
        assert 1 <= len(customer.invoices) <= 6
        assert customer.invoices[0].date >= TODAY - timedelta(days=90)
    for profile in set(PROFILES) - {"new"}:
        for customer in by_profile(customers, profile):
            assert customer.invoices[0].date < TODAY - timedelta(days=90), customer.ref


def test_some_invoices_get_a_credit_note(customers):
    summary = summarize(customers)
    assert 0.02 < summary["credit_notes"] / summary["invoices"] < 0.04
    partial = sum(1 for c in customers for i in c.invoices if i.credit_note and i.credited < i.amount)
    assert partial > summary["credit_notes"] / 2


def test_customers_differ_in_size_and_names_are_unique(customers):
    counts = sorted(len(customer.invoices) for customer in customers)
    assert counts[-1] > 5 * counts[len(counts) // 2]
    assert len({customer.name for customer in customers}) == len(customers)
    assert all(customer.email.endswith(".example.com") for customer in customers)


def test_scale_gives_about_twenty_five_invoices_per_customer():
    summary = summarize(generate_customers(seed=5, count=2000, today=TODAY))
    assert 23.5 < summary["invoices"] / summary["customers"] < 26.5
    assert customers_for_scale("benchmark") == 20_000
    demo = summarize(generate_customers(seed=42, count=customers_for_scale("demo"), today=TODAY))
    assert 900 < demo["invoices"] < 1600
    with pytest.raises(ValueError, match="unknown scale"):
        customers_for_scale("huge")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    index=st.integers(min_value=0, max_value=100_000),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
)
def test_any_customer_keeps_the_accounting_invariants(seed, index, today):
    customer = generate_customer(seed, index, today)
    assert customer.profile in PROFILES
    previous = None
    for invoice in customer.invoices:
        assert invoice.due_date >= invoice.date <= today
        assert previous is None or previous <= invoice.date
        previous = invoice.date
        assert invoice.paid + invoice.credited <= invoice.amount
        dates = [payment.date for payment in invoice.payments]
        assert dates == sorted(dates)
        assert all(invoice.date <= day <= today for day in dates)
        if invoice.credit_note:
            assert invoice.date <= invoice.credit_note.date <= today
