from odoo import api, fields, models


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
