from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class CreditSegment(models.Model):
    """A group of customers treated alike by follow-ups: a rule on partners (risk tier,
    payment behaviour, preferred channel, country, tags...) and its own follow-up levels.
    A customer belongs to the first segment by sequence whose rule matches it."""

    _name = "credit.segment"
    _description = "Credit Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Segments are tried in this order: the first that matches wins.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True,
        help="Leave empty to share the segment between companies.",
    )
    partner_domain = fields.Char(
        string="Customers", default="[]", required=True,
        help="Which customers belong to the segment (unless an earlier segment takes them).",
    )
    description = fields.Text(help="How customers of this segment are treated, for the credit team.")
    followup_level_ids = fields.One2many("credit.followup.level", "segment_id", string="Follow-up Levels")
    level_count = fields.Integer(compute="_compute_level_count", string="Levels")
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers in Segment")
    color = fields.Integer()

    def _compute_level_count(self):
        counts = dict(self.env["credit.followup.level"]._read_group(
            [("segment_id", "in", self.ids)], ["segment_id"], ["__count"]))
        for segment in self:
            segment.level_count = counts.get(segment, 0)

    def _compute_partner_count(self):
        counts = dict(self.env["res.partner"]._read_group(
            [("credit_segment_id", "in", self.ids)], ["credit_segment_id"], ["__count"]))
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    def _credit_partner_domain(self):
        """The segment's rule as an ORM domain on res.partner."""
        self.ensure_one()
        try:
            domain = literal_eval(self.partner_domain or "[]")
            Domain(domain)  # a domain that does not parse raises here
        except (ValueError, SyntaxError, TypeError) as error:
            raise ValidationError(self.env._(
                "The customer rule of segment %(segment)s is not a valid domain: %(error)s",
                segment=self.display_name, error=error)) from error
        return list(domain)

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for segment in self:
            domain = segment._credit_partner_domain()
            try:
                self.env["res.partner"].sudo().search_count(domain, limit=1)
            except (ValueError, KeyError, TypeError) as error:
                raise ValidationError(self.env._(
                    "The customer rule of segment %(segment)s cannot be applied: %(error)s",
                    segment=segment.display_name, error=error)) from error

    @api.model_create_multi
    def create(self, vals_list):
        segments = super().create(vals_list)
        segments._credit_reassign_customers()
        return segments

    def write(self, vals):
        previous_companies = self.env["res.company"]
        if "company_id" in vals:  # the customers left behind are re-assigned by their companies
            previous_companies = (
                self.env["res.company"].sudo().search([]) if any(not s.company_id for s in self)
                else self.company_id)
        result = super().write(vals)
        if {"partner_domain", "sequence", "active", "company_id"} & vals.keys():
            self._credit_reassign_customers(previous_companies)
        return result

    def _credit_reassign_customers(self, previous_companies=None):
        """Re-assign, company by company, the customers of the companies of ``self`` (and
        of ``previous_companies``, those the segments moved from) after a rule change: each
        company's customers to its own and shared segments; a shared segment concerns every
        company. Another company's customers are left alone."""
        if self.env.context.get("credit_segment_no_reassign") or not self:
            return
        companies = self.company_id | (previous_companies or self.env["res.company"])
        if any(not segment.company_id for segment in self):
            companies = self.env["res.company"].sudo().search([])
        Partner = self.env["res.partner"].sudo()
        for company in companies:
            Partner._credit_segment_customers(company)._credit_assign_segments(company)

    def action_view_partners(self):
        """The customers in this segment."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_customers")
        action.update({
            "domain": [("credit_segment_id", "=", self.id)],
            "context": {"default_credit_segment_id": self.id},
            "name": self.env._("Customers of %(segment)s", segment=self.name),
        })
        return action

    def action_view_levels(self):
        """The follow-up levels of this segment."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_followup_level")
        action.update({"domain": [("segment_id", "=", self.id)], "context": {"default_segment_id": self.id}})
        return action
