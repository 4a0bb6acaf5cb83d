from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import formatLang

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
    previous_score = fields.Float(
        string="Score Before", digits=(5, 1), readonly=True, aggregator="avg",
        help="The customer's score before this review (none at a first review).")
    previous_review_date = fields.Date(
        string="Reviewed Before On", readonly=True,
        help="The date of the customer's review before this one; empty for a first review.")
    tier_id = fields.Many2one(
        "credit.risk.tier", readonly=True, ondelete="set null",
        help="The customer's tier after this review: the tier of the score, or the override while it lasts.")
    tier_color = fields.Integer(related="tier_id.color")
    score_tier_id = fields.Many2one(
        "credit.risk.tier", string="Tier from Score", readonly=True, ondelete="set null")
    previous_tier_id = fields.Many2one(
        "credit.risk.tier", readonly=True, ondelete="set null")
    # Given at create by the reviews (``res.partner._credit_review_apply``): the daily job
    # creates thousands of reviews at once, without an UPDATE of each after its INSERT.
    # Computed for the others. Reviews are never edited (read-only for everyone).
    tier_changed = fields.Boolean(compute="_compute_tier_changed", store=True, readonly=False)
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

    # ------------------------------------------------------------------ what changed
    @api.model
    def _credit_format_score(self, score):
        """A risk score as every screen and message shows it: one decimal, out of 100
        ("57.1 / 100"), in the user's language."""
        return self.env._("%(score)s / 100", score=formatLang(self.env, score or 0.0, digits=1))

    def _credit_change_text(self):
        """What this review changed, in words: "score 42.0 → 57.1 / 100, tier Low →
        Medium." (or the tier unchanged, or a first review)."""
        self.ensure_one()
        _ = self.env._
        if not self.previous_review_date:
            score = _("score %(score)s (first review)", score=self._credit_format_score(self.score))
        else:
            score = _("score %(previous)s → %(score)s", previous=formatLang(self.env, self.previous_score, digits=1),
                      score=self._credit_format_score(self.score))
        tier = self.tier_id.name or _("none")
        if not self.previous_tier_id:
            tier_text = _("tier %(tier)s", tier=tier)
        elif self.tier_changed:
            tier_text = _("tier %(previous)s → %(tier)s", previous=self.previous_tier_id.name, tier=tier)
        else:
            tier_text = _("tier %(tier)s (unchanged)", tier=tier)
        return _("%(score)s, %(tier)s.", score=score, tier=tier_text)

    def _credit_chatter_text(self):
        """The line this review leaves in the customer's chatter."""
        self.ensure_one()
        _ = self.env._
        note = f" {self.note}" if self.note else ""
        if self.previous_tier_id and self.tier_changed:
            return _("Risk tier changed from %(previous)s to %(tier)s in %(company)s: %(change)s%(note)s",
                     previous=self.previous_tier_id.name, tier=self.tier_id.name or _("none"),
                     company=self.company_id.name, change=self._credit_change_text(), note=note)
        return _("Credit risk reviewed in %(company)s: %(change)s%(note)s",
                 company=self.company_id.name, change=self._credit_change_text(), note=note)

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
            return _("%(percent)s %%", percent=formatLang(self.env, value * 100, digits=0))
        if unit == "days":
            return _("%(days)s days", days=formatLang(self.env, value, digits=0))
        if unit == "months":
            return _("%(months)s months", months=formatLang(self.env, value, digits=0))
        if unit == "invoices":
            return formatLang(self.env, value, digits=0)
        return self._credit_format_score(value)

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
                    "weight": "" if prior else formatLang(self.env, factor.get("weight") or 0.0, digits=1),
                    "contribution": formatLang(self.env, factor.get("contribution") or 0.0, digits=1),
                    "risk": risk,
                    "risk_class": RISK_CLASSES[risk_level(risk_share)],
                    "prior": prior,
                })
            review.factors_html = Markup(self.env["ir.qweb"]._render(
                "credit_management.credit_risk_review_factors",
                {"rows": rows, "score": self._credit_format_score(review.score)}))
