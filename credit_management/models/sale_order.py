from odoo import api, fields, models
from odoo.fields import Command


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_currency_id = fields.Many2one(related="company_id.currency_id", string="Credit Currency")
    credit_partner_limit = fields.Monetary(
        string="Customer Credit Limit",
        compute="_compute_credit_partner_standing",
        currency_field="credit_currency_id",
        compute_sudo=True,
        help="The customer's credit limit in this order's company (0 = no limit).",
    )
    credit_partner_exposure = fields.Monetary(
        string="Customer Exposure",
        compute="_compute_credit_partner_standing",
        currency_field="credit_currency_id",
        compute_sudo=True,
        help="What the customer owes this order's company now or is committed to, "
        "this order included once it is confirmed.",
    )
    credit_partner_available = fields.Monetary(
        string="Customer Available Credit",
        compute="_compute_credit_partner_standing",
        currency_field="credit_currency_id",
        compute_sudo=True,
        help="Credit limit minus exposure; zero when the customer has no limit.",
    )

    @api.depends("partner_id", "company_id", "state", "amount_total")
    def _compute_credit_partner_standing(self):
        Partner = self.env["res.partner"]
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id
            exposure = Partner._credit_exposure_by_partner(company, partners)
            limits = partners._credit_limits(company)
            for order in orders:
                commercial_id = order.partner_id.commercial_partner_id.id
                total = exposure.get(commercial_id, {}).get("total", 0.0)
                limit = limits.get(commercial_id, 0.0)
                order.credit_partner_limit = limit
                order.credit_partner_exposure = total
                order.credit_partner_available = limit - total if limit else 0.0

    # ------------------------------------------------------------------ complaints and shared notes
    credit_complaint_ids = fields.One2many("credit.complaint", "sale_order_id", string="Complaints")
    credit_complaint_count = fields.Integer(string="Complaint Count", compute="_compute_credit_complaint_count")
    credit_customer_note_ids = fields.One2many(
        "credit.shared.note",
        compute="_compute_credit_customer_note_ids",
        readonly=False,
        string="Customer Notes",
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
