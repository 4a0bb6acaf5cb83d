import html
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form
from odoo.tools import format_amount, format_date


# The tests of TestCreditHold (in test_credit_hold.py), on the CreditHoldCommon setup.
class CreditLimitHistoryTests:
    """Who may change a credit limit, the history of every change, temporary limits and the
    tier's default limit proposed for customers without one."""

    def _history(self, partner=None):
        return self.env["credit.limit.history"].sudo().search([("partner_id", "=", (partner or self.customer).id)])

    def _change_limit(self, amount, reason="Reviewed", until=None, user=None):
        """What a credit manager does with the Change Credit Limit dialog."""
        wizard = self.env["credit.limit.change"].with_user(user or self.manager).create({
            "partner_id": self.customer.id, "new_limit": amount, "reason": reason, "date_end": until,
        })
        wizard.action_apply()

    def test_every_change_is_recorded_with_who_when_and_why(self):
        self.assertEqual(self._history().mapped("new_limit"), [1000.0], "The setup's limit is recorded too")
        wizard = Form(self.env["credit.limit.change"].with_user(self.manager).with_context(
            default_partner_id=self.customer.id))
        self.assertEqual(wizard.current_limit, 1000)
        wizard.new_limit = 2500
        wizard.reason = "Two years without a late payment"
        wizard.save().action_apply()
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 2500)
        change = self._history()[0]
        self.assertEqual((change.old_limit, change.new_limit), (1000, 2500))
        self.assertEqual(change.user_id, self.manager)
        self.assertEqual(change.company_id, self.company)
        self.assertEqual(change.reason, "Two years without a late payment")

    def test_salespeople_and_controllers_cannot_change_limits(self):
        for user in (self.salesman, self.controller):
            with self.assertRaises(AccessError):
                self.customer.with_user(user).sudo(False).with_company(self.company).write({"credit_limit": 10**6})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.controller).action_credit_change_limit()
        with self.assertRaises(ValidationError):
            self._change_limit(-5)
        with self.assertRaises(ValidationError):
            self.customer.write({"credit_limit": -5})

    def test_a_limit_that_is_not_a_sensible_amount_is_refused_with_the_range(self):
        customer = self.customer.with_user(self.manager).with_company(self.company)
        history = self._history()
        for amount in (float("nan"), float("inf"), 1e308, 1e15):
            with self.assertRaisesRegex(ValidationError, "Credit Limit of Acme Customer must be a number between "
                                                         "0 and 1,000,000,000,000"):
                customer.write({"credit_limit": amount})
            with self.assertRaisesRegex(ValidationError, "New Limit of new Change a Credit Limit must be a number "
                                                         "between 0 and 1,000,000,000,000"):
                self._change_limit(amount)
            with self.assertRaisesRegex(ValidationError, "Credit Limit of Newcomer must be a number between"):
                self.env["res.partner"].create({"name": "Newcomer", "credit_limit": amount})
        self.assertEqual(customer.credit_limit, 1000, "Nothing is saved")
        self.assertEqual(self._history(), history, "Nothing is logged")
        customer.write({"credit_limit": 1e12})
        self.assertEqual(self._history()[0].new_limit, 1e12, "the history says what is stored")

    def test_temporary_limit_ends_by_itself(self):
        until = fields.Date.today() + timedelta(days=10)
        self._change_limit(5000, "Seasonal peak", until)
        history = self.env["credit.limit.history"].sudo()
        self.assertFalse(history._credit_due_temporary_limits())
        later = until + timedelta(days=1)
        due = history._credit_due_temporary_limits(today=later)
        self.assertEqual(due.new_limit, 5000)
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=60.0), \
                freeze_time(later):
            history._cron_end_temporary_limits()
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 1000)
        self.assertTrue(due.ended)
        back = self._history()[0]
        self.assertEqual((back.old_limit, back.new_limit), (5000, 1000))
        self.assertIn("temporary limit", back.reason)

    def test_a_limit_changed_meanwhile_is_kept_when_the_temporary_one_ends(self):
        until = fields.Date.today()
        self._change_limit(5000, "Trade fair", until)
        self._change_limit(3000, "Reviewed after the fair")
        due = self.env["credit.limit.history"].sudo()._credit_due_temporary_limits(today=until + timedelta(days=1))
        due._credit_end_temporary_limits()
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 3000)

    def test_tier_default_limit_is_proposed_to_customers_without_one(self):
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        self._set_tier(newcomer, self.tier_high)
        newcomer = newcomer.with_company(self.company)
        self.assertEqual(newcomer.credit_limit_proposed, 5000)
        action = newcomer.with_user(self.manager).action_credit_apply_proposed_limit()
        self.assertEqual(newcomer.credit_limit, 5000)
        self.assertEqual(action["params"]["message"], f"Newcomer: No limit → {self._amount(5000)}",
                         "the manager is told which limit was set")
        newcomer.invalidate_recordset()
        self.assertEqual(newcomer.credit_limit_proposed, 0)
        self.assertIn("High", self._history(newcomer)[0].reason)

    def _amount(self, amount):
        return format_amount(self.env, amount, self.currency)

    def test_applying_a_limit_change_says_what_was_applied(self):
        until = fields.Date.today() + timedelta(days=30)
        wizard = self.env["credit.limit.change"].with_user(self.manager).create({
            "partner_id": self.customer.id, "new_limit": 2500, "reason": "Trade fair", "date_end": until,
        })
        action = wizard.action_apply()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["title"], "Credit Limit Changed")
        self.assertEqual(
            action["params"]["message"],
            f"Acme Customer: {self._amount(1000)} → {self._amount(2500)} until {format_date(self.env, until)}")
        self.assertEqual(action["params"]["next"], {"type": "ir.actions.act_window_close"}, "the dialog closes")
        note = html.unescape(str(self.customer.message_ids[:1].body))
        self.assertIn(f"Credit limit raised from {self._amount(1000)} to {self._amount(2500)}", note)
        self.assertIn(f"until {format_date(self.env, until)}. Trade fair", note)
        self.assertNotIn(fields.Date.to_string(until), note, "dates are written as the user reads them")

    def test_a_limit_change_is_logged_on_the_company_not_on_each_contact(self):
        contacts = self.env["res.partner"].create([
            {"name": f"Buyer {n}", "parent_id": self.customer.id} for n in range(2)])
        self._change_limit(2000, "Bigger orders")
        self.assertEqual(contacts.with_company(self.company).mapped("credit_limit"), [2000, 2000],
                         "contacts follow their company's limit")
        self.assertFalse(self._history(contacts[0]) | self._history(contacts[1]))
        self.assertEqual(self._history()[0].new_limit, 2000)
        self.assertFalse(contacts.message_ids.filtered(lambda message: "Credit limit" in (message.body or "")))

    def test_removing_a_limit_says_no_limit(self):
        self._change_limit(0, "Cash customer from now on")
        self.assertIn(f"Credit limit removed (it was {self._amount(1000)})",
                      html.unescape(str(self.customer.message_ids[:1].body)))
        self.assertEqual(self.customer._credit_format_limit(0.0), "No limit")
        wizard = self.env["credit.limit.change"].with_user(self.manager).create({
            "partner_id": self.customer.id, "new_limit": 0, "reason": "Same again"})
        action = wizard.action_apply()
        self.assertEqual(action["params"]["message"], "No credit limit was changed.")

    def test_salespeople_read_the_limit_they_cannot_change(self):
        customer = self.customer.with_user(self.salesman).with_company(self.company)
        values = customer.read(["credit_limit", "credit_exposure", "credit_available"])[0]
        self.assertEqual(values["credit_limit"], 1000)
        self.assertEqual(values["credit_available"], 1000 - values["credit_exposure"])
        form = customer.get_views([(False, "form")])["views"]["form"]["arch"]
        limit_nodes = etree.fromstring(form).xpath("//page[@name='credit']//field[@name='credit_limit']")
        self.assertEqual([node.get("readonly") for node in limit_nodes], ["1"],
                         "the salesperson's Credit tab shows the limit, read-only")
        with self.assertRaises(AccessError):
            customer.write({"credit_limit": 5000})

    def test_limit_history_does_not_add_up_limits(self):
        fields_info = self.env["credit.limit.history"].fields_get(["old_limit", "new_limit"], ["aggregator"])
        self.assertFalse(fields_info["old_limit"].get("aggregator"))
        self.assertFalse(fields_info["new_limit"].get("aggregator"))

    def test_limits_and_history_are_per_company(self):
        other = self.other_company
        self.env.user.company_ids |= other
        self.customer.with_company(other).credit_limit = 300
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 1000)
        self.assertEqual(self._history().filtered(lambda h: h.company_id == other).new_limit, 300)
        visible = self.env["credit.limit.history"].with_user(self.controller).search(
            [("partner_id", "=", self.customer.id)])
        self.assertEqual(visible.company_id, self.company)
