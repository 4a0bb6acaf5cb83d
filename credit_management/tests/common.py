from odoo import fields
from odoo.fields import Command
from odoo.tests import new_test_user

from odoo.addons.sale.tests.common import TestSaleCommon


class CreditCommon(TestSaleCommon):
    """Base of the credit tests: a company with a chart of accounts, the people who use
    the addon (two salespeople, a credit controller, a credit manager), a customer and
    helpers that make invoices, payments and orders with round, tax-free amounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.product = cls.company_data["product_order_no"]
        cls.product.write({"list_price": 100.0, "taxes_id": [Command.clear()]})
        cls.receivable_account = cls.company_data["default_account_receivable"]
        cls.bank_journal = cls.company_data["default_journal_bank"]

        def user(login, groups, name):
            return new_test_user(
                cls.env, login=login, name=name, groups=groups,
                company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
            )

        cls.salesman = user("credit_salesman", "sales_team.group_sale_salesman", "Sally Sales")
        cls.salesman_2 = user("credit_salesman_2", "sales_team.group_sale_salesman", "Sam Sales")
        cls.controller = user("credit_controller", "credit_management.group_credit_user", "Carla Control")
        cls.manager = user("credit_manager", "credit_management.group_credit_manager", "Max Manager")
        cls.customer = cls.env["res.partner"].create({
            "name": "Acme Customer", "is_company": True, "customer_rank": 1, "user_id": cls.salesman.id,
        })

    # ------------------------------------------------------------------ documents
    @classmethod
    def _invoice(cls, partner, amount, date=None, due_days=30, post=True, move_type="out_invoice"):
        """A customer invoice (or credit note) of one tax-free line of ``amount``."""
        date = fields.Date.to_date(date) if date else fields.Date.today()
        move = cls.env["account.move"].create({
            "move_type": move_type,
            "partner_id": partner.id,
            "company_id": cls.company.id,
            "invoice_date": date,
            "date": date,
            "invoice_date_due": fields.Date.add(date, days=due_days),
            "invoice_line_ids": [Command.create({
                "name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()],
            })],
        })
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount=None, date=None):
        """Register a payment of ``amount`` (default: the residual) on ``invoice``."""
        wizard = cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({
            "amount": amount if amount is not None else invoice.amount_residual,
            "payment_date": date or fields.Date.today(),
            "journal_id": cls.bank_journal.id,
            "payment_difference_handling": "open",
        })
        return wizard._create_payments()

    @classmethod
    def _order(cls, partner, amount, confirm=True, salesperson=None, quantity=1.0):
        """A sales order of ``quantity`` units at ``amount`` each, tax free."""
        order = cls.env["sale.order"].create({
            "partner_id": partner.id,
            "company_id": cls.company.id,
            "user_id": (salesperson or cls.salesman).id,
            "order_line": [Command.create({
                "product_id": cls.product.id, "product_uom_qty": quantity, "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        })
        if confirm:
            order.action_confirm()
        return order

    # ------------------------------------------------------------------ queries
    def _query_count(self, func, *args, cold=True):
        """The number of SQL queries ``func(*args)`` runs: pending writes are flushed
        before it, its own after it; ``cold`` empties the record caches first so that what
        it reads is counted."""
        self.env.flush_all()
        if cold:
            self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func(*args)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def assertQueryCountStable(self, func, few, many, slack=0):
        """Assert that ``func(many)`` runs no more queries than ``func(few)`` (plus
        ``slack``): the work is set-based, its cost does not grow with the records or the
        documents behind them. A first call warms the caches that do not depend on the
        data (access rules, groups)."""
        func(few)
        small, large = self._query_count(func, few), self._query_count(func, many)
        self.assertLessEqual(large, small + slack, f"{small} queries for {few}, {large} for {many}")
