from datetime import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .complaint_common import ComplaintCommon
from .test_complaint_dispute import ComplaintDisputeTests
from .test_shared_note import SharedNoteTests


# The tests of TestComplaintsAndNotes (below), on the ComplaintCommon setup.
class ComplaintTests:
    """Complaints are raised from a customer, an invoice or an order, handled by the credit
    team, and closed as resolved only with a root cause and a resolution."""

    def test_complaint_from_an_invoice_takes_its_customer_order_amount_and_owner(self):
        order = self._order(self.customer, 250)
        invoice = order._create_invoices()
        invoice.action_post()
        self._pay(invoice, 50)

        action = invoice.with_user(self.salesman).action_credit_report_complaint()
        self.assertEqual(action["res_model"], "credit.complaint")
        Complaint = self._with_mail(self.env["credit.complaint"]).with_user(self.salesman)
        complaint = Form(Complaint.with_context(**action["context"]))
        complaint.category_id = self.category_quality
        complaint.description = "Two boxes arrived broken."
        complaint = complaint.save()

        year = fields.Date.today().year
        self.assertRegex(complaint.name, rf"^CMP/{year}/\d{{4}}$")
        self.assertEqual(complaint.partner_id, self.customer)
        self.assertEqual(complaint.sale_order_id, order, "The invoice's order is found")
        self.assertEqual(complaint.amount_disputed, 200, "By default what remains due on the invoice")
        self.assertEqual(complaint.currency_id, invoice.currency_id)
        self.assertEqual(complaint.user_id, self.controller, "The customer's credit controller owns it")
        self.assertEqual(complaint.salesperson_id, self.salesman)
        self.assertEqual(complaint.product_ids, self.product)
        self.assertEqual(complaint.state, "new")
        self.assertEqual(
            complaint.date_deadline, fields.Date.add(fields.Date.context_today(complaint), days=14),
            "Quality complaints are answered within the category's 14 days",
        )
        self.assertIn(self.controller.partner_id, complaint.message_partner_ids, "The owner follows it")
        self.assertIn(self.salesman.partner_id, complaint.message_partner_ids, "The salesperson follows it")

    def test_complaint_numbers_follow_each_other(self):
        first = self._complaint(partner_id=self.customer.id)
        second = self._complaint(partner_id=self.customer.id)
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(int(second.name.split("/")[-1]), int(first.name.split("/")[-1]) + 1)

    def test_resolved_complaint_without_root_cause_is_refused(self):
        complaint = self._complaint(partner_id=self.customer.id, resolution="Sent a replacement.")
        with self.assertRaises(ValidationError) as refused:
            complaint.action_resolve()
        self.assertIn(f"Complaint {complaint.name} cannot be closed as resolved without its root cause",
                      str(refused.exception))
        self.assertEqual(complaint.state, "new")
        with self.assertRaises(ValidationError) as refused:
            complaint.write({"state": "resolved"})  # as when dragged to Resolved on the kanban
        self.assertIn("root cause", str(refused.exception))
        self.assertEqual(complaint.state, "new")
        self.assertFalse(complaint.date_resolved)

    def test_resolved_complaint_without_resolution_is_refused(self):
        complaint = self._complaint(partner_id=self.customer.id, root_cause_id=self.cause_defect.id)
        with self.assertRaisesRegex(ValidationError, "without the resolution"):
            complaint.action_resolve()
        complaint.resolution = "   "
        with self.assertRaisesRegex(ValidationError, "without the resolution"):
            complaint.action_resolve()
        self.assertEqual(complaint.state, "new")

    def test_written_root_cause_is_enough_to_resolve(self):
        complaint = self._complaint(
            partner_id=self.customer.id, root_cause="The price list was not updated.", resolution="Credit note.")
        complaint.action_resolve()
        self.assertEqual(complaint.state, "resolved")
        self.assertTrue(complaint.date_resolved)

    def test_processing_days_run_from_raising_to_closing(self):
        with freeze_time("2026-03-02 09:00:00"):
            complaint = self._complaint(partner_id=self.customer.id)
        self.assertEqual(complaint.date_open, datetime(2026, 3, 2, 9, 0))
        with freeze_time("2026-03-05 21:00:00"):
            self._resolve(complaint)
        self.assertEqual(complaint.date_resolved, datetime(2026, 3, 5, 21, 0))
        self.assertEqual(complaint.processing_days, 3.5)

    def test_salesperson_raises_and_comments_but_cannot_close(self):
        invoice = self._overdue_invoice(100)
        complaint = self._complaint(user=self.salesman, move_id=invoice.id, description="Wrong price")
        self.assertFalse(invoice.credit_disputed, "Disputing is the credit team's decision")
        complaint.write({"description": "Wrong price: 10% discount missing", "category_id": self.category_pricing.id})
        complaint.message_post(body="The customer called again.")
        complaint.action_start()
        self.assertEqual(complaint.state, "in_progress")
        complaint.write({"root_cause_id": self.cause_price.id, "resolution": "Credit note for the discount"})

        with self.assertRaises(AccessError):
            complaint.action_resolve()
        with self.assertRaises(AccessError):
            complaint.write({"state": "resolved"})
        with self.assertRaises(AccessError):
            complaint.action_reject()
        with self.assertRaises(AccessError):
            complaint.write({"pause_followup": False})
        with self.assertRaises(AccessError):
            complaint.action_create_credit_note()
        with self.assertRaises(AccessError):
            complaint.unlink()
        self.assertEqual(complaint.state, "in_progress")
        self.assertFalse(invoice.credit_disputed)

        complaint.with_user(self.controller).action_resolve()
        with self.assertRaises(AccessError):
            complaint.write({"description": "Reopened by sales"})
        with self.assertRaises(AccessError):
            complaint.action_reopen()

    def test_salesperson_cannot_pause_followup_nor_accept_the_dispute(self):
        solo = self.env["res.partner"].create({"name": "Solo Customer", "is_company": True})
        invoice = self._overdue_invoice(100, partner=solo)
        with self.assertRaises(AccessError):
            self._complaint(user=self.salesman, move_id=invoice.id, pause_followup=True)
        complaint = self._complaint(user=self.salesman, move_id=invoice.id, dispute_pending=False)
        self.assertTrue(complaint.dispute_pending, "Only the credit team decides")
        with self.assertRaises(AccessError):
            complaint.write({"pause_followup": True})
        with self.assertRaises(AccessError):
            complaint.write({"dispute_pending": False})
        with self.assertRaises(AccessError):
            complaint.action_accept_dispute()
        with self.assertRaises(AccessError):
            complaint.action_keep_chasing()
        self.assertFalse(invoice.credit_disputed)
        overdue = solo._credit_overdue_by_partner(self.company, solo, 30, self.today)
        self.assertEqual(overdue[solo.id][0], 1, "The invoice still counts for the overdue hold rule")

    def test_complaint_form_shows_it_waits_for_the_credit_team(self):
        invoice = self._overdue_invoice(100)
        with Form(self.env["credit.complaint"].with_user(self.salesman)) as form:
            form.move_id = invoice
            form.category_id = self.category_quality
            self.assertFalse(form.pause_followup)
        complaint = form.record
        self.assertTrue(complaint.dispute_pending)
        self.assertFalse(invoice.credit_disputed)
        arch = complaint.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("waits for the credit team", arch)
        with Form(complaint.with_user(self.controller)) as form:
            form.pause_followup = True
        self.assertFalse(complaint.dispute_pending, "Setting the pause accepts the dispute")
        self.assertTrue(invoice.credit_disputed)

    def test_closing_notifies_the_followers(self):
        complaint = self._complaint(user=self.salesman, partner_id=self.customer.id, mail=True)
        self._end_transaction(complaint)
        self._resolve(complaint)
        self._end_transaction(complaint)
        closing = complaint.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("credit_management.mt_complaint_closed"))
        self.assertTrue(closing)
        self.assertIn(self.salesman.partner_id, closing.notification_ids.res_partner_id)

    def test_invoice_and_order_must_be_the_customers(self):
        other = self.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        invoice = self._overdue_invoice(100, partner=other)
        with self.assertRaisesRegex(ValidationError, "not a customer invoice of Acme Customer"):
            self._complaint(partner_id=self.customer.id, move_id=invoice.id, sale_order_id=False)
        order = self._order(other, 10)
        with self.assertRaisesRegex(ValidationError, "not an order of Acme Customer"):
            self._complaint(partner_id=self.customer.id, sale_order_id=order.id)

    def test_disputed_amount_cannot_be_negative(self):
        with self.assertRaisesRegex(ValidationError, "Disputed Amount of .* must be a number between 0 and"):
            self._complaint(partner_id=self.customer.id, amount_disputed=-5)

    def test_disputed_amount_that_is_not_a_sensible_amount_is_refused_with_the_range(self):
        complaint = self._complaint(partner_id=self.customer.id, amount_disputed=100)
        for amount in (float("nan"), float("inf"), 1e308, 1e15):
            with self.assertRaisesRegex(ValidationError, "Disputed Amount of .* must be a number between "
                                                         "0 and 1,000,000,000,000"):
                self._complaint(partner_id=self.customer.id, amount_disputed=amount)
            with self.assertRaisesRegex(ValidationError, f"Disputed Amount of {complaint.name} .* must be a number"):
                complaint.amount_disputed = amount
        self.assertEqual(complaint.amount_disputed, 100, "Nothing is saved")

    def test_credit_note_button_opens_odoos_reversal_dialog_on_the_invoice(self):
        invoice = self._overdue_invoice(400)
        complaint = self._complaint(move_id=invoice.id)
        action = complaint.action_create_credit_note()
        self.assertEqual(action["res_model"], "account.move.reversal")
        self.assertEqual(action["target"], "new")

        wizard = self.env["account.move.reversal"].with_user(self.controller).with_context(**action["context"]).create({
            "journal_id": invoice.journal_id.id,
        })
        self.assertEqual(wizard.move_ids, invoice)
        self.assertIn(complaint.name, wizard.reason)
        wizard.refund_moves()

        credit_note = invoice.reversal_move_ids
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(complaint.credit_note_ids, credit_note)
        self.assertEqual(complaint.credit_note_count, 1)
        self.assertEqual(complaint.action_view_credit_notes()["res_id"], credit_note.id)

    def test_credit_note_needs_a_posted_invoice(self):
        complaint = self._complaint(partner_id=self.customer.id)
        with self.assertRaisesRegex(UserError, "no posted invoice"):
            complaint.action_create_credit_note()

    def test_smart_button_counts_on_customer_invoice_and_order(self):
        contact = self.env["res.partner"].create({"name": "Jane Buyer", "parent_id": self.customer.id})
        order = self._order(self.customer, 100)
        invoice = self._overdue_invoice(100)
        self._complaint(move_id=invoice.id)
        self._complaint(sale_order_id=order.id)
        self._complaint(partner_id=contact.id)
        other = self.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        self._complaint(partner_id=other.id)

        partners = (self.customer | contact | other).with_user(self.salesman)
        self.assertEqual(partners.mapped("credit_complaint_count"), [3, 1, 1],
                         "A company counts its contacts' complaints; a contact its own")
        self.assertEqual(invoice.with_user(self.salesman).credit_complaint_count, 1)
        self.assertEqual(order.with_user(self.salesman).credit_complaint_count, 1)

        action = self.customer.with_user(self.salesman).action_credit_view_complaints()
        self.assertEqual(len(self.env["credit.complaint"].search(action["domain"])), 3)
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(invoice.action_credit_view_complaints()["context"], {"default_move_id": invoice.id})
        self.assertEqual(order.action_credit_view_complaints()["context"], {"default_sale_order_id": order.id})

    def test_counts_take_a_fixed_number_of_queries(self):
        customers = self.env["res.partner"].create([{"name": f"Customer {i}", "is_company": True} for i in range(6)])
        for customer in customers:
            self._complaint(partner_id=customer.id)
        self.assertQueryCountStable(
            lambda partners: partners.with_user(self.controller).mapped("credit_complaint_count"),
            customers[:1], customers)

    def test_other_companys_complaints_stay_there(self):
        other_company = self.other_company
        self.env["credit.complaint"].with_company(other_company).create({
            "partner_id": self.customer.id, "category_id": self.category_quality.id, "company_id": other_company.id,
        })
        mine = self._complaint(partner_id=self.customer.id)
        seen = self.env["credit.complaint"].with_user(self.controller).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(seen, mine)
        self.assertEqual(self.customer.with_user(self.controller).credit_complaint_count, 1)

    def test_categories_are_configured_by_credit_managers_only(self):
        Category = self.env["credit.complaint.category"]
        self.assertEqual(
            set(Category.search([]).mapped("name")),
            {"Pricing", "Quantity / Delivery", "Quality", "Invoice Error", "Payment Terms", "Other"},
        )
        Category.with_user(self.manager).create({"name": "Packaging", "deadline_days": 3})
        with self.assertRaises(AccessError):
            Category.with_user(self.controller).create({"name": "Service"})
        with self.assertRaises(AccessError):
            self.env["credit.complaint.root.cause"].with_user(self.salesman).create({"name": "Bad luck"})

    def test_portal_user_cannot_read_complaints(self):
        portal = new_test_user(self.env, login="credit_portal_c", groups="base.group_portal")
        self._complaint(partner_id=self.customer.id)
        with self.assertRaises(AccessError):
            self.env["credit.complaint"].with_user(portal).search([])

    def test_complaint_screens_load_for_salespeople_and_credit(self):
        for user in (self.salesman, self.controller):
            for model, view_types in (
                ("credit.complaint", ["kanban", "list", "form", "search", "calendar", "activity", "pivot", "graph"]),
                ("res.partner", ["form"]),
                ("sale.order", ["form"]),
                ("account.move", ["form", "list"]),
            ):
                views = self.env[model].with_user(user).get_views([(False, vt) for vt in view_types])
                self.assertTrue(views["views"])
        partner_form = self.env["res.partner"].with_user(self.salesman).get_views([(False, "form")])
        self.assertIn("action_credit_view_complaints", partner_form["views"]["form"]["arch"])

    def test_analysis_groups_complaints_by_root_cause_product_and_salesperson(self):
        first = self._complaint(move_id=self._overdue_invoice(100).id)
        second = self._complaint(move_id=self._overdue_invoice(300).id, category=self.category_pricing)
        self._complaint(move_id=self._overdue_invoice(50).id)
        self._resolve(first)
        second.write({"root_cause_id": self.cause_price.id, "resolution": "Discount granted"})
        second.action_resolve()

        Complaint = self.env["credit.complaint"].with_user(self.controller)
        by_cause = dict(Complaint._read_group(
            [("partner_id", "=", self.customer.id)], ["root_cause_id"], ["__count"]))
        no_cause = self.env["credit.complaint.root.cause"]
        self.assertEqual(by_cause, {self.cause_defect: 1, self.cause_price: 1, no_cause: 1})
        open_amount = Complaint._read_group(
            [("partner_id", "=", self.customer.id)], [], ["amount_open_company:sum", "amount_disputed_company:sum"])
        self.assertEqual(open_amount, [(50, 450)])
        by_step = dict(Complaint._read_group(
            [("state", "=", "resolved")], ["root_cause_step"], ["processing_days:avg"]))
        self.assertEqual(set(by_step), {"product", "pricing"})

        product_2 = self.env["product.product"].create({"name": "Second product"})
        second.write({"product_ids": [Command.link(product_2.id)]})
        by_product = dict(Complaint._read_group(
            [("partner_id", "=", self.customer.id)], ["product_ids"], ["__count"]))
        self.assertEqual(by_product[product_2], 1)
        by_salesperson = dict(Complaint._read_group(
            [("partner_id", "=", self.customer.id)], ["salesperson_id"], ["__count"]))
        self.assertEqual(by_salesperson, {self.salesman: 3})


@tagged("post_install", "-at_install")
class TestComplaintsAndNotes(ComplaintTests, ComplaintDisputeTests, SharedNoteTests, ComplaintCommon):
    """Complaints, the disputes they put invoices in, and the notes sales and credit share,
    on one setup (one chart of accounts): the tests are in the classes above, one file per
    capability."""

    allow_inherited_tests_method = True
