from odoo import fields, models
from odoo.tools import SQL

from ..models.res_partner import CHANNEL_SELECTION


class CreditFollowupAnalysis(models.Model):
    """Follow-up actions executed, by level and channel, and whether the invoices they
    chased were paid within 7, 14 and 30 days after."""

    _name = "credit.followup.analysis"
    _description = "Follow-up Effectiveness"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc"

    line_id = fields.Many2one("credit.followup.line", string="Follow-up", readonly=True)
    run_id = fields.Many2one("credit.followup.run", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    segment_id = fields.Many2one("credit.segment", readonly=True)
    level_id = fields.Many2one("credit.followup.level", readonly=True)
    channel = fields.Selection(CHANNEL_SELECTION, readonly=True)
    date = fields.Date(string="Executed On", readonly=True)
    amount_due = fields.Monetary(string="Due at This Level", readonly=True)
    amount_net = fields.Monetary(string="Asked to Pay", readonly=True,
                                 help="What the reminder asked the customer to pay, net of open credits.")
    paid_date = fields.Date(string="Paid On", readonly=True,
                            help="When the last of the invoices concerned was paid, if all are.")
    days_to_pay = fields.Integer(string="Days to Pay", readonly=True, aggregator="avg")
    paid_7 = fields.Integer(string="Paid Within 7 Days", readonly=True)
    paid_14 = fields.Integer(string="Paid Within 14 Days", readonly=True)
    paid_30 = fields.Integer(string="Paid Within 30 Days", readonly=True)
    action_count = fields.Integer(string="Actions", readonly=True)

    _depends = {
        "credit.followup.line": ["state", "date_done", "amount_due", "amount_net", "level_id", "channel", "partner_id",
                                 "run_id", "company_id", "segment_id", "move_ids"],
        "account.move": ["payment_state"],
        "account.partial.reconcile": ["max_date", "debit_move_id"],
    }

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT line.id, line.id AS line_id, line.run_id, line.partner_id, line.company_id,
                   company.currency_id, line.segment_id, line.level_id, line.channel,
                   line.date_done AS date, line.amount_due, line.amount_net, paid.paid_date,
                   paid.paid_date - line.date_done AS days_to_pay,
                   (paid.paid_date - line.date_done <= 7)::int AS paid_7,
                   (paid.paid_date - line.date_done <= 14)::int AS paid_14,
                   (paid.paid_date - line.date_done <= 30)::int AS paid_30,
                   1 AS action_count
              FROM credit_followup_line line
              JOIN res_company company ON company.id = line.company_id
         LEFT JOIN LATERAL (
                    SELECT CASE WHEN BOOL_AND(am.payment_state IN ('paid', 'in_payment', 'reversed'))
                                THEN GREATEST(MAX(settled.last_date), line.date_done) END AS paid_date
                      FROM account_move_credit_followup_line_rel rel
                      JOIN account_move am ON am.id = rel.account_move_id
                 LEFT JOIN LATERAL (
                            SELECT MAX(apr.max_date) AS last_date
                              FROM account_move_line aml
                              JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                             WHERE aml.move_id = am.id
                       ) settled ON TRUE
                     WHERE rel.credit_followup_line_id = line.id
               ) paid ON TRUE
             WHERE line.state = 'done'
            """
        )
