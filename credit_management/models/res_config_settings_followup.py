from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_followup_quiet_days = fields.Integer(related="company_id.credit_followup_quiet_days", readonly=False)
    credit_followup_min_amount = fields.Monetary(related="company_id.credit_followup_min_amount", readonly=False)
    credit_followup_background_lines = fields.Integer(
        related="company_id.credit_followup_background_lines", readonly=False)
