from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_exposure_receivables = fields.Boolean(
        related="company_id.credit_exposure_receivables", readonly=False
    )
    credit_exposure_orders = fields.Boolean(
        related="company_id.credit_exposure_orders", readonly=False
    )
    credit_exposure_draft_invoices = fields.Boolean(
        related="company_id.credit_exposure_draft_invoices", readonly=False
    )
    credit_opportunity_note_days = fields.Integer(
        related="company_id.credit_opportunity_note_days", readonly=False
    )
