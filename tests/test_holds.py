from dataclasses import replace
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from credit_core.holds import (
    ApprovalScope,
    HoldSettings,
    OverdueInvoice,
    Standing,
    approval_covers,
    approval_max_amount,
    approval_scope_changes,
    approval_status,
    approval_valid_until,
    available_credit,
    decision_refusal,
    hold_reasons,
    needs_manager,
    on_hold,
    response_hours,
    waiting_label,
)


def euros(amount):
    return f"€{amount:,.0f}"


def codes(reasons):
    return [reason.code for reason in reasons]


def test_default_settings_hold_nothing_but_explicit_holds():
    settings = HoldSettings()
    over = Standing(limit=1000, exposure=5000, tier_policy="none")
    overdue = Standing(overdue_count=3, overdue_amount=900,
                       overdue_invoices=(OverdueInvoice("INV/1", 400, 300),))
    assert hold_reasons(over, 500, settings) == []
    assert hold_reasons(overdue, 500, settings) == []
    assert codes(hold_reasons(Standing(manual_hold=True, hold_reason="Bankrupt?"), 1, settings)) == ["manual_hold"]


def test_over_limit_explains_measure_threshold_and_release():
    settings = HoldSettings(over_limit=True)
    standing = Standing(limit=14000, exposure=12400)
    (reason,) = hold_reasons(standing, 3000, settings, fmt=euros)
    assert reason.code == "over_limit"
    assert reason.measured == 15400
    assert reason.threshold == 14000
    assert reason.explanation == (
        "Exposure €12,400 + this order €3,000 = €15,400, over the credit limit of €14,000 by €1,400.")
    assert reason.release_hint == "An order €1,400 smaller, or a payment of €1,400, would release it."


def test_over_limit_even_without_the_order_asks_for_a_payment():
    (reason,) = hold_reasons(Standing(limit=1000, exposure=1500), 200, HoldSettings(over_limit=True), fmt=euros)
    assert "even without this order" in reason.release_hint
    assert "€700" in reason.release_hint


def test_exactly_at_the_limit_is_not_over_it():
    assert hold_reasons(Standing(limit=1000, exposure=600), 400, HoldSettings(over_limit=True)) == []


def test_no_limit_means_never_over_it():
    settings = HoldSettings(over_limit=True)
    assert hold_reasons(Standing(limit=0, exposure=10**9, tier_policy="over_limit"), 10**6, settings) == []


def test_tier_policies_apply_when_the_tier_rule_is_on():
    over = Standing(limit=100, exposure=90, tier_policy="over_limit", tier_name="High")
    always = Standing(tier_policy="always", tier_name="Critical")
    settings = HoldSettings()
    assert codes(hold_reasons(over, 20, settings)) == ["over_limit"]
    assert hold_reasons(over, 10, settings) == []
    (reason,) = hold_reasons(always, 1, settings)
    assert reason.code == "tier_always"
    assert "Critical" in reason.explanation
    assert not reason.manager_only, "A tier holds every order, but the credit team may release it"
    off = HoldSettings(tier_policy=False)
    assert hold_reasons(over, 20, off) == []
    assert hold_reasons(always, 1, off) == []


def test_one_overdue_invoice_is_named_with_its_days_and_the_rule():
    standing = Standing(overdue_count=1, overdue_amount=1200,
                        overdue_invoices=(OverdueInvoice("INV/2026/0042", 47, 1200),))
    (reason,) = hold_reasons(standing, 100, HoldSettings(overdue_days=30), fmt=euros)
    assert reason.code == "overdue"
    assert (reason.measured, reason.threshold) == (47, 30)
    assert reason.explanation == "INV/2026/0042 is 47 days overdue (€1,200 due), the rule allows 30."
    assert reason.release_hint == "Paying INV/2026/0042 releases it."


