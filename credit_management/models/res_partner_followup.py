from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

# What the credit team decides about a customer's follow-up, and who follows it up: credit
# controllers change them even without the right to edit contacts (the rest of the contact
# stays theirs to read).
CREDIT_FOLLOWUP_FIELDS = frozenset({
    "credit_preferred_channel", "credit_segment_id", "credit_segment_fixed", "credit_followup_pause_until",
    "credit_followup_pause_reason", "credit_controller_id",
})

CHANNEL_SELECTION = [
    ("email", "Email"),
    ("letter", "Letter"),
    ("phone", "Phone Call"),
    ("sms", "SMS"),
]


class ResPartner(models.Model):
    """Customers' segment, preferred follow-up channel, follow-up pause and history."""

    _inherit = "res.partner"

    credit_preferred_channel = fields.Selection(
        CHANNEL_SELECTION,
        string="Preferred Channel",
        default="email",
        tracking=True,
        groups="base.group_user",
        help="How the customer prefers to be reminded: follow-up levels set to use the partner's "
        "channel write, call or text accordingly (e.g. letters for paper billing).",
    )
    credit_segment_id = fields.Many2one(
        "credit.segment",
        string="Segment",
        copy=False,
        index="btree_not_null",
        tracking=True,
        ondelete="set null",
        groups="base.group_user",
        help="The follow-up segment of the customer: the first segment (by sequence) whose rule "
        "matches at the last risk review or assignment, unless fixed by hand.",
    )
    credit_segment_fixed = fields.Boolean(
        string="Segment Fixed by Hand",
        copy=False,
        groups="base.group_user",
        help="Keep this segment: reviews and assignments leave it alone.",
    )
    credit_followup_pause_until = fields.Date(
        string="Follow-up Paused Until",
        copy=False,
        tracking=True,
        groups="base.group_user",
        help="No invoice of this customer is chased until this date included (e.g. while a payment "
        "plan is agreed); they do not count as overdue for credit holds either.",
    )
    credit_followup_pause_reason = fields.Char(
        string="Pause Reason", copy=False, tracking=True, groups="base.group_user",
    )
    credit_followup_line_ids = fields.One2many(
        "credit.followup.line", "partner_id", string="Follow-up History",
        groups="credit_management.group_credit_user",
    )

    @api.constrains("credit_followup_pause_until", "credit_followup_pause_reason")
    def _check_credit_followup_pause_reason(self):
        for partner in self:
            if partner.credit_followup_pause_until and not (partner.credit_followup_pause_reason or "").strip():
                raise ValidationError(self.env._(
                    "Say why the follow-up of %(customer)s is paused until %(date)s.",
                    customer=partner.display_name, date=partner.credit_followup_pause_until))

    def write(self, vals):
        guarded = CREDIT_FOLLOWUP_FIELDS - {"credit_preferred_channel", "credit_controller_id"}
        is_credit = self.env.su or self.env.user.has_group("credit_management.group_credit_user")
        if guarded & vals.keys() and not is_credit:
            raise AccessError(self.env._(
                "Only the credit team can change a customer's segment or pause its follow-up."))
        if vals.get("credit_segment_id") and "credit_segment_fixed" not in vals and not self.env.context.get(
                "credit_segment_assign"):
            vals = dict(vals, credit_segment_fixed=True)
        if vals and vals.keys() <= CREDIT_FOLLOWUP_FIELDS and is_credit and not self.env.su:
            self.check_access("read")
            return super(ResPartner, self.sudo()).write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------ segments
    def _credit_assign_segments(self, company=None):
        """Put each commercial partner of ``self`` not fixed by hand in the first segment of
        ``company`` (and shared segments) by sequence whose domain matches it. One search
        per segment and one write per segment, whatever the number of partners. Returns
        ``{segment id or False: partner ids}`` of the partners whose segment changed."""
        company = company or self.env.company
        partners = self.commercial_partner_id.sudo().filtered(lambda p: not p.credit_segment_fixed)
        segments = self.env["credit.segment"].sudo().search(
            [("company_id", "in", [False, company.id])], order="sequence, id")
        remaining = set(partners.ids)
        target = {}
        for segment in segments:
            if not remaining:
                break
            matched = self.sudo().with_context(active_test=False).search(
                [("id", "in", list(remaining)), *segment._credit_partner_domain()])
            for partner_id in matched.ids:
                target[partner_id] = segment.id
            remaining -= set(matched.ids)
        changed = {}
        for partner in partners:
            segment_id = target.get(partner.id, False)
            if partner.credit_segment_id.id != segment_id:
                changed.setdefault(segment_id, []).append(partner.id)
        Partner = self.sudo().with_context(credit_segment_assign=True, tracking_disable=True)
        for segment_id, ids in changed.items():
            Partner.browse(ids).write({"credit_segment_id": segment_id})
        return changed

    def action_credit_assign_segment(self):
        """Assign the segment of these customers now (credit team)."""
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team can assign customers to segments."))
        changed = self._credit_assign_segments(self.env.company)
        count = sum(len(ids) for ids in changed.values())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Segments Assigned"),
                "message": self.env._("%(count)s customer(s) changed segment.", count=count),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _credit_review_apply(self, company, outcomes, trigger, today):
        """A review also puts the customer in its segment, from its new tier and behaviour."""
        reviews = super()._credit_review_apply(company, outcomes, trigger, today)
        self._credit_assign_segments(company)
        return reviews

    def action_credit_view_followups(self):
        """The follow-up history of this customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_followup_line")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_done": 1}
        return action

    def _credit_statement_data(self, company=None):
        """What the customer statement shows for this commercial partner in ``company``:
        ``{'invoices': open invoice lines, 'credits': open credit notes and payments not
        allocated, 'total': the net balance (company currency), 'currency'}``."""
        self.ensure_one()
        company = company or self.env.company
        lines = self.env["account.move.line"].sudo().search([
            ("partner_id", "child_of", self.commercial_partner_id.id),
            ("company_id", "in", self._credit_company_family(company)),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", "!=", 0),
        ], order="date_maturity, date, id")
        return {
            "invoices": lines.filtered(lambda line: line.amount_residual > 0),
            "credits": lines.filtered(lambda line: line.amount_residual < 0),
            "total": sum(lines.mapped("amount_residual")),
            "currency": company.currency_id,
            "company": company,
        }
