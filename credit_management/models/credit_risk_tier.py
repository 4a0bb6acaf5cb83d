from odoo import api, fields, models


class CreditRiskTier(models.Model):
    """A band of risk scores and how the company treats the customers in it."""

    _name = "credit.risk.tier"
    _description = "Credit Risk Tier"
    _order = "sequence, max_score, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    max_score = fields.Float(
        string="Up to Score",
        required=True,
        help="A customer belongs to the first tier, by sequence, whose maximum score is at least "
        "the customer's risk score (0-100, higher is riskier).",
    )
    default_credit_limit = fields.Monetary(
        currency_field="currency_id",
        help="The credit limit proposed for new customers of this tier.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    hold_policy = fields.Selection(
        [
            ("none", "Never hold"),
            ("over_limit", "Hold over the credit limit"),
            ("always", "Always hold for approval"),
        ],
        required=True,
        default="none",
        help="When orders of this tier's customers need credit approval at confirmation.",
    )
    review_interval_days = fields.Integer(
        string="Review Every (Days)",
        default=90,
        help="Days between two automatic reviews of a customer in this tier: riskier tiers are "
        "reviewed more often.",
    )
    color = fields.Integer(help="Colour of the tier's badge.")
    description = fields.Text(translate=True)

    @api.depends_context("company")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    _max_score_range = models.Constraint(
        "CHECK (max_score >= 0 AND max_score <= 100)",
        "A tier's maximum score must be between 0 and 100.",
    )
    _review_interval_positive = models.Constraint(
        "CHECK (review_interval_days > 0)",
        "The review interval must be at least one day.",
    )
    _default_limit_positive = models.Constraint(
        "CHECK (default_credit_limit >= 0)",
        "A tier's default credit limit cannot be negative.",
    )
