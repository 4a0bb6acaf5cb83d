from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..credit_core.bounds import AMOUNT


class CreditLimitChange(models.TransientModel):
    """Change a customer's credit limit in the current company, with a reason, for good
    or until a date (a temporary limit)."""

    _name = "credit.limit.change"
    _inherit = ["credit.bounded.mixin"]
    _description = "Change a Credit Limit"
    _credit_bounds = {"new_limit": AMOUNT}

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")
    current_limit = fields.Monetary(compute="_compute_current_limit", currency_field="currency_id")
    new_limit = fields.Monetary(
        required=True, currency_field="currency_id", help="Leave empty (0) to remove the limit: no limit.")
    reason = fields.Char(required=True)
    date_end = fields.Date(
        string="Temporary Until",
        help="Leave empty for a lasting change. Otherwise the current limit comes back the day after.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_current_limit(self):
        for wizard in self:
            wizard.current_limit = wizard.partner_id.with_company(wizard.company_id).sudo().credit_limit

    def action_apply(self):
        self.ensure_one()
        if self.new_limit < 0:
            raise ValidationError(self.env._("A credit limit cannot be negative."))
        if self.date_end and self.date_end < fields.Date.context_today(self):
            raise ValidationError(self.env._("A temporary limit must end today or later."))
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        partner._credit_require_rights({"credit_limit": self.new_limit})
        old = partner.sudo().credit_limit
        partner.sudo().with_context(credit_limit_reason=self.reason, credit_limit_until=self.date_end).write(
            {"credit_limit": self.new_limit})
        changes = [(partner, old, self.new_limit)] if self.currency_id.compare_amounts(old, self.new_limit) else []
        return partner._credit_limit_notification(
            changes, self.company_id, until=self.date_end, next_action={"type": "ir.actions.act_window_close"})
