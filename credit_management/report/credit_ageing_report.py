from odoo import fields, models
from odoo.tools import SQL

from ..credit_core.ageing import AGEING_BUCKETS, ageing_case_sql


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

    _depends = {
        "account.move.line": [
            "amount_residual", "reconciled", "parent_state", "account_id", "partner_id",
            "date_maturity", "company_id", "move_id", "date",
        ],
        "account.move": ["invoice_user_id", "credit_disputed"],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id"],
    }

    @property
    def _table_query(self):
        days = "(CURRENT_DATE - COALESCE(aml.date_maturity, aml.date))"
        case, params = ageing_case_sql(days)
        return SQL(
            """
            SELECT aml.id,
                   partner.commercial_partner_id AS partner_id,
                   aml.move_id,
                   aml.company_id,
                   aml.company_currency_id AS currency_id,
                   move.invoice_user_id,
                   aml.date,
                   COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                   %(days)s AS days_overdue,
                   %(bucket)s AS bucket,
                   aml.amount_residual,
                   move.credit_disputed
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
              JOIN res_partner partner ON partner.id = aml.partner_id
             WHERE aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual != 0
            """,
            days=SQL(days),
            bucket=SQL(case, *params),
        )
