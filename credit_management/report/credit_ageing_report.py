from odoo import fields, models
from odoo.tools import SQL

from ..credit_core.ageing import AGEING_BUCKET_KEYS, AGEING_BUCKETS, ageing_case_sql


class CreditAgeingReport(models.Model):
    """Open customer receivables by how long they have been due, as of today."""

    _name = "credit.ageing.report"
    _description = "Receivables Ageing"
    _auto = False
    _rec_name = "move_id"
    _order = "days_overdue desc"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    invoice_user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    date = fields.Date(string="Document Date", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(
        [(key, label) for key, label, _first, _last in AGEING_BUCKETS], string="Ageing", readonly=True)
    amount_residual = fields.Monetary(string="Amount Due", readonly=True)
    credit_disputed = fields.Boolean(string="Disputed", readonly=True)
    exclusion = fields.Selection(
        [("disputed", "Disputed"), ("promised", "Promised"), ("paused", "Follow-up Paused")],
        string="Not Chased", readonly=True,
        help="Why this amount is neither chased by follow-ups nor counted by the overdue hold rule today.")

    _depends = {
        "account.move.line": [
            "amount_residual", "reconciled", "parent_state", "account_id", "partner_id",
            "date_maturity", "company_id", "move_id", "date",
        ],
        "account.move": ["invoice_user_id", "credit_disputed", "credit_promise_date"],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id", "credit_followup_pause_until"],
    }

    def _read_group_orderby(self, order, groupby_terms, query):
        """Groups of buckets come in time order (not due, 1-30, ... 90+) in every list,
        pivot and graph, not in the alphabetical order of their keys."""
        if "bucket" not in groupby_terms:
            return super()._read_group_orderby(order, groupby_terms, query)
        terms = dict(groupby_terms)
        terms["bucket"] = SQL(
            "array_position(%s::text[], %s::text)", list(AGEING_BUCKET_KEYS), groupby_terms["bucket"])
        orderby = super()._read_group_orderby(order, terms, query)
        groupby_terms.update({spec: term for spec, term in terms.items() if spec != "bucket"})
        return orderby

    @property
    def _table_query(self):
        case, params = ageing_case_sql("r.days_overdue")
        return SQL(
            """
            SELECT r.id, r.partner_id, r.move_id, r.company_id, r.currency_id, r.invoice_user_id, r.date,
                   r.date_due AS date_maturity, r.days_overdue, %(bucket)s AS bucket,
                   r.residual AS amount_residual, r.disputed AS credit_disputed, r.exclusion
              FROM (%(receivables)s) r
            """,
            bucket=SQL(case, *params),
            receivables=self.env["credit.receivable"]._lines_sql(None, fields.Date.context_today(self)),
        )
