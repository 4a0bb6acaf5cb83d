from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form
from odoo.tools import format_date

DECIDE = "credit_management.mail_activity_type_credit_release"
HELD = "credit_management.mail_activity_type_credit_hold"


# The tests of TestCreditHold (in test_credit_hold.py), on the CreditHoldCommon setup.
class CreditReleaseDecisionTests:
    """Who decides a release request and how the decision is told: credit controllers up to
    the company's approval limit, credit managers any amount and every forced hold; the
    activity goes to someone who can decide, the to-dos close when done, each decision is
    told once per document, and declining asks for its note in a dialog. Each test starts
    with the customer at 900 of its 1,000 limit and the over-limit rule on."""

    def _held(self, amount, user=None):
        """A quotation of ``amount`` held at confirmation by ``user`` (the salesperson)."""
        order = self._order(self.customer, amount, confirm=False)
        self._click_confirm(order, user or self.salesman)
        self.assertEqual(order.credit_check_state, "hold")
        return order

    def _held_by_a_flow(self, amount):
        """A quotation of ``amount`` held when the portal confirmed it: the salesperson and
        the credit controller get a "held" to-do."""
        order = self._order(self.customer, amount, confirm=False)
        order.sudo()._validate_order()
        self.assertEqual(self._activities(order, HELD).user_id, self.salesman | self.controller)
        return order

    def _done_messages(self, record, xmlid):
        """The "activity done" messages of ``record`` for activities of the type ``xmlid``."""
        activity_type = self.env.ref(xmlid)
        return record.sudo().message_ids.filtered(lambda m: m.mail_activity_type_id == activity_type)

    # ------------------------------------------------------------------ who decides
    def test_controller_decides_a_request_within_the_approval_limit(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        request = self._request(self._held(500))
        self.assertEqual(self._activities(request, DECIDE).user_id, self.controller,
                         "The customer's controller can decide it: the controller is asked")
        as_controller = request.with_user(self.controller)
        self.assertTrue(as_controller.can_decide)
        self.assertFalse(as_controller.decision_restriction)
        as_controller.decision_note = "Paid on time for years."
        as_controller.action_approve()
        self.assertEqual((request.state, request.decided_by_id), ("approved", self.controller))
        self.assertEqual(request.sale_order_id.credit_check_state, "approved")
        self.assertFalse(as_controller.can_decide, "Decided: nothing left to decide")

    def test_controller_is_refused_over_the_limit_and_a_manager_is_asked(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        request = self._request(self._held(1500))
        activity = self._activities(request, DECIDE)
        self.assertEqual(len(activity), 1)
        self.assertNotEqual(activity.user_id, self.controller)
        self.assertTrue(activity.user_id.has_group("credit_management.group_credit_manager"))
        as_controller = request.with_user(self.controller)
        self.assertFalse(as_controller.can_decide, "No Approve / Decline for the controller")
        self.assertIn("above the $\xa01,000.00 credit controllers may approve", as_controller.decision_restriction)
        with self.assertRaisesRegex(UserError, r"its order of \$\xa01,500.00 is above"):
            as_controller.action_approve()
        with self.assertRaisesRegex(UserError, "above"):
            as_controller.decision_note = "Fine by me"
        with self.assertRaisesRegex(UserError, "above"):
            as_controller.action_decline_dialog()
        self.assertTrue(request.with_user(self.manager).can_decide)
        self._approve(request)
        self.assertEqual(request.state, "approved")

    def test_manager_decides_any_amount_and_salespeople_nothing(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        request = self._request(self._held(50000))
        self.assertFalse(request.with_user(self.salesman).can_decide)
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).action_approve()
        as_manager = request.with_user(self.manager)
        self.assertTrue(as_manager.can_decide)
        as_manager.decision_note = "Pay the overdue invoices first."
        as_manager.action_decline()
        self.assertEqual((request.state, request.decided_by_id), ("declined", self.manager))

    def test_forced_hold_stays_with_the_managers_whatever_the_amount(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 10000
        order = self._order(self.customer, 10, confirm=False)
        order.with_user(self.manager)._credit_set_order_hold("Sanctions screening")
        request = self._request(order)
        self.assertTrue(self._activities(request, DECIDE).user_id.has_group("credit_management.group_credit_manager"))
        self.assertIn("forced the hold", request.with_user(self.controller).decision_restriction)
        with self.assertRaisesRegex(UserError, "forced the hold"):
            request.with_user(self.controller).action_approve()
        self._approve(request)
        self.assertEqual(request.state, "approved")

    def test_a_hold_forced_after_the_request_moves_its_activity_to_a_manager(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        order = self._held(500)
        request = self._request(order)
        self.assertEqual(self._activities(request, DECIDE).user_id, self.controller)
        order.with_user(self.manager)._credit_set_order_hold("Check the new contract")
        activity = self._activities(request, DECIDE)
        self.assertEqual(len(activity), 1)
        self.assertTrue(activity.user_id.has_group("credit_management.group_credit_manager"))
        self.assertFalse(request.with_user(self.controller).can_decide)

    def test_a_customer_hold_forced_after_the_request_moves_its_activity_to_a_manager(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        request = self._request(self._held(500))
        self.assertEqual(self._activities(request, DECIDE).user_id, self.controller)
        self.customer.with_user(self.manager).write({
            "credit_manual_hold": True, "credit_hold_forced": True, "credit_hold_reason": "Court case pending"})
        activity = self._activities(request, DECIDE)
        self.assertEqual(len(activity), 1)
        self.assertTrue(activity.user_id.has_group("credit_management.group_credit_manager"))
        self.assertFalse(request.with_user(self.controller).can_decide)

    def test_approval_limit_is_a_company_setting_never_negative(self):
        self.assertEqual(self.company.credit_controller_approval_limit, 0, "Only managers decide by default")
        self.env["res.config.settings"].create({"credit_controller_approval_limit": 2500}).execute()
        self.assertEqual(self.company.credit_controller_approval_limit, 2500)
        self.assertEqual(self.other_company.credit_controller_approval_limit, 0, "Per company")
        with self.assertRaises(ValidationError):
            self.company.credit_controller_approval_limit = -1

    # ------------------------------------------------------------------ to-dos close when done
    def test_requesting_a_release_closes_the_held_to_dos(self):
        self._near_the_limit()
        order = self._held_by_a_flow(500)
        request = self._request(order, note="The customer pays on Friday.")
        self.assertFalse(self._activities(order, HELD), "The salesperson did what the to-do asked")
        (done,) = self._done_messages(order, HELD)
        self.assertIn(f"Credit release requested ({request.name}): The customer pays on Friday.", done.body)
        told = self._notes(order).filtered(lambda m: "Credit release requested" in m.body)
        self.assertEqual(told, done, "The request is told once on the order: as the to-do's feedback")
        self.assertEqual(self._activities(request, DECIDE).user_id.mapped("name"), ["Max Manager"],
                         "The controller's to-do is superseded by the decision activity of who decides")

    def test_a_request_without_to_do_is_told_by_a_note(self):
        self._near_the_limit()
        order = self._held(500)  # held at the Confirm button: the salesperson was there, no to-do
        request = self._request(order)
        told = self._notes(order).filtered(lambda m: "Credit release requested" in m.body)
        self.assertEqual(len(told), 1)
        self.assertIn(request.name, told.body)

    def test_confirming_the_order_closes_the_held_to_dos(self):
        self._near_the_limit()
        order = self._held_by_a_flow(500)
        self.company.credit_hold_over_limit = False  # the rule that held it is switched off
        self._click_confirm(order, self.salesman)
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._activities(order, HELD))
        (done,) = self._done_messages(order, HELD)
        self.assertIn("The order was confirmed.", done.body)

    def test_cancelling_the_order_closes_the_held_to_dos(self):
        self._near_the_limit()
        order = self._held_by_a_flow(500)
        order.with_user(self.salesman).action_cancel()
        self.assertFalse(self._activities(order, HELD))
        (done,) = self._done_messages(order, HELD)
        self.assertIn("The order was cancelled.", done.body)

    def test_a_decision_closes_the_decide_activity_whoever_decides(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        approved = self._request(self._held(500))
        self._approve(approved)  # a manager decides the controller's request
        self.assertFalse(self._activities(approved, DECIDE))
        (done,) = self._done_messages(approved, DECIDE)
        self.assertIn("Credit release approved by Max Manager", done.body)
        self.assertIn("originally assigned to <span>Carla Control</span>", done.body)

        declined = self._request(self._held(500))
        as_controller = declined.with_user(self.controller)
        as_controller.decision_note = "Two invoices are 60 days late."
        as_controller.action_decline()
        self.assertFalse(self._activities(declined, DECIDE))
        self.assertIn("Two invoices are 60 days late.", self._done_messages(declined, DECIDE).body)

    def test_confirming_or_cancelling_the_order_closes_the_decide_activity(self):
        self._near_the_limit()
        self.company.credit_controller_approval_limit = 1000
        confirmed_order = self._held(500)
        pending = self._request(confirmed_order)
        self.company.credit_hold_over_limit = False
        self._click_confirm(confirmed_order, self.salesman)
        self.assertEqual(confirmed_order.state, "sale")
        self.assertEqual(pending.state, "cancelled", "Withdrawn: the order passed without it")
        self.assertFalse(self._activities(pending, DECIDE))
        self.assertIn("passed the credit check without it", self._done_messages(pending, DECIDE).body)

        self.company.credit_hold_over_limit = True
        cancelled_order = self._held(500)
        pending = self._request(cancelled_order)
        cancelled_order.with_user(self.salesman).action_cancel()
        self.assertFalse(self._activities(pending, DECIDE))
        self.assertIn("The order was cancelled.", self._done_messages(pending, DECIDE).body)

    # ------------------------------------------------------------------ each decision told once
    def _decision_messages(self, record, text):
        self.env.cr.precommit.run()  # the tracking messages too
        return record.sudo().message_ids.filtered(lambda m: text in (m.body or ""))

    def _assert_told_once(self, request, text):
        order = request.sale_order_id
        on_order = self._decision_messages(order, text)
        on_request = self._decision_messages(request, text)
        self.assertEqual(len(on_order), 1, "One post of the decision on the order")
        self.assertEqual(len(on_request), 1, "One post of the decision on the request")
        notified = self.env["mail.notification"].sudo().search([
            ("res_partner_id", "=", self.salesman.partner_id.id),
            ("mail_message_id", "in", (order.message_ids | request.message_ids).ids),
            ("mail_message_id.body", "ilike", text),
        ])
        self.assertEqual(len(notified), 1, "The salesperson is notified once")
        self.assertEqual(notified.mail_message_id, on_order)

    def test_an_approval_is_told_once_per_document(self):
        self._near_the_limit()
        request = self._request(self._held(500))
        self._approve(request, note="Good customer, approved.")
        self._assert_told_once(request, "Credit release approved by Max Manager")
        self._assert_told_once(request, "Good customer, approved.")

    def test_a_decline_is_told_once_per_document(self):
        self._near_the_limit()
        request = self._request(self._held(500))
        as_manager = request.with_user(self.manager)
        as_manager.decision_note = "Pay the open invoices first."
        as_manager.action_decline()
        self._assert_told_once(request, "Credit release declined by Max Manager")
        self._assert_told_once(request, "Pay the open invoices first.")

    # ------------------------------------------------------------------ declining asks for the note
    def test_decline_asks_for_its_note_in_a_dialog(self):
        self._near_the_limit()
        request = self._request(self._held(500))
        action = request.with_user(self.manager).action_decline_dialog()
        self.assertEqual((action["res_model"], action["res_id"], action["target"]),
                         ("credit.release.request", request.id, "new"))
        view = self.env["ir.ui.view"].browse(action["views"][0][0])
        dialog = Form(request.with_user(self.manager), view=view)
        with self.assertRaisesRegex(AssertionError, "decision_note"):
            dialog.save()  # the dialog does not let go without the note: no error pop-up
        dialog.decision_note = "Two invoices are 60 days late."
        dialog.save().action_decline()
        self.assertEqual(request.state, "declined")
        self.assertEqual(request.decision_note, "Two invoices are 60 days late.")

    def test_decline_without_a_note_is_refused_on_the_server(self):
        self._near_the_limit()
        request = self._request(self._held(500))
        with self.assertRaisesRegex(UserError, f"Write in the decision note why {request.name} is declined"):
            request.with_user(self.manager).action_decline()
        self.assertEqual(request.state, "pending")

    # ------------------------------------------------------------------ what the order shows
    def test_request_release_is_the_next_step_only_while_held(self):
        self._near_the_limit()
        order = self._order(self.customer, 500, confirm=False)
        self.assertTrue(order.credit_release_requestable, "Would be held: ask before confirming")
        self._click_confirm(order, self.salesman)
        self.assertTrue(order.credit_release_requestable)
        request = self._request(order)
        self.assertFalse(order.credit_release_requestable, "Pending: nothing more to ask")
        self._approve(request)
        self.assertFalse(order.credit_release_requestable)
        small = self._order(self.customer, 50, confirm=False)
        self.assertFalse(small.credit_release_requestable, "Passes: nothing to ask")

    def test_preview_shows_only_what_differs_from_the_hold_reasons(self):
        self._near_the_limit()
        order = self._held(500)
        self.assertTrue(order.credit_check_preview)
        self.assertFalse(order.credit_preview_differs, "The same reasons are shown once")
        self._add_line(order, 100)
        self.assertTrue(order.credit_preview_differs, "The order grew: confirming now reads otherwise")
        self.company.credit_hold_over_limit = False
        order.invalidate_recordset(["credit_check_preview", "credit_preview_differs"])
        self.assertFalse(order.credit_check_preview)
        self.assertTrue(order.credit_preview_differs, "Nothing would hold it now")

    def test_approved_order_shows_its_approval_and_dates_in_words(self):
        self._near_the_limit()
        order = self._held(500)
        request = self._request(order)
        self._approve(request)
        self.assertEqual(order.credit_approval_id, request)
        self.assertEqual((order.credit_approved_by_id, order.credit_approved_max_amount, order.credit_approved_until),
                         (self.manager, 525, request.approved_until), "The banner's fields, in Odoo's widgets")
        date = format_date(self.env, request.approved_until, date_format="medium")
        self.assertRegex(date, r"^[A-Z][a-z]{2} \d{1,2}, \d{4}$", "Month in words, as the date widgets show it")
        self.assertIn(f"until {date}.", self._notes(order)[0].body)
        self._add_line(order, 100)  # beyond the approval: void
        self.assertFalse(order.credit_approval_id)
