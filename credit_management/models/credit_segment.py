from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

# The customer fields a credit manager segments by: the rule editor offers these (in this
# order); the others, technical ones included, only in debug mode.
SEGMENT_RULE_FIELDS = (
    "credit_risk_tier_id",
    "credit_payment_behaviour",
    "credit_preferred_channel",
    "credit_risk_score",
    "country_id",
    "state_id",
    "category_id",
    "user_id",
    "team_id",
    "credit_sales_recent",
    "credit_exposure",
    "credit_limit",
    "credit_on_hold",
    "credit_controller_id",
    "industry_id",
    "property_payment_term_id",
)


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
    description = fields.Text(translate=True, help="How customers of this segment are treated, for the credit team.")
    followup_level_ids = fields.One2many("credit.followup.level", "segment_id", string="Follow-up Levels")
    level_count = fields.Integer(compute="_compute_level_count", string="Levels")
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers in Segment")
    color = fields.Integer(aggregator=None)
    partner_domain_fields = fields.Json(
        compute="_compute_partner_domain_fields", string="Fields Offered for the Rule",
        help="The customer fields the rule editor offers (all of them in debug mode).")
    # How the contacts matching the rule compare with the customers in the segment (first
    # match wins): they add up to the rule's count, and with the customers fixed here by
    # hand to the segment's count of customers.
    match_count = fields.Integer(
        compute="_compute_match_counts", string="Contacts Matching the Rule",
        help="Every active contact the rule matches, as the rule editor counts them.")
    match_in_segment_count = fields.Integer(
        compute="_compute_match_counts", string="Matching Customers in this Segment",
        help="Customers of the company the rule matches and no earlier segment takes.")
    match_earlier_count = fields.Integer(
        compute="_compute_match_counts", string="Matching Customers Taken by Earlier Segments",
        help="Customers the rule matches that are in a segment before this one in the sequence.")
    match_fixed_elsewhere_count = fields.Integer(
        compute="_compute_match_counts", string="Matching Customers Fixed in Another Segment",
        help="Customers the rule matches whose segment was chosen by hand.")
    match_not_customer_count = fields.Integer(
        compute="_compute_match_counts", string="Matching Contacts Not Customers",
        help="Contacts the rule matches that segments leave alone: people of a company, contacts without "
        "sales in this company.")
    unmatched_in_segment_count = fields.Integer(
        compute="_compute_match_counts", string="Customers Fixed Here by Hand",
        help="Customers in this segment that the rule does not match: their segment was chosen by hand.")

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

    def _compute_partner_domain_fields(self):
        Partner = self.env["res.partner"]
        offered = [name for name in SEGMENT_RULE_FIELDS if name in Partner._fields]
        for segment in self:
            segment.partner_domain_fields = offered

    def _credit_earlier_segments(self, company):
        """The segments of ``company`` (and shared ones) before this one in the order
        customers are assigned (sequence, then creation)."""
        self.ensure_one()
        key = (self.sequence, self._origin.id or float("inf"))
        others = self.sudo().search([("company_id", "in", [False, company.id]), ("id", "!=", self._origin.id)])
        return others.filtered(lambda segment: (segment.sequence, segment.id) < key)

    def _credit_match_breakdown(self):
        """How the contacts the rule (as edited) matches fall, for the company of the
        segment (the current one for a shared segment): ``{'matched': contacts,
        'in_segment' | 'earlier' | 'fixed_elsewhere': customers, 'unmatched_here':
        customers in the segment the rule does not match}``. Contacts are searched with
        the user's rights, as the rule editor counts them."""
        self.ensure_one()
        company = self.company_id or self.env.company
        Partner = self.env["res.partner"]
        matched = Partner.search(self._credit_partner_domain())
        customer_ids = Partner._credit_customer_ids(company, matched.ids)
        customers = Partner.sudo().with_company(company).search([
            ("id", "in", list(customer_ids)), ("customer_rank", ">", 0),
            "|", ("is_company", "=", True), ("parent_id", "=", False),
        ])
        earlier = self._credit_earlier_segments(company)
        taken = customers.filtered(lambda partner: partner.credit_segment_id in earlier)
        fixed = (customers - taken).filtered(
            lambda partner: partner.credit_segment_fixed and partner.credit_segment_id != self._origin)
        in_segment = customers - taken - fixed
        here = Partner.sudo().with_company(company).search(
            [("credit_segment_id", "=", self._origin.id)]) if self._origin.id else Partner.browse()
        return {
            "matched": matched,
            "in_segment": in_segment,
            "earlier": taken,
            "fixed_elsewhere": fixed,
            "unmatched_here": here - customers,
        }

    @api.depends("partner_domain", "sequence", "company_id")
    def _compute_match_counts(self):
        for segment in self:
            try:
                breakdown = segment._credit_match_breakdown()
            except (ValidationError, ValueError, KeyError, TypeError):
                breakdown = dict.fromkeys(("matched", "in_segment", "earlier", "fixed_elsewhere", "unmatched_here"), ())
            segment.match_count = len(breakdown["matched"])
            segment.match_in_segment_count = len(breakdown["in_segment"])
            segment.match_earlier_count = len(breakdown["earlier"])
            segment.match_fixed_elsewhere_count = len(breakdown["fixed_elsewhere"])
            segment.match_not_customer_count = len(breakdown["matched"]) - sum(
                len(breakdown[key]) for key in ("in_segment", "earlier", "fixed_elsewhere"))
            segment.unmatched_in_segment_count = len(breakdown["unmatched_here"])

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
        action["display_name"] = action["name"]  # the title the web client shows
        return action

    def action_view_matched_elsewhere(self):
        """The customers this segment's rule matches that are in another segment: taken
        by an earlier segment (first match wins) or fixed there by hand."""
        self.ensure_one()
        breakdown = self._credit_match_breakdown()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_customers")
        action.update({
            "domain": [("id", "in", (breakdown["earlier"] | breakdown["fixed_elsewhere"]).ids)],
            "context": {"group_by": ["credit_segment_id"]},
            "name": self.env._("Matched by %(segment)s, in Other Segments", segment=self.name),
        })
        action["display_name"] = action["name"]  # the title the web client shows
        return action

    def action_view_unmatched_here(self):
        """The customers in this segment that its rule does not match (fixed by hand)."""
        self.ensure_one()
        action = self.action_view_partners()
        action.update({
            "domain": [("id", "in", self._credit_match_breakdown()["unmatched_here"].ids)],
            "name": self.env._("In %(segment)s by Hand", segment=self.name),
        })
        action["display_name"] = action["name"]  # the title the web client shows
        return action

    def action_view_levels(self):
        """The follow-up levels of this segment."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_followup_level")
        action.update({"domain": [("segment_id", "=", self.id)], "context": {"default_segment_id": self.id}})
        return action
