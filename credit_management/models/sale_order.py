from collections import defaultdict, namedtuple
from dataclasses import replace

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import format_amount

from ..credit_core.holds import (
    ApprovalScope,
    Standing,
    approval_covers,
    approval_scope_changes,
    available_credit,
    hold_reasons,
    needs_manager,
)
from .credit_receivable import COMPANY_FIELDS
from .credit_risk_review import BEHAVIOUR_SELECTION
from .res_partner import HOLD_SETTINGS_FIELDS

CreditCheck = namedtuple("CreditCheck", "standing amount reasons")
"""One order's credit check: the customer's standing without the order, the order's
amount in company currency, and the list of ``HoldReason`` (empty: may be confirmed)."""

HELD_STATES = ("hold", "pending", "declined")
HOLD_ACTIVITY = "credit_management.mail_activity_type_credit_hold"
# Set by the credit rules and the credit team only, through ``_credit_set_state`` and the
# order hold actions (as superuser once the user's rights are checked).
CREDIT_STATE_FIELDS = frozenset({
    "credit_check_state", "credit_hold_reasons", "credit_checked_amount", "credit_releasable",
    "credit_order_hold", "credit_order_hold_reason",
})
# Order fields that decide what an approval is about besides the amount: its customer (and
# the customer invoiced), company and currency (see ``ApprovalScope``).
APPROVAL_SCOPE_FIELDS = frozenset({"partner_id", "partner_invoice_id", "company_id", "pricelist_id", "currency_id"})


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Credit Currency", groups="base.group_user")
    credit_partner_limit = fields.Monetary(
        string="Customer Credit Limit",
        compute="_compute_credit_partner_standing",
        currency_field="credit_currency_id",
        compute_sudo=True,
        help="The customer's credit limit in this order's company (0 = no limit).",
        groups="base.group_user",
    )
    credit_partner_exposure = fields.Monetary(
        string="Customer Exposure",
        compute="_compute_credit_partner_standing",
        currency_field="credit_currency_id",
        compute_sudo=True,
        help="What the customer owes this order's company now or is committed to, "
        "this order included once it is confirmed.",
        groups="base.group_user",
    )
    credit_partner_available = fields.Monetary(
        string="Customer Available Credit",
        compute="_compute_credit_partner_standing",
        currency_field="credit_currency_id",
        compute_sudo=True,
        help="Credit limit minus exposure; zero when the customer has no limit.",
        groups="base.group_user",
    )

    # ------------------------------------------------------------------ credit check (contract)
    credit_check_state = fields.Selection(
        [
            ("ok", "OK"),
            ("hold", "On Credit Hold"),
            ("pending", "Waiting for Credit"),
            ("approved", "Credit Approved"),
            ("declined", "Credit Declined"),
        ],
        string="Credit Check",
        default="ok",
        required=True,
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
        help="OK: the order passed the credit check (or was not checked yet). On Credit Hold: "
        "the last check held it. Waiting for Credit: a release request is pending. Credit "
        "Approved / Declined: the credit team's decision on the last request.",
        groups="base.group_user",
    )
    credit_hold_reasons = fields.Html(
        copy=False,
        readonly=True,
        sanitize_overridable=False,
        help="Why the last credit check held the order, and what would release it.",
        groups="base.group_user",
    )
    credit_release_request_ids = fields.One2many(
        "credit.release.request", "sale_order_id", string="Credit Release Requests", copy=False,
        groups="base.group_user",
    )
    credit_release_request_count = fields.Integer(
        string="Release Requests", compute="_compute_credit_release_request_count", groups="base.group_user")
    credit_checked_amount = fields.Monetary(
        copy=False,
        readonly=True,
        help="The order total that passed the credit check or was approved: a confirmed order "
        "edited above it is checked again.",
        groups="base.group_user",
    )
    credit_releasable = fields.Boolean(
        string="Releasable",
        copy=False,
        readonly=True,
        help="The reasons of the hold are gone (a payment, a lifted hold): the order can be confirmed.",
        groups="base.group_user",
    )
    credit_order_hold = fields.Boolean(
        string="Held by a Credit Manager",
        copy=False,
        readonly=True,
        help="A credit manager holds this order: only a credit manager releases it.",
        groups="base.group_user",
    )
    credit_order_hold_reason = fields.Text(
        string="Order Hold Reason", copy=False, readonly=True, groups="base.group_user")

    # Live check of a quotation, before confirming.
    credit_needs_approval = fields.Boolean(
        string="Needs Credit Approval",
        compute="_compute_credit_check_preview",
        help="Confirming this quotation now would hold it for credit approval.",
        groups="base.group_user",
    )
    credit_check_preview = fields.Html(
        compute="_compute_credit_check_preview",
        sanitize=False,
        help="What the credit check says about this quotation now.",
        groups="base.group_user",
    )
    credit_limit_checked = fields.Boolean(
        compute="_compute_credit_check_preview",
        help="The credit limit of this customer is enforced by the credit hold rules.",
        groups="base.group_user",
    )
    credit_preview_differs = fields.Boolean(
        string="Check Changed Since the Hold",
        compute="_compute_credit_check_preview",
        help="Confirming this quotation now would be judged otherwise than its recorded hold reasons "
        "say (the order or the customer changed since).",
        groups="base.group_user",
    )
    credit_release_requestable = fields.Boolean(
        string="Can Request a Credit Release",
        compute="_compute_credit_release_requestable",
        help="The order is held for credit, or would be if confirmed now: asking the credit team for a "
        "release is what comes next.",
        groups="base.group_user",
    )
    # The customer's risk state is per company: these read the ORDER's company's, whatever
    # the user's current company.
    credit_partner_tier_id = fields.Many2one(
        "credit.risk.tier", string="Customer Risk Tier",
        compute="_compute_credit_partner_risk", compute_sudo=True, groups="base.group_user",
    )
    credit_partner_on_hold = fields.Boolean(
        string="Customer On Credit Hold", compute="_compute_credit_partner_risk", compute_sudo=True,
        groups="base.group_user")
    # The approval an approved order stands on, shown in its banner with Odoo's own widgets.
    credit_approval_id = fields.Many2one(
        "credit.release.request", compute="_compute_credit_approval",
        compute_sudo=True, groups="base.group_user")
    credit_approved_by_id = fields.Many2one(
        "res.users", compute="_compute_credit_approval", compute_sudo=True,
        groups="base.group_user")
    credit_approved_max_amount = fields.Monetary(
        string="Credit Approved up To", compute="_compute_credit_approval", compute_sudo=True,
        groups="base.group_user")
    credit_approved_until = fields.Date(
        string="Credit Approval Valid Until", compute="_compute_credit_approval", compute_sudo=True,
        groups="base.group_user")
    credit_standing_summary = fields.Char(
        string="Credit Standing", compute="_compute_credit_standing_summary", groups="base.group_user",
        help="The customer's credit limit, exposure and available credit in this order's company.",
    )

    credit_partner_tier_color = fields.Integer(
        compute="_compute_credit_partner_risk",
        compute_sudo=True,
        string="Customer Risk Tier Colour",
        groups="base.group_user",
    )
    credit_partner_payment_behaviour = fields.Selection(
        BEHAVIOUR_SELECTION,
        compute="_compute_credit_partner_risk",
        compute_sudo=True,
        string="Customer Payment Behaviour",
        groups="base.group_user",
    )

    @api.depends(
        "partner_id", "company_id",
        "partner_id.commercial_partner_id.credit_risk_tier_id",
        "partner_id.commercial_partner_id.credit_on_hold",
        "partner_id.commercial_partner_id.credit_payment_behaviour",
    )
    def _compute_credit_partner_risk(self):
        for order in self:
            commercial = order.partner_id.commercial_partner_id.with_company(order.company_id or self.env.company)
            tier = commercial.credit_risk_tier_id
            order.credit_partner_tier_id = tier
            order.credit_partner_tier_color = tier.color
            order.credit_partner_on_hold = commercial.credit_on_hold
            order.credit_partner_payment_behaviour = commercial.credit_payment_behaviour

    @api.depends("partner_id", "company_id", "state", "amount_total")
    def _compute_credit_partner_standing(self):
        Partner = self.env["res.partner"]
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id
            exposure = Partner._credit_exposure_by_partner(company, partners)
            limits = partners._credit_limits(company)
            for order in orders:
                commercial_id = order.partner_id.commercial_partner_id.id
                total = exposure.get(commercial_id, {}).get("total", 0.0)
                limit = limits.get(commercial_id, 0.0)
                order.credit_partner_limit = limit
                order.credit_partner_exposure = total
                order.credit_partner_available = available_credit(limit, total)

    @api.depends("credit_partner_limit", "credit_partner_exposure", "credit_partner_available", "partner_id")
    def _compute_credit_standing_summary(self):
        for order in self:
            if not order.partner_id:
                order.credit_standing_summary = False
                continue
            def money(amount, currency=order.credit_currency_id):
                return format_amount(self.env, amount, currency)

            parts = []
            if order.credit_partner_limit:
                parts.append(self.env._("Limit %(amount)s", amount=money(order.credit_partner_limit)))
            else:
                parts.append(self.env._("No credit limit"))
            parts.append(self.env._("Exposure %(amount)s", amount=money(order.credit_partner_exposure)))
            if order.credit_partner_limit:
                parts.append(self.env._("Available %(amount)s", amount=money(order.credit_partner_available)))
            order.credit_standing_summary = " · ".join(parts)

    @api.depends("credit_release_request_ids")
    def _compute_credit_release_request_count(self):
        counts = dict(self.env["credit.release.request"]._read_group(
            [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]))
        for order in self:
            order.credit_release_request_count = counts.get(order, 0)

    @api.depends("partner_id", "company_id", "state", "amount_total", "credit_order_hold", "credit_check_state",
                 "credit_hold_reasons")
    def _compute_credit_check_preview(self):
        quotations = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id and o.company_id)
        (self - quotations).update({"credit_needs_approval": False, "credit_check_preview": False,
                                    "credit_limit_checked": False, "credit_preview_differs": False})
        if not quotations:
            return
        checks = quotations.sudo()._credit_evaluate()
        reasons_field = self._fields["credit_hold_reasons"]
        for order in quotations:
            check = checks[order.sudo()]
            settings = order.company_id._credit_hold_settings()
            order.credit_limit_checked = settings.limit_applies(check.standing.tier_policy)
            covered = check.reasons and order.sudo()._credit_valid_approval()
            order.credit_needs_approval = bool(check.reasons) and not covered
            preview = order._credit_reasons_html(check.reasons) if check.reasons else False
            order.credit_check_preview = preview
            # Compared as stored (sanitized): the same reasons read the same.
            recorded = order.credit_hold_reasons or False
            order.credit_preview_differs = bool(recorded) and (
                (reasons_field.convert_to_cache(preview, order) or False) if preview else False) != recorded

    @api.depends("state", "credit_releasable", "credit_check_state", "credit_needs_approval")
    def _compute_credit_release_requestable(self):
        for order in self:
            order.credit_release_requestable = order.state != "cancel" and not order.credit_releasable and (
                order.credit_check_state in ("hold", "declined")
                or (order.credit_check_state == "ok" and order.credit_needs_approval))

    @api.depends("credit_release_request_ids.state", "credit_release_request_ids.void_date", "credit_check_state")
    def _compute_credit_approval(self):
        for order in self:
            approval = order.credit_release_request_ids.filtered(
                lambda r: r.state == "approved" and not r.void_date)[:1]
            if order.credit_check_state != "approved":
                approval = approval.browse()
            order.credit_approval_id = approval
            order.credit_approved_by_id = approval.decided_by_id
            order.credit_approved_max_amount = approval.approved_max_amount
            order.credit_approved_until = approval.approved_until

    def _compute_partner_credit_warning(self):
        # Odoo's own banner compares Odoo's own figures with the limit; when our hold rules
        # enforce this customer's limit, our banner (same limit, our exposure) replaces it.
        result = super()._compute_partner_credit_warning()
        for order in self:
            if order.partner_credit_warning and order._credit_limit_enforced():
                order.partner_credit_warning = ""
        return result

    def _credit_limit_enforced(self):
        """Whether the hold rules of the order's company check this customer's limit."""
        self.ensure_one()
        commercial = self.sudo().partner_id.commercial_partner_id.with_company(self.company_id)
        policy = commercial.credit_risk_tier_id.hold_policy or "none"
        return self.company_id._credit_hold_settings().limit_applies(policy)

    # ------------------------------------------------------------------ the check
    def _credit_evaluate(self, settings=None, cumulative=False):
        """Return ``{order: CreditCheck}`` for the orders of ``self``, under ``settings``
        (a ``HoldSettings``; default: each order's company settings).

        Quotations are checked at their total; confirmed orders at what they still add to
        the exposure, against the exposure without them. With ``cumulative`` (orders
        confirmed together), orders of the same customer are checked in turn, each counting
        the ones before it that pass; otherwise each is checked on its own. A fixed number
        of queries per company, whatever the number of orders, customers or invoices.
        """
        checks = {}
        Partner = self.env["res.partner"]
        today = fields.Date.context_today(self)
        for company, orders in self.grouped("company_id").items():
            # What the rules read of the company and its currency, not every field of them.
            company.sudo().fetch([*HOLD_SETTINGS_FIELDS, *COMPANY_FIELDS])
            company.currency_id.sudo().fetch(["rounding", "decimal_places"])
            hold_settings = settings or company._credit_hold_settings()
            confirmed = orders.filtered(lambda o: o.state == "sale" and isinstance(o.id, int))
            standings = orders.partner_id._credit_standings(
                company, hold_settings, exclude_order_ids=confirmed.ids, today=today)
            limited = any(hold_settings.limit_applies(s.tier_policy) and s.limit for s in standings.values())
            contributions = Partner._credit_order_contributions(company, confirmed) if limited else {}
            currency = company.currency_id

            def fmt(amount, currency=currency):
                return format_amount(self.env, amount, currency)

            added = defaultdict(float)
            for order in orders:
                partner_id = order.partner_id.commercial_partner_id.id
                standing = standings.get(partner_id, Standing())
                if order in confirmed:
                    amount = contributions.get(order.id, 0.0)
                else:
                    amount = (order.currency_id or currency)._convert(order.amount_total, currency, company, today)
                standing = replace(standing, exposure=standing.exposure + added[partner_id])
                reasons = hold_reasons(
                    standing, amount, hold_settings,
                    order_hold_reason=(order.credit_order_hold_reason or "") if order.credit_order_hold else None,
                    fmt=fmt, _=self.env._,
                )
                checks[order] = CreditCheck(standing, amount, reasons)
                if cumulative and not reasons:
                    added[partner_id] += amount
        return checks

    def _credit_reasons_html(self, reasons):
        """The reasons of a hold as HTML: each explanation and what would release the order."""
        items = Markup().join(
            Markup('<li><span>%s</span> <span class="text-muted">%s</span></li>') % (
                reason.explanation, reason.release_hint)
            for reason in reasons
        )
        return Markup('<ul class="mb-0">%s</ul>') % items

    def _credit_count_held(self, settings):
        """How many orders of ``self``, each confirmed on its own now, the rules of
        ``settings`` would hold."""
        checks = self._credit_evaluate(settings)
        return sum(1 for check in checks.values() if check.reasons)

    def _credit_valid_approval(self):
        """The approved release request that still covers this order (customer, company,
        currency, amount and date), or an empty recordset."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        scope = self._credit_approval_scope()
        for request in self.sudo().credit_release_request_ids.sorted("decision_date", reverse=True):
            if request.state != "approved" or request.void_date:
                continue
            if approval_covers(request.amount, request.approval_tolerance, self.amount_total,
                               request.approved_until, today, request._credit_approval_scope(), scope):
                return request
        return self.env["credit.release.request"]

    def _credit_approval_scope(self):
        """The :class:`ApprovalScope` of this order as it is now."""
        self.ensure_one()
        order = self.sudo()
        return ApprovalScope(
            customer=order.partner_id.commercial_partner_id.id,
            invoiced_customer=order.partner_invoice_id.commercial_partner_id.id,
            company=order.company_id.id, currency=order.currency_id.id)

    def _credit_online_payment(self):
        """The done online payments of this order when they cover its total, else empty."""
        self.ensure_one()
        transactions = self.sudo().transaction_ids.filtered(
            lambda tx: tx.state == "done" and tx.operation != "validation")
        paid = sum(transactions.mapped("amount"))
        if transactions and self.currency_id.compare_amounts(paid, self.amount_total) >= 0:
            return transactions
        return self.env["payment.transaction"]

    # ------------------------------------------------------------------ confirmation
    def action_confirm(self):
        """Confirm the quotations that pass the credit check; hold the others.

        A held quotation stays a quotation with its reasons. From the Confirm button (context
        ``credit_dialog``) the user gets the explanation and can ask for a release; from any
        other flow (portal signature, online payment, other modules) the salesperson and the
        credit team are told. An order is never half confirmed.
        """
        for order in self:
            error = order._confirmation_error_message()
            if error:
                raise UserError(error)
        held = self._credit_hold_at_confirmation()
        to_confirm = self - held
        result = super(SaleOrder, to_confirm).action_confirm() if to_confirm else True
        if held and self.env.context.get("credit_dialog"):
            return held._credit_held_action()
        return result

    def _credit_hold_at_confirmation(self):
        """Check the quotations of ``self`` and return the ones held. The others are marked
        checked; an approval or a full online payment that lets an order through is logged."""
        quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
        if not quotations:
            return self.browse()
        checks = quotations._credit_evaluate(cumulative=True)
        held = self.browse()
        for order in quotations:
            check = checks[order]
            if not check.reasons:
                order._credit_mark_passed("ok")
                continue
            approval = order._credit_valid_approval()
            if approval:
                order._credit_log_bypass(self.env._(
                    "Confirmed under the credit approval %(request)s of %(manager)s.",
                    request=approval.name, manager=approval.decided_by_id.name), check.reasons)
                order._credit_mark_passed("approved")
                continue
            payment = not needs_manager(check.reasons) and order._credit_online_payment()
            if payment:
                order._credit_log_bypass(self.env._(
                    "Confirmed without credit approval: paid in full online (%(payments)s).",
                    payments=", ".join(payment.mapped("reference"))), check.reasons)
                order._credit_mark_passed("ok")
                continue
            held |= order
        if held:
            held._credit_put_on_hold(checks, notify=not self.env.context.get("credit_dialog"))
        return held

    def _credit_set_state(self, state, reasons=None, checked_amount=None, releasable=False, feedback=None):
        """The one way the credit check of the orders ``self`` changes: ``state`` and its
        companions, set together (as superuser: callers check the user's rights).

        An order that leaves the hold (approved, the check passed, the order cancelled) or
        whose reasons are gone (``releasable``) has its "held" to-dos done, with ``feedback``
        (default: what happened); a release request closes them itself (see
        ``credit.release.request._credit_after_request``). An order that passes has its
        pending release request withdrawn.

        :param reasons: the ``HoldReason`` list now explaining the hold (``[]`` clears
            it); None keeps the explanation of a held order, and clears it when ``state``
            is ``ok`` (an order that passed has nothing to explain).
        :param checked_amount: the order total that passed or was approved (None: kept).
        :param releasable: the reasons of the hold are gone, the order can be confirmed.
        :param feedback: why the "held" to-dos are done, when they are.
        """
        unheld = self.filtered(lambda o: o.credit_check_state in HELD_STATES) if (
            releasable or state not in HELD_STATES) else self.browse()
        # A release request makes its order wait ("pending") until it is decided or
        # withdrawn: an order that was "ok" has none pending (no read for it).
        requested = self.filtered(lambda o: o.credit_check_state != "ok") if state == "ok" else self.browse()
        for order in self:
            vals = {"credit_check_state": state, "credit_releasable": releasable}
            if reasons is not None:
                vals["credit_hold_reasons"] = order._credit_reasons_html(reasons) if reasons else False
            elif state == "ok":
                vals["credit_hold_reasons"] = False
            if checked_amount is not None:
                vals["credit_checked_amount"] = checked_amount
            changed = {fname: value for fname, value in vals.items() if order[fname] != value}
            if changed:
                order.sudo().write(changed)
        if unheld:
            unheld._credit_close_hold_activities(feedback or self._credit_hold_done_feedback(state, releasable))
        if requested:
            requested.sudo().credit_release_request_ids.filtered(lambda r: r.state == "pending")._credit_withdraw(
                self.env._("The order passed the credit check without it."))

    def _credit_hold_done_feedback(self, state, releasable):
        """Why the "held" to-dos of an order going to ``state`` are done."""
        if releasable:
            return self.env._("The reasons of the credit hold are gone: the order can be confirmed.")
        if state == "approved":
            return self.env._("The credit release was approved.")
        return self.env._("The order passed the credit check.")

    def _credit_close_hold_activities(self, feedback):
        """Close the "held" to-dos of these orders (one search): per order, the
        salesperson's (else the first) is marked done with ``feedback``, the same ask to
        the credit team is removed, so that each order gets one message. Returns the
        orders that had one."""
        activities = self.env["mail.activity"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids),
            ("activity_type_id", "=", self.env.ref(HOLD_ACTIVITY).id),
        ])
        closed = self.browse()
        for order_id, order_activities in activities.grouped("res_id").items():
            order = self.browse(order_id)
            done = order_activities.filtered(lambda a, order=order: a.user_id == order.user_id)[:1] \
                or order_activities[:1]
            (order_activities - done).unlink()
            done.action_feedback(feedback=feedback)
            closed |= order
        return closed

    def _credit_mark_passed(self, state):
        """Record that the order passed the check (``ok``) or is covered by an approval."""
        self.ensure_one()
        self._credit_set_state(state, reasons=[], checked_amount=self.amount_total, feedback=self.env._(
            "The order was confirmed."))

    def _credit_log_bypass(self, message, reasons):
        """Trace in the chatter an order confirmed although rules would hold it."""
        self.ensure_one()
        body = Markup("<p>%s</p>%s") % (message, self._credit_reasons_html(reasons))
        self.sudo().message_post(body=body, author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note")

    def _credit_put_on_hold(self, checks, notify):
        """Mark the orders of ``self`` held with the reasons of ``checks``; with ``notify``
        (no person confirmed them) tell the salesperson and the credit team."""
        for order in self:
            reasons_html = order._credit_reasons_html(checks[order].reasons)
            newly = order.credit_check_state not in HELD_STATES
            state = order.credit_check_state if order.credit_check_state in ("pending", "declined") else "hold"
            order._credit_set_state(state, reasons=checks[order].reasons)
            if newly or notify:
                title = (self.env._("Not confirmed: the order needs credit approval.") if notify
                         else self.env._("Held for credit approval at confirmation."))
                partner_ids = order.user_id.partner_id.ids if notify else []
                order.sudo().message_post(
                    body=Markup("<p>%s</p>%s") % (title, reasons_html), partner_ids=partner_ids,
                    author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note")
            if notify and state != "pending":  # when a release is requested, its decider is on it
                order._credit_schedule_hold_activities(reasons_html)

    def _credit_schedule_hold_activities(self, note, credit_only=False):
        """An activity for the salesperson (unless ``credit_only``) and the credit team on a
        held order, unless they already have one."""
        self.ensure_one()
        order = self.sudo()
        users = order.company_id._credit_team_users(order.partner_id)
        if not credit_only and order.user_id:
            users = order.user_id | users
        activity_type = self.env.ref(HOLD_ACTIVITY)
        existing = order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type).user_id
        for user in users - existing:
            order.activity_schedule(
                HOLD_ACTIVITY, user_id=user.id, note=note,
                summary=self.env._("Order held for credit approval"))

    def _credit_held_action(self):
        """What the user sees after confirming held orders: the release request dialog."""
        if len(self) == 1:
            pending = self.credit_release_request_ids.filtered(lambda r: r.state == "pending")[:1]
            if pending:
                return pending._credit_form_action(target="new")
            return self._credit_new_request_action()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "title": self.env._("Orders held for credit approval"),
                "message": self.env._(
                    "%(orders)s need credit approval: open each one to see why and ask for a release.",
                    orders=", ".join(self.mapped("name"))),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _credit_new_request_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Approval Needed"),
            "res_model": "credit.release.request",
            "view_mode": "form",
            "views": [(self.env.ref("credit_management.credit_release_request_view_form_ask").id, "form")],
            "target": "new",
            "context": {"default_sale_order_id": self.id},
        }

    def action_request_credit_release(self):
        """Ask the credit team to release these held orders.

        From a button (context ``credit_dialog``) on one order: open the request dialog
        where the salesperson explains the request. Otherwise create the requests now, with
        the note of the context key ``credit_request_note``, and show them.
        """
        if self.env.context.get("credit_dialog") and len(self) == 1:
            return self._credit_held_action()
        note = self.env.context.get("credit_request_note") or False
        requests = self.env["credit.release.request"].create(
            [{"sale_order_id": order.id, "request_note": note} for order in self])
        return requests._credit_form_action()

    def _credit_require_release_possible(self):
        """Refuse a release request for orders that cannot have one; hold the ones that
        were not checked yet but need approval (a salesperson may ask before confirming)."""
        self.check_access("write")
        for order in self:
            if order.state == "cancel":
                raise UserError(self.env._("%(order)s is cancelled: it needs no credit release.", order=order.name))
            pending = order.sudo().credit_release_request_ids.filtered(lambda r: r.state == "pending")[:1]
            if pending:
                raise UserError(self.env._(
                    "A credit release of %(order)s is already requested (%(request)s, waiting %(waiting)s).",
                    order=order.name, request=pending.name, waiting=pending.waiting_label))
        to_check = self.filtered(lambda o: o.credit_check_state not in ("hold", "declined"))
        if not to_check:
            return
        checks = to_check._credit_evaluate()
        for order in to_check:
            if not checks[order].reasons or order._credit_valid_approval():
                raise UserError(self.env._(
                    "%(order)s needs no credit approval: it can be confirmed as it is.", order=order.name))
        to_check._credit_put_on_hold(checks, notify=False)

    def action_view_credit_release_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_release_request")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ forced hold on the order
    def _credit_require_manager(self):
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(self.env._("Only a credit manager can hold an order or release that hold."))

    def _credit_set_order_hold(self, reason):
        """A credit manager holds these quotations for ``reason``: only a manager releases them."""
        self._credit_require_manager()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the order is held."))
        if any(order.state not in ("draft", "sent") for order in self):
            raise UserError(self.env._("Only quotations can be held: a confirmed order is already confirmed."))
        self._credit_void_approvals(self.env._("a credit manager held the order: %(reason)s", reason=reason))
        self.sudo().write({"credit_order_hold": True, "credit_order_hold_reason": reason})
        checks = self._credit_evaluate()
        self._credit_put_on_hold(checks, notify=False)
        for order in self:
            order.sudo().activity_schedule(
                HOLD_ACTIVITY, user_id=order.user_id.id or self.env.uid,
                note=reason, summary=self.env._("A credit manager holds this order"))
        # A pending request of these orders is now for a credit manager to decide.
        self.sudo().credit_release_request_ids._credit_schedule_decision()
        return True

    def _credit_lift_order_hold(self, reason):
        """A credit manager releases the hold they put on these orders."""
        self._credit_require_manager()
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why the order's hold is lifted."))
        held = self.filtered("credit_order_hold")
        held.sudo().write({"credit_order_hold": False, "credit_order_hold_reason": False})
        for order in held:
            order.sudo().message_post(
                body=Markup("<p>%s</p><p>%s</p>") % (self.env._("Order hold lifted by a credit manager."), reason),
                author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note")
        self.env["sale.order"]._credit_reevaluate_orders(held, self.env._("the order's hold was lifted"))
        return True

    def action_credit_hold_order(self):
        """Open the dialog where a credit manager holds this quotation with a reason."""
        return self._credit_hold_dialog("set")

    def action_credit_lift_order_hold(self):
        """Open the dialog where a credit manager lifts the hold of this order."""
        return self._credit_hold_dialog("lift")

    def _credit_hold_dialog(self, mode):
        self.ensure_one()
        self._credit_require_manager()
        title = self.env._("Hold Order") if mode == "set" else self.env._("Lift Order Hold")
        return self.env["credit.hold.wizard"]._credit_dialog(title, mode, self)

    # ------------------------------------------------------------------ approvals voided, orders re-checked
    def _credit_void_approvals(self, reason):
        """Void the approvals of these orders: they no longer cover them (``reason``)."""
        approvals = self.sudo().credit_release_request_ids.filtered(
            lambda r: r.state == "approved" and not r.void_date)
        approvals._credit_void(reason)
        return approvals

    @api.model
    def _credit_void_approvals_of_partners(self, partners, reason):
        """Void the approvals of the open quotations of ``partners`` (commercial partners) in
        the current company: a hold is per company, it leaves other companies' orders alone."""
        orders = self.sudo().search([
            ("partner_id.commercial_partner_id", "in", partners.ids), ("state", "in", ("draft", "sent")),
            ("company_id", "=", self.env.company.id),
            ("credit_check_state", "=", "approved"),
        ])
        if orders:
            orders._credit_void_approvals(reason)
            orders._credit_set_state("hold")

    def _credit_latest_approval(self):
        """The last approval of this order that was not voided (valid or not) and is about
        the order as it is (customer, company, currency: its amounts compare), or empty."""
        self.ensure_one()
        scope = self._credit_approval_scope()
        return self.sudo().credit_release_request_ids.filtered(
            lambda r: r.state == "approved" and not r.void_date
            and not approval_scope_changes(r._credit_approval_scope(), scope),
        ).sorted("decision_date", reverse=True)[:1]

    def _credit_after_amount_change(self):
        """After lines changed: an approved quotation grown beyond its approval loses it; a
        confirmed order grown beyond the amount checked or approved is checked again on the
        extra, and flagged to the credit team when the rules hold it."""
        orders = self.sudo().filtered(lambda o: (
            (o.state in ("draft", "sent") and o.credit_check_state == "approved")
            or (o.state == "sale" and o.credit_checked_amount)))
        grown = orders.browse()
        for order in orders:
            approval = order._credit_latest_approval()
            if order.state == "sale":
                covered = max(order.credit_checked_amount, approval.approved_max_amount if approval else 0.0)
            else:
                covered = approval.approved_max_amount if approval else 0.0
            if order.currency_id.compare_amounts(order.amount_total, covered) > 0:
                grown |= order
        if not grown:
            return
        grown_quotations = grown.filtered(lambda o: o.state != "sale")
        for order in grown_quotations:
            order._credit_void_approvals(self.env._(
                "the order grew to %(amount)s, beyond what was approved",
                amount=format_amount(self.env, order.amount_total, order.currency_id)))
        if grown_quotations:
            grown_quotations._credit_recheck_quotations()
        confirmed = grown - grown_quotations
        if not confirmed:
            return
        checks = confirmed._credit_evaluate()
        for order in confirmed:
            check = checks[order]
            if not check.reasons:
                order._credit_set_state(order.credit_check_state, checked_amount=order.amount_total)
                continue
            order._credit_void_approvals(self.env._(
                "the confirmed order grew to %(amount)s",
                amount=format_amount(self.env, order.amount_total, order.currency_id)))
            order._credit_set_state("hold", reasons=check.reasons)
            reasons_html = order.credit_hold_reasons
            order.message_post(
                body=Markup("<p>%s</p>%s") % (self.env._(
                    "The confirmed order grew from %(before)s to %(after)s: the extra amount needs "
                    "credit approval.",
                    before=format_amount(self.env, order.credit_checked_amount, order.currency_id),
                    after=format_amount(self.env, order.amount_total, order.currency_id),
                ), reasons_html),
                partner_ids=order.user_id.partner_id.ids, author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note")
            order._credit_schedule_hold_activities(reasons_html, credit_only=True)

    def _credit_recheck_quotations(self):
        """Put these quotations, whose approval is void, back through the rules: held
        again if the rules hold them, else checked ``ok``."""
        checks = self._credit_evaluate()
        still_held = self.filtered(lambda o: checks[o].reasons)
        still_held._credit_put_on_hold(checks, notify=False)
        (self - still_held)._credit_set_state("ok")

    def _credit_after_scope_change(self):
        """After the customer, company or currency of these orders changed: the request
        their credit state stands on (an approval, a pending request, a decline) was about
        another order. Approvals are void, pending requests withdrawn, and the orders go
        through the rules again: a quotation is held again if they hold it, a confirmed
        order is flagged to the credit team."""
        changed = {}
        for order in self.sudo().filtered(lambda o: o.state != "cancel"
                                          and o.credit_check_state in ("approved", "pending", "declined")):
            request = order.credit_release_request_ids.filtered(
                lambda r: r.state != "cancelled" and not r.void_date).sorted()[:1]
            changes = request and approval_scope_changes(request._credit_approval_scope(),
                                                         order._credit_approval_scope())
            if changes:
                changed[order] = order._credit_scope_change_reason(changes)
        if not changed:
            return
        orders = self.browse([order.id for order in changed]).sudo()
        for order, reason in changed.items():
            order._credit_void_approvals(reason)
            order.credit_release_request_ids.filtered(lambda r: r.state == "pending")._credit_withdraw(
                self.env._("The request no longer applies: %(reason)s.", reason=reason))
            # A request about the order as it was: a new one is needed, from "hold".
            order._credit_set_state("hold")
        quotations = orders.filtered(lambda o: o.state != "sale")
        if quotations:
            quotations._credit_recheck_quotations()
        confirmed = orders - quotations
        if confirmed:
            checks = confirmed._credit_evaluate()
            for order in confirmed:
                if not checks[order].reasons:
                    order._credit_set_state("ok", checked_amount=order.amount_total)
                    continue
                order._credit_set_state("hold", reasons=checks[order].reasons)
                order.message_post(
                    body=Markup("<p>%s</p>%s") % (self.env._(
                        "The confirmed order changed (%(reason)s): it needs credit approval.", reason=changed[order]),
                        order.credit_hold_reasons),
                    partner_ids=order.user_id.partner_id.ids, author_id=self.env.user.partner_id.id,
                    subtype_xmlid="mail.mt_note")
                order._credit_schedule_hold_activities(order.credit_hold_reasons, credit_only=True)

    def _credit_scope_change_reason(self, changes):
        """Why an approval of this order no longer applies, for ``changes`` (see
        ``approval_scope_changes``), in the user's words."""
        self.ensure_one()
        order = self.sudo()
        parts = []
        if "customer" in changes:
            parts.append(self.env._(
                "the order's customer changed (now %(customer)s, invoiced to %(invoiced)s)",
                customer=order.partner_id.commercial_partner_id.display_name,
                invoiced=order.partner_invoice_id.commercial_partner_id.display_name))
        if "company" in changes:
            parts.append(self.env._("the order's company changed to %(company)s", company=order.company_id.name))
        if "currency" in changes:
            parts.append(self.env._("the order's currency changed to %(currency)s", currency=order.currency_id.name))
        return "; ".join(parts)

    @api.model
    def _credit_reevaluate_held_orders(self, partners, cause):
        """Check again the held orders of ``partners`` (commercial partners) after ``cause``
        (a payment, a lifted hold): those whose reasons are gone become releasable and
        their salespeople are told. One search when the customers have no held order."""
        if not partners:
            return self.browse()
        orders = self.sudo().search([
            ("partner_id.commercial_partner_id", "in", partners.ids),
            ("credit_check_state", "in", HELD_STATES),
            ("state", "in", ("draft", "sent", "sale")),
            ("credit_releasable", "=", False),
        ])
        return self._credit_reevaluate_orders(orders, cause)

    @api.model
    def _credit_reevaluate_orders(self, orders, cause):
        """Mark releasable the held ``orders`` whose reasons are gone; return them."""
        orders = orders.sudo().filtered(lambda o: o.credit_check_state in HELD_STATES and o.state != "cancel")
        if not orders:
            return orders
        checks = orders._credit_evaluate()
        released = orders.filtered(lambda o: not checks[o].reasons)
        for order in released:
            if order.state == "sale":
                order._credit_set_state("ok", checked_amount=order.amount_total)
                message = self.env._("The credit hold on this confirmed order is resolved: %(cause)s.", cause=cause)
            else:
                order._credit_set_state(order.credit_check_state, releasable=True)
                message = self.env._(
                    "The reasons of the credit hold are gone (%(cause)s): the order can be confirmed now.",
                    cause=cause)
            order.message_post(body=message, partner_ids=order.user_id.partner_id.ids,
                               subtype_xmlid="mail.mt_note")
        still_held = orders - released
        for order in still_held:
            order._credit_set_state(order.credit_check_state, reasons=checks[order].reasons)
        return released

    def _action_cancel(self):
        result = super()._action_cancel()
        credit = self.sudo().filtered(lambda o: o.credit_release_request_ids or o.credit_check_state != "ok")
        if credit:
            credit._credit_void_approvals(self.env._("the order was cancelled"))
            credit.credit_release_request_ids.filtered(lambda r: r.state == "pending")._credit_withdraw(
                self.env._("The order was cancelled."))
            credit._credit_set_state("ok", checked_amount=0.0, feedback=self.env._("The order was cancelled."))
        return result

    # ------------------------------------------------------------------ complaints and shared notes
    credit_complaint_ids = fields.One2many(
        "credit.complaint", "sale_order_id", string="Complaints", groups="base.group_user")
    credit_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_credit_complaint_count", groups="base.group_user")
    credit_customer_note_ids = fields.One2many(
        "credit.shared.note",
        compute="_compute_credit_customer_note_ids",
        string="Customer Notes",
        groups="base.group_user",
        help="The customer's shared notes, written on it or on any of its orders, pinned first then "
        "newest.",
    )

    def _compute_credit_complaint_count(self):
        counts = dict(self.env["credit.complaint"]._read_group(
            [("sale_order_id", "in", self._origin.ids)], ["sale_order_id"], ["__count"]))
        for order in self:
            order.credit_complaint_count = counts.get(order._origin, 0)

    @api.depends("partner_id")
    def _compute_credit_customer_note_ids(self):
        commercial = self.partner_id.commercial_partner_id
        notes = self.env["credit.shared.note"].search([("partner_id", "in", commercial.ids)]) if commercial else []
        by_partner = {}
        for note in notes:
            by_partner.setdefault(note.partner_id, []).append(note.id)
        for order in self:
            order.credit_customer_note_ids = [
                Command.set(by_partner.get(order.partner_id.commercial_partner_id, []))]

    def action_credit_add_note(self):
        """Write a shared note on this order's customer, linked to the order, in a dialog."""
        self.ensure_one()
        self.check_access("read")
        return self.env["credit.shared.note"]._credit_dialog(self.env._("New Shared Note"), {
            "default_partner_id": self.partner_id.commercial_partner_id.id,
            "default_sale_order_id": self.id,
            "default_company_id": self.company_id.id,
        })

    def action_credit_view_complaints(self):
        """The complaints raised on this order."""
        self.ensure_one()
        return self.env["credit.complaint"]._action_for(
            [("sale_order_id", "=", self.id)], {"default_sale_order_id": self.id})

    # ------------------------------------------------------------------ writes
    def write(self, vals):
        protected = CREDIT_STATE_FIELDS & vals.keys()
        if protected and not self.env.su:
            raise AccessError(self.env._(
                "The credit check of an order is set by the credit rules and the credit team only (%(fields)s).",
                fields=", ".join(sorted(protected))))
        result = super().write(vals)
        if APPROVAL_SCOPE_FIELDS & vals.keys():
            self._credit_after_scope_change()
        return result
