from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date

from ..credit_core.holds import (
    REFUSAL_FORCED,
    REFUSAL_NO_LIMIT,
    REFUSAL_NOT_CREDIT,
    ApprovalScope,
    approval_max_amount,
    approval_status,
    approval_valid_until,
    decision_refusal,
    needs_manager,
    response_hours,
    waiting_label,
)

CREDIT_USER = "credit_management.group_credit_user"
CREDIT_MANAGER = "credit_management.group_credit_manager"
DECIDE_ACTIVITY = "credit_management.mail_activity_type_credit_release"

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
    """A salesperson's request to release an order held for credit, and the credit team's
    decision (a credit manager's, or a credit controller's up to the company's approval
    limit): persistent, logged, with the time the order waited."""

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
        help="Why the credit team approves or declines: required to decline; the salesperson reads it.",
    )
    response_hours = fields.Float(
        string="Response Time (Hours)", readonly=True, copy=False, aggregator="avg",
        help="Hours between the request and the decision.",
    )
    waiting_hours = fields.Float(string="Waiting (Hours)", compute="_compute_waiting")
    waiting_label = fields.Char(
        string="Waiting", compute="_compute_waiting", help="How long a pending request has been waiting.")
    response_label = fields.Char(
        string="Response Time", compute="_compute_waiting",
        help="How long the request waited for its decision.")
    can_decide = fields.Boolean(
        string="You Can Decide", compute="_compute_can_decide",
        help="You may approve or decline this pending request: credit managers decide every request, "
        "credit controllers those up to the approval limit of the settings whose hold no credit manager "
        "forced.")
    decision_restriction = fields.Char(
        string="Who Decides", compute="_compute_can_decide",
        help="Why only a credit manager decides this pending request, if so.")

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

    @api.depends("state", "request_date", "response_hours")
    def _compute_waiting(self):
        now = fields.Datetime.now()
        for request in self:
            pending = request.state == "pending" and request.request_date
            decided = request.state in ("approved", "declined") and request.decision_date
            hours = response_hours(request.request_date, now) if pending else request.response_hours
            request.waiting_hours = hours
            request.waiting_label = waiting_label(hours, _=self.env._) if pending else False
            request.response_label = waiting_label(hours, _=self.env._) if decided else False

    @api.depends_context("uid")
    @api.depends("state", "amount", "company_id")
    def _compute_can_decide(self):
        user = self.env.user
        pending = self.filtered(lambda r: r.state == "pending" and r.sale_order_id)
        (self - pending).update({"can_decide": False, "decision_restriction": False})
        if not pending:
            return
        as_controller = pending._credit_refusals(is_manager=False, is_controller=True)
        is_manager = user.has_group(CREDIT_MANAGER)
        as_user = as_controller if user.has_group(CREDIT_USER) and not is_manager else \
            pending._credit_refusals(is_manager=is_manager, is_controller=False)
        for request in pending:
            request.can_decide = as_user[request] is None
            refusal = as_controller[request]
            request.decision_restriction = request._credit_refusal_message(refusal) if refusal else False

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
        """The order waits for credit; the salesperson's request reaches someone who can
        decide it. The request is told once on the order: as the feedback of the order's
        "held" to-do, now done, or else as a note."""
        for request in self.sudo():
            order = request.sale_order_id
            request.message_subscribe(partner_ids=request.requested_by_id.partner_id.ids)
            note = request.request_note or self.env._("(no note)")
            told = order._credit_close_hold_activities(self.env._(
                "Credit release requested (%(request)s): %(note)s", request=request.name, note=note))
            order._credit_set_state("pending")
            if not told:
                order.message_post(
                    body=Markup("<p>%s</p><p>%s</p>") % (
                        self.env._("Credit release requested (%(request)s).", request=request._get_html_link()),
                        note),
                    author_id=request.requested_by_id.partner_id.id, subtype_xmlid="mail.mt_note")
        self._credit_schedule_decision()

    # ------------------------------------------------------------------ who decides
    def _credit_refusals(self, user=None, is_manager=None, is_controller=None):
        """``{request: refusal}``: why ``user`` (or a user of the given groups) may not
        decide each pending request of ``self``, None when they may (see
        :func:`~credit_core.holds.decision_refusal`). Whether a credit manager forced the
        hold is read from the order's credit check now, so a hold forced after the request
        still reserves it to the managers."""
        if user is not None:
            is_manager = user.has_group(CREDIT_MANAGER)
            is_controller = user.has_group(CREDIT_USER)
        if is_manager or not is_controller:
            return dict.fromkeys(self, None if is_manager else REFUSAL_NOT_CREDIT)
        requests = self.sudo()
        checks = requests.sale_order_id._credit_evaluate()
        refusals = {}
        for request, request_sudo in zip(self, requests, strict=True):
            order = request_sudo.sale_order_id
            refusals[request] = decision_refusal(
                False, True, request_sudo._credit_amount_company_currency(),
                request_sudo.company_id.credit_controller_approval_limit,
                forced=needs_manager(checks[order].reasons) if order in checks else False)
        return refusals

    def _credit_amount_company_currency(self):
        """The order amount of the request in its company's currency, at the request date."""
        self.ensure_one()
        company = self.company_id
        date = fields.Date.to_date(self.request_date) if self.request_date else fields.Date.context_today(self)
        return self.currency_id._convert(self.amount, company.currency_id, company, date)

    def _credit_refusal_message(self, refusal):
        """Why this request is for a credit manager to decide (``refusal`` of
        :meth:`_credit_refusals`), in the user's words."""
        self.ensure_one()
        request = self.sudo()
        if refusal == REFUSAL_NOT_CREDIT:
            return self.env._("Only the credit team approves or declines credit release requests.")
        if refusal == REFUSAL_FORCED:
            return self.env._(
                "A credit manager decides %(request)s: a credit manager forced the hold of %(order)s or of its "
                "customer.", request=request.name, order=request.sale_order_id.name)
        company = request.company_id
        if refusal == REFUSAL_NO_LIMIT:
            return self.env._(
                "A credit manager decides %(request)s: in %(company)s only credit managers decide release "
                "requests (Settings: Controller Approval Limit).", request=request.name, company=company.name)
        return self.env._(
            "A credit manager decides %(request)s: its order of %(amount)s is above the %(limit)s credit "
            "controllers may approve.", request=request.name,
            amount=format_amount(self.env, request._credit_amount_company_currency(), company.currency_id),
            limit=format_amount(self.env, company.credit_controller_approval_limit, company.currency_id))

    def _credit_decider(self):
        """Who is asked to decide this request: the customer's credit controller (or the
        company's default controller) when they may decide it, else the first credit
        manager of the company (the oldest account)."""
        self.ensure_one()
        request = self.sudo()
        company = request.company_id
        for user in company._credit_team_users(request.partner_id).sorted("id"):
            if request._credit_refusals(user=user)[request] is None:
                return user
        managers = self.env.ref(CREDIT_MANAGER).sudo().all_user_ids.filtered(
            lambda user: user.active and not user.share and company in user.company_ids)
        return managers.sorted("id")[:1] or company._credit_team_users(request.partner_id)[:1]

    def _credit_schedule_decision(self):
        """Give each pending request of ``self`` one activity to decide it, assigned to its
        decider (see :meth:`_credit_decider`); an activity whose assignee may no longer
        decide it (a hold forced since) goes to the decider."""
        activity_type = self.env.ref(DECIDE_ACTIVITY)
        for request in self.sudo().filtered(lambda r: r.state == "pending"):
            activities = request.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
            if activities and all(request._credit_refusals(user=a.user_id)[request] is None for a in activities):
                continue
            decider = request._credit_decider()
            if activities:
                activities.write({"user_id": decider.id})
                continue
            request.activity_schedule(
                DECIDE_ACTIVITY, user_id=decider.id,
                summary=self.env._("Decide on the credit release of %(order)s", order=request.sale_order_id.name),
                note=request.request_note or self.env._("(no note)"))

    # ------------------------------------------------------------------ guards
    def write(self, vals):
        if not self.env.su:
            forbidden = SYSTEM_FIELDS & vals.keys()
            if forbidden:
                raise AccessError(self.env._(
                    "A release request's decision and snapshot are set by its actions only (%(fields)s).",
                    fields=", ".join(sorted(forbidden))))
            if "decision_note" in vals:
                self._credit_require_credit_team()
                self._credit_require_pending(self.env._("Its decision note can no longer change."))
                self._credit_require_decider()
            if "request_note" in vals:
                self._credit_require_pending(self.env._("Its note can no longer change."))
                if any(request.requested_by_id != self.env.user for request in self) and \
                        not self.env.user.has_group(CREDIT_MANAGER):
                    raise AccessError(self.env._("Only its requester or a credit manager changes a request's note."))
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

    def _credit_require_credit_team(self):
        if not self.env.su and not self.env.user.has_group(CREDIT_USER):
            raise AccessError(self.env._("Only the credit team can approve or decline a credit release request."))

    def _credit_require_decider(self):
        """Refuse, on the server, a decision the user may not take (see :meth:`_credit_refusals`)."""
        if self.env.su:
            return
        for request, refusal in self._credit_refusals(user=self.env.user).items():
            if refusal:
                raise UserError(request._credit_refusal_message(refusal))

    def _credit_require_pending(self, consequence):
        decided = self.filtered(lambda r: r.state != "pending")
        if decided:
            raise UserError(self.env._("%(request)s is already decided. %(consequence)s",
                                       request=decided[0].name, consequence=consequence))

    # ------------------------------------------------------------------ decisions (contract)
    def action_approve(self):
        """Approve: the order may be confirmed up to its amount plus the tolerance, within
        the validity days of its company's settings. Credit managers, and credit
        controllers up to the company's approval limit (see :meth:`_credit_refusals`)."""
        self._credit_require_credit_team()
        self._credit_require_pending(self.env._("Ask for a new release if the order changed."))
        self._credit_require_decider()
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
                "Credit release approved by %(user)s: the order can be confirmed up to %(amount)s until %(date)s.",
                user=self.env.user.name,
                amount=format_amount(self.env, request.approved_max_amount, request.currency_id),
                date=format_date(self.env, request.approved_until, date_format="medium")))
        return True

    def action_decline_dialog(self):
        """The Decline button: a dialog asking why (the decision note, required there),
        whose own button declines."""
        self.ensure_one()
        self._credit_require_credit_team()
        self._credit_require_pending(self.env._("Its decision can no longer change."))
        self._credit_require_decider()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Decline %(request)s", request=self.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("credit_management.credit_release_request_view_form_decline").id, "form")],
            "target": "new",
        }

    def action_decline(self):
        """Decline, with the decision note saying why (required). Credit managers, and
        credit controllers up to the company's approval limit."""
        self._credit_require_credit_team()
        self._credit_require_pending(self.env._("Its decision can no longer change."))
        self._credit_require_decider()
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
            request._credit_tell_decision(self.env._("Credit release declined by %(user)s.",
                                                     user=self.env.user.name))
        return True

    def _credit_tell_decision(self, message):
        """Tell the decision once on each document: on the order, to the salesperson and
        the requester; on the request, as the feedback of its decision activity, now done
        (or as a note when it has none)."""
        self.ensure_one()
        request = self.sudo()
        body = Markup("<p>%s</p>") % message
        if request.decision_note:
            body += Markup("<p>%s</p>") % request.decision_note
        recipients = (request.requested_by_id | request.sale_order_id.user_id).partner_id
        author = self.env.user.partner_id.id
        request.sale_order_id.message_post(body=body, partner_ids=recipients.ids, author_id=author,
                                           subtype_xmlid="mail.mt_note")
        feedback = "\n".join(filter(None, [message, request.decision_note]))
        request._credit_close_activities(feedback, body)

    def _credit_close_activities(self, feedback, body=None):
        """Mark done the decision activity of this request with ``feedback``: that is the
        one message the request gets; without an activity, ``body`` (or the feedback) is
        posted instead. Several activities (from an older version, one per credit manager)
        leave one message: the others are removed."""
        self.ensure_one()
        activities = self.sudo().activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(DECIDE_ACTIVITY))
        if activities:
            mine = activities.filtered(lambda a: a.user_id == self.env.user)[:1] or activities[:1]
            (activities - mine).unlink()
            mine.action_feedback(feedback=feedback)
        else:
            self.sudo().message_post(body=body or feedback, author_id=self.env.user.partner_id.id,
                                     subtype_xmlid="mail.mt_note")

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
            request._credit_close_activities(reason)

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
