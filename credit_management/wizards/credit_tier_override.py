from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class CreditTierOverride(models.TransientModel):
    """One step: the tier a credit manager forces on a customer, why and until when.
    Applying it writes the override on the customer, where it is logged as a review and
    in the chatter; nothing is kept here."""

    _name = "credit.tier.override"
    _description = "Override a Customer's Risk Tier"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    current_tier_id = fields.Many2one(related="partner_id.credit_risk_tier_id", string="Current Tier")
    score_tier_id = fields.Many2one(related="partner_id.credit_score_tier_id", string="Tier from Score")
    score = fields.Float(related="partner_id.credit_risk_score", string="Score")
    tier_id = fields.Many2one("credit.risk.tier", string="New Tier", required=True)
    reason = fields.Text(
        required=True, help="Why the score's tier does not fit this customer: kept in its risk history.")
    until = fields.Date(
        help="Last day of the override; the next daily review then restores the tier of the score. "
        "Leave empty to keep it until a credit manager removes it.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id"))
        if partner and "tier_id" in fields_list:
            values.setdefault("tier_id", partner.credit_tier_override_id.id or partner.credit_risk_tier_id.id)
        return values

    def action_apply(self):
        """Apply the override to the customer (credit managers)."""
        self.ensure_one()
        self.partner_id._credit_require_manager()
        if self.until and self.until < fields.Date.context_today(self):
            raise UserError(self.env._(
                "The override would already be over: choose an end date from today on, or none."))
        previous = self.partner_id.credit_risk_tier_id
        self.partner_id.sudo().write({
            "credit_tier_override_id": self.tier_id.id,
            "credit_override_reason": self.reason,
            "credit_override_until": self.until,
        })
        until = (self.env._("until %(date)s", date=format_date(self.env, self.until)) if self.until
                 else self.env._("until removed"))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Risk Tier Overridden"),
                "message": self.env._(
                    "%(customer)s: %(previous)s → %(tier)s, %(until)s.", customer=self.partner_id.display_name,
                    previous=previous.name or self.env._("none"), tier=self.tier_id.name, until=until),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
