from odoo import api, fields, models
from odoo.tools import SQL


class AccountMove(models.Model):
    """Invoices remember the last follow-up level they received, so that levels are never
    repeated nor go back; a customer's follow-up pause keeps its invoices from being chased."""

    _inherit = "account.move"

    credit_followup_level_id = fields.Many2one(
        "credit.followup.level",
        string="Follow-up Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The last follow-up level sent to the customer about this invoice.",
    )
    credit_followup_date = fields.Date(
        string="Last Follow-up", copy=False, readonly=True,
        help="When the customer was last reminded of this invoice.",
    )

    @api.model
    def _credit_not_chased_sql(self, alias, date):
        """Also not chased: the invoices of a customer whose follow-up is paused on ``date``."""
        self.env["res.partner"].flush_model(["credit_followup_pause_until"])
        return SQL(
            "(%(base)s OR EXISTS(SELECT 1 FROM res_partner credit_paused"
            " WHERE credit_paused.id = %(partner)s AND credit_paused.credit_followup_pause_until >= %(date)s))",
            base=super()._credit_not_chased_sql(alias, date),
            partner=SQL.identifier(alias, "commercial_partner_id"),
            date=date,
        )

    @api.model
    def _credit_not_chased_domain(self, date):
        return ["|", *super()._credit_not_chased_domain(date),
                ("commercial_partner_id.credit_followup_pause_until", ">=", date)]
