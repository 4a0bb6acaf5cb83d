from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The open receivables every credit rule reads (``credit.receivable._lines_sql``):
    # the lines still open of posted entries, keyed by account, partner and due date,
    # carrying the columns the lean projection reads, so that a customer's exposure comes
    # from the index alone and its overdue instalments from a range of it. Odoo's own
    # ``unreconciled_index`` also holds the income and outstanding-receipt lines, never
    # reconciled: about half of all lines.
    _credit_open_receivable_idx = models.Index(
        "(account_id, partner_id, (COALESCE(date_maturity, date)))"
        " INCLUDE (company_id, amount_residual, date_maturity, date, move_id, balance, company_currency_id, id)"
        " WHERE reconciled IS NOT TRUE AND amount_residual != 0 AND parent_state = 'posted'"
    )