def test_many_overdue_invoices_are_listed_then_counted():
    listed = tuple(OverdueInvoice(f"INV/{n}", 90 - n, 100) for n in range(5))
    standing = Standing(overdue_count=8, overdue_amount=800, overdue_invoices=listed)
    (reason,) = hold_reasons(standing, 100, HoldSettings(overdue_days=30), fmt=euros)
    assert reason.measured == 90
    assert "8 invoices are more than 30 days overdue (€800 due)" in reason.explanation
    assert "INV/0: 90 days, €100" in reason.explanation
    assert reason.explanation.endswith("and 3 more.")
    assert reason.release_hint == "Paying these invoices (€800) releases it."


def test_forced_holds_are_for_managers_only():
    standing = Standing(manual_hold=True, hold_reason="Fraud check", hold_forced=True)
    (reason,) = hold_reasons(standing, 1, HoldSettings())
    assert reason.manager_only
    assert "only a credit manager" in reason.release_hint
    (order_reason,) = hold_reasons(Standing(), 1, HoldSettings(), order_hold_reason="Wait for the contract")
    assert order_reason.code == "order_hold"
    assert "Wait for the contract" in order_reason.explanation
    assert order_reason.manager_only


def test_only_a_forced_hold_needs_a_manager():
    unforced = Standing(limit=100, exposure=200, tier_policy="always", manual_hold=True, hold_reason="x")
    settings = HoldSettings(over_limit=True)
    assert not needs_manager(hold_reasons(unforced, 50, settings))
    forced = replace(unforced, hold_forced=True)
    assert needs_manager(hold_reasons(forced, 50, settings))
    assert needs_manager(hold_reasons(Standing(), 1, settings, order_hold_reason="Contract"))
    assert not needs_manager([])


def test_managers_decide_everything_controllers_up_to_their_limit_unless_forced():
    assert decision_refusal(True, True, 10**9, 0, forced=True) is None
    assert decision_refusal(False, True, 500, 1000, forced=False) is None
    assert decision_refusal(False, True, 1000, 1000, forced=False) is None, "The limit itself is included"
    assert decision_refusal(False, True, 1000.01, 1000, forced=False) == "over_limit"
    assert decision_refusal(False, True, 1, 0, forced=False) == "no_limit", "0: only managers decide"
    assert decision_refusal(False, True, 1, 1000, forced=True) == "forced"
    assert decision_refusal(False, False, 1, 1000, forced=False) == "not_credit"


def test_every_rule_is_reported_together():
    standing = Standing(
        limit=100, exposure=200, tier_policy="always", manual_hold=True, hold_reason="x",
        overdue_count=1, overdue_amount=5, overdue_invoices=(OverdueInvoice("INV/9", 40, 5),),
    )
    reasons = hold_reasons(standing, 50, HoldSettings(over_limit=True, overdue_days=30), order_hold_reason="y")
    assert codes(reasons) == ["order_hold", "manual_hold", "tier_always", "over_limit", "overdue"]


def test_translation_callable_receives_every_message():
    seen = []

    def translate(message, **values):
        seen.append(message)
        return "T:" + (message % values)

    (reason,) = hold_reasons(Standing(limit=10, exposure=20), 5, HoldSettings(over_limit=True), _=translate)
    assert reason.explanation.startswith("T:")
    assert reason.release_hint.startswith("T:")
    assert len(seen) == 2


@given(
    limit=st.floats(min_value=1, max_value=1e7),
    exposure=st.floats(min_value=-1e6, max_value=1e7),
    amount=st.floats(min_value=0, max_value=1e7),
    smaller=st.floats(min_value=0, max_value=1e7),
)
def test_a_smaller_order_is_never_held_when_a_bigger_one_is_not(limit, exposure, amount, smaller):
    settings = HoldSettings(over_limit=True)
    standing = Standing(limit=limit, exposure=exposure)
    if not hold_reasons(standing, amount, settings):
        assert not hold_reasons(standing, min(amount, smaller), settings)


@given(limit=st.integers(1, 10**6), exposure=st.integers(0, 10**6), amount=st.integers(1, 10**6))
def test_paying_the_excess_releases_the_order(limit, exposure, amount):
    settings = HoldSettings(over_limit=True)
    standing = Standing(limit=limit, exposure=exposure)
    reasons = hold_reasons(standing, amount, settings)
    if reasons:
        excess = exposure + amount - limit
        paid = Standing(limit=limit, exposure=exposure - excess)
        assert not hold_reasons(paid, amount, settings)


