from odoo import api, fields, models
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = "account.move"

    credit_disputed = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="The customer disputes this invoice: it is not chased by follow-ups and does not "
        "count as overdue for credit holds while the dispute is open.",
    )
    credit_promise_date = fields.Date(
        string="Promised Payment Date",
        copy=False,
        tracking=True,
        help="The customer promised to pay by this date: the invoice is not chased and does not "
        "count as overdue for credit holds until then.",
    )

    @api.model
    def _credit_not_chased_sql(self, alias, date):
        """SQL condition on the ``account_move`` row ``alias``: true when the invoice is
        neither chased by follow-ups nor counted as overdue for credit holds on ``date``
        (disputed, or promised for ``date`` or later)."""
        move = SQL.identifier(alias)
        return SQL(
            "(%(move)s.credit_disputed IS TRUE OR COALESCE(%(move)s.credit_promise_date >= %(date)s, FALSE))",
            move=move, date=date,
        )

    @api.model
    def _credit_not_chased_domain(self, date):
        """The ORM domain of :meth:`_credit_not_chased_sql`, on ``account.move``."""
        return ["|", ("credit_disputed", "=", True), ("credit_promise_date", ">=", date)]
