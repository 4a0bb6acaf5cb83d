from odoo import api, fields, models

from ..credit_core.complaints import disputes_invoice


class AccountMove(models.Model):
    _inherit = "account.move"

    credit_disputed = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        compute="_compute_credit_disputed",
        store=True,
        help="The customer disputes this invoice: a complaint on it is open and pauses follow-up. "
        "It is not chased by follow-ups and does not count as overdue for credit holds until "
        "the complaint is resolved or rejected.",
        groups="base.group_user",
    )
    credit_promise_date = fields.Date(
        string="Promised Payment Date",
        copy=False,
        tracking=True,
        help="The customer promised to pay by this date: the invoice is not chased and does not "
        "count as overdue for credit holds until then.",
        groups="base.group_user",
    )
    credit_complaint_ids = fields.One2many(
        "credit.complaint", "move_id", string="Complaints", groups="base.group_user",
    )
    credit_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_credit_complaint_count", groups="base.group_user",
    )
    credit_dispute_complaint_ids = fields.Many2many(
        "credit.complaint", string="Open Disputes", compute="_compute_credit_dispute_complaint_ids",
        groups="base.group_user",
        help="The open complaints that keep this invoice disputed.",
    )

    # The last follow-up level sent, so that levels are never repeated nor go back.
    credit_followup_level_id = fields.Many2one(
        "credit.followup.level",
        string="Follow-up Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The last follow-up level sent to the customer about this invoice.",
        groups="base.group_user",
    )
    credit_followup_date = fields.Date(
        string="Last Follow-up", copy=False, readonly=True,
        help="When the customer was last reminded of this invoice.",
        groups="base.group_user",
    )

    # Draft customer invoices, a component of exposure (``credit.receivable._exposure_sql``):
    # few rows, read per customer by the credit check and for every customer by the sort on
    # available credit, where Odoo's indexes only lead to all moves of a state.
    _credit_draft_invoice_idx = models.Index(
        "(commercial_partner_id) INCLUDE (company_id, amount_total_signed)"
        " WHERE state = 'draft' AND move_type IN ('out_invoice', 'out_refund')"
    )

    @api.depends("credit_complaint_ids.state", "credit_complaint_ids.pause_followup")
    def _compute_credit_disputed(self):
        for move in self:
            move.credit_disputed = any(
                disputes_invoice(complaint.state, complaint.pause_followup)
                for complaint in move.credit_complaint_ids
            )

    @api.depends("credit_complaint_ids.state", "credit_complaint_ids.pause_followup")
    def _compute_credit_dispute_complaint_ids(self):
        for move in self:
            move.credit_dispute_complaint_ids = move.credit_complaint_ids.filtered(
                lambda c: disputes_invoice(c.state, c.pause_followup))

    def _compute_credit_complaint_count(self):
        counts = dict(self.env["credit.complaint"]._read_group(
            [("move_id", "in", self._origin.ids)], ["move_id"], ["__count"]))
        for move in self:
            move.credit_complaint_count = counts.get(move._origin, 0)

    def action_credit_report_complaint(self):
        """Raise a complaint on this invoice."""
        self.ensure_one()
        return self.env["credit.complaint"]._action_new({"default_move_id": self.id})

    def action_credit_view_complaints(self):
        """The complaints raised on this invoice."""
        self.ensure_one()
        return self.env["credit.complaint"]._action_for(
            [("move_id", "=", self.id)], {"default_move_id": self.id})
