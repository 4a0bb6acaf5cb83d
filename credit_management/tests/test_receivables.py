from odoo import fields
from odoo.fields import Command


# The tests of TestCreditBasics (in test_exposure.py), on the CreditCommon setup.
class ReceivablesTests:
    """Every credit rule reads one definition of a customer's receivables: an instalment
    invoice is overdue, chased, aged, listed and scored by instalment, and the customer's
    hold flag and the order check apply the same hold rules."""

    @classmethod
    def _setup_receivables(cls):
        """A customer of its own, in a segment of its own (reminders 10 and 30 days after
        the due date), with an invoice on 60 % in 30 days and 40 % in 90 days dated 70
        days ago: its first instalment is 40 days late, the second is due in 20 days."""
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.debtor = cls.env["res.partner"].create({
            "name": "Instalment Debtor", "is_company": True, "customer_rank": 1, "email": "debtor@example.com",
        })
        template = cls.env.ref("credit_management.mail_template_followup_friendly")
        cls.instalment_segment = cls.env["credit.segment"].sudo().create({
            "name": "Instalments", "sequence": 0, "company_id": cls.company.id,
            "partner_domain": f"[('id', '=', {cls.debtor.id})]",
            "followup_level_ids": [
                Command.create({"name": "Reminder", "delay_days": 10, "channel": "email",
                                "mail_template_id": template.id}),
                Command.create({"name": "Firm reminder", "delay_days": 30, "channel": "email",
                                "mail_template_id": template.id}),
            ],
        })
        cls.debtor.sudo().write({"credit_segment_id": cls.instalment_segment.id})
        terms = cls.env["account.payment.term"].create({
            "name": "60 % in 30 days, 40 % in 90 days",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 60.0, "nb_days": 30}),
                Command.create({"value": "percent", "value_amount": 40.0, "nb_days": 90}),
            ],
        })
        date = fields.Date.subtract(cls.today, days=70)
        cls.instalment_invoice = cls.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": cls.debtor.id,
            "company_id": cls.company.id,
            "invoice_date": date,
            "date": date,
            "invoice_payment_term_id": terms.id,
            "invoice_line_ids": [Command.create({
                "name": "Goods", "quantity": 1, "price_unit": 1000.0, "tax_ids": [Command.clear()],
            })],
        })
        cls.instalment_invoice.action_post()
        cls.first, cls.second = cls.instalment_invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable").sorted("date_maturity")

    def _hold_when_overdue_30_days(self):
        self.company.sudo().write({
            "credit_followup_quiet_days": 0, "credit_followup_min_amount": 0.0,
            "credit_hold_overdue_days": 30, "credit_hold_tier_policy": True,
        })

    def _instalment_run(self):
        run = self.env["credit.followup.run"].with_user(self.controller).create({
            "date": self.today, "company_id": self.company.id,
            "segment_ids": [Command.set(self.instalment_segment.ids)],
        })
        run.action_compute()
        return run

    def test_instalments_have_their_own_due_dates(self):
        self.assertEqual((self.first.amount_residual, (self.today - self.first.date_maturity).days), (600.0, 40))
        self.assertEqual((self.second.amount_residual, (self.second.date_maturity - self.today).days), (400.0, 20))
        # What Odoo reports for the whole invoice: due at its last instalment, not overdue.
        self.assertGreater(self.instalment_invoice.invoice_date_due, self.today)

    def test_hold_rule_counts_the_late_instalment(self):
        self._hold_when_overdue_30_days()
        order = self._order(self.debtor, 100.0, confirm=False)
        order.with_context(credit_dialog=True).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_check_state, "hold")
        self.assertIn(f"{self.instalment_invoice.name} is 40 days overdue", order.credit_hold_reasons)
        self.assertIn("600.00", order.credit_hold_reasons)

    def test_followup_chases_the_late_instalment_only(self):
        self._hold_when_overdue_30_days()
        run = self._instalment_run()
        self.assertEqual(len(run.line_ids), 1)
        line = run.line_ids
        self.assertEqual(line.move_ids, self.instalment_invoice)
        self.assertEqual(line.level_id.name, "Firm reminder")
        self.assertEqual(line.amount_due, 600.0)
        # The reminder lists the invoice's instalments, the late one marked overdue.
        self.assertIn("40 days overdue", line.invoices_html)

    def test_ageing_report_ages_each_instalment(self):
        rows = self.env["credit.ageing.report"].with_user(self.controller).search(
            [("move_id", "=", self.instalment_invoice.id)])
        self.assertEqual(
            sorted((row.bucket, row.days_overdue, row.amount_residual) for row in rows),
            [("31_60", 40, 600.0), ("not_due", -20, 400.0)])

    def test_statement_marks_the_late_instalment_overdue(self):
        statement = self.debtor._credit_statement_data(self.company)
        self.assertEqual(statement["invoices"], self.first | self.second)
        self.assertEqual(statement["overdue"], {self.first.id: 40})
        self.assertEqual(statement["overdue_amount"], 600.0)
        self.assertEqual(statement["total"], 1000.0)

    def test_score_overdue_now_is_the_late_instalment(self):
        window = self.company._credit_history_window(self.today)
        history = self.env["res.partner"]._credit_payment_histories(self.company, self.debtor.ids, window)[
            self.debtor.id]
        self.assertEqual(history.oldest_overdue_days, 40)
        self.assertEqual(history.overdue_amount, 600.0)
        self.assertEqual(history.open_amount, 1000.0)

    def test_promise_leaves_the_instalment_alone_everywhere(self):
        self._hold_when_overdue_30_days()
        self.instalment_invoice.credit_promise_date = fields.Date.add(self.today, days=5)
        order = self._order(self.debtor, 100.0, confirm=False)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self._instalment_run().line_ids)
        statement = self.debtor._credit_statement_data(self.company)
        self.assertEqual(statement["overdue"], {})
        self.assertEqual(statement["excluded"], {self.first.id: "promised", self.second.id: "promised"})
        rows = self.env["credit.ageing.report"].with_user(self.controller).search(
            [("move_id", "=", self.instalment_invoice.id)])
        self.assertEqual(set(rows.mapped("exclusion")), {"promised"})

    def test_on_hold_flag_and_order_check_follow_the_tier_policy_setting(self):
        always = self.env["credit.risk.tier"].sudo().create({
            "name": "Watch", "sequence": 0, "max_score": 0.0, "hold_policy": "always", "active": False,
        })
        customer = self.env["res.partner"].create({"name": "Watched Ltd", "is_company": True})
        customer.sudo().with_context(credit_review=True).write({"credit_risk_tier_id": always.id})
        Partner = self.env["res.partner"]
        for tier_policy in (True, False):
            with self.subTest(tier_policy=tier_policy):
                self.company.sudo().credit_hold_tier_policy = tier_policy
                customer.invalidate_recordset(["credit_on_hold"])
                self.assertEqual(customer.credit_on_hold, tier_policy)
                self.assertEqual(
                    bool(Partner.search([("id", "=", customer.id), ("credit_on_hold", "=", True)])), tier_policy)
                order = self._order(customer, 10.0, confirm=False)
                order.action_confirm()
                self.assertEqual(order.state, "draft" if tier_policy else "sale")
                self.assertEqual(order.credit_check_state, "hold" if tier_policy else "ok")
