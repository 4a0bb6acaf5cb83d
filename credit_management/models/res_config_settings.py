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
    credit_risk_history_months = fields.Integer(related="company_id.credit_risk_history_months", readonly=False)
    credit_risk_grace_days = fields.Integer(related="company_id.credit_risk_grace_days", readonly=False)
    credit_risk_new_invoices = fields.Integer(related="company_id.credit_risk_new_invoices", readonly=False)
    credit_risk_new_days = fields.Integer(related="company_id.credit_risk_new_days", readonly=False)
    credit_risk_prior_score = fields.Float(related="company_id.credit_risk_prior_score", readonly=False)
    credit_risk_weight_late_share = fields.Float(related="company_id.credit_risk_weight_late_share", readonly=False)
    credit_risk_weight_days_late = fields.Float(related="company_id.credit_risk_weight_days_late", readonly=False)
    credit_risk_weight_overdue_share = fields.Float(
        related="company_id.credit_risk_weight_overdue_share", readonly=False)
    credit_risk_weight_oldest_overdue = fields.Float(
        related="company_id.credit_risk_weight_oldest_overdue", readonly=False)
    credit_risk_weight_utilisation = fields.Float(related="company_id.credit_risk_weight_utilisation", readonly=False)
    credit_risk_weight_disputes = fields.Float(related="company_id.credit_risk_weight_disputes", readonly=False)
    credit_risk_weight_tenure = fields.Float(related="company_id.credit_risk_weight_tenure", readonly=False)
    credit_risk_weight_external = fields.Float(related="company_id.credit_risk_weight_external", readonly=False)
    credit_limit_min_utilisation = fields.Float(related="company_id.credit_limit_min_utilisation", readonly=False)
    credit_limit_min_growth = fields.Float(related="company_id.credit_limit_min_growth", readonly=False)
    credit_limit_target_utilisation = fields.Float(
        related="company_id.credit_limit_target_utilisation", readonly=False)
