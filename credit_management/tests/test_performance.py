from lxml import etree

from odoo import fields
from odoo.fields import Command
from odoo.tools import SQL

# What the credit check of one confirmation reads and writes (issue 15's budget): the
# company's rules, its currency, the customer's credit fields, its risk tier, its standing
# (one statement) and the order's checked amount.
CHECK_QUERIES = 6
# The same for an order held: the check, the explanation in the user's language and the
# company's currency, the approval or online payment that could let it through, the hold
# written and told in the order's chatter.
HOLD_QUERIES = 18
# Credit > Customers, a page of 80 sorted by available credit, as the web client reads it
# (caches emptied): the sort, the page's fields, the exposure of its customers, the records
# the page shows (tiers, salespeople, segments...) and the count.
LIST_QUERIES = 12


# The tests of TestCreditBasics (in test_exposure.py), on the CreditCommon setup.
class PerformanceTests:
    """The credit check of a confirmation and the customer list cost a fixed number of
    SQL queries, whatever the number of open invoices of the customer: a customer with
    10 open invoices and one with 1,000 (half of them 60 days overdue) cost the same."""

    @classmethod
    def _setup_performance(cls):
        cls.few_invoices = cls._busy_customer("Ten Invoices Ltd", 10)
        cls.many_invoices = cls._busy_customer("Thousand Invoices Ltd", 1000)
        # As autovacuum would after a bulk load: without statistics on the new rows,
        # PostgreSQL plans Odoo's own queries on the entries (e.g. the payment state of
        # each invoice posted by the other tests) for nearly empty tables, seconds each.
        cls.env.flush_all()
        cls.env.cr.execute("ANALYZE account_move, account_move_line")

    @classmethod
    def _busy_customer(cls, name, count, amount=100.0):
        """A customer of the High tier (held over its limit) with a credit limit of
        1,000,000 and ``count`` posted entries of ``amount`` on its receivable account,
        created in one batch: half of them due 60 days ago, half due in 30 days."""
        customer = cls.env["res.partner"].create({
            "name": name, "is_company": True, "customer_rank": 1, "user_id": cls.salesman.id,
        })
        customer.with_company(cls.company).credit_limit = 1_000_000
        customer.sudo().credit_risk_tier_id = cls.env.ref("credit_management.credit_risk_tier_high")  # over the limit
        today = fields.Date.context_today(customer)
        journal = cls.company_data["default_journal_misc"]
        revenue = cls.company_data["default_account_revenue"]
        moves = cls.env["account.move"].with_context(tracking_disable=True).create([{
            "move_type": "entry",
            "journal_id": journal.id,
            "date": fields.Date.subtract(due, days=30),
            "line_ids": [
                Command.create({"account_id": cls.receivable_account.id, "partner_id": customer.id,
                                "debit": amount, "date_maturity": due}),
                Command.create({"account_id": revenue.id, "partner_id": customer.id, "credit": amount}),
            ],
        } for due in [fields.Date.subtract(today, days=60) if index % 2 else fields.Date.add(today, days=30)
                      for index in range(count)]])
        moves.action_post()
        return customer

    # ------------------------------------------------------------------ helpers
    def _check_queries(self, order):
        """``(queries, held)``: the SQL queries of the credit check of ``order``'s
        confirmation, counted as the benchmark counts them: caches emptied, the order
        read as ``action_confirm`` reads it before its check, the check's writes flushed."""
        self.env.flush_all()
        self.env.invalidate_all()
        order._confirmation_error_message()
        before = self.env.cr.sql_log_count
        held = order._credit_hold_at_confirmation()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, held

    def _quotation(self, customer, amount=100.0):
        return self._order(customer, amount, confirm=False).with_user(self.salesman).with_context(credit_dialog=True)

    def _hold_overdue_after(self, days):
        self.company.write({"credit_hold_over_limit": True, "credit_hold_overdue_days": days})

    def _list_queries(self, customers):
        """``(queries, page)``: Credit > Customers as the web client reads it for a credit
        manager, the fields of its list view for a page of 80 of ``customers`` sorted by
        available credit, and the SQL queries it costs (caches emptied)."""
        Partner = self.env["res.partner"].with_user(self.manager).with_context(allowed_company_ids=self.company.ids)
        view = self.env.ref("credit_management.res_partner_view_list_credit")
        arch = Partner.get_views([(view.id, "list")])["views"]["list"]["arch"]
        spec = {}
        for node in etree.fromstring(arch).iterchildren("field"):
            many2one = Partner._fields[node.get("name")].type == "many2one"
            spec[node.get("name")] = {"fields": {"display_name": {}}} if many2one else {}
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        page = Partner.web_search_read(
            [("id", "in", customers.ids)], spec, limit=80, order="credit_available ASC", count_limit=10001)
        return self.env.cr.sql_log_count - before, page

    # ------------------------------------------------------------------ the order check
    def test_passing_check_costs_the_same_few_queries_at_10_and_1000_open_invoices(self):
        self._hold_overdue_after(90)  # the overdue invoices are 60 days late: the orders pass
        self._check_queries(self._quotation(self.customer))  # warm caches that do not depend on the data
        few, held_few = self._check_queries(self._quotation(self.few_invoices))
        many, held_many = self._check_queries(self._quotation(self.many_invoices))
        self.assertFalse(held_few or held_many)
        self.assertEqual(many, few, "The check reads the same queries whatever the invoices")
        self.assertLessEqual(few, CHECK_QUERIES)

    def test_held_check_costs_the_same_queries_at_10_and_1000_open_invoices(self):
        self._hold_overdue_after(30)
        self._check_queries(self._quotation(self.few_invoices))  # warm the caches of a hold too
        few_order, many_order = self._quotation(self.few_invoices), self._quotation(self.many_invoices)
        few, held_few = self._check_queries(few_order)
        many, held_many = self._check_queries(many_order)
        self.assertEqual((held_few, held_many), (few_order, many_order))
        self.assertIn("500 invoices are more than 30 days overdue", many_order.credit_hold_reasons)
        self.assertIn("and 495 more", many_order.credit_hold_reasons, "Five are named")
        self.assertEqual(many, few, "Holding reads and writes the same queries whatever the invoices")
        self.assertLessEqual(few, HOLD_QUERIES)

    # ------------------------------------------------------------------ the customer list
    def test_customer_list_costs_the_same_queries_at_10_and_1000_open_invoices(self):
        others = self.env["res.partner"].create([
            {"name": f"Customer {index:02d}", "is_company": True, "customer_rank": 1} for index in range(79)])
        for index, partner in enumerate(others[:20]):
            partner.with_company(self.company).credit_limit = 1000 * (index + 1)
        self._invoice(others[0], 1500)  # over its limit of 1,000: first of the page
        self._list_queries(others | self.customer)
        few, page_few = self._list_queries(others | self.few_invoices)
        many, page_many = self._list_queries(others | self.many_invoices)
        self.assertEqual(many, few, "The page reads the same queries whatever the invoices")
        self.assertLessEqual(few, LIST_QUERIES)
        rows = {row["id"]: row for row in page_many["records"]}
        self.assertEqual(len(rows), 80)
        self.assertEqual(page_many["records"][0]["id"], others[0].id)
        self.assertEqual(rows[others[0].id]["credit_available"], -500)
        self.assertEqual(rows[self.many_invoices.id]["credit_exposure"], 100_000)
        self.assertEqual(rows[self.many_invoices.id]["credit_available"], 900_000)
        self.assertEqual(page_many["records"][-1]["id"], self.many_invoices.id, "The most credit left comes last")
        available = [row["credit_available"] for row in page_many["records"]]
        self.assertEqual(available, sorted(available))
        self.assertEqual([row["id"] for row in page_few["records"]][-1], self.few_invoices.id)

    def test_sort_on_available_credit_counts_a_default_limit(self):
        """The sort sums the exposure of the customers with a limit only: a limit that
        comes from a company default (no value on the customer) counts too."""
        defaulted, unlimited = self.env["res.partner"].create([
            {"name": "Default Limit Ltd", "is_company": True}, {"name": "Own Limit Ltd", "is_company": True}])
        self.env.flush_all()
        self.env["ir.default"].set("res.partner", "credit_limit", 500.0, company_id=self.company.id)
        unlimited.with_company(self.company).credit_limit = 0  # its own: no limit
        own_value = self.env.execute_query(SQL("SELECT credit_limit FROM res_partner WHERE id = %s", defaulted.id))
        self.assertEqual(own_value, [(None,)], "No value of its own: the company default applies")
        self._invoice(defaulted, 800)
        self._invoice(unlimited, 800)
        Partner = self.env["res.partner"].with_company(self.company)
        customers = defaulted | unlimited | self.few_invoices
        self.assertEqual(Partner.browse(defaulted.id).credit_available, -300)
        self.assertEqual(Partner.search([("id", "in", customers.ids), ("credit_available", "<", 0)]), defaulted)
        self.assertEqual(Partner.search([("id", "in", customers.ids)], order="credit_available").ids,
                         [defaulted.id, unlimited.id, self.few_invoices.id])

    # ------------------------------------------------------------------ one definition, its index
    def test_lean_receivables_are_the_full_ones_without_their_invoice(self):
        Receivable = self.env["credit.receivable"]
        today = fields.Date.context_today(Receivable)
        columns = SQL("id, move_id, partner_id, company_id, date, date_due, amount, residual, days_overdue")
        for customer in (self.few_invoices, self.debtor):
            with self.subTest(customer=customer.name):
                lean, full = (self.env.execute_query(SQL(
                    "SELECT %s FROM (%s) r ORDER BY id", columns,
                    Receivable._lines_sql(self.company, today, customer.ids, lean=lean)))
                    for lean in (True, False))
                self.assertTrue(lean)
                self.assertEqual(lean, full)
                exposure = self.env["res.partner"]._credit_exposure_by_partner(self.company, customer)
                self.assertEqual(exposure[customer.id]["receivable"], sum(row[7] for row in full))

    # ------------------------------------------------------------------ rules the rewrite must keep
    def test_overdue_rule_counts_instalments_due_more_than_the_allowed_days_ago(self):
        today = fields.Date.context_today(self.customer)
        customer = self.env["res.partner"].create({"name": "On the Edge", "is_company": True})
        for days in (30, 31):
            self._invoice(customer, 10.0 * days, date=fields.Date.subtract(today, days=days + 30), due_days=30)
        self._hold_overdue_after(30)
        order = self._order(customer, 10.0, confirm=False)
        check = order._credit_evaluate()[order]
        self.assertEqual([reason.code for reason in check.reasons], ["overdue"])
        self.assertEqual((check.standing.overdue_count, check.standing.overdue_amount), (1, 310.0),
                         "31 days late counts, 30 days late does not")
        self.assertEqual(check.reasons[0].measured, 31)

    def test_orders_in_a_foreign_currency_are_converted_at_odoos_rate_of_today(self):
        today = fields.Date.context_today(self.customer)
        currency = self.setup_other_currency("EUR", rates=[
            ("2000-01-01", 2.0), (fields.Date.subtract(today, days=1), 4.0), (fields.Date.add(today, days=1), 8.0)])
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": currency.id})
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "pricelist_id": pricelist.id,
            "order_line": [Command.create({"product_id": self.product.id, "price_unit": 600, "tax_ids": []})],
        })
        order.action_confirm()
        expected = currency._convert(600, self.currency, self.company, today)
        self.assertEqual(expected, 150.0)
        exposure = self.env["res.partner"]._credit_exposure_by_partner(self.company, self.customer)
        self.assertEqual(exposure[self.customer.id]["orders"], expected)
