from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class RiskCronTests:
    """The daily job reviews the customers whose review date has come (and those never
    reviewed), in batches that commit progress, and goes on where it stopped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"]
        for index in range(5):
            customer = cls._customer(f"Due {index}")
            cls._history(customer, [(300, 1000, [(0, None)]), (200, 1000, [(0, None)]), (100, 1000, [(index, None)])])
            cls.customers |= customer
        cls.not_due = cls._customer("Reviewed Recently")
        cls._history(cls.not_due, [(100, 1000, [(0, None)])])
        cls.not_due.with_user(cls.controller).action_credit_review()
        cls.prospect = cls._customer("No Invoice Yet")
        cls.env["ir.config_parameter"].sudo().set_param("credit_management.review_batch_size", 2)

    def _run(self, time_left=None):
        """Run the job, with the cron's progress API recorded: ``time_left`` gives the
        seconds left after each commit (default: plenty)."""
        calls = []
        time_left = list(time_left or [])

        def commit_progress(_cron, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return time_left.pop(0) if time_left else 60.0

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", autospec=True, side_effect=commit_progress):
            self.env["res.partner"]._cron_review_due_partners()
        return calls

    def test_due_customers_are_reviewed_in_committed_batches(self):
        calls = self._run()
        self.assertEqual(calls, [(0, None), (2, 2), (2, 2), (1, 0)],
                         "Overrides ended, then progress after each batch of 2 (a batch more while they come full)")
        reviews = self.customers.credit_review_ids
        self.assertEqual(len(reviews), 5)
        self.assertEqual(set(reviews.mapped("trigger")), {"cron"})
        self.assertEqual(len(self.not_due.credit_review_ids), 1, "Not due yet")
        self.assertFalse(self.prospect.credit_review_ids, "Nothing to review without invoices")
        for customer in self.customers:
            self.assertEqual(customer.credit_next_review_date,
                             self.today + timedelta(days=customer.credit_risk_tier_id.review_interval_days))

    def test_a_stopped_run_goes_on_where_it_stopped(self):
        calls = self._run(time_left=[60.0, 0.0])
        self.assertEqual(calls, [(0, None), (2, 2)], "Time is up after the first batch")
        reviewed = self.customers.filtered("credit_review_ids")
        self.assertEqual(len(reviewed), 2)
        self.assertEqual(self._run(), [(0, None), (2, 2), (1, 0)])
        self.assertEqual(len(self.customers.credit_review_ids), 5, "Each customer reviewed once")

    def test_customers_are_due_again_after_their_tier_interval(self):
        self._run()
        later = self.today + timedelta(days=self.tier_low.review_interval_days)
        with freeze_time(later):
            self._run()
        low = self.customers.filtered(lambda c: c.credit_risk_tier_id == self.tier_low)
        self.assertTrue(low)
        for customer in low:
            self.assertEqual(len(customer.credit_review_ids), 2)
        self.assertEqual(len(self.not_due.credit_review_ids), 2)

    def test_a_tier_saved_with_an_absurd_interval_does_not_stop_the_job(self):
        # A tier saved before the interval had bounds (or changed in SQL).
        self.env.cr.execute("UPDATE credit_risk_tier SET review_interval_days = 3000000")
        self.env.invalidate_all()
        with self.assertLogs("odoo.addons.credit_management.models.res_partner", "WARNING") as logs:
            self._run()
        self.assertIn(f"Risk tier Low (id {self.tier_low.id}) has a review interval of 3000000 days",
                      "\n".join(logs.output))
        self.assertEqual(len(self.customers.credit_review_ids), 5, "Every customer due is reviewed")
        for customer in self.customers:
            self.assertEqual(customer.credit_next_review_date, self.today + timedelta(days=30),
                             "Reviewed again after the default interval")
