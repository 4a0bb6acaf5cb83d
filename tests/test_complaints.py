from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from credit_core.complaints import (
    CLOSED_STATES,
    OPEN_STATES,
    awaits_credit_team,
    disputes_invoice,
    is_open,
    missing_for_resolution,
    note_team,
    notifies_by_default,
    other_team,
    pauses_followup_when_raised,
    processing_days,
)


def test_only_open_complaints_that_pause_followup_dispute_their_invoice():
    assert disputes_invoice("new", True)
    assert disputes_invoice("in_progress", True)
    assert not disputes_invoice("new", False)
    assert not disputes_invoice("resolved", True)
    assert not disputes_invoice("rejected", True)


def test_only_the_credit_team_disputes_an_invoice_by_raising_a_complaint():
    assert pauses_followup_when_raised(True)
    assert not pauses_followup_when_raised(False)
    # A salesperson's complaint does not dispute its invoice until the credit team decides.
    assert not disputes_invoice("new", pauses_followup_when_raised(False))


def test_a_complaint_waits_for_the_credit_team_only_while_open_and_undecided():
    assert awaits_credit_team("new", True)
    assert awaits_credit_team("in_progress", True)
    assert not awaits_credit_team("new", False)
    assert not any(awaits_credit_team(state, True) for state in CLOSED_STATES)


def test_states_are_either_open_or_closed():
    assert not set(OPEN_STATES) & set(CLOSED_STATES)
    assert all(is_open(state) for state in OPEN_STATES)
    assert not any(is_open(state) for state in CLOSED_STATES)


def test_resolution_needs_a_root_cause_and_a_resolution():
    assert missing_for_resolution(None, "", "") == ["root_cause", "resolution"]
    assert missing_for_resolution(None, "   ", "Refunded") == ["root_cause"]
    assert missing_for_resolution(7, None, "\n") == ["resolution"]
    assert missing_for_resolution(None, "Wrong price list", "Credit note") == []
    assert missing_for_resolution(7, None, "Credit note") == []


def test_processing_days_count_fractions_of_days():
    opened = datetime(2026, 3, 1, 9, 0)
    assert processing_days(opened, opened + timedelta(days=2, hours=12)) == 2.5
    assert processing_days(opened, None) == 0.0
    assert processing_days(None, opened) == 0.0


@given(st.integers(min_value=-10**7, max_value=10**8))
def test_processing_days_are_never_negative(seconds):
    opened = datetime(2026, 1, 1)
    assert processing_days(opened, opened + timedelta(seconds=seconds)) >= 0


def test_credit_staff_write_credit_notes_and_notify_sales():
    assert note_team(True) == "credit"
    assert note_team(False) == "sales"
    assert other_team("credit") == "sales"
    assert other_team("sales") == "credit"


def test_risk_and_opportunity_notes_notify_by_default():
    assert notifies_by_default("risk")
    assert notifies_by_default("opportunity")
    assert not notifies_by_default("info")
    assert not notifies_by_default("arrangement")
