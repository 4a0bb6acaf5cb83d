from odoo import fields, models


class ResPartner(models.Model):
    """Complaints and shared notes on customers: the smart button count, the notes of the
    Credit tab and the sales opportunities waiting for a credit limit review."""

    _inherit = "res.partner"

    credit_complaint_count = fields.Integer(
        string="Complaints", compute="_compute_credit_complaint_count", groups="base.group_user",
    )
    credit_shared_note_ids = fields.One2many(
        "credit.shared.note", "partner_id", string="Shared Notes", groups="base.group_user",
        help="What sales and credit know about this customer, pinned first then newest.",
    )
    credit_open_opportunity_note = fields.Boolean(
        string="Sales Opportunity",
        compute="_compute_credit_open_opportunity_note",
        search="_search_credit_open_opportunity_note",
        groups="base.group_user",
        help="Sales wrote an opportunity note on this customer recently (see Credit settings) "
        "that the credit team has not acknowledged yet: a candidate for a limit review.",
    )

    def _compute_credit_complaint_count(self):
        """Complaints of a company and its contacts on the company; a contact's own on the contact."""
        groups = self.env["credit.complaint"]._read_group(
            [("commercial_partner_id", "in", self.commercial_partner_id._origin.ids)],
            ["commercial_partner_id", "partner_id"], ["__count"],
        )
        by_commercial, by_partner = {}, {}
        for commercial, partner, count in groups:
            by_commercial[commercial.id] = by_commercial.get(commercial.id, 0) + count
            by_partner[partner.id] = by_partner.get(partner.id, 0) + count
        for partner in self:
            origin = partner._origin
            if origin == origin.commercial_partner_id:
                partner.credit_complaint_count = by_commercial.get(origin.id, 0)
            else:
                partner.credit_complaint_count = by_partner.get(origin.id, 0)

    def _compute_credit_open_opportunity_note(self):
        Note = self.env["credit.shared.note"]
        noted = {partner for [partner] in Note._read_group(
            [*Note._open_opportunity_domain(), ("partner_id", "in", self.commercial_partner_id._origin.ids)],
            ["partner_id"],
        )}
        for partner in self:
            partner.credit_open_opportunity_note = partner.commercial_partner_id._origin in noted

    def _search_credit_open_opportunity_note(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        Note = self.env["credit.shared.note"]
        partners = Note._search(Note._open_opportunity_domain()).subselect("partner_id")
        wanted = (True in value) == (operator == "in")
        return [("commercial_partner_id", "in" if wanted else "not in", partners)]

    def write(self, vals):
        if "credit_shared_note_ids" in vals:
            # Notes are their own records: adding one from the customer's form needs the
            # right to write notes, not to edit the customer.
            vals = dict(vals)
            commands = vals.pop("credit_shared_note_ids")
            self.check_access("read")
            for partner in self:
                self.env["credit.shared.note"]._apply_list_commands(commands, partner)
            if not vals:
                return True
        return super().write(vals)

    def action_credit_view_complaints(self):
        """The complaints of this customer (and of its contacts, for a company)."""
        self.ensure_one()
        if self == self.commercial_partner_id:
            domain = [("commercial_partner_id", "=", self.id)]
        else:
            domain = [("partner_id", "=", self.id)]
        return self.env["credit.complaint"]._action_for(domain, {"default_partner_id": self.id})

    def action_credit_acknowledge_opportunities(self):
        """The credit team has seen the sales opportunities noted on these customers."""
        Note = self.env["credit.shared.note"]
        notes = Note.search([*Note._open_opportunity_domain(), ("partner_id", "in", self.commercial_partner_id.ids)])
        notes.action_acknowledge()
        return True
