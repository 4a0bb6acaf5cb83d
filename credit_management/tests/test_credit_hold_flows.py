from odoo.fields import Command


# The tests of TestCreditHold (in test_credit_hold.py), on the CreditHoldCommon setup.
class CreditHoldFlowsTests:
    """Orders confirmed without a person, paid online, edited after confirmation, and
    held orders released by a payment. Each test starts with the customer at 900 of its 1,000
    limit and the over-limit rule on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        pm_unknown = cls.env.ref("payment.payment_method_unknown")
        cls.provider = cls.env["payment.provider"].create({
            "name": "Test provider", "code": "none", "state": "test", "company_id": cls.company.id,
            "payment_method_ids": [Command.set(pm_unknown.ids)],
        })
        pm_unknown.active = True
        cls.payment_method = pm_unknown

    def _transaction(self, order, amount, state="done"):
        return self.env["payment.transaction"].sudo().create({
            "provider_id": self.provider.id, "payment_method_id": self.payment_method.id,
            "amount": amount, "currency_id": order.currency_id.id, "partner_id": order.partner_id.id,
            "reference": f"{order.name}-{amount}", "operation": "online_redirect", "state": state,
            "sale_order_ids": [Command.set(order.ids)],
        })

    def test_order_paid_in_full_online_is_never_held_and_the_bypass_is_traced(self):
        self._near_the_limit()
        order = self._order(self.customer, 500, confirm=False)
        tx = self._transaction(order, 500)
        confirmed = tx._check_amount_and_confirm_order()
        self.assertEqual(confirmed, order)
        self.assertEqual(order.state, "sale")
        bypass = self._notes(order).filtered(lambda m: "paid in full online" in m.body)
        self.assertTrue(bypass)
        self.assertIn(tx.reference, bypass.body)
        self.assertIn("over the credit limit", bypass.body, "The bypassed reasons are in the trace")

    def test_partly_paid_online_order_is_held_and_both_teams_are_told(self):
        self._near_the_limit()
        order = self._order(self.customer, 500, confirm=False)
        order.write({"require_payment": True, "prepayment_percent": 0.3})
        tx = self._transaction(order, 150)
        confirmed = tx._check_amount_and_confirm_order()
        self.assertFalse(confirmed, "The customer still gets the 'payment received' email")
        self.assertEqual(order.state, "draft", "Never half confirmed")
        self.assertEqual(order.credit_check_state, "hold")
        activities = self._activities(order, "credit_management.mail_activity_type_credit_hold")
        self.assertEqual(activities.user_id, self.salesman | self.controller)
        note = self._notes(order)[0]
        self.assertIn("Not confirmed: the order needs credit approval.", note.body)
        self.assertIn(self.salesman.partner_id, note.partner_ids)
        # The flow runs again (the capture of the payment): no duplicate activities.
        tx._check_amount_and_confirm_order()
        self.assertEqual(len(self._activities(order, "credit_management.mail_activity_type_credit_hold")), 2)

    def test_portal_signature_of_a_held_order_notifies_instead_of_confirming(self):
        self._near_the_limit()
        order = self._order(self.customer, 500, confirm=False)
        order.sudo()._validate_order()  # what the portal does after the customer signs
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_check_state, "hold")
        self.assertTrue(self._activities(order, "credit_management.mail_activity_type_credit_hold"))

    def test_forced_hold_is_not_bypassed_by_an_online_payment(self):
        self._near_the_limit()
        order = self._order(self.customer, 10, confirm=False)
        order.with_user(self.manager)._credit_set_order_hold("Sanctions screening")
        self._transaction(order, 10)
        order.sudo()._validate_order()
        self.assertEqual(order.state, "draft")

    def test_confirmed_order_edited_upward_is_checked_on_the_extra(self):
        self._near_the_limit()
        order = self._order(self.customer, 50)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_checked_amount, 50)
        self._add_line(order, 30)  # 900 + 80: within the limit
        self.assertEqual(order.credit_check_state, "ok")
        self.assertEqual(order.credit_checked_amount, 80)
        self._add_line(order, 100)  # 900 + 180: over it
        self.assertEqual(order.state, "sale", "Odoo's flows go on: the order is flagged, not undone")
        self.assertEqual(order.credit_check_state, "hold")
        self.assertIn("Exposure $\xa0900.00 + this order $\xa0180.00", self._reasons(order))
        self.assertIn("grew from", self._notes(order)[0].body)
        self.assertEqual(self._activities(order, "credit_management.mail_activity_type_credit_hold").user_id,
                         self.controller)
        request = self._request(order)
        self._approve(request)
        self.assertEqual(order.credit_check_state, "approved")
        self.assertEqual(order.credit_checked_amount, 189, "180 + 5 %")
        self._add_line(order, 5)
        self.assertEqual(order.credit_check_state, "approved", "Within the approval")

    def test_lower_price_on_a_confirmed_order_checks_nothing(self):
        self._near_the_limit()
        order = self._order(self.customer, 90)
        self._invoice(self.customer, 500)  # the customer is over its limit now
        order.order_line.price_unit = 80
        self.assertEqual(order.credit_check_state, "ok", "Only what grows is checked again")
        self.assertEqual(order.credit_checked_amount, 90)

    def test_payment_makes_held_orders_releasable_and_tells_the_salesperson(self):
        old_invoice = self._near_the_limit()
        order = self._order(self.customer, 500, confirm=False)
        self._click_confirm(order)
        self.assertEqual(order.credit_check_state, "hold")
        unrelated = self._order(self.customer, 10, confirm=False)
        self._pay(old_invoice)
        self.env.cr.precommit.run()  # the re-check runs when the payment is committed
        self.assertTrue(order.credit_releasable)
        note = self._notes(order)[0]
        self.assertIn("a payment was received", note.body)
        self.assertIn(self.salesman.partner_id, note.partner_ids)
        self.assertFalse(unrelated.credit_releasable, "Only held orders are re-evaluated")
        self._click_confirm(order)
        self.assertEqual(order.state, "sale")

    def test_partial_payment_keeps_the_order_held_with_updated_reasons(self):
        old_invoice = self._near_the_limit()
        order = self._order(self.customer, 500, confirm=False)
        self._click_confirm(order)
        self._pay(old_invoice, 100)
        self.env.cr.precommit.run()
        self.assertFalse(order.credit_releasable)
        self.assertIn("Exposure $\xa0800.00", self._reasons(order))

    def test_payment_reconciliation_costs_one_search_without_held_orders(self):
        self._near_the_limit()
        invoice = self._invoice(self.customer, 10)
        self._pay(invoice)

        def reevaluate():
            return self.env["sale.order"]._credit_reevaluate_held_orders(self.customer, "a payment")

        self.assertFalse(reevaluate())
        self.assertEqual(self._query_count(reevaluate, cold=False), 1)
