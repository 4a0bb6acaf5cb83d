from odoo.exceptions import AccessError
from odoo.fields import Command


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class RiskAccessTests:
    """Salespeople see a customer's tier and behaviour but cannot change them; only
    reviews set them, only managers override; reviews stay in their company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A salesperson who may edit contacts: what stops them is the credit rule, not the ACL.
        cls.salesman.group_ids |= cls.env.ref("base.group_partner_manager")

    def test_salesperson_reads_tier_and_behaviour(self):
        customer = self.customer.with_user(self.salesman)
        self.assertEqual(customer.credit_risk_tier_id, self.tier_low)
        self.assertEqual(customer.credit_payment_behaviour, "prompt")
        self.assertTrue(customer.credit_risk_score >= 0)
        self.assertEqual(len(customer.credit_review_ids), 1)

    def test_salesperson_cannot_write_risk_fields(self):
        customer = self.customer.with_user(self.salesman)
        customer.write({"phone": "+32 2 555 00 00"})  # an ordinary edit is fine
        for values in (
            {"credit_risk_tier_id": self.tier_critical.id},
            {"credit_risk_score": 90.0},
            {"credit_payment_behaviour": "struggling"},
            {"credit_next_review_date": False},
            {"credit_tier_override_id": self.tier_critical.id, "credit_override_reason": "x"},
            {"credit_external_rating": 90.0},
        ):
            with self.assertRaises(AccessError, msg=str(values)):
                customer.write(values)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Sneaky", "credit_risk_tier_id": self.tier_low.id})
        self.assertEqual(self.customer.credit_risk_tier_id, self.tier_low)

    def test_salesperson_cannot_review_nor_override(self):
        customer = self.customer.with_user(self.salesman)
        with self.assertRaises(AccessError):
            customer.action_credit_review()
        with self.assertRaises(AccessError):
            customer.action_credit_override_tier()
        with self.assertRaises(AccessError):
            self.env["credit.risk.review"].with_user(self.salesman).create({"partner_id": self.customer.id})

    def test_controller_reviews_but_does_not_write_results_directly(self):
        customer = self.customer.with_user(self.controller)
        customer.action_credit_review()
        with self.assertRaises(AccessError):
            customer.write({"credit_risk_tier_id": self.tier_critical.id})

    def test_duplicating_a_customer_does_not_copy_its_risk(self):
        copy = self.customer.with_user(self.salesman).copy()
        self.assertFalse(copy.credit_risk_tier_id)
        self.assertFalse(copy.credit_review_ids)

    def test_reviews_stay_in_their_company(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self.manager.write({"company_ids": [Command.link(other.id)]})
        self.customer.with_user(self.manager).with_company(other).action_credit_review()
        Review = self.env["credit.risk.review"]
        self.assertEqual(len(Review.with_user(self.manager).search([("partner_id", "=", self.customer.id)])), 2)
        self.assertEqual(len(Review.with_user(self.controller).search([("partner_id", "=", self.customer.id)])), 1)

    def test_portal_users_see_no_risk(self):
        portal = self.env["res.users"].create({
            "name": "Portal", "login": "portal_risk", "partner_id": self.customer.id,
            "group_ids": [Command.set(self.env.ref("base.group_portal").ids)],
        })
        with self.assertRaises(AccessError):
            self.env["credit.risk.review"].with_user(portal).search([])
        with self.assertRaises(AccessError):
            self.customer.with_user(portal).read(["credit_risk_tier_id"])

    def test_screens_show_the_risk_and_hide_the_buttons_users_may_not_press(self):
        def arch(model, user, view_type="form"):
            return self.env[model].with_user(user).get_view(view_type=view_type)["arch"]

        salesman_form = arch("res.partner", self.salesman)
        self.assertIn('name="credit_risk_tier_id"', salesman_form)
        self.assertIn('name="credit_payment_behaviour"', salesman_form)
        self.assertNotIn("action_credit_review", salesman_form)
        self.assertNotIn("action_credit_override_tier", salesman_form)
        self.assertIn('name="credit_risk_tier_id"', arch("res.partner", self.salesman, "kanban"))
        controller_form = arch("res.partner", self.controller)
        self.assertIn("action_credit_review", controller_form)
        self.assertNotIn("action_credit_override_tier", controller_form)
        self.assertIn("action_credit_override_tier", arch("res.partner", self.manager))
        quotation = arch("sale.order", self.salesman)
        self.assertIn('name="credit_partner_tier_id"', quotation)
        self.assertIn('name="credit_partner_payment_behaviour"', quotation)
        settings = arch("res.config.settings", self.env.ref("base.user_admin"))
        self.assertIn('name="credit_risk_weight_late_share"', settings)
        self.assertIn('name="credit_limit_min_utilisation"', settings)
