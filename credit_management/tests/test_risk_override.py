from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form
from odoo.tools import format_date


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class RiskOverrideTests:
    """A credit manager forces a tier with a reason and an optional end date; it wins
    over the score until then, every change is logged, and it ends on its own."""

    def _override(self, tier, reason="Bank guarantee received", until=None, user=None):
        action = self.customer.with_user(user or self.manager).action_credit_override_tier()
        wizard = Form(self.env[action["res_model"]].with_user(user or self.manager).with_context(**action["context"]))
        wizard.tier_id = tier
        wizard.reason = reason
        wizard.until = until
        return wizard.save().action_apply()

    def test_override_wins_and_is_logged(self):
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_low)
        until = self.today + timedelta(days=30)
        action = self._override(self.tier_critical, until=until)
        self.assertEqual(action["params"]["message"],
                         f"Acme Customer: Low → Critical, until {format_date(self.env, until)}.",
                         "the manager is told what was applied")
        self.assertEqual(action["params"]["next"], {"type": "ir.actions.act_window_close"})
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_critical)
        self.assertEqual(self.customer.credit_score_tier_id, self.tier_low, "The score's tier is kept")
        self.assertEqual(self.customer.credit_override_until, until)
        review = self.customer.credit_review_ids[:1]
        self.assertEqual(review.trigger, "override")
        self.assertEqual(review.tier_id, self.tier_critical)
        self.assertEqual(review.previous_tier_id, self.tier_low)
        self.assertEqual(review.user_id, self.manager)
        self.assertEqual(review.note, "Bank guarantee received")
        self.assertEqual(review.override_until, until)
        self.assertIn("Risk tier overridden: Low → Critical", self.customer.message_ids[:1].body)

    def test_a_review_during_the_override_keeps_it(self):
        self._override(self.tier_high)
        self.customer.with_user(self.controller).action_credit_review()
        review = self.customer.credit_review_ids[:1]
        self.assertEqual(review.trigger, "manual")
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_high)
        self.assertEqual(review.score_tier_id, self.tier_low)
        self.assertEqual(self.customer.credit_next_review_date,
                         self.today + timedelta(days=self.tier_high.review_interval_days),
                         "Reviewed as often as its effective tier says")

    def test_the_daily_job_ends_an_expired_override(self):
        self._override(self.tier_critical, until=self.today + timedelta(days=10))
        with patch.object(type(self.env["res.partner"]), "_credit_review_due", return_value=True), \
                patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0):
            self.env["res.partner"]._cron_review_due_partners()
            self.assertEqual(self.customer.credit_risk_tier_id, self.tier_critical, "Still running")
            with freeze_time(self.today + timedelta(days=11)):
                self.env["res.partner"]._cron_review_due_partners()
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_low)
        self.assertFalse(self.customer.credit_tier_override_id)
        self.assertFalse(self.customer.credit_override_reason)
        review = self.customer.credit_review_ids[:1]
        self.assertEqual(review.trigger, "override")
        self.assertEqual((review.previous_tier_id, review.tier_id), (self.tier_critical, self.tier_low))
        self.assertIn("override ended", self.customer.message_ids[:1].body)

    def test_a_review_after_the_end_date_restores_the_score_tier(self):
        self._override(self.tier_critical, until=self.today + timedelta(days=1))
        with freeze_time(self.today + timedelta(days=2)):
            self.customer.with_user(self.controller).action_credit_review()
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_low)
        self.assertFalse(self.customer.credit_tier_override_id)
        self.assertIn("ended", self.customer.credit_review_ids[:1].note)

    def test_manager_removes_the_override(self):
        self._override(self.tier_high)
        self.customer.with_user(self.manager).action_credit_remove_override()
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_low)
        self.assertEqual(self.customer.credit_review_ids[:1].trigger, "override")
        self.assertEqual(self.customer.credit_review_ids[:1].previous_tier_id, self.tier_high)

    def test_an_override_needs_a_reason_and_a_future_end(self):
        with self.assertRaises(UserError):
            self._override(self.tier_high, until=self.today - timedelta(days=1))
        with self.assertRaisesRegex(ValidationError, "Say why"):
            self.customer.with_user(self.manager).sudo().write({"credit_tier_override_id": self.tier_high.id})
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_low)

    def test_only_managers_override(self):
        for user in (self.salesman, self.controller):
            with self.assertRaises(AccessError):
                self.customer.with_user(user).action_credit_override_tier()
            with self.assertRaises(AccessError):
                self.env["credit.tier.override"].with_user(user).create({
                    "partner_id": self.customer.id, "tier_id": self.tier_high.id, "reason": "x"})
            with self.assertRaises(AccessError):
                self.customer.with_user(user).write({
                    "credit_tier_override_id": self.tier_high.id, "credit_override_reason": "x"})
            with self.assertRaises(AccessError):
                self.customer.with_user(user).action_credit_remove_override()
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_low)
