from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from ..credit_core.holds import (
    ApprovalScope,
    approval_max_amount,
    approval_status,
    approval_valid_until,
    response_hours,
    waiting_label,
)

# Written by the request's own methods only (in sudo), never by a user's create or write;
# the snapshot of the order and the related fields included.
SYSTEM_FIELDS = {
    "name", "sale_order_id", "requested_by_id", "request_date", "hold_reasons", "amount",
    "exposure_at_request", "limit_at_request", "state", "decided_by_id", "decision_date",
    "response_hours", "approved_until", "approval_tolerance", "approved_max_amount", "void_date",
    "void_reason", "partner_id", "invoice_partner_id", "company_id", "currency_id", "controller_id",
    "salesperson_id", "company_currency_id", "order_currency_id", "order_state", "order_amount_now",
}
# What a request was asked and decided on: once it is decided (or withdrawn) these never
# change, not even on the server. Voiding an approval only adds its date and reason, once.
DECIDED_FIELDS = frozenset({
    "sale_order_id", "partner_id", "invoice_partner_id", "company_id", "currency_id", "controller_id",
    "requested_by_id", "request_date", "request_note", "hold_reasons", "amount", "exposure_at_request",
    "limit_at_request", "state", "decided_by_id", "decision_date", "decision_note", "response_hours",
    "approval_tolerance", "approved_until", "approved_max_amount",
})
VOID_FIELDS = frozenset({"void_date", "void_reason"})


