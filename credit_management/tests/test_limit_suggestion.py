import html
from ast import literal_eval

from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class LimitSuggestionTests:
    """Reliable customers who use most of their limit while their sales grow are listed
    with a suggested limit, applied only by a manager's click."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Sales: 3,000 from 12 to 6 months ago, 4,000 over the last 6 months, paid on time
        # except 3,800 not due yet.
        cls.growing = cls._customer("Growing Co")
        cls._history(cls.growing, [(300, 1000, [(0, None)]), (250, 1000, [(0, None)]), (200, 1000, [(0, None)]),
                                   (150, 200, [(0, None)]), (20, 2800, []), (10, 1000, [])])
        cls.flat = cls._customer("Flat Co")
        cls._history(cls.flat, [(300, 2000, [(0, None)]), (200, 2000, [(0, None)]), (100, 1000, [(0, None)]),
                                (20, 3000, [])])
        for partner in cls.growing | cls.flat:
            partner.with_company(cls.company).credit_limit = 4000
        (cls.growing | cls.flat).with_user(cls.controller).action_credit_review()

    def test_a_growing_customer_near_its_limit_is_a_candidate(self):
        self.assertEqual(self.growing.credit_risk_tier_id, self.tier_low)
        growing = self.growing.with_user(self.controller)
        self.assertEqual(growing.credit_sales_previous, 3000)
        self.assertEqual(growing.credit_sales_recent, 4000)
        self.assertAlmostEqual(growing.credit_sales_growth, 100 / 3, places=2)
        self.assertEqual(growing.credit_utilisation, 95)
        self.assertTrue(growing.credit_limit_candidate)
        # 3,800 grown by a third = 5,067, used at 70 % -> 7,238 -> 7,300
        self.assertEqual(growing.credit_limit_suggested, 7300)
        self.assertFalse(self.flat.credit_limit_candidate, "Sales did not grow")

    def test_candidates_are_searchable(self):
        Partner = self.env["res.partner"].with_user(self.controller)
        self.assertEqual(Partner.search([("credit_limit_candidate", "=", True)]), self.growing)
        self.assertNotIn(self.growing, Partner.search([("credit_limit_candidate", "=", False)]))
        action = self.env.ref("credit_management.action_credit_limit_candidates")
        self.assertEqual(Partner.search(literal_eval(action.domain)), self.growing)

    def test_only_tiers_that_propose_increases_give_candidates(self):
        self.tier_low.with_user(self.manager).limit_increase_allowed = False
        self.assertFalse(self.growing.with_user(self.controller).credit_limit_candidate)

    def test_manager_applies_the_suggested_limit(self):
        action = self.growing.with_user(self.manager).action_credit_apply_suggested_limit()
        self.assertEqual(self.growing.with_company(self.company).credit_limit, 7300)
        old, new = (format_amount(self.env, amount, self.currency) for amount in (4000, 7300))
        self.assertEqual(action["params"]["message"], f"Growing Co: {old} → {new}", "the manager sees what was applied")
        self.assertEqual(len(self.growing.message_ids.filtered(lambda m: "Credit limit raised" in (m.body or ""))), 1,
                         "one line in the chatter")
        self.assertIn(f"Credit limit raised from {old} to {new}", html.unescape(str(self.growing.message_ids[:1].body)))
        history = self.env["credit.limit.history"].with_user(self.manager).search(
            [("partner_id", "=", self.growing.id)], order="id desc", limit=1)
        self.assertEqual((history.old_limit, history.new_limit, history.user_id), (4000, 7300, self.manager))
        self.assertIn("Suggested increase: 95 % of the limit used", history.reason)
        self.growing.invalidate_recordset()
        self.assertFalse(self.growing.credit_limit_candidate, "Now well within its limit")
        with self.assertRaisesRegex(UserError, "No limit increase is suggested any more for: Growing Co"):
            self.growing.with_user(self.manager).action_credit_apply_suggested_limit()

    def test_nobody_else_applies_it(self):
        for user in (self.salesman, self.controller):
            with self.assertRaises(AccessError):
                self.growing.with_user(user).action_credit_apply_suggested_limit()
        self.assertEqual(self.growing.with_company(self.company).credit_limit, 4000, "Never applied by itself")
