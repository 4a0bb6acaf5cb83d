from odoo import api, models

PRECOMMIT_KEY = "credit_management.paid_partner_ids"


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # The settlements of an invoice line as the risk review reads them (payment history of
    # a batch of customers, ``res.partner._credit_history_sql``): an index-only scan per
    # invoice line instead of a probe of the partial's row.
    _credit_settlement_idx = models.Index("(debit_move_id) INCLUDE (credit_move_id, amount, max_date)")

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