class CreditReleaseRequest(models.Model):
    """A salesperson's request to release an order held for credit, and the credit
    manager's decision: persistent, logged, with the time the order waited."""

    _name = "credit.release.request"
    _description = "Credit Release Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "request_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    sale_order_id = fields.Many2one(
        "sale.order", string="Order", required=True, readonly=True, index=True, ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", compute="_compute_order_data", store=True, index=True, readonly=True,
    )
    invoice_partner_id = fields.Many2one(
        "res.partner", string="Invoiced Customer", compute="_compute_order_data", store=True, readonly=True,
        help="The customer the order's invoices went to when the release was requested.",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_order_data", store=True, index=True, readonly=True,
    )
    salesperson_id = fields.Many2one(
        "res.users", string="Salesperson", related="sale_order_id.user_id", store=True, index=True,
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_order_data", store=True, readonly=True,
        help="The order's currency when the release was requested: the currency of the amount requested and "
        "approved. An approval covers its order in this currency only.",
    )
    order_currency_id = fields.Many2one("res.currency", related="sale_order_id.currency_id",
                                        string="Order Currency Now")
    company_currency_id = fields.Many2one("res.currency", related="company_id.currency_id",
                                          string="Company Currency")
    controller_id = fields.Many2one(
        "res.users", string="Credit Controller", compute="_compute_order_data", store=True, readonly=True,
        help="The credit controller who follows the customer.",
    )

    requested_by_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True,
        default=lambda self: self.env.user,
    )
    request_date = fields.Datetime(string="Requested On", required=True, readonly=True,
                                   default=fields.Datetime.now, index=True)
    request_note = fields.Text(
        string="Salesperson's Note",
        help="Why the order should be released: what the customer said, what is at stake.",
    )
    hold_reasons = fields.Html(
        compute="_compute_order_data", store=True, readonly=True,
        sanitize_overridable=False,
        help="Why the order was held when the release was requested.",
    )
    amount = fields.Monetary(
        string="Order Amount", compute="_compute_order_data", store=True, readonly=True,
        currency_field="currency_id", help="The order total when the release was requested.",
    )
    exposure_at_request = fields.Monetary(
        string="Exposure at Request", compute="_compute_order_data", store=True, readonly=True,
        currency_field="company_currency_id",
    )
    limit_at_request = fields.Monetary(
        string="Credit Limit at Request", compute="_compute_order_data", store=True, readonly=True,
        currency_field="company_currency_id",
    )

    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("declined", "Declined"),
            ("cancelled", "Withdrawn"),
        ],
        required=True, default="pending", readonly=True, index=True, tracking=True, copy=False,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    decision_date = fields.Datetime(string="Decided On", readonly=True, copy=False)
    decision_note = fields.Text(
        copy=False,
        help="Why the credit manager approves or declines: required to decline; the salesperson reads it.",
    )
    response_hours = fields.Float(
        string="Response Time (Hours)", readonly=True, copy=False, aggregator="avg",
        help="Hours between the request and the decision.",
    )
    waiting_hours = fields.Float(string="Waiting (Hours)", compute="_compute_waiting")
    waiting_label = fields.Char(string="Waiting", compute="_compute_waiting")

    approval_tolerance = fields.Float(string="Tolerance (%)", readonly=True, copy=False)
    approved_until = fields.Date(string="Approval Valid Until", readonly=True, copy=False)
    approved_max_amount = fields.Monetary(
        string="Approved up To", readonly=True, copy=False, currency_field="currency_id",
        help="The order total the approval covers: the amount requested plus the tolerance.",
    )
    void_date = fields.Datetime(string="Voided On", readonly=True, copy=False)
    void_reason = fields.Char(string="Voided Because", readonly=True, copy=False)
    approval_status = fields.Selection(
        [("valid", "Valid"), ("expired", "Expired"), ("void", "Void")],
        compute="_compute_approval_status",
        help="Whether an approval still lets the order be confirmed.",
    )
    order_state = fields.Selection(related="sale_order_id.state", string="Order Status")
    order_amount_now = fields.Monetary(
        related="sale_order_id.amount_total", string="Order Amount Now", currency_field="order_currency_id")

    _name_company_uniq = models.UniqueIndex("(name, company_id) WHERE name <> '/'")

    @api.depends("sale_order_id")
    def _compute_order_data(self):
        for request in self:
            order = request.sale_order_id.sudo()
            request.partner_id = order.partner_id.commercial_partner_id
            request.invoice_partner_id = order.partner_invoice_id.commercial_partner_id
            request.company_id = order.company_id
            request.currency_id = order.currency_id
            request.controller_id = order.partner_id.commercial_partner_id.with_company(
                order.company_id).credit_controller_id
            request.hold_reasons = order.credit_hold_reasons or order.credit_check_preview
            request.amount = order.amount_total
            request.exposure_at_request = order.credit_partner_exposure
            request.limit_at_request = order.credit_partner_limit

    def _credit_approval_scope(self):
        """The :class:`ApprovalScope` the request was asked for (and approved for)."""
        self.ensure_one()
        request = self.sudo()
        return ApprovalScope(customer=request.partner_id.id, invoiced_customer=request.invoice_partner_id.id,
                             company=request.company_id.id, currency=request.currency_id.id)

    @api.depends("state", "request_date")
    def _compute_waiting(self):
        now = fields.Datetime.now()
        for request in self:
            if request.state == "pending" and request.request_date:
                hours = response_hours(request.request_date, now)
            else:
                hours = request.response_hours
            request.waiting_hours = hours
            request.waiting_label = waiting_label(hours, _=self.env._) if request.request_date else False

    @api.depends("state", "void_date", "approved_until")
    def _compute_approval_status(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.approval_status = request.state == "approved" and approval_status(
                bool(request.void_date), request.approved_until or None, today)

    # ------------------------------------------------------------------ creation
    @api.model_create_multi
    def create(self, vals_list):
        order_ids = [vals["sale_order_id"] for vals in vals_list if vals.get("sale_order_id")]
        orders = self.env["sale.order"].browse(order_ids)
        orders._credit_require_release_possible()
        for vals in vals_list:
            for key in SYSTEM_FIELDS - {"sale_order_id"}:
                vals.pop(key, None)
            vals["requested_by_id"] = self.env.uid
        requests = super(CreditReleaseRequest, self.sudo()).create(vals_list)
        for request in requests:
            company = request.company_id
            request.name = self.env["ir.sequence"].with_company(company).next_by_code("credit.release.request") or "/"
        # The snapshot is taken now, before the order moves on to "waiting for credit".
        requests.mapped("hold_reasons")
        requests._credit_after_request()
        return requests.with_env(self.env)

    def _credit_after_request(self):
        """The order waits for credit; the salesperson's request reaches the credit team."""
        for request in self.sudo():
            order = request.sale_order_id
            order._credit_set_state("pending")
            request.message_subscribe(partner_ids=request.requested_by_id.partner_id.ids)
            note = request.request_note or self.env._("(no note)")
            order.message_post(
                body=Markup("<p>%s</p><p>%s</p>") % (
                    self.env._("Credit release requested (%(request)s).", request=request._get_html_link()), note),
                author_id=request.requested_by_id.partner_id.id, subtype_xmlid="mail.mt_note")
            summary = self.env._("Decide on the credit release of %(order)s", order=order.name)
            for user in request.company_id._credit_team_users(request.partner_id):
                request.activity_schedule(
                    "credit_management.mail_activity_type_credit_release", user_id=user.id,
                    summary=summary, note=note)

    # ------------------------------------------------------------------ guards
    def write(self, vals):
        if not self.env.su:
            forbidden = SYSTEM_FIELDS & vals.keys()
            if forbidden:
                raise AccessError(self.env._(
                    "A release request's decision and snapshot are set by its actions only (%(fields)s).",
                    fields=", ".join(sorted(forbidden))))
            if "decision_note" in vals:
                self._credit_require_manager()
                self._credit_require_pending(self.env._("Its decision note can no longer change."))
            if "request_note" in vals:
                self._credit_require_pending(self.env._("Its note can no longer change."))
                if any(request.requested_by_id != self.env.user for request in self):
                    self._credit_require_manager()
        self._credit_require_figures_unchanged(vals)
        return super().write(vals)

    def _credit_require_figures_unchanged(self, vals):
        """Refuse, even on the server, to change what a decided (or withdrawn) request was
        asked and decided on, and to void an approval twice: the audit trail is written once."""
        closed = self.filtered(lambda r: r.state != "pending")
        frozen = DECIDED_FIELDS & vals.keys()
        voided = closed.filtered("void_date") if VOID_FIELDS & vals.keys() else closed.browse()
        if (closed and frozen) or voided:
            request = voided[:1] or closed[:1]
            raise UserError(self.env._(
                "%(request)s is decided: what it was asked and decided on never changes (%(fields)s).",
                request=request.name, fields=", ".join(sorted(frozen or VOID_FIELDS & vals.keys()))))

    def _credit_require_manager(self):
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(self.env._("Only a credit manager can approve or decline a credit release request."))

    def _credit_require_pending(self, consequence):
        decided = self.filtered(lambda r: r.state != "pending")
        if decided:
            raise UserError(self.env._("%(request)s is already decided. %(consequence)s",
                                       request=decided[0].name, consequence=consequence))

    # ------------------------------------------------------------------ decisions (contract)
    def action_approve(self):
        """Approve: the order may be confirmed up to its amount plus the tolerance, within
        the validity days of its company's settings. Credit managers only."""
        self._credit_require_manager()
        self._credit_require_pending(self.env._("Ask for a new release if the order changed."))
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        for request in self.sudo():
            company = request.company_id
            tolerance = company.credit_approval_tolerance
            request.write({
                "state": "approved",
                "decided_by_id": self.env.uid,
                "decision_date": now,
                "response_hours": response_hours(request.request_date, now),
                "approval_tolerance": tolerance,
                "approved_max_amount": approval_max_amount(request.amount, tolerance),
                "approved_until": approval_valid_until(today, company.credit_approval_validity_days),
            })
            order = request.sale_order_id
            order._credit_set_state(
                "approved", checked_amount=request.approved_max_amount if order.state == "sale" else None)
            request._credit_tell_decision(self.env._(
                "Credit release approved by %(manager)s: the order can be confirmed up to %(amount)s until %(date)s.",
                manager=self.env.user.name,
                amount=format_amount(self.env, request.approved_max_amount, request.currency_id),
                date=fields.Date.to_string(request.approved_until)))
        return True

    def action_decline(self):
        """Decline, with the decision note saying why (required). Credit managers only."""
        self._credit_require_manager()
        self._credit_require_pending(self.env._("Its decision can no longer change."))
        missing = self.filtered(lambda r: not (r.decision_note or "").strip())
        if missing:
            raise UserError(self.env._(
                "Write in the decision note why %(request)s is declined: the salesperson reads it.",
                request=missing[0].name))
        now = fields.Datetime.now()
        for request in self.sudo():
            request.write({
                "state": "declined",
                "decided_by_id": self.env.uid,
                "decision_date": now,
                "response_hours": response_hours(request.request_date, now),
            })
            request.sale_order_id._credit_set_state("declined")
            request._credit_tell_decision(self.env._("Credit release declined by %(manager)s.",
                                                     manager=self.env.user.name))
        return True

    def _credit_tell_decision(self, message):
        """Tell the salesperson and the requester the decision, on the order and the request,
        and close the credit team's activities."""
        self.ensure_one()
        request = self.sudo()
        body = Markup("<p>%s</p>") % message
        if request.decision_note:
            body += Markup("<p>%s</p>") % request.decision_note
        recipients = (request.requested_by_id | request.sale_order_id.user_id).partner_id
        author = self.env.user.partner_id.id
        request.sale_order_id.message_post(body=body, partner_ids=recipients.ids, author_id=author,
                                           subtype_xmlid="mail.mt_note")
        request.message_post(body=body, author_id=author, subtype_xmlid="mail.mt_note")
        request.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("credit_management.mail_activity_type_credit_release"),
        ).action_feedback(feedback=message)

    def _credit_void(self, reason):
        """Void these approvals: they no longer let their orders be confirmed."""
        now = fields.Datetime.now()
        for request in self.sudo():
            request.write({"void_date": now, "void_reason": reason})
            body = self.env._("The credit approval %(request)s is void: %(reason)s.", request=request.name,
                              reason=reason)
            request.message_post(body=body, subtype_xmlid="mail.mt_note")
            request.sale_order_id.message_post(body=body, partner_ids=request.sale_order_id.user_id.partner_id.ids,
                                               subtype_xmlid="mail.mt_note")

    def _credit_withdraw(self, reason):
        """Withdraw pending requests that are no longer needed, closing their activities."""
        for request in self.sudo().filtered(lambda r: r.state == "pending"):
            request.write({"state": "cancelled"})
            request.message_post(body=reason, subtype_xmlid="mail.mt_note")
            request.activity_ids.action_feedback(feedback=reason)

    # ------------------------------------------------------------------ navigation
    def _credit_form_action(self, target="current"):
        action = {
            "type": "ir.actions.act_window",
            "res_model": "credit.release.request",
            "name": self.env._("Credit Release Request"),
            "target": target,
        }
        if len(self) == 1:
            action.update(view_mode="form", res_id=self.id)
        else:
            action.update(view_mode="list,form", domain=[("id", "in", self.ids)])
        return action

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "view_mode": "form",
            "res_id": self.sale_order_id.id,
        }
