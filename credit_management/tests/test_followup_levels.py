from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .followup_common import FollowupCommon
from .test_followup_amounts import FollowupAmountTests
from .test_followup_compute_reasons import FollowupComputeReasonTests
from .test_followup_delivery import FollowupDeliveryTests
from .test_followup_execute import FollowupExecuteTests
from .test_followup_segments import FollowupSegmentTests


# The tests of TestFollowup (below), on the FollowupCommon setup.
class FollowupLevelTests:
    """Which level each customer gets on the run's date: boundaries of the delays, negative
    delays, segments, channels and what is left out."""

    def test_levels_grouped_by_segment_do_not_add_up_their_days(self):
        Level = self.env["credit.followup.level"].with_user(self.manager)
        self.assertFalse(Level.fields_get(["delay_days"], ["aggregator"])["delay_days"].get("aggregator"))
        self.assertFalse(self.env["credit.segment"].fields_get(["color"], ["aggregator"])["color"].get("aggregator"))

    def test_level_due_from_its_delay_on_the_day_not_the_day_before(self):
        self._overdue(self.customer, 100.0, 6)
        self.assertEqual(self._line(self._run()).level_id, self.lvl_before, "6 days late: the firm level is not due")
        run = self._run(date=fields.Date.add(self.today, days=1))
        self.assertEqual(self._line(run).level_id, self.lvl_firm, "7 days late: the firm level is due")

    def test_negative_delay_reminds_three_days_before_the_due_date(self):
        self._overdue(self.customer, 100.0, -4)
        self.assertFalse(self._run().line_ids, "4 days before the due date: nothing yet")
        run = self._run(date=fields.Date.add(self.today, days=1))
        self.assertEqual(self._line(run).level_id, self.lvl_before)
        self.assertEqual(self._line(run).channel, "email")

    def test_highest_level_across_invoices_one_line_listing_them_all(self):
        late = self._overdue(self.customer, 100.0, 31)
        recent = self._overdue(self.customer, 50.0, 8)
        self._overdue(self.customer, 70.0, -10)  # not due for any level
        line = self._line(self._run())
        self.assertEqual(len(line), 1)
        self.assertEqual(line.level_id, self.lvl_letter)
        self.assertEqual(line.move_ids, late | recent)
        self.assertEqual(line.amount_due, 150.0)

    def test_each_segment_uses_its_own_levels(self):
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 40)
        run = self._run()
        self.assertEqual(self._line(run).level_id, self.lvl_firm)
        self.assertEqual(self._line(run, self.customer_b).level_id, self.lvl_friendly)
        only_standard = self._run(segments=self.seg_standard)
        self.assertEqual(only_standard.line_ids.partner_id, self.customer_b)

    def test_preferred_channel_used_only_where_the_level_says_so(self):
        self.customer.sudo().credit_preferred_channel = "letter"
        self._overdue(self.customer, 100.0, 8)
        self.assertEqual(self._line(self._run()).channel, "letter", "the firm level uses the partner's channel")
        self._overdue(self.customer_b, 100.0, 8)
        self.customer_b.sudo().credit_preferred_channel = "letter"
        self.assertEqual(self._line(self._run(), self.customer_b).channel, "email",
                         "the friendly level keeps its own channel")

    def test_disputed_promised_and_paused_invoices_are_not_chased(self):
        disputed = self._overdue(self.customer, 100.0, 8)
        self.env["credit.complaint"].with_user(self.controller).create({
            "partner_id": self.customer.id, "move_id": disputed.id, "description": "Wrong quantity",
            "category_id": self.env.ref("credit_management.complaint_category_quality").id,
        })
        self.assertTrue(disputed.credit_disputed)
        promised = self._overdue(self.customer, 100.0, 8)
        promised.credit_promise_date = fields.Date.add(self.today, days=3)
        self.assertFalse(self._run().line_ids, "disputed and promised invoices are left alone")
        promised.credit_promise_date = fields.Date.subtract(self.today, days=1)
        self.assertEqual(self._line(self._run()).move_ids, promised, "a promise that passed is chased again")
        self.customer.sudo().write({
            "credit_followup_pause_until": self.today, "credit_followup_pause_reason": "Plan agreed"})
        self.assertFalse(self._run().line_ids, "a paused customer is left alone until the date included")
        self.assertTrue(self._line(self._run(date=fields.Date.add(self.today, days=1))))

    def test_executed_level_is_never_repeated_nor_gone_back(self):
        invoice = self._overdue(self.customer, 100.0, 16)
        run = self._run()
        run.action_execute()
        self.assertEqual(invoice.credit_followup_level_id, self.lvl_call)
        self.assertEqual(invoice.credit_followup_date, self.today)
        self.assertFalse(self._run().line_ids, "the call is not repeated")
        self.assertFalse(self._run(date=fields.Date.subtract(self.today, days=8)).line_ids,
                         "an earlier date never goes back to a lower level")
        later = self._run(date=fields.Date.add(self.today, days=14))
        self.assertEqual(self._line(later).level_id, self.lvl_letter)

    def test_minimum_amount_to_chase_that_is_not_a_sensible_amount_is_refused_with_the_range(self):
        for amount in (float("nan"), float("inf"), 1e308, 1e15):
            with self.assertRaisesRegex(ValidationError, "Minimum Amount to Chase of .* must be a number between "
                                                         "0 and 1,000,000,000,000"):
                self.env["res.config.settings"].create({"credit_followup_min_amount": amount})
            with self.assertRaisesRegex(ValidationError, "Minimum Amount to Chase of .* must be a number between"):
                self.company.write({"credit_followup_min_amount": amount})
        self.assertEqual(self.company.credit_followup_min_amount, 0.0, "Nothing is saved")

    def test_quiet_days_and_minimum_amount(self):
        self.company.sudo().credit_followup_min_amount = 60.0
        self._overdue(self.customer, 50.0, 8)
        self.assertFalse(self._run().line_ids, "50 is below the minimum amount")
        self._overdue(self.customer, 50.0, 20)
        run = self._run()
        self.assertEqual(self._line(run).amount_due, 100.0)
        credit_note = self._invoice(self.customer, 60.0, move_type="out_refund")
        self.assertTrue(credit_note)
        self.assertFalse(self._run().line_ids, "net of the open credit note, 40 is below the minimum")
        credit_note.button_draft()
        run = self._run()
        run.action_execute()
        self.company.sudo().credit_followup_quiet_days = 5
        self._overdue(self.customer, 500.0, 8)
        self.assertFalse(self._run(date=fields.Date.add(self.today, days=4)).line_ids, "contacted 4 days ago")
        self.assertTrue(self._run(date=fields.Date.add(self.today, days=5)).line_ids)

    def test_open_credits_are_shown_netted_in_the_reminder(self):
        self._overdue(self.customer, 300.0, 8)
        self._invoice(self.customer, 100.0, move_type="out_refund")
        line = self._line(self._run())
        self.assertEqual((line.amount_due, line.amount_credit, line.amount_net), (300.0, 100.0, 200.0))
        self.assertIn("Total to pay", line.invoices_html)

    def test_compute_query_count_does_not_grow_with_customers(self):
        self._overdue(self.customer, 100.0, 8)
        for index in range(15):
            partner = self.env["res.partner"].sudo().create({
                "name": f"Customer {index}", "is_company": True, "customer_rank": 1, "email": f"c{index}@x.com",
                "credit_segment_id": self.seg_standard.id, "credit_segment_fixed": True})
            self._overdue(partner, 100.0, 8)
            self._overdue(partner, 100.0, 9)
        one = self._run(segments=self.seg_early)
        sixteen = self._run()
        self.assertEqual((len(one.line_ids), len(sixteen.line_ids)), (1, 16))
        self.assertQueryCountStable(lambda run: run.action_compute(), one, sixteen, slack=3)

    def test_level_delay_out_of_bounds_is_refused_with_the_range(self):
        Level = self.env["credit.followup.level"].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "Days After Due Date of Early / Firm must be a number between "
                                                     "-365 and 3,650, not -3000000"):
            self.lvl_firm.with_user(self.manager).delay_days = -3_000_000
        with self.assertRaisesRegex(ValidationError, "between -365 and 3,650, not 4000"):
            Level.create({"segment_id": self.seg_standard.id, "name": "Decade", "delay_days": 4000})
        self.assertEqual(self.lvl_firm.delay_days, 7, "Nothing is saved")

    def test_a_level_saved_with_an_absurd_delay_is_left_out_and_the_others_chased(self):
        # A level saved before delays had bounds (or changed in SQL).
        self.env.cr.execute("UPDATE credit_followup_level SET delay_days = -3000000 WHERE id = %s",
                            [self.lvl_before.id])
        self.env.invalidate_all()
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        with self.assertLogs("odoo.addons.credit_management.models.credit_followup_level", "WARNING") as logs:
            run = self._run()
        self.assertIn(f"Follow-up level Early / Before due (id {self.lvl_before.id}) is left out",
                      "\n".join(logs.output))
        self.assertEqual(self._line(run).level_id, self.lvl_firm)
        self.assertEqual(self._line(run, self.customer_b).level_id, self.lvl_friendly)


@tagged("post_install", "-at_install")
class TestFollowup(FollowupLevelTests, FollowupExecuteTests, FollowupSegmentTests, FollowupAmountTests,
                   FollowupComputeReasonTests, FollowupDeliveryTests, FollowupCommon):
    """Follow-up levels, runs and their execution over every channel, and segments, on one
    setup (one chart of accounts): the tests are in the classes above, one file per
    capability."""

    allow_inherited_tests_method = True
