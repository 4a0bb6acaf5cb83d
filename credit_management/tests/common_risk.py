from datetime import timedelta

from odoo import fields

from .common import CreditCommon


class CreditRiskCommon(CreditCommon):
    """Customers with payment histories built from real invoices and payments, dated
    relative to today, and the default risk tiers. The customer paid three invoices on
    time and was reviewed once: Low tier, a prompt payer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.tier_low = cls.env.ref("credit_management.credit_risk_tier_low")
        cls.tier_medium = cls.env.ref("credit_management.credit_risk_tier_medium")
        cls.tier_high = cls.env.ref("credit_management.credit_risk_tier_high")
        cls.tier_critical = cls.env.ref("credit_management.credit_risk_tier_critical")
        cls._history(cls.customer, [(days, 1000, [(0, None)]) for days in (300, 200, 100)])
        cls.customer.with_user(cls.controller).action_credit_review()

    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create({"name": name, "is_company": True, "customer_rank": 1, **values})

    @classmethod
    def _history(cls, partner, invoices):
        """Post invoices of ``partner`` and their payments: ``invoices`` is a list of
        ``(days ago issued, amount, payments)`` with payments as ``(days after the due
        date, amount or None for the rest)``; each invoice is due 30 days after its date.
        Returns the invoices."""
        moves = cls.env["account.move"]
        for days_ago, amount, payments in invoices:
            invoice = cls._invoice(partner, amount, date=cls.today - timedelta(days=days_ago), due_days=30)
            for days_after_due, paid in payments:
                cls._pay(invoice, paid, date=invoice.invoice_date_due + timedelta(days=days_after_due))
            moves |= invoice
        return moves

    @classmethod
    def _dispute(cls, invoice):
        """The customer disputes ``invoice``: an open complaint on it."""
        return cls.env["credit.complaint"].with_user(cls.controller).create({
            "category_id": cls.env.ref("credit_management.complaint_category_quality").id,
            "move_id": invoice.id,
        })

    @staticmethod
    def _factors(review):
        return {factor["code"]: factor for factor in review.factors}
