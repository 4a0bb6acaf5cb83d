from datetime import timedelta

from odoo import fields
from odoo.fields import Command

from .common import CreditCommon


class CreditRiskCommon(CreditCommon):
    """Customers with payment histories built from real invoices and the bank entries that
    settle them, dated relative to today, and the default risk tiers. The customer paid three invoices on
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
                cls._settle(invoice, paid, date=invoice.invoice_date_due + timedelta(days=days_after_due))
            moves |= invoice
        return moves

    @classmethod
    def _settle(cls, invoice, amount=None, date=None):
        """Receive ``amount`` (default: the residual) for ``invoice`` on ``date`` (default:
        today): a bank entry whose receivable line is reconciled with the invoice's. That is
        what a registered payment leaves in the books and all a review reads, without the
        payment wizard's cost (histories need dozens of payments)."""
        amount = invoice.amount_residual if amount is None else amount
        receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        partner = invoice.commercial_partner_id
        entry = cls.env["account.move"].create({
            "move_type": "entry", "journal_id": cls.bank_journal.id, "date": date or cls.today,
            "partner_id": partner.id,
            "line_ids": [
                Command.create({"name": invoice.name, "account_id": cls.bank_journal.default_account_id.id,
                                "partner_id": partner.id, "debit": amount}),
                Command.create({"name": invoice.name, "account_id": receivable.account_id.id,
                                "partner_id": partner.id, "credit": amount}),
            ],
        })
        entry.action_post()
        (entry.line_ids.filtered(lambda line: line.account_id == receivable.account_id) | receivable).reconcile()
        return entry

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
