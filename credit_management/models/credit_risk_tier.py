from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..credit_core.bounds import AMOUNT, REVIEW_INTERVAL_DAYS
from ..credit_core.score import Band, band_problems, tier_for_score


class CreditRiskTier(models.Model):
    """A band of risk scores and how the company treats the customers in it."""

    _name = "credit.risk.tier"
    _inherit = ["credit.bounded.mixin"]
    _description = "Credit Risk Tier"
    _order = "sequence, max_score, id"
    _credit_bounds = {"default_credit_limit": AMOUNT, "review_interval_days": REVIEW_INTERVAL_DAYS}

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    max_score = fields.Float(
        string="Up to Score",
        required=True,
        digits=(5, 1),
        aggregator=None,
        help="A customer belongs to the first tier, by sequence, whose maximum score is at least "
        "the customer's risk score (0-100, higher is riskier).",
    )
    default_credit_limit = fields.Monetary(
        currency_field="currency_id",
        aggregator=None,
        help="The credit limit proposed to customers of this tier who have none. Leave it at 0 (shown "
        "as No limit) to propose none: their credit stays unlimited until a credit manager sets a limit.",
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
        aggregator=None,
        help="Days between two automatic reviews of a customer in this tier: riskier tiers are "
        "reviewed more often.",
    )
    color = fields.Integer(help="Colour of the tier's badge.", aggregator=None)
    description = fields.Text(translate=True)
    min_score = fields.Float(
        string="From Score",
        compute="_compute_min_score",
        digits=(5, 1),
        help="Scores above this one (and up to the tier's maximum) belong to this tier: the maximum "
        "of the tier before it, or 0 for the first tier.",
    )
    limit_increase_allowed = fields.Boolean(
        string="Propose Limit Increases",
        help="Customers of this tier who use most of their credit limit while their sales grow are "
        "listed as limit increase candidates, with a suggested limit.",
    )
    partner_count = fields.Integer(string="Customers", compute="_compute_partner_count")

    @api.depends_context("company")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @api.depends("max_score", "sequence", "active")
    def _compute_min_score(self):
        bands = self._credit_bands()
        floors = {}
        highest = 0.0
        for band in bands:
            floors[band.key] = highest
            highest = max(highest, band.max_score)
        for tier in self:
            tier.min_score = floors.get(tier._origin.id, 0.0)

    def _compute_partner_count(self):
        counts = dict(self.env["res.partner"]._read_group(
            [("credit_risk_tier_id", "in", self.ids)], ["credit_risk_tier_id"], ["__count"]))
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    # ------------------------------------------------------------------ bands
    @api.model
    def _credit_bands(self):
        """The active tiers as :class:`Band` (key: tier id), in sequence order."""
        tiers = self.sudo().with_context(active_test=True).search([])
        return [Band(tier.id, tier.name, tier.max_score) for tier in tiers]

    @api.model
    def _credit_tier_for_score(self, score, bands=None):
        """The tier a ``score`` (0-100) belongs to, by band (empty recordset if none)."""
        key = tier_for_score(score, self._credit_bands() if bands is None else bands)
        return self.browse(key or [])

    @api.model
    def _credit_validate_bands(self):
        """Refuse a set of active tiers that does not give every score from 0 to 100
        exactly one tier. The whole set is checked after each change, so that any
        editing order that keeps it valid is accepted."""
        self.flush_model(["max_score", "sequence", "active", "name"])
        messages = []
        for problem in band_problems(self._credit_bands()):
            if problem.kind == "none":
                messages.append(self.env._(
                    "At least one active risk tier is needed: every customer's score must fall in a tier."))
            elif problem.kind == "overlap":
                messages.append(self.env._(
                    "Tier %(tier)s goes up to score %(max)s, but %(previous)s, before it in the sequence, "
                    "already goes up to %(previous_max)s: no score would be left for %(tier)s. "
                    "Give %(tier)s a maximum above %(previous_max)s, or move it before %(previous)s.",
                    tier=problem.band.name, max=f"{problem.band.max_score:g}",
                    previous=problem.previous.name, previous_max=f"{problem.previous.max_score:g}"))
            else:
                messages.append(self.env._(
                    "Scores above %(max)s belong to no tier: the last tier, %(tier)s, must go up to 100.",
                    tier=problem.band.name, max=f"{problem.band.max_score:g}"))
        if messages:
            raise ValidationError("\n".join(messages))

    @api.constrains("max_score", "sequence", "active")
    def _check_bands(self):
        self._credit_validate_bands()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A tier that customers (in any company: their tiers are per company) or their
        review history refer to is archived, not deleted."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partner_ids = set()
        for company in self.env["res.company"].sudo().search([]):
            partner_ids.update(Partner.with_company(company).search(
                ["|", "|", ("credit_risk_tier_id", "in", self.ids), ("credit_score_tier_id", "in", self.ids),
                 ("credit_tier_override_id", "in", self.ids)]).ids)
        partners = len(partner_ids)
        reviews = self.env["credit.risk.review"].sudo().search_count(
            ["|", "|", ("tier_id", "in", self.ids), ("score_tier_id", "in", self.ids),
             ("previous_tier_id", "in", self.ids)])
        if partners or reviews:
            raise UserError(self.env._(
                "%(tiers)s cannot be deleted: %(partners)s customers and %(reviews)s risk reviews refer to it. "
                "Archive the tier instead.", tiers=", ".join(self.mapped("name")), partners=partners,
                reviews=reviews))

    def unlink(self):
        result = super().unlink()
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self.env["credit.risk.tier"]._credit_validate_bands()
        return result

    def action_view_partners(self):
        """The customers currently in this tier."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_customers")
        action.update({
            "name": self.env._("Customers in %(tier)s", tier=self.display_name),
            "domain": [("credit_risk_tier_id", "=", self.id)],
            "context": {"default_is_company": True},
        })
        action["display_name"] = action["name"]  # the title the web client shows
        return action

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
