from markupsafe import Markup

from odoo import api, fields, models

from ..credit_core.score import PRIOR, risk_level

# The colour of a factor's risk bar, by risk level.
RISK_CLASSES = {"high": "bg-danger", "medium": "bg-warning", "low": "bg-success"}

BEHAVIOUR_SELECTION = [
    ("new", "New"),
    ("prompt", "Prompt"),
    ("forgetful", "Forgetful"),
    ("habitual", "Habitual"),
    ("struggling", "Struggling"),
]
TRIGGER_SELECTION = [
    ("cron", "Scheduled"),
    ("manual", "Manual"),
    ("override", "Override"),
]


class CreditRiskReview(models.Model):
    """One review of a customer's credit risk: the score, the tier it gave and why, as it
    was on that day. Reviews are the customer's risk history: written by reviews and
    overrides only, never edited."""

    _name = "credit.risk.review"
    _description = "Credit Risk Review"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    trigger = fields.Selection(TRIGGER_SELECTION, required=True, readonly=True, default="manual")
    user_id = fields.Many2one("res.users", string="Reviewed By", readonly=True, default=lambda self: self.env.user)
    score = fields.Float(digits=(5, 1), readonly=True, aggregator="avg", help="0 (safest) to 100 (riskiest).")
    tier_id = fields.Many2one(
        "credit.risk.tier", readonly=True, ondelete="set null",
        help="The customer's tier after this review: the tier of the score, or the override while it lasts.")
    tier_color = fields.Integer(related="tier_id.color")
    score_tier_id = fields.Many2one(
        "credit.risk.tier", string="Tier from Score", readonly=True, ondelete="set null")
    previous_tier_id = fields.Many2one(
        "credit.risk.tier", readonly=True, ondelete="set null")
    tier_changed = fields.Boolean(compute="_compute_tier_changed", store=True)
    payment_behaviour = fields.Selection(BEHAVIOUR_SELECTION, readonly=True)
    behaviour_rule = fields.Selection(
        [
            ("short_history", "Too little history yet"),
            ("growing_delays", "Delays are growing"),
            ("partial_payments", "Invoices paid in parts"),
            ("large_overdue", "A large, old overdue amount"),
            ("rarely_late", "Rarely or never late"),
            ("consistently_late", "Late on most invoices"),
            ("rare_short_delays", "Now and then a few days late"),
            ("rare_long_delays", "Rarely late, but by long delays"),
        ],
        string="Why This Behaviour",
        readonly=True,
    )
    factors = fields.Json(
        readonly=True,
        help="Each factor of the score: code, label, measured value and unit, weight, risk (0-1) "
        "and the points it added.",
    )
    factors_html = fields.Html(string="Score Explanation", compute="_compute_factors_html", sanitize=False)
    note = fields.Text(readonly=True)
    override_until = fields.Date(readonly=True)

    @api.depends("tier_id", "previous_tier_id")
    def _compute_tier_changed(self):
        for review in self:
            review.tier_changed = review.tier_id != review.previous_tier_id

    # ------------------------------------------------------------------ explanation
    def _credit_factor_labels(self):
        """{factor code: translated label} of the score's factors."""
        _ = self.env._
        return {
            "late_share": _("Invoices paid late (share of amount)"),
            "days_late": _("Days late on average (by amount)"),
            "overdue_share": _("Open receivable overdue now"),
            "oldest_overdue": _("Oldest overdue invoice"),
            "utilisation": _("Credit limit used"),
            "disputes": _("Open disputed invoices"),
            "tenure": _("Customer for"),
            "external": _("External risk rating"),
            PRIOR: _("New customer: raised to the neutral score"),
        }

    def _credit_format_value(self, factor):
        """A factor's measured value as a credit manager reads it."""
        _ = self.env._
        value, unit = factor.get("value") or 0.0, factor.get("unit")
        if unit == "%":
            return f"{value * 100:.0f} %"
        if unit == "days":
            return _("%(days)s days", days=f"{value:.0f}")
        if unit == "months":
            return _("%(months)s months", months=f"{value:.0f}")
        if unit == "invoices":
            return f"{value:.0f}"
        return f"{value:.0f} / 100"

    @api.depends("factors")
    def _compute_factors_html(self):
        labels = self._credit_factor_labels()
        for review in self:
            factors = review.factors or []
            if not factors:
                review.factors_html = False
                continue
            rows = []
            for factor in factors:
                risk_share = min(max(factor.get("risk") or 0.0, 0.0), 1.0)
                risk = round(risk_share * 100)
                prior = factor.get("code") == PRIOR
                rows.append({
                    "label": labels.get(factor.get("code"), factor.get("code")),
                    "value": review._credit_format_value(factor),
                    "weight": "" if prior else f"{factor.get('weight') or 0.0:g}",
                    "contribution": f"{factor.get('contribution') or 0.0:.1f}",
                    "risk": risk,
                    "risk_class": RISK_CLASSES[risk_level(risk_share)],
                    "prior": prior,
                })
            review.factors_html = Markup(self.env["ir.qweb"]._render(
                "credit_management.credit_risk_review_factors", {"rows": rows, "score": f"{review.score:.1f}"}))
