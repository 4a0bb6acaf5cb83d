from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form


# The tests of TestCreditHold (in test_credit_hold.py), on the CreditHoldCommon setup.
class CreditReleaseTests:
    """Release requests: asked by the salesperson with a note, decided by the credit team,
    measured, and valid only for the order as it was approved. Each test starts with the
    customer at 900 of its 1,000 limit and the over-limit rule on; with the default
    settings only credit managers decide (see test_credit_release_decision.py for the
    controllers' approval limit)."""

    def _held_order(self, amount=500):
        order = self._order(self.customer, amount, confirm=False)
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.credit_check_state, "hold")
        return order

    def test_salesperson_journey_from_confirm_to_approval_to_confirmed(self):
        """Form driven: confirm -> held with explanation -> request with note -> the manager
        approves -> the salesperson confirms."""
        self._near_the_limit()
        order_form = Form(self.env["sale.order"].with_user(self.salesman))
        order_form.partner_id = self.customer
        with order_form.order_line.new() as line:
            line.product_id = self.product
            line.price_unit = 400
            line.tax_ids.clear()
        self.assertTrue(order_form.credit_needs_approval, "The quotation says before confirming")
        order = order_form.save()

        action = self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "draft")
        view = self.env["ir.ui.view"].browse(action["views"][0][0])
        ask = Form(self.env[action["res_model"]].with_user(self.salesman).with_context(**action["context"]), view=view)
        self.assertIn("over the credit limit", ask.hold_reasons)
        self.assertEqual(ask.amount, 400)
        self.assertEqual(ask.exposure_at_request, 900)
        self.assertEqual(ask.limit_at_request, 1000)
        ask.request_note = "Their biggest project; they pay the old invoice on Friday."
        request = ask.save()

        self.assertEqual(request.state, "pending")
        self.assertRegex(request.name, r"^CRR/\d{4}/\d{4}$")
        self.assertEqual(request.requested_by_id, self.salesman)
        self.assertEqual(order.credit_check_state, "pending")
        activity = self._activities(request, "credit_management.mail_activity_type_credit_release")
        self.assertEqual(len(activity), 1)
        self.assertTrue(activity.user_id.has_group("credit_management.group_credit_manager"),
                        "Controllers decide nothing by default: a credit manager is asked")
        self.assertIn("Friday", str(activity.note))

        # Confirming again while waiting shows the pending request, not a second one.
        again = self._click_confirm(order, self.salesman)
        self.assertEqual((again["res_model"], again["res_id"]), ("credit.release.request", request.id))
        self.assertEqual(len(order.credit_release_request_ids), 1)

        self._approve(request)
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.manager)
        self.assertEqual(request.approved_max_amount, 420, "400 + 5 % tolerance")
        self.assertEqual(order.credit_check_state, "approved")
        self.assertFalse(self._activities(request, "credit_management.mail_activity_type_credit_release"))
        told = self._notes(order)[0]
        self.assertIn("approved", told.body)
        self.assertIn(self.salesman.partner_id, told.partner_ids, "The salesperson is notified")

        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_check_state, "approved")
        self.assertIn(f"Confirmed under the credit approval {request.name}", self._notes(order)[0].body)

    def test_decline_needs_a_note_and_tells_the_salesperson(self):
        self._near_the_limit()
        order = self._held_order()
        request = self._request(order)
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_decline()
        request.with_user(self.manager).decision_note = "Pay the open invoices first."
        request.with_user(self.manager).action_decline()
        self.assertEqual(request.state, "declined")
        self.assertEqual(order.credit_check_state, "declined")
        self.assertIn("Pay the open invoices first.", self._notes(order)[0].body)
        self.assertIn(self.salesman.partner_id, self._notes(order)[0].partner_ids)

        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "draft", "Declined: still held")
        self.assertEqual(order.credit_check_state, "declined")
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_approve()
        with self.assertRaises(UserError):
            request.with_user(self.manager).decision_note = "Changed my mind"
        second = self._request(order, note="The customer paid half today.")
        self.assertEqual(second.state, "pending", "The salesperson may ask again")

    def test_approval_is_void_when_the_order_grows_beyond_the_tolerance(self):
        self._near_the_limit()
        order = self._held_order(400)
        request = self._request(order)
        self._approve(request)
        self._add_line(order, 20, user=self.salesman)  # 420: within the 5 % tolerance
        self.assertEqual(order.credit_check_state, "approved")
        self.assertFalse(request.void_date)
        self._add_line(order, 30, user=self.salesman)  # 450
        self.assertTrue(request.void_date)
        self.assertEqual(request.approval_status, "void")
        self.assertIn("grew", request.void_reason)
        self.assertEqual(order.credit_check_state, "hold")
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "draft")

    def test_cancelling_the_order_voids_its_approval_and_withdraws_requests(self):
        self._near_the_limit()
        approved_order = self._held_order()
        approval = self._request(approved_order)
        self._approve(approval)
        approved_order.with_user(self.salesman).action_cancel()
        self.assertEqual(approval.approval_status, "void")
        self.assertEqual(approved_order.credit_check_state, "ok")

        waiting_order = self._held_order()
        pending = self._request(waiting_order)
        waiting_order.with_user(self.salesman).action_cancel()
        self.assertEqual(pending.state, "cancelled")
        self.assertFalse(pending.activity_ids)
        approved_order.action_draft()
        self._click_confirm(approved_order, self.salesman)
        self.assertEqual(approved_order.credit_check_state, "hold", "A new confirmation is checked again")

    def test_approval_expires_after_its_validity(self):
        self._near_the_limit()
        order = self._held_order()
        request = self._request(order)
        self._approve(request)
        self.assertEqual(request.approved_until, fields.Date.today() + timedelta(days=7))
        with freeze_time(fields.Date.today() + timedelta(days=8)):
            self.assertEqual(request.approval_status, "expired")
            self._click_confirm(order, self.salesman)
            self.assertEqual(order.state, "draft")
            self.assertEqual(order.credit_check_state, "hold")

    def test_response_hours_are_measured_and_the_queue_is_oldest_first(self):
        self._near_the_limit()
        start = fields.Datetime.now()
        with freeze_time(start):
            first = self._request(self._held_order())
        with freeze_time(start + timedelta(hours=1)):
            second = self._request(self._held_order())
        with freeze_time(start + timedelta(hours=5, minutes=30)):
            pending = self.env["credit.release.request"].with_user(self.manager).search(
                [("state", "=", "pending"), ("id", "in", (first | second).ids)], order="request_date")
            self.assertEqual(pending, first | second)
            self.assertEqual(pending[0], first)
            self.assertEqual(first.waiting_label, "5 h")
            self.assertFalse(first.response_label)
            self._approve(first)
        self.assertEqual(first.response_hours, 5.5)
        self.assertEqual((first.response_label, first.waiting_label), ("5 h", False),
                         "The response time reads like the waiting time, in the same words")
        groups = self.env["credit.release.request"]._read_group(
            [("id", "=", first.id)], ["decided_by_id"], ["response_hours:avg"])
        self.assertEqual(groups, [(self.manager, 5.5)])

    def test_salesperson_cannot_approve_nor_edit_a_decision(self):
        self._near_the_limit()
        order = self._held_order()
        request = self._request(order)
        as_salesman = request.with_user(self.salesman)
        with self.assertRaises(AccessError):
            as_salesman.action_approve()
        with self.assertRaises(AccessError):
            as_salesman.action_decline()
        with self.assertRaises(AccessError):
            as_salesman.write({"state": "approved"})
        with self.assertRaises(AccessError):
            as_salesman.decision_note = "Approved by myself"
        with self.assertRaisesRegex(UserError, "only credit managers decide"):
            request.with_user(self.controller).action_approve()
        self._approve(request)
        with self.assertRaises(AccessError):
            request.with_user(self.manager).write({"approved_max_amount": 10**9})
        forged = self.env["credit.release.request"].with_user(self.salesman).create({
            "sale_order_id": self._held_order(700).id, "amount": 1, "state": "approved",
            "requested_by_id": self.manager.id,
        })
        self.assertEqual((forged.state, forged.amount, forged.requested_by_id), ("pending", 700, self.salesman),
                         "The snapshot and the state are the server's, never the caller's")

    def test_controller_sees_requests_and_comments_but_does_not_decide(self):
        self._near_the_limit()
        request = self._request(self._held_order())
        as_controller = request.with_user(self.controller)
        self.assertEqual(as_controller.state, "pending")
        as_controller.message_post(body="Called the customer: payment promised for Friday.")
        self.assertFalse(as_controller.can_decide, "No approval limit for controllers by default")
        with self.assertRaisesRegex(UserError, "only credit managers decide"):
            as_controller.decision_note = "Approve"

    def test_salesperson_sees_only_own_requests(self):
        self._near_the_limit()
        mine = self._request(self._held_order())
        other_order = self._order(self.customer, 500, confirm=False, salesperson=self.salesman_2)
        self._click_confirm(other_order, self.salesman_2)
        theirs = self._request(other_order, user=self.salesman_2)
        visible = self.env["credit.release.request"].with_user(self.salesman).search([])
        self.assertIn(mine, visible)
        self.assertNotIn(theirs, visible)
        with self.assertRaises(AccessError):
            self._request(other_order.with_user(self.salesman))

    def test_requests_are_isolated_per_company(self):
        self._near_the_limit()
        request = self._request(self._held_order())
        other = self.other_company
        outsider = self.env["res.users"].create({
            "name": "Other Manager", "login": "other_credit_manager",
            "company_id": other.id, "company_ids": [Command.set(other.ids)],
            "group_ids": [Command.set([self.env.ref("credit_management.group_credit_manager").id,
                                       self.env.ref("sales_team.group_sale_manager").id])],
        })
        found = self.env["credit.release.request"].with_user(outsider).search([("id", "=", request.id)])
        self.assertFalse(found)
        with self.assertRaises(AccessError):
            request.with_user(outsider).read(["state"])

    def test_an_order_that_passes_needs_no_request(self):
        self._near_the_limit()
        order = self._order(self.customer, 10, confirm=False)
        with self.assertRaises(UserError):
            self._request(order)

    def test_asking_before_confirming_holds_and_requests(self):
        self._near_the_limit()
        order = self._order(self.customer, 500, confirm=False)
        self.assertTrue(order.credit_needs_approval)
        request = self._request(order)
        self.assertEqual(request.state, "pending")
        self.assertIn("over the credit limit", request.hold_reasons)
        self.assertEqual(order.credit_check_state, "pending")

    def test_without_controller_the_default_controller_then_a_manager_is_asked(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        self.customer.sudo().credit_controller_id = False
        self.company.credit_default_controller_id = self.controller
        first = self._request(self._held_order())
        self.assertEqual(self._activities(first, "credit_management.mail_activity_type_credit_release").user_id,
                         self.controller)
        self.company.credit_default_controller_id = False
        second = self._request(self._held_order())
        users = self._activities(second, "credit_management.mail_activity_type_credit_release").user_id
        self.assertEqual(len(users), 1, "One decider, one activity")
        self.assertTrue(users.has_group("credit_management.group_credit_manager"))
        self.assertIn(self.company, users.company_ids)

    # ------------------------------------------------------------------ an approval covers only what was approved
    def _approved(self, order):
        """Hold ``order`` at confirmation, request and approve its release."""
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.credit_check_state, "hold")
        request = self._request(order)
        self._approve(request)
        self.assertEqual(order.credit_check_state, "approved")
        return request

    def _suspect_customer(self):
        """A customer a credit manager put under a forced hold."""
        suspect = self.env["res.partner"].create({
            "name": "Suspect Buyer", "is_company": True, "customer_rank": 1, "user_id": self.salesman.id,
        })
        suspect.with_user(self.manager)._credit_set_hold("Fraud suspicion", forced=True)
        return suspect

    def test_changing_the_customer_voids_the_approval(self):
        """Approved for a good customer, switched to one under a forced hold: the approval
        is void and the order is held again by the new customer's hold."""
        self._near_the_limit()
        order = self._order(self.customer, 400, confirm=False)
        request = self._approved(order)
        suspect = self._suspect_customer()

        order.with_user(self.salesman).partner_id = suspect
        self.assertEqual(request.approval_status, "void")
        self.assertIn("customer changed (now Suspect Buyer", request.void_reason)
        self.assertEqual(order.credit_check_state, "hold")
        self.assertIn("Fraud suspicion", self._reasons(order))
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "draft", "The old approval does not confirm the new customer's order")
        self.assertEqual(request.partner_id, self.customer, "The request still names the customer it was about")

    def test_changing_the_company_voids_the_approval(self):
        """An approval of the first company does not confirm the order in another one: it is
        void, and the other company's rules decide (the customer has no limit there)."""
        self._near_the_limit()
        shared = self.env["product.product"].create({"name": "Goods of every company", "taxes_id": False})
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "company_id": self.company.id, "user_id": self.salesman.id,
            "order_line": [Command.create({"product_id": shared.id, "price_unit": 400, "tax_ids": False})],
        })
        request = self._approved(order)
        order.sudo().write({"company_id": self.other_company.id, "pricelist_id": False})
        self.assertEqual(request.approval_status, "void")
        self.assertIn("company changed to Other Co", request.void_reason)
        self.assertEqual(order.credit_check_state, "ok")
        self.assertFalse(order._credit_valid_approval())

    def test_invoicing_another_customer_voids_the_approval(self):
        self._near_the_limit()
        order = self._order(self.customer, 400, confirm=False)
        request = self._approved(order)
        order.with_user(self.salesman).partner_invoice_id = self._suspect_customer()
        self.assertEqual(request.approval_status, "void")
        self.assertEqual(order.credit_check_state, "hold")
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "draft")

    def test_another_contact_of_the_same_customer_keeps_the_approval(self):
        self._near_the_limit()
        order = self._order(self.customer, 400, confirm=False)
        request = self._approved(order)
        buyer = self.env["res.partner"].create({"name": "Acme Buyer", "parent_id": self.customer.id})
        order.with_user(self.salesman).write({"partner_id": buyer.id, "partner_invoice_id": buyer.id})
        self.assertEqual(request.approval_status, "valid")
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "sale")

    def test_changing_the_customer_withdraws_the_pending_request(self):
        self._near_the_limit()
        order = self._order(self.customer, 400, confirm=False)
        self._click_confirm(order, self.salesman)
        pending = self._request(order)
        order.with_user(self.salesman).partner_id = self._suspect_customer()
        self.assertEqual(pending.state, "cancelled", "The credit team is not asked about another customer")
        self.assertEqual(order.credit_check_state, "hold")
        self.assertIn("Fraud suspicion", self._reasons(order))

    def _euro_order(self, amount):
        """A quotation of ``amount`` euros (2 euros to the dollar of the company) and a
        pricelist in the company's currency."""
        euro = self.setup_other_currency("EUR")
        self.assertNotEqual(euro, self.currency)
        pricelists = self.env["product.pricelist"].create([
            {"name": "Euro prices", "currency_id": euro.id, "company_id": self.company.id},
            {"name": "Company prices", "currency_id": self.currency.id, "company_id": self.company.id},
        ])
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "company_id": self.company.id, "user_id": self.salesman.id,
            "pricelist_id": pricelists[0].id,
            "order_line": [Command.create({
                "product_id": self.product.id, "product_uom_qty": 1, "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        })
        self.assertEqual(order.currency_id, euro)
        return order, pricelists[1]

    def test_changing_the_currency_voids_the_approval(self):
        """400 euros approved up to 420 euros do not cover 400 dollars: switching the
        pricelist voids the approval and the rules hold the order again."""
        self._near_the_limit()
        order, company_prices = self._euro_order(400)  # $200: 900 + 200 is over the 1,000 limit
        request = self._approved(order)
        self.assertEqual(request.approved_max_amount, 420)

        order.with_user(self.salesman).pricelist_id = company_prices
        self.assertEqual((order.currency_id, order.amount_total), (self.currency, 400))
        self.assertEqual(request.approval_status, "void")
        self.assertIn(f"currency changed to {self.currency.name}", request.void_reason)
        self.assertEqual(order.credit_check_state, "hold")
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "draft", "400 dollars are not covered by 420 euros")

    def test_decided_request_keeps_its_currency_and_figures(self):
        """The audit trail is written once: after the order's currency changed, the request
        still reads what was asked and approved, in the currency it was asked in; nobody,
        not even the server, rewrites a decided request's figures."""
        self._near_the_limit()
        order, company_prices = self._euro_order(400)
        euro = order.currency_id
        request = self._approved(order)
        figures = ["currency_id", "amount", "exposure_at_request", "limit_at_request", "approved_max_amount",
                   "approval_tolerance", "approved_until", "partner_id", "company_id", "decided_by_id",
                   "decision_date"]
        before = request.read(figures)

        order.with_user(self.salesman).pricelist_id = company_prices
        request.invalidate_recordset()
        self.assertEqual(request.read(figures), before)
        self.assertEqual(request.currency_id, euro)
        self.assertEqual(request.order_currency_id, self.currency, "The order as it is now, in its own currency")
        for fname, value in [("currency_id", self.currency.id), ("amount", 10**6), ("approved_max_amount", 10**6),
                             ("approval_tolerance", 100), ("approved_until", "2099-12-31"),
                             ("exposure_at_request", 0), ("limit_at_request", 10**6), ("state", "pending"),
                             ("partner_id", self._suspect_customer().id), ("decision_note", "Rewritten")]:
            with self.subTest(field=fname), self.assertRaises(UserError):
                request.sudo().write({fname: value})
        with self.assertRaises(AccessError):
            request.with_user(self.manager).write({"currency_id": self.currency.id})
        with self.assertRaises(UserError):
            request.sudo()._credit_void("voided again")
        self.assertEqual(request.read(figures), before)
