import html

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .hold_common import CreditHoldCommon
from .test_credit_hold_flows import CreditHoldFlowsTests
from .test_credit_hold_settings import CreditHoldSettingsTests
from .test_credit_limit_history import CreditLimitHistoryTests
from .test_credit_release import CreditReleaseTests
from .test_credit_release_decision import CreditReleaseDecisionTests


# The tests of TestCreditHold (below), on the CreditHoldCommon setup.
class CreditHoldRulesTests:
    """Which orders are held at confirmation, and how the reasons read."""

    def test_default_settings_hold_nothing(self):
        # Over the limit, with an invoice 400 days overdue: Odoo's own flows go on untouched.
        self._overdue_invoice(self.customer, 5000, 400)
        order = self._order(self.customer, 3000, confirm=False)
        self.assertFalse(order.credit_needs_approval)
        result = self._click_confirm(order)
        self.assertIs(result, True)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_check_state, "ok")
        self.assertEqual(order.credit_checked_amount, 3000)

    def test_over_limit_rule_holds_with_measured_explanation(self):
        self.company.credit_hold_over_limit = True
        self._invoice(self.customer, 800)
        order = self._order(self.customer, 300, confirm=False)
        action = self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "draft", "A held order stays a quotation")
        self.assertEqual(order.credit_check_state, "hold")
        self.assertEqual(action["res_model"], "credit.release.request")
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["context"], {"default_sale_order_id": order.id})
        reasons = self._reasons(order)
        self.assertIn("Exposure $\xa0800.00 + this order $\xa0300.00 = $\xa01,100.00", reasons)
        self.assertIn("over the credit limit of $\xa01,000.00 by $\xa0100.00", reasons)
        self.assertIn("An order $\xa0100.00 smaller, or a payment of $\xa0100.00, would release it.", reasons)
        self.assertIn("Held for credit approval", self._notes(order)[0].body)

    def test_order_within_the_limit_is_confirmed(self):
        self.company.credit_hold_over_limit = True
        self._invoice(self.customer, 700)
        order = self._order(self.customer, 300, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.state, "sale")

    def test_uninvoiced_orders_and_drafts_count_in_the_exposure(self):
        self.company.credit_hold_over_limit = True
        self._order(self.customer, 600)  # confirmed, not invoiced
        self._invoice(self.customer, 300, post=False)  # draft invoice
        order = self._order(self.customer, 200, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.credit_check_state, "hold")
        self.assertIn("Exposure $\xa0900.00", self._reasons(order))

    def test_overdue_rule_names_the_invoice_and_its_days(self):
        self.company.credit_hold_overdue_days = 30
        late = self._overdue_invoice(self.customer, 250, 47)
        self._overdue_invoice(self.customer, 900, 10)  # overdue, but within the rule
        order = self._order(self.customer, 100, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.credit_check_state, "hold")
        self.assertIn(f"{late.name} is 47 days overdue ($\xa0250.00 due), the rule allows 30.", self._reasons(order))
        self.assertIn(f"Paying {late.name} releases it.", self._reasons(order))

    def test_overdue_rule_ignores_disputed_and_promised_invoices(self):
        self.company.credit_hold_overdue_days = 30
        disputed = self._overdue_invoice(self.customer, 250, 60)
        promised = self._overdue_invoice(self.customer, 250, 60)
        disputed.credit_disputed = True
        promised.credit_promise_date = promised.invoice_date_due.replace(year=promised.invoice_date_due.year + 1)
        order = self._order(self.customer, 100, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.state, "sale")

    def test_overdue_rule_counts_the_many_and_lists_the_oldest(self):
        self.company.credit_hold_overdue_days = 30
        invoices = [self._overdue_invoice(self.customer, 100, days) for days in (40, 90, 60, 50, 45, 70, 35)]
        order = self._order(self.customer, 100, confirm=False)
        self._click_confirm(order)
        reasons = self._reasons(order)
        self.assertIn("7 invoices are more than 30 days overdue ($\xa0700.00 due)", reasons)
        self.assertIn(f"the oldest is 90 days overdue: {invoices[1].name}: 90 days", reasons)
        self.assertIn("and 2 more", reasons)
        self.assertNotIn(invoices[6].name, reasons, "Only the most overdue are listed")

    def test_paid_overdue_invoice_releases_the_next_confirmation(self):
        self.company.credit_hold_overdue_days = 30
        late = self._overdue_invoice(self.customer, 250, 47)
        order = self._order(self.customer, 100, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.credit_check_state, "hold")
        self._pay(late)
        self._click_confirm(order)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_check_state, "ok")

    def test_tier_policies(self):
        self._set_tier(self.customer, self.tier_high)
        self._invoice(self.customer, 900)
        small = self._order(self.customer, 100, confirm=False)
        self._click_confirm(small)
        self.assertEqual(small.state, "sale", "High tier: held only over the limit")
        big = self._order(self.customer, 200, confirm=False)
        self._click_confirm(big)
        self.assertEqual(big.credit_check_state, "hold")

        other = self.env["res.partner"].create({"name": "Critical Co", "is_company": True})
        self._set_tier(other, self.tier_critical)
        tiny = self._order(other, 1, confirm=False)
        self._click_confirm(tiny)
        self.assertEqual(tiny.credit_check_state, "hold")
        self.assertIn("risk tier Critical: every order needs credit approval", self._reasons(tiny))

        self.company.credit_hold_tier_policy = False
        self._click_confirm(tiny)
        self.assertEqual(tiny.state, "sale", "Tier policies switched off in the settings")

    def test_manual_hold_on_the_customer_set_and_lifted_with_reasons(self):
        partner = self.customer.with_user(self.controller)
        with self.assertRaises(ValidationError):
            partner._credit_set_hold("  ")
        partner._credit_set_hold("Cheque bounced twice")
        self.assertTrue(self.customer.credit_manual_hold)
        self.assertTrue(self.customer.credit_on_hold)
        self.assertEqual(self.customer.credit_hold_user_id, self.controller)
        self.assertIn(self.customer, self.env["res.partner"].search([("credit_on_hold", "=", True)]))
        self.assertIn("Cheque bounced twice", self._notes(self.customer)[0].body)

        order = self._order(self.customer, 10, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.credit_check_state, "hold")
        self.assertIn("The customer is on credit hold: Cheque bounced twice", self._reasons(order))

        partner._credit_lift_hold("New cheque cleared")
        self.assertFalse(self.customer.credit_manual_hold)
        self.assertIn("New cheque cleared", self._notes(self.customer)[0].body)
        self.assertTrue(order.credit_releasable, "The held order can be confirmed now")
        self.assertIn(self.salesman.partner_id, self._notes(order)[0].partner_ids)
        self._click_confirm(order)
        self.assertEqual(order.state, "sale")

    def test_hold_dialogs_of_customer_and_order(self):
        action = self.customer.with_user(self.controller).action_credit_hold()
        dialog = Form(self.env[action["res_model"]].with_user(self.controller).with_context(**action["context"]))
        dialog.reason = "Returned direct debit"
        dialog.save().action_apply()
        self.assertTrue(self.customer.credit_manual_hold)
        self.assertEqual(self.customer.credit_hold_reason, "Returned direct debit")

        action = self.customer.with_user(self.controller).action_credit_lift_hold()
        dialog = Form(self.env[action["res_model"]].with_user(self.controller).with_context(**action["context"]))
        self.assertEqual(dialog.current_reason, "Returned direct debit")
        dialog.reason = "Paid by transfer"
        dialog.save().action_apply()
        self.assertFalse(self.customer.credit_manual_hold)

        order = self._order(self.customer, 10, confirm=False)
        with self.assertRaises(AccessError):
            order.with_user(self.controller).action_credit_hold_order()
        action = order.with_user(self.manager).action_credit_hold_order()
        dialog = Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"]))
        dialog.reason = "Waiting for the signed contract"
        dialog.save().action_apply()
        self.assertTrue(order.credit_order_hold)
        self.assertEqual(order.credit_check_state, "hold")
        self.assertTrue(self._activities(order, "credit_management.mail_activity_type_credit_hold"))

    def test_hold_rights_are_checked_on_the_server(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman)._credit_set_hold("I do not like them")
        with self.assertRaises(AccessError):
            self.customer.with_user(self.controller)._credit_set_hold("Forced", forced=True)
        self.customer.with_user(self.manager)._credit_set_hold("Fraud suspicion", forced=True)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.controller)._credit_lift_hold("Looks fine to me")
        self.customer.with_user(self.manager)._credit_lift_hold("Cleared by compliance")
        self.assertFalse(self.customer.credit_manual_hold)

    def test_contacts_share_the_commercial_partner_hold(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        self.customer.with_user(self.controller)._credit_set_hold("Unpaid for months")
        order = self._order(contact, 10, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.credit_check_state, "hold")
        self.assertTrue(contact.credit_on_hold)

    def test_manager_holds_one_order_and_only_a_manager_releases_it(self):
        order = self._order(self.customer, 10, confirm=False)
        with self.assertRaises(AccessError):
            order.with_user(self.controller)._credit_set_order_hold("Check the contract")
        order.with_user(self.manager)._credit_set_order_hold("Check the contract")
        self._click_confirm(order)
        self.assertEqual(order.state, "draft")
        self.assertIn("A credit manager holds this order: Check the contract", self._reasons(order))
        with self.assertRaises(AccessError):
            order.with_user(self.salesman)._credit_lift_order_hold("Please")
        order.with_user(self.manager)._credit_lift_order_hold("Contract signed")
        self.assertTrue(order.credit_releasable)
        self._click_confirm(order)
        self.assertEqual(order.state, "sale")

    def test_credit_fields_are_not_written_by_users(self):
        order = self._order(self.customer, 10, confirm=False)
        with self.assertRaises(AccessError):
            order.with_user(self.salesman).write({"credit_check_state": "approved"})
        with self.assertRaises(AccessError):
            order.with_user(self.manager).write({"credit_order_hold": False})

    def test_batch_confirmation_counts_the_orders_before_in_the_exposure(self):
        self.company.credit_hold_over_limit = True
        first = self._order(self.customer, 600, confirm=False)
        second = self._order(self.customer, 600, confirm=False)
        (first | second).action_confirm()
        self.assertEqual(first.state, "sale")
        self.assertEqual(second.credit_check_state, "hold")
        self.assertIn("Exposure $\xa0600.00", self._reasons(second))

    def test_multi_company_rules_and_exposure_are_the_order_company(self):
        other = self.other_company
        self.env.user.company_ids |= other
        other.credit_hold_over_limit = True
        self.customer.with_company(other).credit_limit = 100
        self._invoice(self.customer, 5000)  # in the main company: not the other's exposure
        product = self.env["product.product"].create({"name": "Shared service", "company_id": False})
        order = self.env["sale.order"].with_company(other).create({
            "partner_id": self.customer.id, "company_id": other.id,
            "order_line": [Command.create({"name": "x", "product_id": product.id, "price_unit": 90,
                                           "tax_ids": [Command.clear()]})],
        })
        self._click_confirm(order)
        self.assertEqual(order.state, "sale", "90 within the other company's limit of 100")
        self.company.credit_hold_over_limit = False
        main = self._order(self.customer, 50, confirm=False)
        self._click_confirm(main.with_context(allowed_company_ids=[other.id, self.company.id]))
        self.assertEqual(main.state, "sale", "The order's company settings apply, not the active company's")


# The tests of TestCreditHold (below), on the CreditHoldCommon setup.
class CreditHoldQuotationTests:
    """Before confirming, the quotation shows the customer's standing and its own check,
    consistently with Odoo's own credit warning."""

    def test_quotation_shows_standing_and_why_it_would_be_held(self):
        self.company.credit_hold_over_limit = True
        self._set_tier(self.customer, self.tier_high)
        self._invoice(self.customer, 800)
        with Form(self.env["sale.order"].with_user(self.salesman)) as form:
            form.partner_id = self.customer
            with form.order_line.new() as line:
                line.product_id = self.product
                line.price_unit = 100
                line.tax_ids.clear()
            self.assertFalse(form.credit_needs_approval)
            self.assertEqual(
                form.credit_standing_summary,
                "Limit $\xa01,000.00 · Exposure $\xa0800.00 · Available $\xa0200.00")
            self.assertEqual(form.credit_partner_tier_id, self.tier_high, "The tier shows as a badge beside it")
            with form.order_line.edit(0) as line:
                line.product_uom_qty = 3
            self.assertTrue(form.credit_needs_approval)
            self.assertIn("this order $\xa0300.00", html.unescape(str(form.credit_check_preview)))
        order = form.record
        self.assertEqual(order.credit_check_state, "ok", "Only a confirmation records a hold")

    def test_our_banner_replaces_odoos_when_our_rules_check_the_limit(self):
        self.company.account_use_credit_limit = True
        self._invoice(self.customer, 900)
        order = self._order(self.customer, 300, confirm=False)
        self.assertIn("has reached its credit limit", order.partner_credit_warning,
                      "Our rules off: Odoo's own warning shows")
        self.assertFalse(order.credit_needs_approval)
        self.company.credit_hold_over_limit = True
        order.invalidate_recordset()
        self.assertEqual(order.partner_credit_warning, "", "No two banners with different figures")
        self.assertTrue(order.credit_needs_approval)

    def test_check_of_one_order_costs_the_same_queries_whatever_the_invoices(self):
        self.company.write({"credit_hold_over_limit": True, "credit_hold_overdue_days": 30})
        busy = self.env["res.partner"].create({
            "name": "Busy Buyer", "is_company": True, "customer_rank": 1, "user_id": self.salesman.id,
            "credit_controller_id": self.controller.id,
        })
        busy.with_company(self.company).credit_limit = 1000
        self._overdue_invoice(self.customer, 10, 60)
        for _i in range(13):
            self._overdue_invoice(busy, 10, 60)
            self._invoice(busy, 10)
        few_invoices = self._order(self.customer, 5000, confirm=False)
        many_invoices = self._order(busy, 5000, confirm=False)

        def check(order):
            self.assertTrue(order._credit_evaluate()[order].reasons)

        self.assertQueryCountStable(check, few_invoices, many_invoices)


@tagged("post_install", "-at_install")
class TestCreditHold(
    CreditHoldRulesTests, CreditHoldQuotationTests, CreditHoldFlowsTests, CreditHoldSettingsTests,
    CreditLimitHistoryTests, CreditReleaseTests, CreditReleaseDecisionTests, CreditHoldCommon,
):
    """Holds at confirmation, release requests, credit limits and their history, and the
    hold settings, on one setup (one chart of accounts): the tests are in the classes above,
    one file per capability."""

    allow_inherited_tests_method = True
