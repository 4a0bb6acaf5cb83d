import logging
import shutil
import time
import unittest
from ast import literal_eval

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CreditCommon

_logger = logging.getLogger(__name__)

# The browsers Odoo's HttpCase looks for (odoo.tests.common._find_executable), Debian's first.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@tagged("post_install", "-at_install")
class TestCreditTours(CreditCommon, HttpCase):
    """The users' journeys clicked through in a real browser (headless Chromium), with the
    tours of ``static/tests/tours/``: what the Python tests call directly is here done on
    the screens — the Confirm button's dialog, the release request and its decision, a
    follow-up run, a complaint from an invoice, a segment's rule and the tiers' bands.
    Between two users' tours the test checks in the database what the first one did."""

    @classmethod
    def setUpClass(cls):
        if not any(shutil.which(name) for name in BROWSERS):
            raise unittest.SkipTest(
                "Chromium not found: install Debian's chromium (apt install chromium) to run the browser tours")
        super().setUpClass()
        cls.company.sudo().write({
            "credit_hold_over_limit": True, "credit_followup_quiet_days": 0, "credit_followup_min_amount": 0.0,
        })
        cls.customer.with_company(cls.company).credit_limit = 1000
        cls.customer.sudo().credit_controller_id = cls.controller
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        # Odoo opens an invoice only to those with billing rights (it reads its payments): a
        # salesperson who invoices, as most do.
        cls.billing_salesman = new_test_user(
            cls.env, login="credit_salesman_billing", name="Bill Sales",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )

    def _tour(self, url, name, login):
        """Run the tour ``name`` as ``login`` from ``url``, and log how long it took."""
        started = time.monotonic()
        self.start_tour(url, name, login=login)
        _logger.info("Tour %s (%s) passed in %.1f s", name, login, time.monotonic() - started)

    # ------------------------------------------------------------------ 1-2. holds and releases
    def _held_quotation(self):
        """Acme has 900 of its 1,000 limit invoiced: a quotation of 500 by the salesperson
        is held when confirmed."""
        self._invoice(self.customer, 900)
        return self._order(self.customer, 500, confirm=False)

    def test_salesperson_reads_the_hold_and_requests_a_release_from_the_confirm_dialog(self):
        order = self._held_quotation()
        self.assertTrue(order.credit_needs_approval)
        self._tour("/odoo/sales", "credit_tour_release_request", login=self.salesman.login)
        self.assertEqual(order.state, "draft", "A held quotation stays a quotation")
        self.assertEqual(order.credit_check_state, "pending")
        request = order.sudo().credit_release_request_ids
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.requested_by_id, self.salesman)
        self.assertEqual(request.request_note, "The customer pays the overdue invoice on Friday.")

    def test_manager_approves_from_the_activity_and_the_salesperson_confirms(self):
        order = self._held_quotation()
        self.env["credit.shared.note"].with_user(self.salesman).create({
            "partner_id": self.customer.id, "company_id": self.company.id, "note_type": "opportunity",
            "body": "Their new warehouse opens in March: bigger orders are coming.",
        })
        order.with_user(self.salesman).with_context(credit_dialog=True).action_confirm()
        order.with_user(self.salesman).with_context(
            credit_request_note="Big project, they always pay in the end.").action_request_credit_release()
        request = order.sudo().credit_release_request_ids
        decide = self.env.ref("credit_management.mail_activity_type_credit_release")
        self.assertEqual(request.activity_ids.filtered(lambda a: a.activity_type_id == decide).user_id, self.manager)

        self._tour("/odoo", "credit_tour_release_approve", login=self.manager.login)
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.manager)
        self.assertEqual(request.decision_note, "Approved: their notes show the business is growing.")
        self.assertFalse(request.activity_ids, "The decision activity is done")
        self.assertEqual(order.credit_check_state, "approved")
        self.assertEqual(order.state, "draft")

        self._tour("/odoo/sales", "credit_tour_release_confirm", login=self.salesman.login)
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------ 3. follow-up run
    def test_controller_runs_a_followup_with_a_letter_a_skip_and_an_email(self):
        template = self.env.ref("credit_management.mail_template_followup_friendly")
        segment = self.env["credit.segment"].sudo().create({
            "name": "Tour Customers", "sequence": 1, "company_id": self.company.id, "partner_domain": "[]",
            "followup_level_ids": [Command.create({
                "name": "Friendly", "delay_days": 7, "channel": "email", "mail_template_id": template.id})],
        })
        Partner = self.env["res.partner"].sudo()
        birch, cedar, delta = (Partner.create({
            "name": name, "is_company": True, "customer_rank": 1, "email": email,
            "credit_segment_id": segment.id, "credit_segment_fixed": True,
        }) for name, email in (("Birch Hardware", "birch@example.com"), ("Cedar Stores", "cedar@example.com"),
                               ("Delta Supplies", "delta@example.com")))
        for partner in (birch, cedar, delta):
            self._invoice(partner, 300, date=fields.Date.subtract(self.today, days=40))  # due 10 days ago

        self._tour("/odoo/action-credit_management.action_credit_followup_run", "credit_tour_followup_run",
                   login=self.controller.login)
        run = self.env["credit.followup.run"].sudo().search([("segment_ids", "=", segment.id)])
        self.assertEqual(run.state, "done")
        self.assertEqual(run.user_id, self.controller)
        lines = {line.partner_id: line for line in run.line_ids}
        self.assertEqual(set(lines), {birch, cedar, delta})
        self.assertEqual((lines[birch].channel, lines[birch].state), ("letter", "done"))
        self.assertTrue(lines[birch].attachment_id, "The letter is attached")
        self.assertEqual(lines[cedar].state, "skipped")
        self.assertEqual((lines[delta].channel, lines[delta].state), ("email", "done"))
        self.assertEqual(lines[delta].message_id.subject, f"{self.company.name}: a friendly payment reminder")
        self.assertFalse(cedar.message_ids.filtered(lambda m: m.message_type == "comment"), "Cedar is left alone")

    # ------------------------------------------------------------------ 4. complaint and dispute
    def test_salesperson_raises_a_complaint_and_the_controller_resolves_it(self):
        invoice = self._invoice(self.customer, 400, date=fields.Date.subtract(self.today, days=45))
        invoice.invoice_user_id = self.billing_salesman
        url = f"/odoo/customer-invoices/{invoice.id}"

        self._tour(url, "credit_tour_complaint_raise", login=self.billing_salesman.login)
        complaint = invoice.sudo().credit_complaint_ids
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.category_id, self.env.ref("credit_management.complaint_category_quality"))
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(complaint.amount_disputed, 150)
        self.assertTrue(complaint.dispute_pending, "A salesperson's complaint waits for the credit team")
        self.assertFalse(invoice.credit_disputed)

        self._tour(url, "credit_tour_complaint_resolve", login=self.controller.login)
        self.assertEqual(complaint.state, "resolved")
        self.assertEqual(complaint.root_cause_id, self.env.ref("credit_management.complaint_root_cause_defect"))
        self.assertEqual(complaint.resolution, "Replaced the damaged goods.")
        self.assertTrue(complaint.pause_followup, "The controller accepted the dispute")
        self.assertFalse(invoice.credit_disputed, "Resolved: the invoice is chased again")

    # ------------------------------------------------------------------ 5. segments and tiers
    def test_manager_edits_a_segment_rule_and_the_tier_bands(self):
        segment = self.env.ref("credit_management.credit_segment_habitual")
        low = self.env.ref("credit_management.credit_risk_tier_low")
        medium = self.env.ref("credit_management.credit_risk_tier_medium")
        self.assertEqual((low.max_score, medium.max_score), (25, 50))

        self._tour("/odoo/credit-customers", "credit_tour_segment_tiers", login=self.manager.login)
        self.assertEqual(literal_eval(segment.partner_domain), [
            "&", ("credit_payment_behaviour", "=", "habitual"), ("credit_risk_score", ">", 60)])
        self.assertEqual(low.max_score, 30, "The valid band is saved")
        self.assertEqual(medium.max_score, 50, "The band that left Medium no score is refused")
        self.assertEqual(medium.min_score, 30)
