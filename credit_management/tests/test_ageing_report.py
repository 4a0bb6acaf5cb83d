from dateutil.relativedelta import relativedelta

from odoo import fields


# The tests of TestCreditBasics (in test_exposure.py), on the CreditCommon setup.
class AgeingReportTests:
    """Receivables Ageing shows what each customer owes by how long it has been due."""

    def test_open_amounts_fall_in_their_bucket(self):
        today = fields.Date.today()
        not_due = self._invoice(self.customer, 100, date=today, due_days=10)
        late_20 = self._invoice(self.customer, 200, date=today - relativedelta(days=50), due_days=30)
        late_75 = self._invoice(self.customer, 300, date=today - relativedelta(days=105), due_days=30)
        late_200 = self._invoice(self.customer, 400, date=today - relativedelta(days=230), due_days=30)
        paid = self._invoice(self.customer, 500, date=today - relativedelta(days=100), due_days=30)
        self._pay(paid)
        self._pay(late_200, 150)
        late_75.credit_disputed = True

        report = self.env["credit.ageing.report"].with_user(self.controller)
        rows = report.search([("partner_id", "=", self.customer.id)])
        by_move = {row.move_id: row for row in rows}
        self.assertNotIn(paid, by_move, "Paid invoices are not in the ageing")
        self.assertEqual(by_move[not_due].bucket, "not_due")
        self.assertEqual(by_move[late_20].bucket, "1_30")
        self.assertEqual(by_move[late_20].days_overdue, 20)
        self.assertEqual(by_move[late_75].bucket, "61_90")
        self.assertTrue(by_move[late_75].credit_disputed)
        self.assertEqual(by_move[late_200].bucket, "90_plus")
        self.assertEqual(by_move[late_200].amount_residual, 250, "Partly paid: the rest is due")

        groups = report._read_group(
            [("partner_id", "=", self.customer.id)], ["bucket"], ["amount_residual:sum"])
        self.assertEqual(dict(groups), {"not_due": 100, "1_30": 200, "61_90": 300, "90_plus": 250})

    def test_buckets_come_in_time_order(self):
        """Not due first, 90+ last, in lists, pivots and graphs: not in the alphabetical
        order of the bucket keys, which would put "not due" last."""
        today = fields.Date.today()
        for days_late in (200, 45, 75, 10, -5):
            self._invoice(self.customer, 100, date=today - relativedelta(days=days_late + 30), due_days=30)
        other = self.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        self._invoice(other, 100, date=today - relativedelta(days=45), due_days=30)
        self._invoice(other, 100, date=today, due_days=30)
        in_time_order = ["not_due", "1_30", "31_60", "61_90", "90_plus"]
        report = self.env["credit.ageing.report"].with_user(self.controller)
        domain = [("partner_id", "in", (self.customer | other).ids)]

        groups = report.formatted_read_group(domain, ["bucket"], ["amount_residual:sum"])
        self.assertEqual([group["bucket"] for group in groups], in_time_order)
        groups = report.formatted_read_group(domain, ["bucket"], ["amount_residual:sum"], order="bucket desc")
        self.assertEqual([group["bucket"] for group in groups], in_time_order[::-1])
        rows = report._read_group(domain, ["partner_id", "bucket"], ["__count"])  # a pivot's rows and columns
        self.assertEqual([bucket for partner, bucket, _count in rows if partner == self.customer], in_time_order)
        self.assertEqual([bucket for partner, bucket, _count in rows if partner == other], ["not_due", "1_30"])
        self.assertEqual([key for key, _label in report._fields["bucket"].selection], in_time_order)

    def test_other_company_receivables_are_not_shown(self):
        self.env["account.move"].with_company(self.other_company).create({
            "move_type": "out_invoice", "partner_id": self.customer.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [fields.Command.create({"name": "x", "price_unit": 70, "tax_ids": []})],
        }).action_post()
        self._invoice(self.customer, 100)
        rows = self.env["credit.ageing.report"].with_user(self.controller).search(
            [("partner_id", "=", self.customer.id)])
        self.assertEqual(rows.mapped("amount_residual"), [100])
