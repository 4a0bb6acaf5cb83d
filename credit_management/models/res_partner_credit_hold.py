from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..credit_core.holds import LISTED_OVERDUE, OverdueInvoice, Standing

CREDIT_HOLD_FIELDS = {"credit_manual_hold", "credit_hold_reason", "credit_hold_forced"}


class ResPartner(models.Model):
    """Customers' credit holds and limits: the manual hold a controller puts on a customer,
    the history of its credit limit, and the standing the hold rules are checked against."""

    _inherit = "res.partner"

    credit_manual_hold = fields.Boolean(
        string="Manual Credit Hold",
        copy=False,
        groups="base.group_user",
        help="Set by the credit team: every order of this customer needs credit approval until "
        "the hold is lifted.",
    )
    credit_hold_reason = fields.Text(
        string="Hold Reason",
        copy=False,
        groups="base.group_user",
    )
    credit_hold_forced = fields.Boolean(
        string="Forced by a Manager",
        copy=False,
        groups="base.group_user",
        help="Only a credit manager can lift this hold or release the customer's orders.",
    )
    credit_hold_user_id = fields.Many2one("res.users", string="Hold Set By", copy=False, groups="base.group_user")
    credit_hold_date = fields.Datetime(string="Hold Set On", copy=False, groups="base.group_user")
    credit_on_hold = fields.Boolean(
        string="On Credit Hold",
        compute="_compute_credit_on_hold",
        search="_search_credit_on_hold",
        compute_sudo=True,
        groups="base.group_user",
        help="The customer's orders need credit approval: manual hold, or a risk tier whose "
        "policy holds every order.",
    )
    credit_limit_history_ids = fields.One2many(
        "credit.limit.history", "partner_id",
        groups="credit_management.group_credit_user",
    )
    credit_limit_proposed = fields.Monetary(
        string="Proposed Credit Limit",
        compute="_compute_credit_limit_proposed",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
        help="The default credit limit of the customer's risk tier, proposed while the customer "
        "has no limit in this company.",
    )

    @api.depends("commercial_partner_id.credit_manual_hold", "commercial_partner_id.credit_risk_tier_id.hold_policy")
    def _compute_credit_on_hold(self):
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.credit_on_hold = (
                commercial.credit_manual_hold or commercial.credit_risk_tier_id.hold_policy == "always")

    def _search_credit_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        held = [
            "|", ("commercial_partner_id.credit_manual_hold", "=", True),
            ("commercial_partner_id.credit_risk_tier_id.hold_policy", "=", "always"),
        ]
        return held if True in value else ["!", *held]

    @api.depends_context("company")
    @api.depends("credit_risk_tier_id.default_credit_limit")
    def _compute_credit_limit_proposed(self):
        for partner in self:
            commercial = partner.commercial_partner_id
            tier_limit = commercial.credit_risk_tier_id.default_credit_limit
            partner.credit_limit_proposed = tier_limit if tier_limit and not commercial.credit_limit else 0.0

    # ------------------------------------------------------------------ guards and logs
    @api.constrains("credit_manual_hold", "credit_hold_reason")
    def _check_credit_hold_reason(self):
        for partner in self:
            if partner.credit_manual_hold and not (partner.credit_hold_reason or "").strip():
                raise ValidationError(self.env._(
                    "Say why %(customer)s is put on credit hold: the reason is shown to the salespeople "
                    "whose orders it holds.", customer=partner.display_name))

    def _credit_check_limit_rights(self, new_limit):
        """Refuse a credit limit change by someone who may not make it, or a negative limit."""
        if new_limit and new_limit < 0:
            raise ValidationError(self.env._("A credit limit cannot be negative (%(limit)s).", limit=new_limit))
        if self.env.su:
            return
        user = self.env.user
        if not (user.has_group("credit_management.group_credit_manager")
                or user.has_group("account.group_account_manager")):
            raise AccessError(self.env._(
                "Only a credit manager can change a customer's credit limit. Ask your credit team."))

    def _credit_check_hold_rights(self, vals):
        """Refuse a hold change by someone who may not make it (server side)."""
        if self.env.su:
            return
        user = self.env.user
        if not user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team can put a customer on credit hold or lift it."))
        if user.has_group("credit_management.group_credit_manager"):
            return
        if vals.get("credit_hold_forced") or any(partner.sudo().credit_hold_forced for partner in self):
            raise AccessError(self.env._(
                "Only a credit manager can force a credit hold or change a hold a credit manager forced."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("credit_limit"):
                self._credit_check_limit_rights(vals["credit_limit"])
            if CREDIT_HOLD_FIELDS & vals.keys() and vals.get("credit_manual_hold"):
                self._credit_check_hold_rights(vals)
                vals.setdefault("credit_hold_user_id", self.env.uid)
                vals.setdefault("credit_hold_date", fields.Datetime.now())
        partners = super().create(vals_list)
        with_limit = partners.filtered(lambda p: p.sudo().credit_limit)
        if with_limit:
            with_limit._credit_log_limit_changes(dict.fromkeys(with_limit.ids, 0.0))
        return partners

    def write(self, vals):
        if "credit_limit" in vals:
            self._credit_check_limit_rights(vals["credit_limit"])
        hold_change = CREDIT_HOLD_FIELDS & vals.keys()
        if hold_change:
            self._credit_check_hold_rights(vals)
            if vals.get("credit_manual_hold"):
                vals = dict(vals, credit_hold_user_id=self.env.uid, credit_hold_date=fields.Datetime.now())
            elif "credit_manual_hold" in vals:
                vals = dict(vals, credit_hold_forced=False)
        old_limits = {partner.id: partner.credit_limit for partner in self.sudo()} if "credit_limit" in vals else {}
        old_holds = {partner.id: partner.credit_manual_hold for partner in self.sudo()} if hold_change else {}
        result = super().write(vals)
        if old_limits:
            self._credit_log_limit_changes(old_limits)
        if old_holds:
            self._credit_log_hold_changes(old_holds)
        return result

    def _credit_log_limit_changes(self, old_limits):
        """Record a history line for each partner whose limit in the current company
        changed from ``old_limits[partner id]``; reason and end date come from the context
        (``credit_limit_reason``, ``credit_limit_until``)."""
        company = self.env.company
        reason = self.env.context.get("credit_limit_reason")
        until = self.env.context.get("credit_limit_until") or False
        values = []
        for partner in self.sudo():
            old, new = old_limits.get(partner.id, 0.0), partner.credit_limit
            if company.currency_id.compare_amounts(old, new) == 0:
                continue
            values.append({
                "partner_id": partner.id, "company_id": company.id, "user_id": self.env.uid,
                "old_limit": old, "new_limit": new, "date_end": until,
                "reason": reason or self.env._("Changed on the customer"),
            })
        if values:
            self.env["credit.limit.history"].sudo().create(values)

    def _credit_log_hold_changes(self, old_holds):
        """Post in each partner's chatter the hold set or lifted, with its reason."""
        author = self.env.user.partner_id
        for partner in self.sudo():
            was_held, held = old_holds.get(partner.id), partner.credit_manual_hold
            if held and not was_held:
                body = Markup("<p>%s</p><p>%s</p>") % (
                    self.env._("Credit hold set (forced by a credit manager).") if partner.credit_hold_forced
                    else self.env._("Credit hold set."),
                    partner.credit_hold_reason or "",
                )
            elif was_held and not held:
                body = Markup("<p>%s</p><p>%s</p>") % (
                    self.env._("Credit hold lifted."),
                    self.env.context.get("credit_hold_lift_reason") or self.env._("No reason given."),
                )
            else:
                continue
            partner.message_post(body=body, author_id=author.id, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------ hold actions
    def _credit_set_hold(self, reason, forced=False):
        """Put the commercial partners of ``self`` on credit hold for ``reason``; a forced
        hold (credit managers only) is lifted by a credit manager only. Approvals given
        before the hold no longer cover their quotations."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Say why the customer is put on credit hold."))
        partners = self.commercial_partner_id
        vals = {"credit_manual_hold": True, "credit_hold_reason": reason, "credit_hold_forced": bool(forced)}
        partners._credit_check_hold_rights(vals)
        partners.sudo().write(vals)
        self.env["sale.order"]._credit_void_approvals_of_partners(
            partners, self.env._("the customer was put on credit hold: %(reason)s", reason=reason))
        return True

    def _credit_lift_hold(self, reason):
        """Lift the credit hold of the commercial partners of ``self`` for ``reason``; their
        held orders whose other reasons are gone become releasable."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(self.env._("Say why the customer's credit hold is lifted."))
        partners = self.commercial_partner_id
        vals = {"credit_manual_hold": False}
        partners._credit_check_hold_rights(vals)
        partners.sudo().with_context(credit_hold_lift_reason=reason).write(
            {"credit_manual_hold": False, "credit_hold_reason": False})
        self.env["sale.order"]._credit_reevaluate_held_orders(partners, self.env._("the credit hold was lifted"))
        return True

    def action_credit_hold(self):
        """Open the dialog that puts the customer on credit hold with a reason."""
        return self._credit_hold_dialog("set")

    def action_credit_lift_hold(self):
        """Open the dialog that lifts the customer's credit hold with a reason."""
        return self._credit_hold_dialog("lift")

    def _credit_hold_dialog(self, mode):
        self.ensure_one()
        self._credit_check_hold_rights({"credit_hold_forced": False})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put on Credit Hold") if mode == "set" else self.env._("Lift Credit Hold"),
            "res_model": "credit.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id, "default_mode": mode},
        }

    def action_credit_change_limit(self):
        """Open the dialog that changes the customer's credit limit with a reason, for good
        or until a date."""
        self.ensure_one()
        self._credit_check_limit_rights(0.0)
        partner = self.commercial_partner_id.with_company(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Credit Limit"),
            "res_model": "credit.limit.change",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": partner.id,
                "default_new_limit": partner.sudo().credit_limit_proposed or partner.sudo().credit_limit,
            },
        }

    def action_credit_apply_proposed_limit(self):
        """Give each customer without a limit the default limit of its risk tier."""
        self._credit_check_limit_rights(0.0)
        for partner in self.commercial_partner_id.with_company(self.env.company).sudo():
            proposed = partner.credit_limit_proposed
            if proposed:
                partner.with_context(credit_limit_reason=self.env._(
                    "Default limit of the risk tier %(tier)s", tier=partner.credit_risk_tier_id.name,
                )).write({"credit_limit": proposed})
        return True

    def action_credit_view_limit_history(self):
        """The customer's credit limit changes, newest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_limit_history")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------ standing for the hold rules
    @api.model
    def _credit_currency_rate_factors(self, company):
        """``{currency id: factor}``: multiply an amount in that currency by the factor to
        get it in ``company``'s currency at today's rate (as the exposure does)."""
        currencies = self.env["res.currency"].sudo().with_context(active_test=False).search([])
        rates = currencies._get_rates(company, fields.Date.context_today(self))
        company_rate = rates.get(company.currency_id.id) or 1.0
        return {currency_id: company_rate / (rate or 1.0) for currency_id, rate in rates.items()}

    @api.model
    def _credit_order_contributions(self, company, orders):
        """``{order id: amount}``: what each confirmed order of ``orders`` adds to its
        customer's exposure now (not yet invoiced), in ``company``'s currency. One query."""
        confirmed = orders.filtered(lambda order: order.state == "sale")
        if not confirmed:
            return {}
        self.env["sale.order"].flush_model(["state", "company_id", "partner_invoice_id", "amount_total", "currency_id"])
        self.env["account.move.line"].flush_model(["price_total", "move_id"])
        self.env["account.move"].flush_model(["state", "move_type"])
        company_ids = self._credit_company_family(company)
        rows = self.env.execute_query(self._credit_uninvoiced_orders_sql(
            company, company_ids, SQL("so.id = ANY(%s)", confirmed.ids)))
        return {order_id: company.currency_id.round(amount or 0.0) for order_id, _partner, amount in rows}

    @api.model
    def _credit_overdue_by_partner(self, company, partners, overdue_days, today):
        """``{commercial partner id: (count, amount, [OverdueInvoice])}``: the open
        receivables of ``partners`` in ``company`` due more than ``overdue_days`` days
        before ``today`` — neither disputed nor promised for later (the shared "not chased"
        rule) — counted, summed (company currency) and the most overdue listed.

        One query whatever the number of invoices: aggregates and a ranked, limited list.
        """
        commercial_ids = partners.commercial_partner_id.ids
        if not commercial_ids or overdue_days <= 0:
            return {}
        self.env["account.move.line"].flush_model(
            ["account_id", "amount_residual", "company_id", "parent_state", "partner_id", "reconciled",
             "date_maturity", "date", "move_id"])
        self.env["account.move"].flush_model(["name", "credit_disputed", "credit_promise_date"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        before = fields.Date.subtract(today, days=overdue_days)
        rows = self.env.execute_query(SQL(
            """
            WITH overdue AS (
                SELECT p.commercial_partner_id AS partner_id, am.id AS move_id, am.name,
                       MIN(COALESCE(aml.date_maturity, aml.date)) AS due, SUM(aml.amount_residual) AS residual
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.parent_state = 'posted'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual > 0
                   AND COALESCE(aml.date_maturity, aml.date) < %(before)s
                   AND aml.company_id = ANY(%(company_ids)s)
                   AND p.commercial_partner_id = ANY(%(partner_ids)s)
                   AND NOT %(not_chased)s
              GROUP BY p.commercial_partner_id, am.id, am.name
            ), ranked AS (
                SELECT partner_id, move_id, name, due, residual,
                       COUNT(*) OVER by_partner AS overdue_count,
                       SUM(residual) OVER by_partner AS overdue_amount,
                       ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY due, move_id) AS rank
                  FROM overdue
                WINDOW by_partner AS (PARTITION BY partner_id)
            )
            SELECT partner_id, name, due, residual, overdue_count, overdue_amount
              FROM ranked
             WHERE rank <= %(listed)s
          ORDER BY partner_id, rank
            """,
            before=before, company_ids=self._credit_company_family(company), partner_ids=commercial_ids,
            not_chased=self.env["account.move"]._credit_not_chased_sql("am", today), listed=LISTED_OVERDUE,
        ))
        currency = company.currency_id
        result = {}
        for partner_id, name, due, residual, count, amount in rows:
            entry = result.setdefault(partner_id, (count, currency.round(amount), []))
            entry[2].append(OverdueInvoice(name=name, days_overdue=(today - due).days, amount=currency.round(residual)))
        return result

    def _credit_standings(self, company, settings, exclude_order_ids=None, today=None):
        """``{commercial partner id: Standing}`` of ``self``'s customers in ``company``,
        for the hold rules of ``settings`` (a ``HoldSettings``). Exposure leaves out the
        confirmed orders of ``exclude_order_ids``.

        Amounts and overdue invoices are only gathered when a rule needs them; a fixed
        number of queries whatever the number of customers or invoices.
        """
        commercial = self.commercial_partner_id.sudo()
        today = today or fields.Date.context_today(self)
        policies = {partner.id: partner.credit_risk_tier_id.hold_policy or "none" for partner in commercial}
        needs_limit = any(settings.limit_applies(policy) for policy in policies.values())
        exposure = limits = {}
        if needs_limit:
            limits = commercial._credit_limits(company)
            limited = commercial.filtered(lambda p: limits.get(p.id) and settings.limit_applies(policies[p.id]))
            exposure = self._credit_exposure_by_partner(company, limited, exclude_order_ids=exclude_order_ids)
        overdue = self._credit_overdue_by_partner(company, commercial, settings.overdue_days, today)
        standings = {}
        for partner in commercial:
            count, amount, listed = overdue.get(partner.id, (0, 0.0, []))
            standings[partner.id] = Standing(
                limit=limits.get(partner.id, 0.0),
                exposure=exposure.get(partner.id, {}).get("total", 0.0),
                tier_name=partner.credit_risk_tier_id.name or "",
                tier_policy=policies[partner.id],
                manual_hold=partner.credit_manual_hold,
                hold_reason=partner.credit_hold_reason or "",
                hold_forced=partner.credit_hold_forced,
                overdue_count=count,
                overdue_amount=amount,
                overdue_invoices=tuple(listed),
            )
        return standings
