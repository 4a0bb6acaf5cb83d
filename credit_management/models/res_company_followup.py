from odoo import fields, models

from ..credit_core.followup import FollowupRules
from ..credit_core.history import SETTLED_TOLERANCE


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_followup_quiet_days = fields.Integer(
        string="Quiet Days Between Reminders",
        default=3,
        help="A customer contacted by a follow-up is not contacted again before this many days.",
    )
    credit_followup_min_amount = fields.Monetary(
        string="Minimum Amount to Chase",
        currency_field="currency_id",
        default=10.0,
        help="Customers who owe less than this, net of their open credit notes and unallocated "
        "payments, are not chased.",
    )
    credit_followup_background_lines = fields.Integer(
        string="Execute in Background From",
        default=100,
        help="Runs with more lines than this are executed by a background job; the run shows its "
        "progress and its author is told when it is done.",
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
