from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..credit_core.bounds import AMOUNT
from ..credit_core.complaints import (
    CLOSED_STATES,
    OPEN_STATES,
    awaits_credit_team,
    missing_for_resolution,
    pauses_followup_when_raised,
    processing_days,
)

COMPLAINT_STATES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("rejected", "Rejected"),
]


class CreditComplaint(models.Model):
    """A customer's complaint or dispute about an invoice, an order or the relationship.

    While it is open and pauses follow-up, its invoice is disputed: not chased and not
    counted overdue for credit holds. Pausing is the credit team's decision: a complaint
    raised by anyone else is recorded, does not pause follow-up and waits for the credit
    team to accept the dispute or keep chasing (``dispute_pending``). Closing it as
    resolved records the root cause and the resolution, which feed the complaints analysis.
    """

    _name = "credit.complaint"
    _description = "Customer Complaint"
    _inherit = ["mail.thread", "mail.activity.mixin", "credit.bounded.mixin"]
    _order = "priority desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id.complete_name", "move_id.name"]
    _credit_bounds = {"amount_disputed": AMOUNT}

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index="trigram",
        default=lambda self: self.env._("New"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        compute="_compute_company_id", store=True, readonly=False, precompute=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True, check_company=True,
        compute="_compute_partner_id", store=True, readonly=False, precompute=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer Company", store=True, index=True,
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", index="btree_not_null", tracking=True, check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
               " ('commercial_partner_id', '=', commercial_partner_id)]",
        help="The invoice the customer disputes: while the complaint is open and pauses "
        "follow-up, this invoice is neither chased nor counted overdue for credit holds.",
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales Order", index="btree_not_null", tracking=True, check_company=True,
        compute="_compute_sale_order_id", store=True, readonly=False, precompute=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
    )
    category_id = fields.Many2one(
        "credit.complaint.category", required=True, tracking=True, ondelete="restrict",
    )
    category_color = fields.Integer(related="category_id.color", string="Category Colour")
    description = fields.Text(help="What the customer complains about, in their words.")
    state = fields.Selection(
        COMPLAINT_STATES, required=True, default="new", tracking=True, index=True, copy=False,
        group_expand=True,
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "High"), ("2", "Urgent")], default="0", index=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Owner", tracking=True, index="btree_not_null",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        compute="_compute_user_id", store=True, readonly=False, precompute=True,
        help="Who handles the complaint: by default the customer's credit controller.",
    )
    date_open = fields.Datetime(
        string="Raised On", required=True, readonly=True, copy=False, default=fields.Datetime.now,
    )
    date_deadline = fields.Date(
        string="Deadline", tracking=True, index=True,
        compute="_compute_date_deadline", store=True, readonly=False, precompute=True,
        help="When the customer should have an answer: proposed from the category.",
    )
    date_resolved = fields.Datetime(
        string="Closed On", readonly=True, copy=False,
        help="When the complaint was resolved or rejected.",
    )
    processing_days = fields.Float(
        compute="_compute_processing_days", store=True, aggregator="avg",
        digits=(16, 2), help="Days from raising the complaint to closing it.",
    )
    currency_id = fields.Many2one(
        "res.currency", required=True,
        compute="_compute_currency_id", store=True, readonly=False, precompute=True,
    )
    amount_disputed = fields.Monetary(
        string="Disputed Amount", tracking=True,
        compute="_compute_amount_disputed", store=True, readonly=False, precompute=True,
        help="The amount the customer contests, in the invoice's currency: by default what "
        "remains due on the invoice.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_disputed_company = fields.Monetary(
        string="Disputed Amount (Company Currency)", currency_field="company_currency_id",
        compute="_compute_amount_disputed_company", store=True,
    )
    amount_open_company = fields.Monetary(
        string="Open Disputed Amount", currency_field="company_currency_id",
        compute="_compute_amount_disputed_company", store=True,
        help="The disputed amount of complaints still open, in the company's currency.",
    )
    pause_followup = fields.Boolean(
        string="Pause Follow-up", default=lambda self: pauses_followup_when_raised(self._credit_is_staff()),
        tracking=True,
        help="While the complaint is open, its invoice is disputed: follow-ups skip it and it "
        "does not count as overdue for credit holds. Only the credit team sets this: on by "
        "default for its own complaints; anyone else's wait for the credit team to accept them.",
    )
    dispute_pending = fields.Boolean(
        string="Dispute to Decide", readonly=True, copy=False, tracking=True,
        help="Raised outside the credit team: the credit team has not yet accepted the dispute "
        "(Pause Follow-up) nor decided to keep chasing the invoice.",
    )
    awaiting_credit_team = fields.Boolean(
        compute="_compute_awaiting_credit_team", store=True,
        help="Open, raised outside the credit team and not yet decided by it: its invoice is "
        "still chased and counted overdue for credit holds.",
    )
    root_cause_id = fields.Many2one(
        "credit.complaint.root.cause", tracking=True, ondelete="restrict",
        help="Why it happened, classified for the complaints analysis.",
    )
    root_cause_step = fields.Selection(
        related="root_cause_id.step", store=True, string="Order-to-Cash Step",
    )
    root_cause = fields.Text(string="Root Cause Details", help="What went wrong, in words.")
    resolution = fields.Text(help="What was done for the customer, e.g. a credit note or a replacement.")
    salesperson_id = fields.Many2one(
        "res.users", index="btree_not_null",
        compute="_compute_sales_origin", store=True,
        help="The salesperson of the invoice or order, else of the customer.",
    )
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", compute="_compute_sales_origin", store=True,
    )
    product_ids = fields.Many2many(
        "product.product", string="Products Concerned",
        compute="_compute_product_ids", store=True, readonly=False, precompute=True,
        help="The products the complaint is about: by default those of the invoice or order.",
    )
    credit_note_ids = fields.Many2many(
        "account.move", string="Credit Notes", compute="_compute_credit_note_ids",
    )
    credit_note_count = fields.Integer(compute="_compute_credit_note_ids")
    can_close = fields.Boolean(compute="_compute_can_close")

    _amount_disputed_positive = models.Constraint(
        "CHECK (amount_disputed >= 0)", "The disputed amount cannot be negative.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("move_id", "sale_order_id")
    def _compute_company_id(self):
        for complaint in self:
            document = complaint.move_id or complaint.sale_order_id
            complaint.company_id = document.company_id or complaint.company_id or self.env.company

    @api.depends("move_id", "sale_order_id")
    def _compute_partner_id(self):
        for complaint in self:
            document_partner = complaint.move_id.partner_id or complaint.sale_order_id.partner_id
            if document_partner and (
                complaint.partner_id.commercial_partner_id != document_partner.commercial_partner_id
            ):
                complaint.partner_id = document_partner

    @api.depends("move_id")
    def _compute_sale_order_id(self):
        for complaint in self:
            orders = complaint.move_id.invoice_line_ids.sale_line_ids.order_id
            if orders and complaint.sale_order_id not in orders:
                complaint.sale_order_id = orders[:1]

    @api.depends("partner_id", "company_id")
    def _compute_user_id(self):
        is_credit_staff = self.env.user.has_group("credit_management.group_credit_user")
        for complaint in self.filtered(lambda c: not c.user_id):
            commercial = complaint.partner_id.commercial_partner_id
            controller = commercial.with_company(complaint.company_id or self.env.company).credit_controller_id
            complaint.user_id = controller or (self.env.user if is_credit_staff else False)

    @api.depends("category_id", "date_open")
    def _compute_date_deadline(self):
        for complaint in self.filtered(lambda c: not c.date_deadline and c.category_id):
            opened = fields.Date.context_today(complaint, complaint.date_open or fields.Datetime.now())
            complaint.date_deadline = opened + timedelta(days=complaint.category_id.deadline_days)

    @api.depends("state", "dispute_pending")
    def _compute_awaiting_credit_team(self):
        for complaint in self:
            complaint.awaiting_credit_team = awaits_credit_team(complaint.state, complaint.dispute_pending)

    @api.depends("date_open", "date_resolved")
    def _compute_processing_days(self):
        for complaint in self:
            complaint.processing_days = processing_days(complaint.date_open, complaint.date_resolved)

    @api.depends("move_id", "sale_order_id", "company_id")
    def _compute_currency_id(self):
        for complaint in self:
            complaint.currency_id = (
                complaint.move_id.currency_id or complaint.sale_order_id.currency_id
                or complaint.company_id.currency_id
            )

    @api.depends("move_id")
    def _compute_amount_disputed(self):
        for complaint in self.filtered("move_id"):
            move = complaint.move_id
            complaint.amount_disputed = move.amount_residual or move.amount_total

    @api.depends("amount_disputed", "currency_id", "company_id", "date_open", "state")
    def _compute_amount_disputed_company(self):
        for complaint in self:
            company = complaint.company_id
            amount = complaint.amount_disputed
            if complaint.currency_id and company and complaint.currency_id != company.currency_id:
                amount = complaint.currency_id._convert(
                    amount, company.currency_id, company,
                    fields.Date.to_date(complaint.date_open) or fields.Date.today(),
                )
            complaint.amount_disputed_company = amount
            complaint.amount_open_company = amount if complaint.state in OPEN_STATES else 0.0

    @api.depends("move_id.invoice_user_id", "move_id.team_id", "sale_order_id.user_id",
                 "sale_order_id.team_id", "partner_id.user_id")
    def _compute_sales_origin(self):
        for complaint in self:
            move, order, partner = complaint.move_id, complaint.sale_order_id, complaint.partner_id
            complaint.salesperson_id = (
                move.invoice_user_id or order.user_id or partner.user_id
                or partner.commercial_partner_id.user_id
            )
            complaint.team_id = move.team_id or order.team_id

    @api.depends("move_id", "sale_order_id")
    def _compute_product_ids(self):
        for complaint in self:
            if complaint.move_id:
                complaint.product_ids = complaint.move_id.invoice_line_ids.product_id
            elif complaint.sale_order_id:
                complaint.product_ids = complaint.sale_order_id.order_line.product_id

    @api.depends("move_id.reversal_move_ids")
    def _compute_credit_note_ids(self):
        for complaint in self:
            notes = complaint.move_id.reversal_move_ids.filtered(lambda m: m.move_type == "out_refund")
            complaint.credit_note_ids = notes
            complaint.credit_note_count = len(notes)

    @api.depends_context("uid")
    def _compute_can_close(self):
        self.can_close = self.env.user.has_group("credit_management.group_credit_user")

    @api.depends("name", "category_id")
    def _compute_display_name(self):
        for complaint in self:
            if complaint.category_id:
                complaint.display_name = f"{complaint.name} ({complaint.category_id.name})"
            else:
                complaint.display_name = complaint.name

    # ------------------------------------------------------------------ constraints
    @api.constrains("move_id", "sale_order_id", "partner_id")
    def _check_documents(self):
        for complaint in self:
            commercial = complaint.partner_id.commercial_partner_id
            move = complaint.move_id
            if move and (move.move_type != "out_invoice" or move.commercial_partner_id != commercial):
                raise ValidationError(self.env._(
                    "Complaint %(complaint)s: %(invoice)s is not a customer invoice of %(customer)s.",
                    complaint=complaint.name, invoice=move.display_name, customer=commercial.display_name,
                ))
            order = complaint.sale_order_id
            if order and order.partner_id.commercial_partner_id != commercial:
                raise ValidationError(self.env._(
                    "Complaint %(complaint)s: %(order)s is not an order of %(customer)s.",
                    complaint=complaint.name, order=order.name, customer=commercial.display_name,
                ))

    @api.constrains("state", "root_cause_id", "root_cause", "resolution")
    def _check_resolution(self):
        self.filtered(lambda c: c.state == "resolved")._check_resolvable()

    def _check_resolvable(self):
        """Refuse, naming the complaint, to resolve complaints without root cause or resolution."""
        labels = {
            "root_cause": self.env._("its root cause"),
            "resolution": self.env._("the resolution"),
        }
        for complaint in self:
            missing = missing_for_resolution(complaint.root_cause_id.id, complaint.root_cause, complaint.resolution)
            if missing:
                raise ValidationError(self.env._(
                    "Complaint %(complaint)s cannot be closed as resolved without %(missing)s.",
                    complaint=complaint.name,
                    missing=self.env._(" and ").join(labels[key] for key in missing),
                ))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        self._check_credit_fields(vals_list)
        raised_outside_credit = not self._credit_is_staff()
        for vals in vals_list:
            if not self.env.su:
                vals["dispute_pending"] = raised_outside_credit
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self._next_reference(vals)
            if vals.get("state") in CLOSED_STATES and not vals.get("date_resolved"):
                vals["date_resolved"] = fields.Datetime.now()
        complaints = super().create(vals_list)
        for complaint in complaints:
            # The owner (often proposed, not typed) and the salesperson hear of the complaint
            # and of its outcome.
            followers = (complaint.user_id | complaint.salesperson_id).partner_id
            if followers:
                complaint.message_subscribe(partner_ids=followers.ids)
        return complaints

    def _next_reference(self, vals):
        """The next complaint number (CMP/2026/0001) in the company the complaint will have."""
        company = self.env["res.company"].browse(vals.get("company_id"))
        if not company:
            move = self.env["account.move"].browse(vals.get("move_id"))
            order = self.env["sale.order"].browse(vals.get("sale_order_id"))
            company = move.company_id or order.company_id or self.env.company
        date = fields.Datetime.to_datetime(vals.get("date_open")) or fields.Datetime.now()
        return self.env["ir.sequence"].with_company(company).next_by_code(
            "credit.complaint", sequence_date=date) or self.env._("New")

    def write(self, vals):
        self._check_credit_fields([vals], self)
        if "pause_followup" in vals and "dispute_pending" not in vals:
            vals = dict(vals, dispute_pending=False)  # the credit team decided
        if "state" in vals:
            if vals["state"] in CLOSED_STATES:
                vals = dict(vals, date_resolved=vals.get("date_resolved") or fields.Datetime.now())
            else:
                vals = dict(vals, date_resolved=False)
        return super().write(vals)

    def _credit_is_staff(self):
        """Whether the complaints are handled by the credit team here: a member of it, or
        code running as superuser (data files, scheduled jobs)."""
        return self.env.su or self.env.user.has_group("credit_management.group_credit_user")

    def _check_credit_fields(self, vals_list, complaints=None):
        """Salespeople raise complaints and add to them while they are open; closing,
        reopening and pausing follow-up (disputing the invoice) are the credit team's
        decisions."""
        if self._credit_is_staff():
            return
        closed = complaints.filtered(lambda c: c.state in CLOSED_STATES) if complaints else self.browse()
        if closed:
            raise AccessError(self.env._(
                "Complaint %(complaint)s is closed: only the credit team can change or reopen it.",
                complaint=closed[0].name,
            ))
        for vals in vals_list:
            if vals.get("state") in CLOSED_STATES:
                raise AccessError(self.env._("Only the credit team can resolve or reject a complaint."))
            if complaints is not None and {"pause_followup", "dispute_pending"} & vals.keys():
                raise AccessError(self.env._("Only the credit team can pause or resume the follow-up of an invoice."))
            if complaints is None and vals.get("pause_followup"):
                raise AccessError(self.env._(
                    "Only the credit team can raise a complaint that pauses follow-up: raise it without, "
                    "the credit team decides whether the invoice is disputed."))

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "state" in init_values and self.state in CLOSED_STATES:
            return self.env.ref("credit_management.mt_complaint_closed")
        return super()._track_subtype(init_values)

    def _creation_subtype(self):
        return self.env.ref("credit_management.mt_complaint_new")

    # ------------------------------------------------------------------ actions
    def _check_credit_staff(self, message=None):
        if not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(message or self.env._("Only the credit team can close or reopen complaints."))

    def action_start(self):
        """Take the new complaints in hand."""
        self.filtered(lambda c: c.state == "new").write({"state": "in_progress"})
        return True

    def action_accept_dispute(self):
        """Accept the dispute of complaints raised outside the credit team: their invoices
        are disputed (not chased, not counted overdue for holds) while they are open."""
        self._check_credit_staff(self.env._("Only the credit team can accept a dispute."))
        self.write({"pause_followup": True})
        return True

    def action_keep_chasing(self):
        """Decide that the invoices of these complaints stay chased and counted overdue
        for holds while the complaints are handled."""
        self._check_credit_staff(self.env._("Only the credit team can decide to keep chasing an invoice."))
        self.write({"pause_followup": False})
        return True

    def action_resolve(self):
        """Close the complaints as resolved: root cause and resolution are required."""
        self._check_credit_staff()
        for complaint in self:
            if complaint.state not in OPEN_STATES:
                raise UserError(self.env._("Complaint %s is already closed.", complaint.name))
        self._check_resolvable()
        self.write({"state": "resolved"})
        return True

    def action_reject(self):
        """Close the complaints as unfounded: the invoice is chased again."""
        self._check_credit_staff()
        for complaint in self:
            if complaint.state not in OPEN_STATES:
                raise UserError(self.env._("Complaint %s is already closed.", complaint.name))
        self.write({"state": "rejected"})
        return True

    def action_reopen(self):
        """Reopen closed complaints: their invoices are disputed again while they pause follow-up."""
        self._check_credit_staff()
        self.filtered(lambda c: c.state in CLOSED_STATES).write({"state": "in_progress"})
        return True

    def action_create_credit_note(self):
        """Open Odoo's own credit note (reversal) dialog on the disputed invoice."""
        self.ensure_one()
        self._check_credit_staff()
        move = self.move_id
        if not move or move.state != "posted":
            raise UserError(self.env._(
                "Complaint %s has no posted invoice to issue a credit note for.", self.name))
        action = move.action_reverse()
        action["context"] = {
            "active_model": "account.move",
            "active_ids": move.ids,
            "active_id": move.id,
            "default_reason": self.env._("Complaint %(complaint)s", complaint=self.name),
        }
        return action

    def action_view_credit_notes(self):
        """The credit notes issued on the disputed invoice."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_refund_type")
        action["domain"] = [("id", "in", self.credit_note_ids.ids)]
        action["context"] = {"default_move_type": "out_refund", "create": False}
        if len(self.credit_note_ids) == 1:
            action.update(views=[(False, "form")], res_id=self.credit_note_ids.id)
        return action

    def action_open_business_doc(self):
        """The complaint's form: what a complaint of an invoice's *Disputed* banner opens
        (account's ``x2many_buttons`` widget calls this method on the records it lists)."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.actions"]._for_xml_id("credit_management.action_credit_complaint")
        action.update(views=[(False, "form")], view_mode="form", res_id=self.id, target="current")
        return action

    @api.model
    def _action_new(self, context):
        """A new complaint's form, filled in from ``context``'s defaults."""
        action = self.env["ir.actions.actions"]._for_xml_id("credit_management.action_credit_complaint")
        action.update(views=[(False, "form")], view_mode="form", context=context, target="current")
        return action

    @api.model
    def _action_for(self, domain, context):
        """The complaints window on ``domain``, creating new ones with ``context``'s defaults."""
        action = self.env["ir.actions.actions"]._for_xml_id("credit_management.action_credit_complaint")
        action["domain"] = domain
        action["context"] = context
        return action
