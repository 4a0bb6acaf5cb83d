from odoo import api, fields, models
from odoo.fields import Command


class SaleOrder(models.Model):
    """Complaints and shared notes on orders: the smart button count and the customer's
    notes in the order's Credit tab."""

    _inherit = "sale.order"

    credit_complaint_ids = fields.One2many(
        "credit.complaint", "sale_order_id", string="Complaints", groups="base.group_user")
    credit_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_credit_complaint_count", groups="base.group_user")
    credit_customer_note_ids = fields.One2many(
        "credit.shared.note",
        compute="_compute_credit_customer_note_ids",
        readonly=False,
        string="Customer Notes",
        groups="base.group_user",
        help="The customer's shared notes, written on it or on any of its orders, pinned first then "
        "newest. Notes added here are linked to this order.",
    )

    def _compute_credit_complaint_count(self):
        counts = dict(self.env["credit.complaint"]._read_group(
            [("sale_order_id", "in", self._origin.ids)], ["sale_order_id"], ["__count"]))
        for order in self:
            order.credit_complaint_count = counts.get(order._origin, 0)

    @api.depends("partner_id")
    def _compute_credit_customer_note_ids(self):
        commercial = self.partner_id.commercial_partner_id
        notes = self.env["credit.shared.note"].search([("partner_id", "in", commercial.ids)]) if commercial else []
        by_partner = {}
        for note in notes:
            by_partner.setdefault(note.partner_id, []).append(note.id)
        for order in self:
            order.credit_customer_note_ids = [
                Command.set(by_partner.get(order.partner_id.commercial_partner_id, []))]

    @api.model_create_multi
    def create(self, vals_list):
        note_commands = [vals.pop("credit_customer_note_ids", None) for vals in vals_list]
        orders = super().create(vals_list)
        for order, commands in zip(orders, note_commands, strict=True):
            if commands:
                self.env["credit.shared.note"]._apply_list_commands(commands, order.partner_id, order)
        return orders

    def write(self, vals):
        if "credit_customer_note_ids" in vals:
            # Notes are their own records: adding one from an order needs the right to
            # write notes, not to edit the order.
            vals = dict(vals)
            commands = vals.pop("credit_customer_note_ids")
            self.check_access("read")
            for order in self:
                self.env["credit.shared.note"]._apply_list_commands(commands, order.partner_id, order)
            if not vals:
                return True
        return super().write(vals)

    def action_credit_view_complaints(self):
        """The complaints raised on this order."""
        self.ensure_one()
        return self.env["credit.complaint"]._action_for(
            [("sale_order_id", "=", self.id)], {"default_sale_order_id": self.id})
