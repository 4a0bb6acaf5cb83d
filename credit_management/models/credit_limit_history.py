from odoo import api, fields, models
from odoo.tools import format_date, split_every


class CreditLimitHistory(models.Model):
    """One change of a customer's credit limit in a company: who, when, old and new
    limit, why, and for a temporary limit the day it ends."""

    _name = "credit.limit.history"
    _description = "Credit Limit Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Changed By", required=True, ondelete="restrict")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    # Limits of different customers or dates do not add up: no total in grouped lists.
    old_limit = fields.Monetary(currency_field="currency_id", aggregator=None)
    new_limit = fields.Monetary(currency_field="currency_id", aggregator=None)
    reason = fields.Char(required=True)
    date_end = fields.Date(
        string="Temporary Until",
        help="The new limit is temporary: the day after this date, the old limit comes back.",
    )
    ended = fields.Boolean(
        string="Temporary Limit Ended", readonly=True,
        help="The old limit came back when the temporary limit ended.",
    )

    @api.model
    def _credit_due_temporary_limits(self, today=None):
        """The temporary limits whose end date has passed and that did not end yet."""
        today = today or fields.Date.context_today(self)
        return self.search([("date_end", "<", today), ("ended", "=", False)], order="date_end, id")

    def _credit_end_temporary_limits(self):
        """Restore the old limit of each temporary limit of ``self`` still in force (the
        customer's limit was not changed since), and log it; mark all of them ended."""
        for change in self:
            partner = change.partner_id.with_company(change.company_id).sudo()
            if change.company_id.currency_id.compare_amounts(partner.credit_limit, change.new_limit) == 0:
                partner.with_context(credit_limit_reason=self.env._(
                    "The temporary limit set on %(date)s ended on %(end)s",
                    date=format_date(self.env, change.date.date()), end=format_date(self.env, change.date_end),
                ), credit_limit_until=False).write({"credit_limit": change.old_limit})
            change.ended = True

    @api.model
    def _cron_end_temporary_limits(self):
        """Daily: bring back the old limit of the temporary limits that ended, in batches
        that commit their progress."""
        due = self._credit_due_temporary_limits()
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(due))
        for ids in split_every(200, due.ids):
            batch = self.browse(ids)
            batch._credit_end_temporary_limits()
            if not cron._commit_progress(processed=len(batch)):
                break

