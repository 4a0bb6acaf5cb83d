from odoo import api, models

# Line fields that change what an order is worth.
AMOUNT_FIELDS = {"product_uom_qty", "price_unit", "discount", "tax_ids", "product_id", "product_uom_id",
                 "technical_price_unit"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._credit_after_amount_change()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if AMOUNT_FIELDS & vals.keys():
            self.order_id._credit_after_amount_change()
        return result
