from odoo import api, models

PRECOMMIT_KEY = "credit_management.paid_partner_ids"


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        # A payment matched with a customer's invoice may remove the reasons of its held
        # orders: check them again once, when the transaction is about to be committed
        # (the reconciliation is complete then), for every customer paid meanwhile.
        lines = self.env["credit.receivable"]._receivable_lines(partials.debit_move_id | partials.credit_move_id)
        if lines:
            paid = self.env.cr.precommit.data.setdefault(PRECOMMIT_KEY, set())
            if not paid:
                self.env.cr.precommit.add(self._credit_reevaluate_paid_customers)
            paid.update(lines.partner_id.commercial_partner_id.ids)
        return partials

    def _credit_reevaluate_paid_customers(self):
        partner_ids = self.env.cr.precommit.data.pop(PRECOMMIT_KEY, set())
        partners = self.env["res.partner"].browse(partner_ids).exists()
        self.env["sale.order"]._credit_reevaluate_held_orders(partners, self.env._("a payment was received"))
