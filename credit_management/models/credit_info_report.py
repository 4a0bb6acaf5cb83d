from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

from ..credit_core.bounds import AMOUNT
from .credit_info_provider import CREDIT_MANAGER

ORIGIN_SELECTION = [
    ("manual", "Fetched by a User"),
    ("cron", "Daily Refresh"),
    ("entry", "Entered by Hand"),
]


class CreditInfoReport(models.Model):
    """A credit report on a customer: what a credit-information provider answered on a
    date (its rating as a risk from 0 to 100 and its recommended limit), or why the
    lookup failed. A customer's latest ``done`` report in a company is the source of its
    external rating there, the score's external factor (see :meth:`_credit_apply_latest`)."""

    _name = "credit.info.report"
    _inherit = ["credit.bounded.mixin"]
    _description = "Credit Report"
    _order = "date desc, id desc"
    _check_company_auto = True
    _credit_bounds = {"recommended_limit": AMOUNT}

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade",
        domain="[('is_company', '=', True)]")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company)
    provider_id = fields.Many2one(
        "credit.info.provider", index=True, ondelete="restrict", check_company=True,
        groups=CREDIT_MANAGER)
    provider_name = fields.Char(
        string="Source", help="The provider that answered (as it was named then), empty for a report entered by hand.")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    origin = fields.Selection(ORIGIN_SELECTION, required=True, default="entry")
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    state = fields.Selection([("done", "Done"), ("failed", "Failed")], string="Status", required=True, default="done")
    # A failed report has no rating: ratings of several reports do not add up nor average.
    rating = fields.Float(
        digits=(5, 1), aggregator=None,
        help="The provider's rating as a risk from 0 (safest) to 100 (riskiest), as the risk score.")
    rating_value = fields.Char(string="Rating as Given", help="The rating as the provider gave it.")
    recommended_limit = fields.Monetary(
        currency_field="currency_id", aggregator=None, help="The credit limit the provider recommends.")
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id)
    identifier = fields.Char(string="Looked Up By Number")
    identifier_type = fields.Selection(
        [("vat", "VAT Number"), ("company_registry", "Company Registration Number")], string="Number")
    http_status = fields.Integer(string="HTTP Status", aggregator=None)
    attempts = fields.Integer(string="Tries", aggregator=None)
    error = fields.Text()
    raw_answer = fields.Text(
        string="Answer", groups=CREDIT_MANAGER,
        help="The provider's answer as it came, secrets (keys, passwords, tokens) removed.")

    @api.depends("date", "provider_name")
    def _compute_display_name(self):
        for report in self:
            date = format_date(self.env, fields.Date.context_today(report, report.date)) if report.date else ""
            report.display_name = self.env._(
                "%(provider)s, %(date)s", provider=report.provider_name or self.env._("Entered by hand"), date=date)

    @api.constrains("state", "rating")
    def _check_credit_rating(self):
        for report in self:
            if report.state == "done" and not 0 <= report.rating <= 100:
                raise ValidationError(self.env._(
                    "The rating of the credit report on %(partner)s must be a risk from 0 to 100, not %(rating)s.",
                    partner=report.partner_id.display_name, rating=report.rating))

    # ------------------------------------------------------------------ the customer's rating
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # A report is about the customer, not one of its contacts.
            if vals.get("partner_id"):
                vals["partner_id"] = self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
        reports = super().create(vals_list)
        # A failed report changes nothing else.
        reports._credit_apply_latest(reports._credit_pairs(done_only=True))
        return reports

    def write(self, vals):
        changes_rating = bool({"partner_id", "company_id", "state", "rating", "date"} & vals.keys())
        before = self._credit_pairs(done_only=True) if changes_rating else set()
        result = super().write(vals)
        if changes_rating:
            self._credit_apply_latest(before | self._credit_pairs(done_only=True))
        return result

    def unlink(self):
        pairs = self._credit_pairs(done_only=True)
        result = super().unlink()
        self.env["credit.info.report"]._credit_apply_latest(pairs)
        return result

    def _credit_pairs(self, done_only=False):
        """The (partner id, company id) of the reports of ``self`` (``done`` ones only)."""
        return {(report.partner_id.id, report.company_id.id) for report in self.sudo()
                if not done_only or report.state == "done"}

    @api.model
    def _credit_latest_done(self, partner_ids, company_ids):
        """``{(partner id, company id): (report id, rating, date)}`` of the latest ``done``
        report of each of ``partner_ids`` in each of ``company_ids``. One query."""
        if not partner_ids or not company_ids:
            return {}
        self.flush_model(["partner_id", "company_id", "state", "rating", "date"])
        rows = self.env.execute_query(SQL(
            """
            SELECT DISTINCT ON (partner_id, company_id) partner_id, company_id, id, rating, date
              FROM credit_info_report
             WHERE state = 'done' AND partner_id = ANY(%s) AND company_id = ANY(%s)
          ORDER BY partner_id, company_id, date DESC, id DESC
            """, list(partner_ids), list(company_ids)))
        return {(partner_id, company_id): (report_id, rating, date)
                for partner_id, company_id, report_id, rating, date in rows}

    def _credit_apply_latest(self, pairs=None):
        """Make each customer's external rating and its date, in each company, those of
        its latest ``done`` report there (none when it has none): the one place they are
        written. ``pairs``: the (partner id, company id) concerned (default: those of
        ``self``)."""
        pairs = self._credit_pairs() if pairs is None else pairs
        if not pairs:
            return
        latest = self._credit_latest_done({p for p, _c in pairs}, {c for _p, c in pairs})
        groups = {}
        for partner_id, company_id in pairs:
            _report_id, rating, date = latest.get((partner_id, company_id), (None, 0.0, False))
            rating_date = fields.Date.context_today(self, date) if date else False
            groups.setdefault((company_id, rating, rating_date), []).append(partner_id)
        Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        for (company_id, rating, rating_date), partner_ids in groups.items():
            partners = Partner.with_company(company_id).browse(partner_ids).exists()
            partners.write({"credit_external_rating": rating, "credit_external_rating_date": rating_date})
