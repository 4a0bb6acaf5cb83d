from datetime import timedelta

from odoo.fields import Command
from odoo.tests import tagged

from ..credit_core.history import HistoryWindow, InvoiceFact, summarize_history
from ..credit_core.score import PRIOR
from .common_risk import CreditRiskCommon
from .test_credit_info import CreditInfoTests
from .test_credit_screens import CreditScreensTests
from .test_identifiers import IdentifierTests
from .test_limit_suggestion import LimitSuggestionTests
from .test_risk_access import RiskAccessTests
from .test_risk_cron import RiskCronTests
from .test_risk_override import RiskOverrideTests
from .test_risk_per_company import RiskPerCompanyTests
from .test_risk_tiers import RiskTierTests


# The tests of TestCreditRisk (below), on the CreditRiskCommon setup.
class RiskReviewTests:
    """A review scores the customer from its own invoices and payments, explains each
    factor, classifies how it pays, sets its tier and next review, and logs it."""

    def _review(self, partners):
        partners.with_user(self.controller).action_credit_review()
        commercial = partners.commercial_partner_id
        return self.env["credit.risk.review"].search(
            [("partner_id", "in", commercial.ids)], order="id desc", limit=len(commercial))

    def test_history_from_the_database_matches_the_reference_rules(self):
        """The SQL that reads histories for thousands of customers gives the same facts
        as the pure Python reference on the same invoices and payments."""
        partner = self._customer("Mixed Payer")
        invoices = self._history(partner, [
            (300, 1000, [(0, 900)]),                  # on time, with a credit note of 100
            (250, 2000, [(20, None)]),                # 20 days late
            (200, 1500, [(10, 500), (40, None)]),     # two payments, settled 40 days late
            (150, 800, [(5, 300)]),                   # partly paid, still open, overdue
            (100, 1200, []),                          # open, 70 days overdue
            (90, 600, []),                            # open, disputed
            (60, 900, [(-5, None)]),                  # paid early
            (10, 700, []),                            # not due yet
        ])
        self._dispute(invoices[5])
        self.assertTrue(invoices[5].credit_disputed)
        refund = self._invoice(partner, 100, date=self.today - timedelta(days=285), move_type="out_refund")
        (refund.line_ids | invoices[0].line_ids).filtered(
            lambda line: line.account_id == self.receivable_account).reconcile()

        window = self.company._credit_history_window(self.today)
        from_sql = self.env["res.partner"]._credit_payment_histories(self.company, partner.ids, window)[partner.id]
        facts = []
        for invoice in invoices:
            line = invoice.line_ids.filtered(lambda line: line.account_id == self.receivable_account)
            partials = line.matched_credit_ids
            facts.append(InvoiceFact(
                invoice.date, invoice.invoice_date_due, invoice.amount_total,
                tuple((p.max_date, p.amount) for p in partials if p.credit_move_id.move_id.move_type != "out_refund"),
                tuple((p.max_date, p.amount) for p in partials if p.credit_move_id.move_id.move_type == "out_refund"),
                invoice.credit_disputed,
            ))
        reference = summarize_history(facts, HistoryWindow(self.today, window.window_days, window.grace_days))
        for fname in reference.__dataclass_fields__:
            self.assertAlmostEqual(getattr(from_sql, fname), getattr(reference, fname), places=4, msg=fname)
        self.assertEqual(from_sql.invoice_count, 8)
        self.assertEqual(from_sql.late_count, 4, "20 and 40 days late, open 120 and 70 days overdue")
        self.assertEqual(from_sql.partial_count, 2)
        self.assertEqual(from_sql.open_disputes, 1)
        self.assertEqual(from_sql.oldest_overdue_days, 120)

    def test_each_factor_is_measured_and_explained(self):
        partner = self._customer("Late Payer", credit_external_rating=60.0,
                                 credit_external_rating_date=self.today - timedelta(days=3))
        partner.with_company(self.company).credit_limit = 4000
        self._history(partner, [
            (400, 1000, [(0, None)]),
            (300, 1000, [(30, None)]),
            (200, 2000, [(0, None)]),
            (100, 1000, []),
            (80, 1000, []),
        ])
        self._dispute(self.env["account.move"].search([
            ("partner_id", "=", partner.id), ("date", "=", self.today - timedelta(days=80))]))
        self._order(partner, 1000)

        review = self._review(partner)
        factors = self._factors(review)
        # Due in the last 12 months: 1000 paid 30 days late, 2000 on time, 1000 open 70 days overdue;
        # the disputed invoice is an open dispute, not a late payment.
        self.assertAlmostEqual(factors["late_share"]["value"], 2000 / 4000)
        self.assertAlmostEqual(factors["days_late"]["value"], (1000 * 30 + 1000 * 70) / 4000)
        self.assertAlmostEqual(factors["overdue_share"]["value"], 0.5, msg="The disputed invoice is not overdue")
        self.assertEqual(factors["oldest_overdue"]["value"], 70)
        self.assertAlmostEqual(factors["utilisation"]["value"], 3000 / 4000, msg="Two open invoices and one order")
        self.assertEqual(factors["disputes"]["value"], 1)
        self.assertAlmostEqual(factors["tenure"]["value"], 400 * 12 / 365.25, places=3)
        self.assertEqual(factors["external"]["value"], 60)
        self.assertNotIn(PRIOR, factors)
        self.assertAlmostEqual(sum(f["contribution"] for f in factors.values()), review.score, delta=0.1)
        self.assertEqual(partner.credit_risk_score, review.score)
        self.assertIn("Credit limit used", partner.credit_risk_explanation)

    def test_payment_behaviours_are_recognised_from_invoices(self):
        prompt = self._customer("Prompt")
        self._history(prompt, [(days, 1000, [(-2, None)]) for days in (200, 160, 120, 80)])
        forgetful = self._customer("Forgetful")
        self._history(forgetful, [(days, 1000, [(12 if days == 160 else 0, None)])
                                  for days in (240, 200, 160, 120, 80)])
        habitual = self._customer("Habitual")
        self._history(habitual, [(days, 1000, [(delay, None)])
                                 for days, delay in ((240, 25), (200, 28), (160, 24), (120, 27))])
        struggling = self._customer("Struggling")
        self._history(struggling, [(240, 1000, [(10, 400), (40, None)]), (200, 1000, [(20, 300), (50, 300)]),
                                   (160, 1000, [(30, None)])])
        new = self._customer("New")
        self._history(new, [(40, 1000, [(0, None)])])

        self._review(prompt | forgetful | habitual | struggling | new)
        self.assertEqual(prompt.credit_payment_behaviour, "prompt")
        self.assertEqual(forgetful.credit_payment_behaviour, "forgetful")
        self.assertEqual(habitual.credit_payment_behaviour, "habitual")
        self.assertEqual(struggling.credit_payment_behaviour, "struggling")
        self.assertEqual(struggling.credit_behaviour_rule, "partial_payments")
        self.assertEqual(new.credit_payment_behaviour, "new")
        self.assertLess(prompt.credit_risk_score, forgetful.credit_risk_score)
        self.assertLess(forgetful.credit_risk_score, habitual.credit_risk_score)
        self.assertEqual(prompt.credit_risk_tier_id, self.tier_low)
        self.assertEqual(new.credit_risk_tier_id, self.tier_medium, "New customers start at the neutral prior")
        self.assertEqual(new.credit_risk_score, 40)
        self.assertIn(PRIOR, self._factors(new.credit_last_review_id))

    def test_review_sets_tier_next_review_and_logs_tier_changes(self):
        partner = self._customer("Slipping")
        self._history(partner, [(days, 1000, [(0, None)]) for days in (300, 250, 200, 150)])
        first = self._review(partner)
        self.assertEqual(partner.credit_risk_tier_id, self.tier_low)
        self.assertEqual(first.trigger, "manual")
        self.assertEqual(first.user_id, self.controller)
        self.assertFalse(first.previous_tier_id)
        self.assertEqual(partner.credit_last_review_date, self.today)
        self.assertEqual(partner.credit_next_review_date,
                         self.today + timedelta(days=self.tier_low.review_interval_days))

        self._history(partner, [(160, 5000, []), (140, 5000, [])])
        second = self._review(partner)
        self.assertEqual(second.previous_tier_id, self.tier_low)
        self.assertIn(partner.credit_risk_tier_id, self.tier_high | self.tier_critical)
        self.assertEqual(second.tier_id, partner.credit_risk_tier_id)
        self.assertEqual(partner.credit_next_review_date,
                         self.today + timedelta(days=partner.credit_risk_tier_id.review_interval_days))
        message = partner.message_ids[:1]
        self.assertIn("Risk tier changed from Low to", message.body)
        self.assertEqual(partner.credit_review_ids, first | second)

    def test_review_now_says_what_changed(self):
        partner = self._customer("Slipping Now")
        self._history(partner, [(days, 1000, [(0, None)]) for days in (300, 250, 200, 150)])
        first = partner.with_user(self.controller).action_credit_review()
        score = partner.credit_risk_score
        self.assertEqual(first["params"]["message"],
                         f"Slipping Now: score {score:.1f} / 100 (first review), tier Low.")
        self.assertIn(f"Credit risk reviewed in {self.company.name}: score {score:.1f} / 100 (first review)",
                      partner.message_ids[:1].body, "a review asked by a person is in the chatter")

        self._history(partner, [(160, 5000, []), (140, 5000, [])])
        result = partner.with_user(self.controller).action_credit_review()
        review = self.env["credit.risk.review"].search([("partner_id", "=", partner.id)], limit=1)
        self.assertEqual(review.previous_score, score)
        change = (f"score {score:.1f} → {partner.credit_risk_score:.1f} / 100, "
                  f"tier Low → {partner.credit_risk_tier_id.name}.")
        self.assertEqual(result["params"]["message"], f"Slipping Now: {change}")
        self.assertIn(f"Risk tier changed from Low to {partner.credit_risk_tier_id.name} in {self.company.name}: "
                      f"{change}", partner.message_ids[:1].body)

        again = partner.with_user(self.controller).action_credit_review()
        self.assertIn(f"tier {partner.credit_risk_tier_id.name} (unchanged).", again["params"]["message"])
        messages = len(partner.message_ids)
        partner._credit_review("cron", self.company)
        partner.invalidate_recordset(["message_ids"])
        self.assertEqual(len(partner.message_ids), messages, "the daily job logs only changes of tier")

    def test_score_reads_the_same_everywhere(self):
        Review = self.env["credit.risk.review"]
        self.assertEqual(Review._credit_format_score(57.14), "57.1 / 100")
        review = self.customer.credit_review_ids[:1]
        self.assertIn(Review._credit_format_score(review.score), review.factors_html)
        self.assertEqual(self.customer.credit_risk_explanation, review.factors_html)

    def test_contacts_are_reviewed_as_their_company(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        self._history(contact, [(days, 1000, [(0, None)]) for days in (300, 200, 100)])
        reviews = self._review(contact)
        self.assertEqual(reviews.partner_id, self.customer)
        self.assertEqual(self.customer.credit_payment_behaviour, "prompt")
        self.assertFalse(contact.credit_risk_tier_id)

    def test_other_companies_invoices_do_not_count(self):
        other = self.setup_other_company(name="Other Co")["company"]
        partner = self._customer("Abroad")
        for days in (300, 200, 100):
            self.env["account.move"].with_company(other).create({
                "move_type": "out_invoice", "partner_id": partner.id,
                "invoice_date": self.today - timedelta(days=days),
                "invoice_line_ids": [Command.create({"name": "x", "price_unit": 500, "tax_ids": []})],
            }).action_post()
        review = self._review(partner)
        self.assertEqual(review.company_id, self.company)
        self.assertEqual(partner.credit_payment_behaviour, "new", "No history with this company")

    def test_outcomes_as_of_a_past_date_ignore_what_came_later(self):
        partner = self._customer("Late Then")
        self._history(partner, [(200, 1000, [(0, None)]), (150, 1000, [(0, None)]),
                                (120, 1000, [(0, None)]), (100, 1000, [(60, None)])])
        as_of = self.today - timedelta(days=20)
        outcome = partner._credit_review_outcomes(self.company, as_of)[partner.id]
        factors = {factor.code: factor for factor in outcome["score"].factors}
        self.assertEqual(factors["oldest_overdue"].value, 50, "As of then, the last invoice was still open")
        today_outcome = partner._credit_review_outcomes(self.company, self.today)[partner.id]
        self.assertEqual({f.code: f for f in today_outcome["score"].factors}["oldest_overdue"].value, 0)

    def test_review_queries_do_not_grow_with_customers_or_invoices(self):
        few = self._customer("Few")
        self._history(few, [(100, 1000, [(0, None)]), (40, 1000, [])])
        many = self.env["res.partner"].create([
            {"name": f"Customer {i}", "is_company": True} for i in range(8)])
        for partner in many[:4]:
            self._history(partner, [(200, 500, [(5, None)]), (100, 500, [])])
        self._review(few | many)  # a first review: tiers change from nothing
        self.assertQueryCountStable(lambda partners: partners._credit_review("manual", self.company), few, many)

    def test_review_as_a_list_action(self):
        action = self.env.ref("credit_management.action_server_credit_review")
        partners = self._customer("A") | self._customer("B")
        result = action.with_user(self.controller).with_context(
            active_model="res.partner", active_ids=partners.ids).run()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(len(partners.credit_review_ids), 2)

    def test_quotation_shows_the_customer_tier_and_behaviour(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        quotation = self._order(contact, 100, confirm=False).with_user(self.salesman)
        self.assertEqual(quotation.credit_partner_tier_id, self.tier_low)
        self.assertEqual(quotation.credit_partner_payment_behaviour, "prompt")
        self.assertEqual(quotation.credit_partner_tier_color, self.tier_low.color)


@tagged("post_install", "-at_install")
class TestCreditRisk(
    RiskReviewTests, RiskTierTests, RiskAccessTests, RiskOverrideTests, RiskCronTests, LimitSuggestionTests,
    RiskPerCompanyTests, CreditScreensTests, IdentifierTests, CreditInfoTests, CreditRiskCommon,
):
    """Risk reviews, tiers, overrides, the daily review job, limit suggestions, customers'
    identifiers and credit reports (the score's external rating), and who may see or
    change them, on one setup (one chart of accounts): the tests are in the classes
    above, one file per capability."""

    allow_inherited_tests_method = True
