from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, new_test_user


# The tests of TestComplaintsAndNotes (in test_complaint.py), on the ComplaintCommon setup.
class SharedNoteTests:
    """Sales and credit share notes on a customer, in the Credit tab of the customer and of
    its orders: pinned first then newest, internal, editable by their author or a credit
    manager, and able to notify the other team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Note = cls.env["credit.shared.note"]

    def _note(self, user, body, partner=None, **vals):
        return self.Note.with_user(user).create({"partner_id": (partner or self.customer).id, "body": body, **vals})

    def _age(self, note, days):
        """Pretend ``note`` was written ``days`` days ago."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE credit_shared_note SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - relativedelta(days=days), note.id),
        )
        note.invalidate_recordset(["create_date"])
        self.customer.invalidate_recordset(["credit_shared_note_ids"])

    def _notifications(self, user):
        """The notification messages ``user`` received about the customer or its orders."""
        return self.env["mail.message"].sudo().search([
            ("message_type", "=", "user_notification"),
            ("partner_ids", "in", user.partner_id.ids),
        ])

    # ------------------------------------------------------------------ order of notes
    def test_notes_show_pinned_first_then_newest(self):
        pinned_old = self._note(self.controller, "Pays by bank transfer only", pinned=True)
        older = self._note(self.salesman, "Moved to a new warehouse")
        newest = self._note(self.salesman, "New purchasing manager: Ann")
        self._age(pinned_old, 30)
        self._age(older, 5)
        self._age(newest, 1)

        expected = [pinned_old, newest, older]
        self.assertEqual(list(self.customer.with_user(self.salesman).credit_shared_note_ids), expected)
        order = self._order(self.customer, 100, confirm=False)
        self.assertEqual(list(order.with_user(self.salesman).credit_customer_note_ids), expected)

        newest.with_user(self.salesman).pinned = True
        self.customer.invalidate_recordset(["credit_shared_note_ids"])
        self.assertEqual(list(self.customer.credit_shared_note_ids), [newest, pinned_old, older],
                         "Among pinned notes too, the newest comes first")

    def test_order_credit_tab_shows_the_customers_notes_from_every_order(self):
        contact = self.env["res.partner"].create({"name": "Jane Buyer", "parent_id": self.customer.id})
        first_order = self._order(self.customer, 100, confirm=False)
        second_order = self._order(contact, 100, confirm=False, salesperson=self.salesman_2)
        on_first = self._note(self.salesman, "Asked for a 60-day term", sale_order_id=first_order.id, partner=None)
        on_customer = self._note(self.controller, "Two invoices disputed last year")
        self._note(self.salesman, "Another customer's note", partner=self.env["res.partner"].create({"name": "Other"}))

        notes = second_order.with_user(self.salesman_2).credit_customer_note_ids
        self.assertEqual(set(notes), {on_first, on_customer}, "The customer's notes, from its other orders too")
        self.assertEqual(on_first.sale_order_id, first_order, "Each note shows the order it came from")
        self.assertEqual(on_first.partner_id, self.customer)
        self.assertEqual(contact.credit_shared_note_ids, self.Note, "Notes belong to the company, not its contacts")

    def _add_note(self, record, user, **values):
        """Write a note as ``user`` does from ``record``'s Credit tab: *Add a Note*, then
        the note's own dialog."""
        action = record.with_user(user).action_credit_add_note()
        self.assertEqual((action["res_model"], action["target"]), ("credit.shared.note", "new"))
        with Form(self.Note.with_user(user).with_context(**action["context"])) as form:
            for fname, value in values.items():
                setattr(form, fname, value)
        return form.record

    def test_note_added_on_an_order_is_linked_to_it(self):
        order = self._order(self.customer, 100, confirm=False)
        self._add_note(order, self.salesman, body="Customer plans to double its orders next quarter",
                       note_type="opportunity")
        order.invalidate_recordset(["credit_customer_note_ids"])
        note = order.credit_customer_note_ids
        self.assertEqual(len(note), 1)
        self.assertEqual(note.sale_order_id, order)
        self.assertEqual(note.partner_id, self.customer)
        self.assertEqual(note.author_id, self.salesman)
        self.assertEqual(note.team, "sales")
        self.assertEqual(note.company_id, order.company_id)
        self.assertEqual(self.customer.credit_shared_note_ids, note, "It is a note on the customer")

    def test_quotation_form_saved_without_touching_the_notes_keeps_them(self):
        note = self._note(self.controller, "Check the open invoices first", pinned=True)
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.customer
        self.assertEqual(len(form.credit_customer_note_ids), 1, "The customer's notes show on the new quotation")
        with form.order_line.new() as line:
            line.product_id = self.product
        order = form.save()
        with Form(order) as form:
            form.note = "Deliver before noon"
        self.assertEqual(order.credit_customer_note_ids, note)
        self.assertFalse(note.sale_order_id, "Showing a note on an order does not move it there")

    def test_salesperson_adds_a_note_on_a_customer_they_cannot_edit(self):
        customer = self.customer.with_user(self.salesman)
        with self.assertRaises(AccessError):
            customer.check_access("write")
        self._add_note(self.customer, self.salesman, body="Opening a second shop")
        note = self.customer.credit_shared_note_ids
        self.assertEqual(note.body, "Opening a second shop")
        self.assertEqual(note.author_id, self.salesman)
        self.assertFalse(note.sale_order_id)

    def test_note_dialog_saved_as_the_web_client_does(self):
        action = self.customer.with_user(self.salesman).action_credit_add_note()
        spec = {"body": {}, "team": {}, "partner_id": {"fields": {}}, "author_id": {"fields": {}}}
        [result] = self.Note.with_user(self.salesman).with_context(**action["context"]).web_save(
            {"body": "Won a large new account", "note_type": "opportunity"}, spec)
        self.assertEqual(result["body"], "Won a large new account")
        self.assertEqual(result["team"], "sales")
        self.assertEqual(result["partner_id"]["id"], self.customer.id)
        self.assertEqual(result["author_id"]["id"], self.salesman.id)
        edit = self.Note.browse(result["id"]).with_user(self.salesman).action_credit_edit()
        self.assertEqual((edit["res_id"], edit["target"]), (result["id"], "new"))

    def test_team_comes_from_the_authors_groups_when_written(self):
        self.assertEqual(self._note(self.salesman, "a").team, "sales")
        self.assertEqual(self._note(self.controller, "b").team, "credit")
        self.assertEqual(self._note(self.manager, "c").team, "credit")
        sales_note = self._note(self.salesman_2, "d")
        self.salesman_2.group_ids = [Command.link(self.env.ref("credit_management.group_credit_user").id)]
        self.assertEqual(sales_note.team, "sales", "A note keeps the team its author had when writing it")
        forged = self.Note.with_user(self.salesman).create({
            "partner_id": self.customer.id, "body": "e", "author_id": self.controller.id, "team": "credit"})
        self.assertEqual((forged.author_id, forged.team), (self.salesman, "sales"))

    # ------------------------------------------------------------------ rights
    def test_portal_user_cannot_read_notes(self):
        note = self._note(self.salesman, "Confidential: cash-flow trouble", note_type="risk")
        portal = new_test_user(self.env, login="credit_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.Note.with_user(portal).search([])
        with self.assertRaises(AccessError):
            note.with_user(portal).read(["body"])
        with self.assertRaises(AccessError):
            self.customer.with_user(portal).read(["credit_shared_note_ids"])
        with self.assertRaises(AccessError):
            self.Note.with_user(portal).create({"partner_id": portal.partner_id.id, "body": "hello"})

    def test_only_the_author_or_a_credit_manager_edits_or_deletes_a_note(self):
        note = self._note(self.salesman, "Prefers calls after 2 pm")
        for user in (self.salesman_2, self.controller):
            with self.assertRaises(AccessError):
                note.with_user(user).write({"body": "Changed"})
            with self.assertRaises(AccessError):
                note.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.customer.with_user(user).write({
                    "credit_shared_note_ids": [Command.update(note.id, {"pinned": True})]})
        self.assertEqual(note.body, "Prefers calls after 2 pm")
        self.assertFalse(note.with_user(self.salesman_2).can_edit)

        note.with_user(self.salesman).write({"body": "Prefers calls after 3 pm", "pinned": True})
        self.assertTrue(note.with_user(self.salesman).can_edit)
        note.with_user(self.manager).write({"note_type": "arrangement"})
        self.assertTrue(note.with_user(self.manager).can_edit)
        with self.assertRaises(AccessError):
            note.with_user(self.salesman).write({"author_id": self.salesman_2.id})
        with self.assertRaises(AccessError):
            note.with_user(self.manager).write({"partner_id": self.env["res.partner"].create({"name": "X"}).id})

        note.with_user(self.salesman).unlink()
        self.assertFalse(note.exists(), "The author deletes it")
        other = self._note(self.salesman, "Obsolete")
        other.with_user(self.manager).unlink()
        self.assertFalse(other.exists())

    def test_other_companys_notes_stay_there(self):
        self.Note.create({"partner_id": self.customer.id, "body": "elsewhere", "company_id": self.other_company.id})
        mine = self._note(self.salesman, "here")
        self.assertEqual(self.customer.with_user(self.salesman).credit_shared_note_ids, mine)

    # ------------------------------------------------------------------ notifying the other team
    def test_note_from_sales_notifies_the_credit_controller(self):
        note = self._note(self.salesman, "Lost their main client, may pay late", note_type="risk")
        self.assertTrue(note.notify_other_team, "Risk alerts notify by default")
        self.assertEqual(note.notified_user_id, self.controller)
        message = self._notifications(self.controller)
        self.assertEqual(len(message), 1)
        self.assertEqual((message.model, message.res_id), ("res.partner", self.customer.id))
        self.assertEqual(message.author_id, self.salesman.partner_id)
        self.assertIn("Lost their main client", message.body)
        self.assertIn(self.controller.partner_id, message.notification_ids.res_partner_id)
        self.assertFalse(self._notifications(self.salesman))

    def test_note_from_credit_notifies_the_salesperson_of_the_order(self):
        order = self._order(self.customer, 100, confirm=False, salesperson=self.salesman_2)
        note = self._note(self.controller, "Agreed to pay in three instalments", note_type="arrangement",
                          sale_order_id=order.id, notify_other_team=True)
        self.assertEqual(note.notified_user_id, self.salesman_2, "The order's salesperson is told")
        message = self._notifications(self.salesman_2)
        self.assertEqual((message.model, message.res_id), ("sale.order", order.id))

        self._note(self.controller, "Limit raised to 20,000", note_type="opportunity")
        self.assertEqual(len(self._notifications(self.salesman)), 1, "Else the customer's salesperson")

    def test_information_note_notifies_nobody_unless_asked(self):
        note = self._note(self.salesman, "Closed in August")
        self.assertFalse(note.notify_other_team)
        self.assertFalse(note.notified_user_id)
        self.assertFalse(self._notifications(self.controller))

    def test_nobody_is_notified_without_a_credit_controller(self):
        self.customer.credit_controller_id = False
        note = self._note(self.salesman, "Won a large new account", note_type="opportunity")
        self.assertFalse(note.notified_user_id)
        self.assertFalse(self.env["mail.message"].sudo().search([("message_type", "=", "user_notification"),
                                                         ("model", "=", "res.partner"),
                                                         ("res_id", "=", self.customer.id)]))

    # ------------------------------------------------------------------ opportunities for limit reviews
    def test_sales_opportunity_flags_the_customer_for_a_limit_review_until_acknowledged(self):
        Partner = self.env["res.partner"].with_user(self.controller)
        quiet = self.env["res.partner"].create({"name": "Quiet Customer", "is_company": True})
        self._note(self.controller, "We could raise their limit", note_type="opportunity", partner=quiet)
        self.assertFalse(quiet.with_user(self.controller).credit_open_opportunity_note,
                         "Only opportunities noted by sales are for the credit team to review")

        self._note(self.salesman, "Won a large new account", note_type="opportunity")
        self.assertTrue(self.customer.with_user(self.controller).credit_open_opportunity_note)
        flagged = Partner.search([("credit_open_opportunity_note", "=", True)])
        self.assertIn(self.customer, flagged)
        self.assertNotIn(quiet, flagged)
        self.assertIn(quiet, Partner.search([("credit_open_opportunity_note", "=", False)]))

        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).action_credit_acknowledge_opportunities()
        self.customer.with_user(self.controller).action_credit_acknowledge_opportunities()
        self.customer.invalidate_recordset(["credit_open_opportunity_note"])
        self.assertFalse(self.customer.with_user(self.controller).credit_open_opportunity_note)
        note = self.customer.credit_shared_note_ids
        self.assertEqual(note.acknowledged_by_id, self.controller)
        self.assertNotIn(self.customer, Partner.search([("credit_open_opportunity_note", "=", True)]))

    def test_a_note_cannot_be_created_already_acknowledged_or_notified(self):
        forged = self.Note.with_user(self.salesman).create({
            "partner_id": self.customer.id, "body": "Won a large new account", "note_type": "opportunity",
            "acknowledged_by_id": self.manager.id, "acknowledged_date": "2020-01-01 09:00:00",
            "notified_user_id": self.manager.id, "notify_other_team": False,
        })
        self.assertFalse(forged.acknowledged_by_id)
        self.assertFalse(forged.acknowledged_date)
        self.assertFalse(forged.notified_user_id)
        self.assertTrue(self.customer.with_user(self.controller).credit_open_opportunity_note,
                        "The opportunity still waits for the credit team")
        forged.with_user(self.controller).action_acknowledge()
        self.assertEqual(forged.acknowledged_by_id, self.controller, "Only Acknowledge stamps it")

    def test_old_opportunity_notes_no_longer_flag_the_customer(self):
        note = self._note(self.salesman, "Growing fast", note_type="opportunity")
        self.company.credit_opportunity_note_days = 30
        self._age(note, 31)
        self.assertFalse(self.customer.with_user(self.controller).credit_open_opportunity_note)
        self._age(note, 29)
        self.customer.invalidate_recordset(["credit_open_opportunity_note"])
        self.assertTrue(self.customer.with_user(self.controller).credit_open_opportunity_note)

    def test_notes_of_many_orders_are_read_in_a_fixed_number_of_queries(self):
        customers = self.env["res.partner"].create([{"name": f"Customer {i}", "is_company": True} for i in range(5)])
        orders = self.env["sale.order"]
        for customer in customers:
            orders |= self._order(customer, 10, confirm=False)
            self._note(self.salesman, "note", partner=customer)
        self.assertQueryCountStable(
            lambda records: records.with_user(self.salesman).mapped("credit_customer_note_ids.body"),
            orders[:1], orders)
