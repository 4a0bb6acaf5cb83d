from collections import defaultdict
from contextlib import closing
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestDataGenerator(AccountTestInvoicingCommon):
    """The generated receivables are ordinary Odoo accounting data: consistent amounts and
    reconciliations, the values Odoo itself computes, and documents that Odoo's own flows
    continue normally."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.today = date(2025, 11, 14)
        cls.salesperson = new_test_user(
            cls.env, login="generator_seller", name="Sam Seller", groups="sales_team.group_sale_salesman",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])
        cls.result = cls.env["credit.data.generator"]._generate(
            customers=20, seed=7, company=cls.company, today=cls.today, salesperson_ids=cls.salesperson.ids)
        cls.profiles = cls.result["partner_profiles"]
        cls.partners = cls.env["res.partner"].browse(sorted(cls.profiles))
        moves = cls.env["account.move"].search([("partner_id", "in", cls.partners.ids)], order="id")
        cls.invoices = moves.filtered(lambda move: move.move_type == "out_invoice")
        cls.refunds = moves.filtered(lambda move: move.move_type == "out_refund")
        cls.payments = cls.env["account.payment"].search([("partner_id", "in", cls.partners.ids)])

    def _term_line(self, move):
        return move.line_ids.filtered(lambda line: line.display_type == "payment_term")

    def _invoices_of(self, profile):
        return self.invoices.filtered(lambda move: self.profiles[move.partner_id.id] == profile)

    # ------------------------------------------------------------------ shape
    def test_the_counts_returned_are_the_documents_created(self):
        result = self.result
        self.assertEqual(result["customers"], 20)
        self.assertEqual(len(self.partners), 20)
        self.assertEqual(len(self.invoices), result["invoices"])
        self.assertEqual(len(self.refunds), result["credit_notes"])
        self.assertEqual(len(self.payments), result["payments"])
        self.assertEqual(len((self.invoices | self.refunds | self.payments.move_id).line_ids), result["move_lines"])
        self.assertEqual(sum(result["profiles"].values()), 20)
        self.assertGreater(result["invoices"], 300)
        self.assertTrue(self.refunds, "some invoices get a credit note")

    def test_customers_are_companies_with_a_reference_a_salesperson_and_a_payment_term(self):
        refs = sorted(self.partners.mapped("ref"))
        self.assertEqual(refs, [f"GEN-{number:05d}" for number in range(1, 21)])
        for partner in self.partners.with_company(self.company):
            self.assertTrue(partner.is_company and partner.customer_rank and partner.email and partner.country_id)
            self.assertEqual(partner.user_id, self.salesperson)
            invoices = self.invoices.filtered(lambda move, p=partner: move.partner_id == p)
            self.assertEqual(invoices.invoice_payment_term_id, partner.property_payment_term_id)

    def test_every_invoice_is_posted_dated_in_the_history_and_due_after_its_date(self):
        for move in self.invoices | self.refunds | self.payments.move_id:
            self.assertEqual(move.state, "posted")
            self.assertLessEqual(move.date, self.today)
            self.assertGreaterEqual(move.date, self.today - timedelta(days=735))
        for invoice in self.invoices:
            self.assertGreaterEqual(invoice.invoice_date_due, invoice.invoice_date)
            self.assertEqual(self._term_line(invoice).date_maturity, invoice.invoice_date_due)

    def test_residual_is_the_amount_minus_payments_and_credit_notes(self):
        partial_amounts = defaultdict(float)
        for partial in self.env["account.partial.reconcile"].search(
                [("debit_move_id", "in", self.invoices.line_ids.ids)]):
            partial_amounts[partial.debit_move_id.move_id] += partial.amount
            self.assertLessEqual(partial.max_date, self.today)
            self.assertIn(partial.credit_move_id.move_id, self.refunds | self.payments.move_id)
        currency = self.company.currency_id
        states = set()
        for invoice in self.invoices:
            line = self._term_line(invoice)
            expected = invoice.amount_total - partial_amounts[invoice]
            self.assertAlmostEqual(invoice.amount_residual, expected, places=2, msg=invoice.name)
            self.assertAlmostEqual(line.amount_residual, invoice.amount_residual, places=2)
            settled = currency.is_zero(invoice.amount_residual)
            self.assertEqual(line.reconciled, settled, invoice.name)
            self.assertEqual(bool(line.full_reconcile_id), settled, invoice.name)
            if settled:
                counterparts = line.full_reconcile_id.reconciled_line_ids - line
                self.assertEqual(counterparts.move_id.reversed_entry_id - invoice, self.env["account.move"])
                expected_state = "reversed" if not (counterparts.move_id & self.payments.move_id) else "paid"
            elif partial_amounts[invoice]:
                expected_state = "partial"
            else:
                expected_state = "not_paid"
            self.assertEqual(invoice.payment_state, expected_state, invoice.name)
            states.add(invoice.payment_state)
        self.assertTrue({"paid", "partial", "not_paid"} <= states)
        for refund in self.refunds:
            self.assertTrue(self._term_line(refund).reconciled)
            self.assertEqual(refund.payment_state, "paid")
        for payment in self.payments:
            receivable = payment.move_id.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable")
            self.assertTrue(receivable.reconciled and payment.is_reconciled)
            self.assertEqual(payment.invoice_ids.partner_id, payment.partner_id)
            self.assertEqual(payment.state, "paid" if payment.invoice_ids.payment_state == "paid" else "in_process")

    def test_odoo_recomputes_the_stored_values_unchanged(self):
        moves = self.invoices | self.refunds | self.payments.move_id
        checks = [
            (moves, ["amount_untaxed", "amount_total", "amount_residual", "amount_untaxed_signed",
                     "amount_total_signed", "amount_residual_signed", "amount_total_in_currency_signed",
                     "payment_state", "sequence_prefix", "sequence_number", "invoice_date_due"]),
            (moves.line_ids, ["debit", "credit", "amount_currency", "amount_residual",
                              "amount_residual_currency", "reconciled"]),
            (self.payments, ["state", "is_reconciled", "amount_company_currency_signed"]),
            (moves.line_ids.matched_credit_ids, ["max_date"]),
        ]

        def stored():
            values = {}
            for records, fnames in checks:
                rows = self.env.execute_query(SQL(
                    "SELECT id, %s FROM %s WHERE id = ANY(%s) ORDER BY id",
                    SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                    SQL.identifier(records._table), records.ids))
                values[records._name] = rows
            return values

        self.env.flush_all()
        before = stored()
        self.env.invalidate_all()
        for records, fnames in checks:
            for fname in fnames:
                self.env.add_to_compute(records._fields[fname], records)
        self.env.flush_all()
        self.env.invalidate_all()
        after = stored()
        for model, rows in before.items():
            self.assertEqual(after[model], rows, f"Odoo recomputes other values for {model}")

    def test_partners_total_receivable_is_their_open_residual(self):
        for partner in self.partners.with_company(self.company):
            invoices = self.invoices.filtered(lambda move, p=partner: move.partner_id == p)
            self.assertAlmostEqual(partner.credit, sum(invoices.mapped("amount_residual")), places=2)

    def test_names_are_unique_and_numbered_in_date_order(self):
        moves = self.invoices | self.refunds | self.payments.move_id
        self.assertEqual(len(set(moves.mapped("name"))), len(moves))
        chains = defaultdict(list)
        for move in moves:
            chains[move.journal_id, move.sequence_prefix].append(move)
        for chain in chains.values():
            chain.sort(key=lambda move: move.sequence_number)
            numbers = [move.sequence_number for move in chain]
            self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))))
            dates = [move.date for move in chain]
            self.assertEqual(dates, sorted(dates))
            self.assertFalse(any(move.made_sequence_gap for move in chain[1:]))

    # ------------------------------------------------------------------ behaviours
    def test_behaviours_show_up_in_the_receivables(self):
        for partner_id, profile in self.profiles.items():
            invoices = self.invoices.filtered(lambda move, p=partner_id: move.partner_id.id == p)
            overdue = invoices.filtered(lambda move: move.amount_residual and move.invoice_date_due < self.today)
            if profile == "struggling":
                self.assertTrue(overdue, "a struggling customer owes overdue invoices")
            if profile == "new":
                self.assertGreaterEqual(min(invoices.mapped("invoice_date")), self.today - timedelta(days=90))
        prompt = self._invoices_of("prompt").filtered(lambda move: move.payment_state == "paid")
        on_time = prompt.filtered(lambda move: max(
            self._term_line(move).matched_credit_ids.mapped("max_date")) <= move.invoice_date_due + timedelta(days=4))
        self.assertGreater(len(on_time), 0.9 * len(prompt))
        struggling = self._invoices_of("struggling")
        self.assertTrue(struggling.filtered(lambda move: len(self._term_line(move).matched_credit_ids) > 1),
                        "struggling customers pay in instalments")

    # ------------------------------------------------------------------ Odoo flows go on
    def test_a_new_invoice_and_payment_continue_normally(self):
        partner = self.partners[0].with_company(self.company)
        credit = partner.credit
        last = max(self.invoices.filtered(lambda move: move.date.year == self.today.year).mapped("sequence_number"))
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": self.today,
            "invoice_line_ids": [Command.create({"name": "Extra work", "price_unit": 1234.5, "tax_ids": []})],
        })
        invoice.action_post()
        self.assertEqual(invoice.sequence_prefix, self.invoices[-1].sequence_prefix[:-5] + f"{self.today.year}/")
        self.assertEqual(invoice.sequence_number, last + 1)
        self.assertFalse(invoice.made_sequence_gap)
        partner.invalidate_recordset(["credit"])
        self.assertAlmostEqual(partner.credit, credit + 1234.5, places=2)
        payment = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({"payment_date": self.today})._create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(self._term_line(invoice).full_reconcile_id)
        self.assertEqual(payment.move_id.sequence_number,
                         max(self.payments.move_id.filtered(
                             lambda move: move.sequence_prefix == payment.move_id.sequence_prefix,
                         ).mapped("sequence_number")) + 1)
        partner.invalidate_recordset(["credit"])
        self.assertAlmostEqual(partner.credit, credit, places=2)

    def test_an_open_generated_invoice_is_paid_through_the_wizard(self):
        invoice = self.invoices.filtered(lambda move: move.payment_state == "partial")[:1]
        self.assertTrue(invoice)
        line = self._term_line(invoice)
        self.assertTrue(line.matching_number.startswith("P"))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({"payment_date": self.today})._create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(line.reconciled)
        self.assertEqual(line.matching_number, str(line.full_reconcile_id.id))
        earlier = line.matched_credit_ids.credit_move_id.payment_id
        self.assertEqual(set(earlier.mapped("state")), {"paid"})

    def test_generated_documents_match_those_odoo_creates_for_the_same_customer(self):
        """Rebuild one customer's history through Odoo's own flows (invoice, credit note
        wizard, payment wizard) and compare every column of every row."""
        partner_id = max(self.profiles, key=lambda pid: (
            bool(self.refunds.filtered(lambda move: move.partner_id.id == pid)),
            self.profiles[pid] == "struggling"))
        partner = self.env["res.partner"].browse(partner_id)
        ignored = {"id", "create_date", "write_date", "name", "sequence_number", "move_id", "move_name",
                   "full_reconcile_id", "matching_number", "origin_payment_id", "reversed_entry_id",
                   "payment_id", "debit_move_id", "credit_move_id", "ref", "memo", "payment_reference",
                   # a payment entry is "due" the day it is created: here, the payment date
                   "invoice_date_due"}

        def rows(records):
            return self.env.execute_query_dict(SQL(
                "SELECT * FROM %s WHERE id = ANY(%s) ORDER BY id", SQL.identifier(records._table), records.ids))

        def lines(move):
            return sorted(rows(move.line_ids), key=lambda row: (row["display_type"], row["balance"]))

        def compare(generated, twin, what):
            for column, value in generated.items():
                if column not in ignored:
                    self.assertEqual(twin[column], value, f"{what}: {column}")

        invoices = self.invoices.filtered(lambda move: move.partner_id == partner).sorted("invoice_date")
        compared = 0
        for invoice in invoices:
            refund = self.refunds.filtered(lambda move, i=invoice: move.reversed_entry_id == i)
            payments = self.payments.filtered(lambda pay, i=invoice: i in pay.invoice_ids).sorted("date")
            with closing(self.env.cr.savepoint()):
                twin = self.env["account.move"].create({
                    "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": invoice.invoice_date,
                    "invoice_user_id": invoice.invoice_user_id.id,
                    "invoice_line_ids": [Command.create({
                        "product_id": invoice.invoice_line_ids.product_id.id,
                        "price_unit": invoice.amount_total, "tax_ids": []})],
                })
                twin.action_post()
                twin_refund = self.env["account.move"]
                if refund:
                    reversal = self.env["account.move.reversal"].with_context(
                        active_model="account.move", active_ids=twin.ids,
                    ).create({"reason": refund.ref.split(", ", 1)[1], "date": refund.date,
                              "journal_id": twin.journal_id.id})
                    twin_refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
                    twin_refund.invoice_line_ids.price_unit = refund.amount_total
                    twin_refund.action_post()
                    (twin + twin_refund).line_ids.filtered(
                        lambda line: line.display_type == "payment_term" and not line.reconciled).reconcile()
                twin_payments = self.env["account.payment"]
                for payment in payments:
                    twin_payments |= self.env["account.payment.register"].with_context(
                        active_model="account.move", active_ids=twin.ids,
                    ).create({"payment_date": payment.date, "amount": payment.amount,
                              "journal_id": payment.journal_id.id})._create_payments()
                self.env.flush_all()
                pairs = [(invoice, twin)] + [(refund, twin_refund)] * bool(refund) + list(
                    zip(payments.move_id, twin_payments.move_id, strict=True))
                for generated, made in pairs:
                    compare(rows(generated)[0], rows(made)[0], generated.name)
                    for generated_line, made_line in zip(lines(generated), lines(made), strict=True):
                        compare(generated_line, made_line, f"{generated.name} line")
                for generated, made in zip(payments, twin_payments, strict=True):
                    compare(rows(generated)[0], rows(made)[0], generated.name)
                for generated, made in zip(rows(self._term_line(invoice).matched_credit_ids),
                                           rows(self._term_line(twin).matched_credit_ids), strict=True):
                    compare(generated, made, f"{invoice.name} reconciliation")
                compared += 1
        self.assertGreater(compared, 5)

    # ------------------------------------------------------------------ demo and errors
    def test_demo_orders_are_quotations_and_orders_to_invoice(self):
        # as the demo data loads it: as the superuser
        orders = self.env["credit.data.generator"].sudo()._generate_demo_orders(self.company, self.profiles)
        quotations = orders.filtered(lambda order: order.state == "draft")
        confirmed = orders.filtered(lambda order: order.state == "sale")
        self.assertTrue(quotations and confirmed)
        self.assertIn("struggling", {self.profiles[partner.id] for partner in quotations.partner_id})
        self.assertEqual(set(confirmed.mapped("invoice_status")), {"to invoice"})
        self.assertEqual(orders.user_id, self.salesperson)

    def test_a_company_without_chart_of_accounts_is_refused(self):
        company = self.env["res.company"].create({"name": "No Accounting Yet"})
        with self.assertRaisesRegex(UserError, "No Accounting Yet"):
            self.env["credit.data.generator"]._generate(customers=2, company=company, today=self.today)

    def test_bulk_mode_loads_the_same_documents_and_restores_indexes_and_keys(self):
        def schema():
            return self.env.execute_query(SQL(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid),
                       obj_description(oid, 'pg_constraint')
                  FROM pg_constraint
                 WHERE conrelid = ANY(%(tables)s::regclass[])
                 UNION ALL
                -- a partial index's condition may read differently once re-created: compare the rest
                SELECT indrelid::regclass::text, indexrelid::regclass::text,
                       concat_ws(' ', indisunique, indkey::text, indexprs IS NOT NULL, indpred IS NOT NULL),
                       obj_description(indexrelid, 'pg_class')
                  FROM pg_index WHERE indrelid = ANY(%(tables)s::regclass[])
                 ORDER BY 1, 2, 3
                """, tables=["account_move", "account_move_line", "account_payment", "account_partial_reconcile"]))

        def documents(result):
            moves = self.env["account.move"].search([("partner_id", "in", list(result["partner_profiles"]))])
            return sorted((move.partner_id.ref, move.move_type, move.date, move.amount_total, move.amount_residual,
                           move.payment_state) for move in moves)

        before = schema()
        Generator = self.env["credit.data.generator"]
        Generator._mark_generated_database()  # as tools/generate_data.py --create does
        by_row = Generator._generate(customers=3, seed=5, company=self.company, today=self.today, bulk=False)
        in_bulk = Generator._generate(customers=3, seed=5, company=self.company, today=self.today, bulk=True)
        self.assertEqual(schema(), before)
        self.assertEqual(documents(in_bulk), documents(by_row))
        self.assertEqual({k: v for k, v in in_bulk.items() if k != "partner_profiles"},
                         {k: v for k, v in by_row.items() if k != "partner_profiles"})

    def test_generating_again_continues_the_numbering(self):
        again = self.env["credit.data.generator"]._generate(
            customers=3, seed=99, company=self.company, today=self.today)
        moves = self.env["account.move"].search([("partner_id", "in", list(again["partner_profiles"]))])
        self.assertEqual(len(moves), again["moves"])
        self.assertFalse(set(moves.mapped("name")) & set(self.invoices.mapped("name")))
