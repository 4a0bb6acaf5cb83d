from datetime import date

from credit_core.followup import FollowupRules, Level, OpenInvoice, is_quiet, level_for_invoice, propose

BEFORE = Level(1, -3)
FRIENDLY = Level(2, 7)
FIRM = Level(3, 15)
FINAL = Level(4, 30)
LEVELS = [FINAL, BEFORE, FIRM, FRIENDLY]  # any order: the delay orders them


def test_a_level_is_due_from_its_delay_not_the_day_before():
    assert level_for_invoice(6, None, [FRIENDLY]) is None
    assert level_for_invoice(7, None, [FRIENDLY]) == FRIENDLY
    assert level_for_invoice(8, None, [FRIENDLY]) == FRIENDLY


def test_negative_delay_is_due_before_the_due_date():
    assert level_for_invoice(-4, None, LEVELS) is None
    assert level_for_invoice(-3, None, LEVELS) == BEFORE
    assert level_for_invoice(0, None, LEVELS) == BEFORE
    assert level_for_invoice(-1, None, LEVELS) == BEFORE


def test_due_date_boundary_with_a_level_on_the_due_date():
    on_due = Level(9, 0)
    assert level_for_invoice(-1, None, [on_due]) is None
    assert level_for_invoice(0, None, [on_due]) == on_due
    assert level_for_invoice(1, None, [on_due]) == on_due


def test_the_highest_level_due_wins_and_missed_levels_are_not_sent():
    assert level_for_invoice(40, None, LEVELS) == FINAL
    assert level_for_invoice(16, None, LEVELS) == FIRM


def test_a_level_is_never_repeated_nor_goes_back():
    assert level_for_invoice(10, FRIENDLY.delay_days, LEVELS) is None
    assert level_for_invoice(16, FRIENDLY.delay_days, LEVELS) == FIRM
    assert level_for_invoice(16, FINAL.delay_days, LEVELS) is None


def test_invariant_level_chosen_is_always_above_the_last_and_due():
    for days in range(-10, 60):
        for last in (None, -3, 7, 15, 30):
            level = level_for_invoice(days, last, LEVELS)
            if level is not None:
                assert level.delay_days <= days
                assert last is None or level.delay_days > last


def _invoice(id, partner, days, residual=100.0, last=None, segment=1):
    return OpenInvoice(id, partner, segment, days, residual, last)


def test_one_proposal_per_partner_at_the_highest_level_with_all_invoices_concerned():
    proposals = propose(
        [_invoice(1, 10, 8), _invoice(2, 10, 31), _invoice(3, 10, 2), _invoice(4, 11, 16)],
        {1: LEVELS},
    )
    assert set(proposals) == {10, 11}
    assert proposals[10].level == FINAL
    assert proposals[10].invoice_ids == [1, 2, 3]  # -3 reached by invoice 3 too
    assert proposals[10].amount_due == 300.0
    assert proposals[11].level == FIRM


def test_each_partner_gets_its_segments_levels():
    proposals = propose([_invoice(1, 10, 8, segment=1), _invoice(2, 11, 8, segment=2)], {1: LEVELS, 2: [FINAL]})
    assert set(proposals) == {10}


def test_invoices_within_tolerance_are_not_chased():
    proposals = propose([_invoice(1, 10, 40, residual=0.004)], {1: LEVELS}, FollowupRules(tolerance=0.005))
    assert proposals == {}


def test_minimum_amount_is_net_of_open_credits():
    rules = FollowupRules(min_amount=50.0)
    invoices = [_invoice(1, 10, 40, residual=80.0)]
    assert 10 in propose(invoices, {1: LEVELS}, rules)
    assert propose(invoices, {1: LEVELS}, rules, credits={10: 40.0}) == {}
    assert propose([_invoice(1, 10, 40, residual=30.0)], {1: LEVELS}, rules) == {}


def test_credits_covering_everything_leave_the_partner_alone():
    assert propose([_invoice(1, 10, 40)], {1: LEVELS}, credits={10: 100.0}) == {}


def test_quiet_days_between_two_contacts():
    on = date(2026, 3, 10)
    rules = FollowupRules(quiet_days=5)
    invoices = [_invoice(1, 10, 40)]
    assert propose(invoices, {1: LEVELS}, rules, on, {10: date(2026, 3, 6)}) == {}
    assert 10 in propose(invoices, {1: LEVELS}, rules, on, {10: date(2026, 3, 5)})
    assert 10 in propose(invoices, {1: LEVELS}, rules, on, {})
    assert is_quiet(date(2026, 3, 9), on, 2)
    assert not is_quiet(date(2026, 3, 8), on, 2)


def test_propose_says_why_each_partner_left_out_gets_nothing():
    on = date(2026, 3, 10)
    invoices = [
        _invoice(1, 10, 2),  # nothing reached a level yet (-3 is, but the partner got it)
        _invoice(2, 11, -10),  # not due for any level
        _invoice(3, 12, 40),  # contacted yesterday
        _invoice(4, 13, 40, residual=5.0),  # below the minimum
        _invoice(5, 14, 40, residual=0.001),  # within the tolerance
        _invoice(6, 15, 40),  # chased
        _invoice(7, 16, 8, last=FRIENDLY.delay_days), _invoice(8, 16, -5),  # reminded already, one not due
    ]
    invoices[0] = OpenInvoice(1, 10, 1, 2, 100.0, BEFORE.delay_days)
    skipped = {}
    proposals = propose(invoices, {1: LEVELS}, FollowupRules(quiet_days=3, min_amount=10.0, tolerance=0.005), on,
                        {12: date(2026, 3, 9)}, skipped=skipped)
    assert set(proposals) == {15}
    assert skipped == {10: "level_sent", 11: "not_due", 12: "quiet", 13: "min_amount", 14: "min_amount",
                       16: "level_sent"}


def test_proposal_keeps_the_instalments_that_reached_a_level():
    invoices = [
        OpenInvoice(1, 10, 1, 40, 30.0, None, line_id=101),  # first instalment, late
        OpenInvoice(1, 10, 1, -20, 70.0, None, line_id=102),  # second instalment, not due
        OpenInvoice(2, 10, 1, 8, 50.0, None, line_id=201),
    ]
    proposal = propose(invoices, {1: LEVELS})[10]
    assert proposal.line_ids == [101, 201]
    assert proposal.invoice_ids == [1, 2]
    assert proposal.amount_due == 80.0
