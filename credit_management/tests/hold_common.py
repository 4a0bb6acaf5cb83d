import html

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.fields import Command

from .common import CreditCommon


class CreditHoldCommon(CreditCommon):
    """Credit holds at confirmation: a customer with a limit of 1,000 followed by the
    credit controller, the default risk tiers, a second company with its own chart of
    accounts, and helpers to hold and confirm orders the way people do (the Confirm button
    passes ``credit_dialog``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tier_high = cls.env.ref("credit_management.credit_risk_tier_high")  # holds over the limit
        cls.tier_critical = cls.env.ref("credit_management.credit_risk_tier_critical")  # holds every order
        cls.tier_low = cls.env.ref("credit_management.credit_risk_tier_low")  # never holds
        cls.customer.with_company(cls.company).credit_limit = 1000
        cls.customer.sudo().credit_controller_id = cls.controller
        cls.other_company = cls.setup_other_company(name="Other Co")["company"]

    @classmethod
    def _set_tier(cls, partner, tier):
        partner.sudo().credit_risk_tier_id = tier

    @classmethod
    def _overdue_invoice(cls, partner, amount, days_overdue, **kwargs):
        """A posted invoice due ``days_overdue`` days ago (30-day terms)."""
        date = fields.Date.today() - relativedelta(days=days_overdue + 30)
        return cls._invoice(partner, amount, date=date, due_days=30, **kwargs)

    def _near_the_limit(self):
        """Switch the over-limit rule on and invoice the customer 900 of its 1,000 limit:
        an order over 100 is held. Returns the invoice."""
        self.company.credit_hold_over_limit = True
        return self._invoice(self.customer, 900)

    @staticmethod
    def _click_confirm(order, user=None):
        """What the Confirm button does: returns the action the user gets."""
        if user:
            order = order.with_user(user)
        return order.with_context(credit_dialog=True).action_confirm()

    def _request(self, order, user=None, note="The customer pays on Friday."):
        order = order.with_user(user or self.salesman)
        order.with_context(credit_request_note=note).action_request_credit_release()
        return order.sudo().credit_release_request_ids.filtered(lambda r: r.state == "pending")

    def _approve(self, request, note="Good customer, approved."):
        request = request.with_user(self.manager)
        request.decision_note = note
        request.action_approve()

    def _add_line(self, order, amount, user=None):
        order = order.with_user(user) if user else order
        order.write({"order_line": [Command.create({
            "product_id": self.product.id, "product_uom_qty": 1, "price_unit": amount, "tax_ids": [Command.clear()],
        })]})

    def _activities(self, record, xmlid):
        activity_type = self.env.ref(xmlid)
        return record.sudo().activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def _notes(self, record):
        return record.sudo().message_ids.filtered(lambda m: m.message_type in ("comment", "notification"))

    @staticmethod
    def _reasons(order):
        """The hold reasons of ``order`` as the text a user reads."""
        return html.unescape(str(order.sudo().credit_hold_reasons or ""))
