from odoo import fields, models

from ..credit_core.holds import HoldSettings


class ResCompany(models.Model):
    _inherit = "res.company"

    # Exposure: which amounts count towards what a customer owes the company.
    credit_exposure_receivables = fields.Boolean(
        string="Count Open Receivables",
        default=True,
        help="Posted receivables not yet paid, net of open credit notes and unallocated payments.",
    )
    credit_exposure_orders = fields.Boolean(
        string="Count Uninvoiced Orders",
        default=True,
        help="Confirmed sales orders, for the part not yet invoiced.",
    )
    credit_exposure_draft_invoices = fields.Boolean(
        string="Count Draft Invoices",
        default=True,
        help="Customer invoices and credit notes still in draft.",
    )

    # Shared notes: how long a sales opportunity note waits for the credit team.
    credit_opportunity_note_days = fields.Integer(
        string="Opportunity Notes Stay Open (Days)",
        default=90,
        help="A customer with an opportunity note from sales, not yet acknowledged by the credit "
        "team and written within this many days, shows as a sales opportunity for a limit review.",
    )

    _credit_opportunity_note_days_positive = models.Constraint(
        "CHECK (credit_opportunity_note_days > 0)",
        "Opportunity notes must stay open at least one day.",
    )

    # Holds at order confirmation: which rules hold an order (manual holds always do).
    credit_hold_tier_policy = fields.Boolean(
        string="Apply Risk Tier Hold Policies",
        default=True,
        help="Hold the orders of customers whose risk tier says so: every order, or orders that "
        "take the customer over its credit limit.",
    )
    credit_hold_over_limit = fields.Boolean(
        string="Hold Orders over the Credit Limit",
        default=False,
        help="Hold an order when the customer's exposure plus this order exceed its credit limit, "
        "whatever the customer's risk tier. Customers without a limit are never over it.",
    )
    credit_hold_overdue_days = fields.Integer(
        string="Hold When Overdue by More Than (Days)",
        default=0,
        help="Hold an order when the customer has an open invoice overdue by more than this many "
        "days (disputed invoices and invoices promised for later do not count). 0 = off.",
    )
    credit_approval_validity_days = fields.Integer(
        string="Approval Valid For (Days)",
        default=7,
        help="How long a credit release approval lets the order be confirmed.",
    )
    credit_approval_tolerance = fields.Float(
        string="Approval Tolerance (%)",
        default=5.0,
        help="How much the order may grow above the approved amount and still be covered.",
    )
    credit_default_controller_id = fields.Many2one(
        "res.users",
        string="Default Credit Controller",
        domain=lambda self: [("group_ids", "in", self.env.ref("credit_management.group_credit_user").id)],
        help="Gets the release requests and hold alerts of customers without a credit controller. "
        "When empty, the credit managers get them.",
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
        controller = partner.sudo().commercial_partner_id.credit_controller_id if partner else False
        if controller and controller.active and self in controller.company_ids:
            return controller
        if self.credit_default_controller_id.active:
            return self.credit_default_controller_id
        managers = self.env.ref("credit_management.group_credit_manager").sudo().all_user_ids
        return managers.filtered(lambda user: user.active and not user.share and self in user.company_ids)
