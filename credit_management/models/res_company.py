from dateutil.relativedelta import relativedelta

from odoo import fields, models

from ..credit_core.behaviour import BehaviourRule
from ..credit_core.bounds import AMOUNT
from ..credit_core.followup import FollowupRules
from ..credit_core.history import SETTLED_TOLERANCE, HistoryWindow
from ..credit_core.holds import HoldSettings
from ..credit_core.limit import LimitRule
from ..credit_core.score import DEFAULT_WEIGHTS, FACTORS, ScoreSettings


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "credit.bounded.mixin"]
    _credit_bounds = {"credit_followup_min_amount": AMOUNT, "credit_controller_approval_limit": AMOUNT}

    # Exposure: which amounts count towards what a customer owes the company.
    credit_exposure_receivables = fields.Boolean(
        string="Count Open Receivables",
        default=True,
        help="Posted receivables not yet paid, net of open credit notes and unallocated payments.",
        groups="base.group_user",
    )
    credit_exposure_orders = fields.Boolean(
        string="Count Uninvoiced Orders",
        default=True,
        help="Confirmed sales orders, for the part not yet invoiced.",
        groups="base.group_user",
    )
    credit_exposure_draft_invoices = fields.Boolean(
        string="Count Draft Invoices",
        default=True,
        help="Customer invoices and credit notes still in draft.",
        groups="base.group_user",
    )

    # Risk score: the history it reads, new customers, factor weights.
    credit_risk_history_months = fields.Integer(
        string="Score History (Months)",
        default=12,
        help="How far back the risk score looks at invoices due, in months.",
        groups="base.group_user",
    )
    credit_risk_grace_days = fields.Integer(
        string="Grace Days",
        default=HistoryWindow.grace_days,
        help="An invoice counts as paid late, or overdue, only this many days after its due "
        "date: weekends and bank delays are not late payments.",
        groups="base.group_user",
    )
    credit_risk_new_invoices = fields.Integer(
        string="New Customer: Invoices",
        default=ScoreSettings.new_invoices,
        help="Below this number of invoices a customer is new: its payment behaviour is 'New' and "
        "its score leans towards the neutral prior score.",
        groups="base.group_user",
    )
    credit_risk_new_days = fields.Integer(
        string="New Customer: Days",
        default=ScoreSettings.new_days,
        help="A customer whose first invoice is more recent than this is new.",
        groups="base.group_user",
    )
    credit_risk_prior_score = fields.Float(
        string="New Customer Score",
        default=ScoreSettings.prior_score,
        help="The neutral score new customers start from (0-100); their own history takes over "
        "as it builds up.",
        groups="base.group_user",
    )
    credit_risk_weight_late_share = fields.Float(
        string="Weight: Paid Late", default=DEFAULT_WEIGHTS["late_share"], groups="base.group_user")
    credit_risk_weight_days_late = fields.Float(
        string="Weight: Days Late", default=DEFAULT_WEIGHTS["days_late"], groups="base.group_user")
    credit_risk_weight_overdue_share = fields.Float(
        string="Weight: Overdue Now", default=DEFAULT_WEIGHTS["overdue_share"], groups="base.group_user")
    credit_risk_weight_oldest_overdue = fields.Float(
        string="Weight: Oldest Overdue", default=DEFAULT_WEIGHTS["oldest_overdue"], groups="base.group_user")
    credit_risk_weight_utilisation = fields.Float(
        string="Weight: Limit Used", default=DEFAULT_WEIGHTS["utilisation"], groups="base.group_user")
    credit_risk_weight_disputes = fields.Float(
        string="Weight: Disputes", default=DEFAULT_WEIGHTS["disputes"], groups="base.group_user")
    credit_risk_weight_tenure = fields.Float(
        string="Weight: Tenure", default=DEFAULT_WEIGHTS["tenure"], groups="base.group_user")
    credit_risk_weight_external = fields.Float(
        string="Weight: External Rating", default=DEFAULT_WEIGHTS["external"], groups="base.group_user")
    # Limit increase suggestions.
    credit_limit_min_utilisation = fields.Float(
        string="Suggest From Limit Use (%)",
        default=LimitRule.min_utilisation * 100,
        help="Customers of a tier that allows limit increases are suggested a higher limit when "
        "they use at least this share of their credit limit...",
        groups="base.group_user",
    )
    credit_limit_min_growth = fields.Float(
        string="Suggest From Sales Growth (%)",
        default=LimitRule.min_growth * 100,
        help="...and their invoiced sales of the last six months grew at least this much over "
        "the six months before.",
        groups="base.group_user",
    )
    credit_limit_target_utilisation = fields.Float(
        string="Target Limit Use (%)",
        default=LimitRule.target_utilisation * 100,
        help="The suggested limit leaves room for the customer's growth: its exposure, grown like "
        "its sales, uses this share of the new limit.",
        groups="base.group_user",
    )

    _credit_risk_history_positive = models.Constraint(
        "CHECK (credit_risk_history_months > 0)",
        "The risk score must look at least one month back.",
    )
    _credit_risk_grace_positive = models.Constraint(
        "CHECK (credit_risk_grace_days >= 0)",
        "Grace days cannot be negative.",
    )
    _credit_risk_new_positive = models.Constraint(
        "CHECK (credit_risk_new_invoices >= 0 AND credit_risk_new_days >= 0)",
        "The history that makes a customer new cannot be negative.",
    )
    _credit_risk_prior_range = models.Constraint(
        "CHECK (credit_risk_prior_score >= 0 AND credit_risk_prior_score <= 100)",
        "The new customer score must be between 0 and 100.",
    )
    _credit_risk_weights_positive = models.Constraint(
        "CHECK (credit_risk_weight_late_share >= 0 AND credit_risk_weight_days_late >= 0"
        " AND credit_risk_weight_overdue_share >= 0 AND credit_risk_weight_oldest_overdue >= 0"
        " AND credit_risk_weight_utilisation >= 0 AND credit_risk_weight_disputes >= 0"
        " AND credit_risk_weight_tenure >= 0 AND credit_risk_weight_external >= 0)",
        "Risk score weights cannot be negative.",
    )
    _credit_limit_rule_range = models.Constraint(
        "CHECK (credit_limit_min_utilisation >= 0 AND credit_limit_min_growth >= 0"
        " AND credit_limit_target_utilisation > 0 AND credit_limit_target_utilisation <= 100)",
        "Limit suggestion thresholds must be positive, and the target limit use at most 100%.",
    )

    def _credit_score_settings(self):
        """The :class:`ScoreSettings` of this company's risk score."""
        self.ensure_one()
        return ScoreSettings(
            weights={code: self[f"credit_risk_weight_{code}"] for code in FACTORS},
            new_invoices=self.credit_risk_new_invoices,
            new_days=self.credit_risk_new_days,
            prior_score=self.credit_risk_prior_score,
        )

    def _credit_behaviour_rule(self):
        """The :class:`BehaviourRule` of this company (new customers as for the score)."""
        self.ensure_one()
        return BehaviourRule(new_invoices=self.credit_risk_new_invoices, new_days=self.credit_risk_new_days)

    def _credit_history_window(self, as_of):
        """The :class:`HistoryWindow` this company's scores read as of ``as_of``."""
        self.ensure_one()
        window_start = as_of - relativedelta(months=self.credit_risk_history_months)
        return HistoryWindow(as_of, (as_of - window_start).days, self.credit_risk_grace_days)

    def _credit_limit_rule(self):
        """The :class:`LimitRule` of this company's limit increase suggestions."""
        self.ensure_one()
        return LimitRule(
            min_utilisation=self.credit_limit_min_utilisation / 100,
            min_growth=self.credit_limit_min_growth / 100,
            target_utilisation=self.credit_limit_target_utilisation / 100,
        )

    # Shared notes: how long a sales opportunity note waits for the credit team.
    credit_opportunity_note_days = fields.Integer(
        string="Opportunity Notes Stay Open (Days)",
        default=90,
        help="A customer with an opportunity note from sales, not yet acknowledged by the credit "
        "team and written within this many days, shows as a sales opportunity for a limit review.",
        groups="base.group_user",
    )

    _credit_opportunity_note_days_positive = models.Constraint(
        "CHECK (credit_opportunity_note_days > 0)",
        "Opportunity notes must stay open at least one day.",
    )

    # Holds at order confirmation: which rules hold an order (manual holds always do).
    credit_hold_tier_policy = fields.Boolean(
        string="Apply Risk Tier Hold Policies",
        default=HoldSettings.tier_policy,
        help="Hold the orders of customers whose risk tier says so: every order, or orders that "
        "take the customer over its credit limit.",
        groups="base.group_user",
    )
    credit_hold_over_limit = fields.Boolean(
        string="Hold Orders over the Credit Limit",
        default=HoldSettings.over_limit,
        help="Hold an order when the customer's exposure plus this order exceed its credit limit, "
        "whatever the customer's risk tier. Customers without a limit are never over it.",
        groups="base.group_user",
    )
    credit_hold_overdue_days = fields.Integer(
        string="Hold When Overdue by More Than (Days)",
        default=HoldSettings.overdue_days,
        help="Hold an order when the customer has an open invoice overdue by more than this many "
        "days (disputed invoices and invoices promised for later do not count). 0 = off.",
        groups="base.group_user",
    )
    credit_approval_validity_days = fields.Integer(
        string="Approval Valid For (Days)",
        default=7,
        help="How long a credit release approval lets the order be confirmed.",
        groups="base.group_user",
    )
    credit_approval_tolerance = fields.Float(
        string="Approval Tolerance (%)",
        default=5.0,
        help="How much the order may grow above the approved amount and still be covered.",
        groups="base.group_user",
    )
    credit_default_controller_id = fields.Many2one(
        "res.users",
        string="Default Credit Controller",
        domain=lambda self: [("group_ids", "in", self.env.ref("credit_management.group_credit_user").id)],
        help="Gets the release requests and hold alerts of customers without a credit controller. "
        "When empty, the credit managers get them.",
        groups="base.group_user",
    )
    credit_controller_approval_limit = fields.Monetary(
        string="Controller Approval Limit",
        currency_field="currency_id",
        default=0.0,
        help="Credit controllers approve or decline the release requests of orders up to this amount "
        "(company currency). Credit managers decide any amount, and they alone decide when a credit "
        "manager forced the hold. 0 = only credit managers decide.",
        groups="base.group_user",
    )

    _credit_hold_overdue_days_positive = models.Constraint(
        "CHECK (credit_hold_overdue_days >= 0)",
        "The overdue days of the credit hold rule cannot be negative (0 turns the rule off).",
    )
    _credit_approval_validity_positive = models.Constraint(
        "CHECK (credit_approval_validity_days > 0)",
        "A credit approval must stay valid for at least one day.",
    )
    _credit_approval_tolerance_positive = models.Constraint(
        "CHECK (credit_approval_tolerance >= 0)",
        "The approval tolerance cannot be negative.",
    )
    _credit_controller_approval_limit_positive = models.Constraint(
        "CHECK (credit_controller_approval_limit >= 0)",
        "The amount up to which credit controllers decide release requests cannot be negative.",
    )

    def _credit_hold_settings(self):
        """The company's hold rules as a pure ``HoldSettings``."""
        self.ensure_one()
        return HoldSettings(
            tier_policy=self.credit_hold_tier_policy,
            over_limit=self.credit_hold_over_limit,
            overdue_days=self.credit_hold_overdue_days,
        )

    def _credit_team_users(self, partner=None):
        """Who in the credit team hears of ``partner``'s release requests and holds: its
        credit controller, else the company's default controller, else its credit managers."""
        self.ensure_one()
        controller = partner.sudo().commercial_partner_id.with_company(self).credit_controller_id if partner else False
        if controller and controller.active and self in controller.company_ids:
            return controller
        if self.credit_default_controller_id.active:
            return self.credit_default_controller_id
        managers = self.env.ref("credit_management.group_credit_manager").sudo().all_user_ids
        return managers.filtered(lambda user: user.active and not user.share and self in user.company_ids)

    # Follow-up: how often and for how little customers are chased.
    credit_followup_quiet_days = fields.Integer(
        string="Quiet Days Between Reminders",
        default=3,
        help="A customer contacted by a follow-up is not contacted again before this many days.",
        groups="base.group_user",
    )
    credit_followup_min_amount = fields.Monetary(
        string="Minimum Amount to Chase",
        currency_field="currency_id",
        default=10.0,
        help="Customers who owe less than this, net of their open credit notes and unallocated "
        "payments, are not chased.",
        groups="base.group_user",
    )
    credit_followup_background_lines = fields.Integer(
        string="Execute in Background From",
        default=5,
        help="Runs with more lines than this are executed by a background job (rendering a statement or "
        "a letter takes a second or two each); the run shows its progress and whoever executed it is told "
        "when it is done.",
        groups="base.group_user",
    )

    _credit_followup_settings_positive = models.Constraint(
        "CHECK (credit_followup_quiet_days >= 0 AND credit_followup_min_amount >= 0"
        " AND credit_followup_background_lines >= 0)",
        "Follow-up quiet days, minimum amount and background threshold cannot be negative.",
    )

    def _credit_followup_rules(self):
        """The :class:`FollowupRules` of this company."""
        self.ensure_one()
        return FollowupRules(
            quiet_days=self.credit_followup_quiet_days,
            min_amount=self.credit_followup_min_amount,
            tolerance=SETTLED_TOLERANCE,
        )
