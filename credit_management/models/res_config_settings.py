from odoo import api, fields, models

from ..credit_core.bounds import AMOUNT
from ..credit_core.holds import HoldSettings


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "credit.bounded.mixin"]
    _credit_bounds = {"credit_followup_min_amount": AMOUNT, "credit_controller_approval_limit": AMOUNT}

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

    credit_opportunity_note_days = fields.Integer(
        related="company_id.credit_opportunity_note_days", readonly=False
    )

    # Holds at order confirmation.
    credit_hold_tier_policy = fields.Boolean(related="company_id.credit_hold_tier_policy", readonly=False)
    credit_hold_over_limit = fields.Boolean(related="company_id.credit_hold_over_limit", readonly=False)
    credit_hold_overdue_days = fields.Integer(related="company_id.credit_hold_overdue_days", readonly=False)
    credit_approval_validity_days = fields.Integer(
        related="company_id.credit_approval_validity_days", readonly=False)
    credit_approval_tolerance = fields.Float(related="company_id.credit_approval_tolerance", readonly=False)
    credit_default_controller_id = fields.Many2one(
        related="company_id.credit_default_controller_id", readonly=False)
    credit_controller_approval_limit = fields.Monetary(
        related="company_id.credit_controller_approval_limit", readonly=False)

    # Follow-up.
    credit_followup_quiet_days = fields.Integer(related="company_id.credit_followup_quiet_days", readonly=False)
    credit_followup_min_amount = fields.Monetary(related="company_id.credit_followup_min_amount", readonly=False)
    credit_followup_background_lines = fields.Integer(
        related="company_id.credit_followup_background_lines", readonly=False)

    # Preview of the hold rules being edited, on today's open quotations: evaluated only
    # while the manager asks for it (it checks every open quotation), never saved.
    credit_hold_preview = fields.Boolean(
        string="Preview on Open Quotations",
        help="Show how many of today's open quotations the rules being edited would hold if they "
        "were confirmed now, before saving them.",
    )
    credit_hold_preview_count = fields.Integer(
        string="Quotations Held with These Rules", compute="_compute_credit_hold_preview")
    credit_hold_current_count = fields.Integer(
        string="Quotations Held with the Saved Rules", compute="_compute_credit_hold_preview")
    credit_hold_open_count = fields.Integer(string="Open Quotations", compute="_compute_credit_hold_preview")

    @api.depends("credit_hold_preview", "company_id", "credit_hold_tier_policy", "credit_hold_over_limit",
                 "credit_hold_overdue_days")
    def _compute_credit_hold_preview(self):
        self.update({"credit_hold_preview_count": 0, "credit_hold_current_count": 0, "credit_hold_open_count": 0})
        for settings in self.filtered("credit_hold_preview"):
            company = settings.company_id
            quotations = self.env["sale.order"].sudo().search(
                [("company_id", "=", company.id), ("state", "in", ("draft", "sent"))])
            candidate = HoldSettings(
                tier_policy=settings.credit_hold_tier_policy,
                over_limit=settings.credit_hold_over_limit,
                overdue_days=max(settings.credit_hold_overdue_days, 0),
            )
            settings.credit_hold_open_count = len(quotations)
            settings.credit_hold_preview_count = quotations._credit_count_held(candidate)
            settings.credit_hold_current_count = quotations._credit_count_held(company._credit_hold_settings())
