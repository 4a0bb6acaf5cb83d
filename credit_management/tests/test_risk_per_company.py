from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class RiskPerCompanyTests:
    """A customer shared by two companies has its risk state (score, tier, behaviour,
    override, hold, segment, controller, review dates) per company, as its credit limit:
    one company never reads nor changes another's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.controller_b = new_test_user(
            cls.env, login="credit_controller_b", name="Bob Control", groups="credit_management.group_credit_user",
            company_id=cls.company_b.id, company_ids=[Command.set(cls.company_b.ids)],
        )
        (cls.company | cls.company_b).credit_hold_tier_policy = True
        cls.shared_product = cls.env["product.product"].create({"name": "Shared service", "company_id": False})

    def _order_in(self, company, amount=100):
        return self.env["sale.order"].with_company(company).create({
            "partner_id": self.customer.id, "company_id": company.id,
            "order_line": [Command.create({"name": "x", "product_id": self.shared_product.id, "price_unit": amount,
                                           "tax_ids": [Command.clear()]})],
        })

    def _set_tier(self, company, tier, score):
        """What a review of ``company`` leaves: ``tier`` at ``score`` in that company."""
        self.customer.sudo().with_company(company).write({
            "credit_risk_tier_id": tier.id, "credit_score_tier_id": tier.id, "credit_risk_score": score})

    def test_a_hold_in_one_company_is_no_hold_in_another_nor_lifted_from_it(self):
        self.customer.with_user(self.controller)._credit_set_hold("Bounced cheque")
        in_b = self.customer.with_user(self.controller_b)
        self.assertFalse(in_b.credit_manual_hold, "Company B does not see company A's hold")
        self.assertFalse(in_b.credit_on_hold)
        self.assertFalse(in_b.credit_hold_reason, "nor its reason")
        in_b._credit_lift_hold("Paid us")
        self.assertTrue(self.customer.with_company(self.company).credit_manual_hold, "B cannot lift A's hold")
        self.assertEqual(self.customer.with_company(self.company).credit_hold_reason, "Bounced cheque")
        with self.assertRaises(AccessError):
            in_b.with_company(self.company).credit_hold_reason  # noqa: B018
        self.assertIn(f"Company: {self.company.name}", self.customer.message_ids[:1].body,
                      "the log says which company's hold it is")

    def test_a_review_in_another_company_leaves_this_companys_risk(self):
        self._set_tier(self.company, self.tier_critical, 95.0)
        before = self.customer.with_company(self.company).credit_next_review_date
        self.controller.company_ids |= self.company_b
        self.customer.with_user(self.controller).with_company(self.company_b).action_credit_review()
        in_a = self.customer.with_company(self.company)
        self.assertEqual(in_a.credit_risk_tier_id, self.tier_critical, "B's review does not rewrite A's tier")
        self.assertEqual(in_a.credit_risk_score, 95.0)
        self.assertEqual(in_a.credit_next_review_date, before)
        in_b = self.customer.with_company(self.company_b)
        self.assertTrue(in_b.credit_risk_tier_id, "B has its own tier")
        self.assertNotEqual(in_b.credit_risk_tier_id, self.tier_critical)
        self.assertEqual(in_b.credit_payment_behaviour, "new", "No history with company B")

    def test_orders_are_held_by_their_own_companys_tier(self):
        self._set_tier(self.company, self.tier_critical, 95.0)
        self._set_tier(self.company_b, self.tier_low, 5.0)
        self.env.user.company_ids |= self.company_b
        order_a, order_b = self._order_in(self.company), self._order_in(self.company_b)
        self.assertEqual(order_a.credit_partner_tier_id, self.tier_critical)
        self.assertEqual(order_b.credit_partner_tier_id, self.tier_low)
        order_a.action_confirm()
        order_b.action_confirm()
        self.assertEqual(order_a.credit_check_state, "hold", "A's Critical tier holds A's orders")
        self.assertEqual(order_b.state, "sale", "B's Low tier does not hold B's orders")

    def test_the_check_of_an_order_reads_its_companys_state_whatever_the_active_company(self):
        self.env.user.company_ids |= self.company_b
        self.customer.sudo().with_company(self.company_b).write(
            {"credit_manual_hold": True, "credit_hold_reason": "Held in B"})
        order_b = self._order_in(self.company_b)
        from_a = order_b.with_context(allowed_company_ids=[self.company.id, self.company_b.id])
        self.assertTrue(from_a.credit_partner_on_hold, "B's hold, read from company A")
        from_a.action_confirm()
        self.assertEqual(order_b.credit_check_state, "hold")
        order_a = self._order_in(self.company)
        order_a.with_context(allowed_company_ids=[self.company_b.id, self.company.id]).action_confirm()
        self.assertEqual(order_a.state, "sale", "B's hold does not hold A's orders")

    def test_segments_controllers_and_overrides_are_per_company(self):
        self.customer.sudo().with_company(self.company).credit_controller_id = self.controller
        self.assertFalse(self.customer.with_company(self.company_b).credit_controller_id)
        self.manager.company_ids |= self.company_b
        self.customer.with_user(self.manager).with_company(self.company_b).write({
            "credit_tier_override_id": self.tier_high.id, "credit_override_reason": "Rating agency alert"})
        self.assertEqual(self.customer.with_company(self.company_b).credit_risk_tier_id, self.tier_high)
        self.assertEqual(self.customer.with_company(self.company).credit_risk_tier_id, self.tier_low)
        self.assertFalse(self.customer.with_company(self.company).credit_tier_override_id)

    def test_a_tier_in_use_in_any_company_is_not_deleted(self):
        self.assertFalse(self.env["credit.risk.review"].search_count(
            ["|", "|", ("tier_id", "=", self.tier_high.id), ("score_tier_id", "=", self.tier_high.id),
             ("previous_tier_id", "=", self.tier_high.id)]), "only company B's customer value refers to it")
        self._set_tier(self.company_b, self.tier_high, 60.0)
        self.customer.sudo().with_company(self.company).credit_risk_tier_id = self.tier_low
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.tier_high.sudo().unlink()

    def test_a_hold_in_one_company_leaves_another_companys_approvals(self):
        self.env.user.company_ids |= self.company_b
        order_b = self._order_in(self.company_b)
        order_b.sudo().credit_check_state = "approved"
        self.customer.with_user(self.controller)._credit_set_hold("Bounced cheque")
        self.assertEqual(order_b.credit_check_state, "approved", "A's hold does not void B's approval")