# An order of customer 1 (invoiced to 1) in company 1, in currency 1.
SCOPE = ApprovalScope(customer=1, invoiced_customer=1, company=1, currency=1)


def test_approval_covers_the_tolerance_until_its_last_day():
    assert approval_max_amount(1000, 5) == 1050
    assert approval_covers(1000, 5, 1050, date(2026, 3, 10), date(2026, 3, 10), SCOPE, SCOPE)
    assert not approval_covers(1000, 5, 1050.01, date(2026, 3, 10), date(2026, 3, 1), SCOPE, SCOPE)
    assert not approval_covers(1000, 5, 900, date(2026, 3, 10), date(2026, 3, 11), SCOPE, SCOPE)
    assert approval_covers(1000, 0, 1000, None, date(2030, 1, 1), SCOPE, SCOPE)


def test_approval_names_what_changed_in_the_order_it_was_given_for():
    assert approval_scope_changes(SCOPE, SCOPE) == ()
    assert approval_scope_changes(SCOPE, replace(SCOPE, customer=2)) == ("customer",)
    assert approval_scope_changes(SCOPE, replace(SCOPE, invoiced_customer=2)) == ("customer",)
    assert approval_scope_changes(SCOPE, replace(SCOPE, company=2)) == ("company",)
    assert approval_scope_changes(SCOPE, replace(SCOPE, currency=2)) == ("currency",)
    assert approval_scope_changes(SCOPE, ApprovalScope(2, 2, 2, 2)) == ("customer", "company", "currency")


@given(
    st.sampled_from(["customer", "invoiced_customer", "company", "currency"]),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
)
def test_an_approval_never_covers_another_customer_company_or_currency(part, order_amount):
    """Whatever the amounts: 150,000 approved in one currency does not cover 150,000 (or
    1) in another, nor the same order once its customer or company changed."""
    other = replace(SCOPE, **{part: 2})
    assert not approval_covers(1e12, 5, order_amount, None, date(2026, 3, 1), SCOPE, other)
    assert approval_covers(1e12, 5, order_amount, None, date(2026, 3, 1), SCOPE, SCOPE)


def test_response_hours_and_waiting_labels():
    assert response_hours(datetime(2026, 3, 1, 8), datetime(2026, 3, 1, 10, 30)) == 2.5
    assert response_hours(datetime(2026, 3, 1, 8), datetime(2026, 3, 1, 7)) == 0.0
    assert waiting_label(0.5) == "30 min"
    assert waiting_label(5.9) == "5 h"
    assert waiting_label(48) == "2 d"
    assert waiting_label(75) == "3 d 3 h"


def test_on_hold_is_the_manual_hold_or_a_tier_that_holds_every_order_when_tier_policies_apply():
    on, off = HoldSettings(tier_policy=True), HoldSettings(tier_policy=False)
    assert on_hold(False, "always", on) and not on_hold(False, "always", off)
    assert on_hold(True, "none", off)
    assert not on_hold(False, "over_limit", on)
    # The order check says the same: a tier reason only when tier policies apply.
    codes = [reason.code for reason in hold_reasons(Standing(tier_policy="always"), 10.0, off)]
    assert codes == []
    codes = [reason.code for reason in hold_reasons(Standing(tier_policy="always"), 10.0, on)]
    assert codes == ["tier_always"]


def test_available_credit_is_zero_without_a_limit_and_negative_over_it():
    assert available_credit(0.0, 500.0) == 0.0
    assert available_credit(1000.0, 1200.0) == -200.0


def test_approval_status_void_then_expired_then_valid():
    today = date(2026, 11, 29)
    until = approval_valid_until(today, 7)
    assert until == date(2026, 12, 6)
    assert approval_status(False, until, today) == "valid"
    assert approval_status(False, until, date(2026, 12, 7)) == "expired"
    assert approval_status(True, until, today) == "void"
    assert not approval_covers(100.0, 5.0, 100.0, until, date(2026, 12, 7), SCOPE, SCOPE)
