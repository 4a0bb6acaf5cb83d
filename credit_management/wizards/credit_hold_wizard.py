from odoo import api, fields, models


class CreditHoldWizard(models.TransientModel):
    """Put a customer or a quotation on credit hold, or lift the hold, with a reason."""

    _name = "credit.hold.wizard"
    _description = "Set or Lift a Credit Hold"

    mode = fields.Selection([("set", "Put on Hold"), ("lift", "Lift Hold")], required=True, default="set")
    partner_id = fields.Many2one("res.partner", string="Customer")
    sale_order_id = fields.Many2one("sale.order", string="Order")
    reason = fields.Text(required=True)
    forced = fields.Boolean(
        string="Only a Credit Manager Can Lift It",
        help="A forced hold is lifted, and its orders released, by a credit manager only.",
    )
    is_manager = fields.Boolean(compute="_compute_is_manager")
    current_reason = fields.Text(string="Current Hold", compute="_compute_current_reason")

    @api.model
    def _credit_dialog(self, title, mode, record):
        """The action opening this dialog to set (``mode`` ``set``) or lift a hold on
        ``record``, a customer or an order (the caller checks the user's rights)."""
        field = "default_sale_order_id" if record._name == "sale.order" else "default_partner_id"
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {field: record.id, "default_mode": mode},
        }

    def _compute_is_manager(self):
        self.is_manager = self.env.user.has_group("credit_management.group_credit_manager")

    @api.depends("partner_id", "sale_order_id")
    def _compute_current_reason(self):
        for wizard in self:
            if wizard.sale_order_id:
                wizard.current_reason = wizard.sale_order_id.sudo().credit_order_hold_reason
            else:
                wizard.current_reason = wizard.partner_id.sudo().credit_hold_reason

    def action_apply(self):
        self.ensure_one()
        if self.sale_order_id:
            if self.mode == "set":
                self.sale_order_id._credit_set_order_hold(self.reason)
            else:
                self.sale_order_id._credit_lift_order_hold(self.reason)
        elif self.mode == "set":
            self.partner_id._credit_set_hold(self.reason, forced=self.forced)
        else:
            self.partner_id._credit_lift_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
