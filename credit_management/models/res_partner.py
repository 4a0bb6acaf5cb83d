import logging
from collections import defaultdict
from operator import eq, ge, gt, le, lt, ne

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date, formatLang, split_every

from ..credit_core.behaviour import classify
from ..credit_core.bounds import AMOUNT, REVIEW_INTERVAL_DAYS, SIGNED_AMOUNT
from ..credit_core.history import SETTLED_TOLERANCE, PaymentHistory
from ..credit_core.holds import (
    LISTED_OVERDUE,
    POLICY_ALWAYS,
    OverdueInvoice,
    Standing,
    available_credit,
    on_hold,
    tier_holds_every_order,
)
from ..credit_core.identifiers import (
    INVALID,
    NO_VAT,
    REGISTRY,
    UNCHECKED,
    VALID,
    VAT,
    IdentifierCheck,
    check_identifier,
)
from ..credit_core.limit import SALES_WINDOW_MONTHS, suggest_limit
from ..credit_core.score import (
    DEFAULT_REVIEW_INTERVAL_DAYS,
    compute_score,
    next_review_date,
    override_in_force,
    tier_for_score,
)
from .credit_bounded_mixin import check_bounds
from .credit_risk_review import BEHAVIOUR_SELECTION

_logger = logging.getLogger(__name__)

# Customers reviewed per SQL round trip (and per committed step of the daily job).
REVIEW_BATCH_SIZE = 1000
# The fields of a customer a review reads (limit, rating, override, previous outcome,
# segment): fetched for each batch alone, not with every field of the partner.
REVIEW_FIELDS = (
    "commercial_partner_id", "credit_limit", "credit_external_rating", "credit_external_rating_date",
    "credit_tier_override_id", "credit_override_reason", "credit_override_until", "credit_risk_tier_id",
    "credit_score_tier_id",
    "credit_risk_score", "credit_payment_behaviour", "credit_last_review_date", "credit_next_review_date",
    "credit_segment_id", "credit_segment_fixed",
)
# The daily job reads the partners by windows of this many batches (in the order of their
# ids) to find the customers due.
REVIEW_CLAIM_WINDOW = 4
# Consecutive claims that met rows changed by another worker before a worker leaves the
# rest of the job to the others.
MAX_CLAIM_CONFLICTS = 10

CREDIT_MANAGER = "credit_management.group_credit_manager"
CREDIT_USER = "credit_management.group_credit_user"
# Who may write each guarded credit field of a customer (any of the groups), besides the
# superuser. Review results are written by reviews only, which run as superuser once the
# reviewer's rights are checked; administrators may still fix them.
CREDIT_FIELD_GROUPS = {
    "credit_limit": (CREDIT_MANAGER, "account.group_account_manager"),
    "credit_manual_hold": (CREDIT_USER,),
    "credit_hold_reason": (CREDIT_USER,),
    "credit_hold_forced": (CREDIT_MANAGER,),
    "credit_tier_override_id": (CREDIT_MANAGER,),
    "credit_override_reason": (CREDIT_MANAGER,),
    "credit_override_until": (CREDIT_MANAGER,),
    "credit_segment_id": (CREDIT_USER,),
    "credit_segment_fixed": (CREDIT_USER,),
    "credit_followup_pause_until": (CREDIT_USER,),
    "credit_followup_pause_reason": (CREDIT_USER,),
    **dict.fromkeys((
        "credit_risk_score", "credit_risk_tier_id", "credit_score_tier_id", "credit_payment_behaviour",
        "credit_last_review_date", "credit_next_review_date",
    ), ("base.group_system",)),
    # The external rating is the latest credit report's (credit.info.report._credit_apply_latest).
    **dict.fromkeys(("credit_external_rating", "credit_external_rating_date"), ("base.group_system",)),
}
# The range of the credit amounts a customer's values may take.
CREDIT_FIELD_BOUNDS = {"credit_limit": AMOUNT}
CREDIT_HOLD_FIELDS = frozenset({"credit_manual_hold", "credit_hold_reason", "credit_hold_forced"})
CREDIT_OVERRIDE_FIELDS = frozenset({"credit_tier_override_id", "credit_override_reason", "credit_override_until"})
# What the hold rules read of a company (``res.company._credit_hold_settings``).
HOLD_SETTINGS_FIELDS = ["credit_hold_tier_policy", "credit_hold_over_limit", "credit_hold_overdue_days"]
# What the hold rules read of a customer (``_credit_standings``).
STANDING_FIELDS = ["credit_risk_tier_id", "credit_limit", "credit_manual_hold", "credit_hold_reason",
                   "credit_hold_forced"]

# The comparisons a search on an amount computed in Python accepts.
SALES_OPERATORS = {
    "=": eq, "!=": ne, "<": lt, "<=": le, ">": gt, ">=": ge,
}

CHANNEL_SELECTION = [
    ("email", "Email"),
    ("letter", "Letter"),
    ("phone", "Phone Call"),
    ("sms", "SMS"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ======================================================================
    # Writes: one guard for every credit field, the logs they leave
    # ======================================================================
    def _credit_require_rights(self, vals):
        """Refuse ``vals`` when they change a credit field the user may not change
        (:data:`CREDIT_FIELD_GROUPS`), a hold a credit manager forced without being
        one, or set a credit limit out of bounds (negative, not a number, absurdly large)."""
        check_bounds(self, vals, CREDIT_FIELD_BOUNDS)
        if self.env.su:
            return
        user = self.env.user
        refused = [
            fname for fname in vals
            if fname in CREDIT_FIELD_GROUPS and not any(user.has_group(group) for group in CREDIT_FIELD_GROUPS[fname])
        ]
        if refused and not user.has_group("base.group_system"):
            if refused[0].startswith("credit_external_rating"):
                raise AccessError(self.env._(
                    "A customer's external risk rating comes from its latest credit report: fetch one, or a "
                    "credit manager enters one by hand in its Credit Reports."))
            if "base.group_system" in CREDIT_FIELD_GROUPS[refused[0]]:
                raise AccessError(self.env._(
                    "A customer's risk score, tier and payment behaviour are set by credit reviews only. "
                    "Credit managers can override the tier from the customer's Credit tab."))
            team = CREDIT_USER if all(CREDIT_FIELD_GROUPS[f] == (CREDIT_USER,) for f in refused) else CREDIT_MANAGER
            raise AccessError(self.env._(
                "Only %(team)s can change these fields of a customer: %(fields)s. Ask your credit team.",
                team=self.env.ref(team).name,
                fields=", ".join(self._fields[fname].get_description(self.env)["string"] for fname in refused)))
        if any(not fname.startswith("credit_") and fname not in CREDIT_FIELD_GROUPS for fname in vals) \
                and not self._credit_may_edit_contacts():
            raise AccessError(self.env._(
                "The credit team changes the credit fields of a customer; the rest of the contact is "
                "changed by the people allowed to edit contacts."))
        if CREDIT_HOLD_FIELDS & vals.keys() and not user.has_group(CREDIT_MANAGER) and any(
                partner.sudo().credit_hold_forced for partner in self):
            raise AccessError(self.env._(
                "Only a credit manager can change a hold a credit manager forced."))

    @api.model
    def _credit_may_edit_contacts(self):
        """Whether the user may edit contacts otherwise than as a member of the credit team
        (whose access to customers is for their credit fields only)."""
        user = self.env.user
        if user.has_group("base.group_partner_manager") or not user.has_group(CREDIT_USER):
            return True
        credit_groups = self.env.ref(CREDIT_USER) | self.env.ref(CREDIT_MANAGER)
        return bool(self.env["ir.model.access"].sudo().search_count([
            ("model_id.model", "=", self._name), ("perm_write", "=", True),
            "|", ("group_id", "=", False), ("group_id", "in", (user.all_group_ids - credit_groups).ids),
        ], limit=1))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._credit_require_rights(vals)
            if vals.get("credit_manual_hold"):
                vals.setdefault("credit_hold_user_id", self.env.uid)
                vals.setdefault("credit_hold_date", fields.Datetime.now())
        partners = super().create(vals_list)
        partners._credit_normalise_identifiers()
        with_limit = partners.filtered(lambda p: p.sudo().credit_limit)
        if with_limit:
            with_limit._credit_log_limit_changes(dict.fromkeys(with_limit.ids, 0.0))
        return partners

    def write(self, vals):
        self._credit_require_rights(vals)
        vals = dict(vals)
        hold_change = CREDIT_HOLD_FIELDS & vals.keys()
        if vals.get("credit_manual_hold"):
            vals.update(credit_hold_user_id=self.env.uid, credit_hold_date=fields.Datetime.now())
        elif "credit_manual_hold" in vals:
            vals["credit_hold_forced"] = False
        if vals.get("credit_segment_id") and "credit_segment_fixed" not in vals and not self.env.context.get(
                "credit_segment_assign"):
            vals["credit_segment_fixed"] = True
        # Reviews write the override fields themselves (as superuser) and log it.
        in_review = self.env.su and self.env.context.get("credit_review")
        override_changed = bool(CREDIT_OVERRIDE_FIELDS & vals.keys()) and not in_review
        before = self.sudo()
        old_limits = {partner.id: partner.credit_limit for partner in before} if "credit_limit" in vals else {}
        old_holds = {partner.id: partner.credit_manual_hold for partner in before} if hold_change else {}
        old_tiers = {partner.id: partner.credit_risk_tier_id for partner in before} if override_changed else {}
        result = super().write(vals)
        if {"vat", "company_registry"} & vals.keys():
            self._credit_normalise_identifiers()
        if old_limits:
            self._credit_log_limit_changes(old_limits)
        if old_holds:
            self._credit_log_hold_changes(old_holds)
            # A hold forced (or lifted) since a release was requested changes who may decide it.
            self.env["credit.release.request"].sudo().search([
                ("partner_id", "child_of", self.commercial_partner_id.ids), ("state", "=", "pending"),
            ])._credit_schedule_decision()
        if override_changed:
            self._credit_apply_override(old_tiers)
        return result

    # ======================================================================
    # Exposure and available credit
    # ======================================================================
    credit_risk_tier_id = fields.Many2one(
        "credit.risk.tier",
        company_dependent=True,
        string="Risk Tier",
        readonly=True,
        copy=False,
        tracking=True,
        ondelete="set null",
        groups="base.group_user",
        help="The customer's current risk tier: set by credit reviews, or by a credit "
        "manager's override while it lasts.",
    )
    credit_controller_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        tracking=True,
        domain=lambda self: [("group_ids", "in", self.env.ref("credit_management.group_credit_user").id)],
        groups="base.group_user",
        help="The person in the credit team who follows this customer: calls, reviews, "
        "follow-up activities and notes from sales go to them.",
    )
    credit_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_credit_currency_id",
        help="The current company's currency, in which exposure is expressed.",
        groups="base.group_user",
    )
    credit_exposure = fields.Monetary(
        string="Exposure",
        compute="_compute_credit_exposure",
        search="_search_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
        help="What this customer owes the company now or is committed to: open receivables, "
        "confirmed orders not invoiced yet and draft invoices (see Credit settings), "
        "in the company's currency.",
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
    )
    credit_exposure_orders = fields.Monetary(
        string="Uninvoiced Orders",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
    )
    credit_exposure_drafts = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
    )
    credit_available = fields.Monetary(
        string="Available Credit",
        compute="_compute_credit_exposure",
        search="_search_credit_available",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
        help="Credit limit minus exposure. Negative when the customer is over its limit. "
        "Without a credit limit the customer's credit is not limited: screens show No limit "
        "(the value is then 0).",
    )

    @api.depends_context("company")
    def _compute_credit_currency_id(self):
        self.credit_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_credit_exposure(self):
        company = self.env.company
        exposure = self._credit_exposure_by_partner(company)
        limits = self._credit_limits(company)
        for partner in self:
            commercial_id = partner.commercial_partner_id.id
            amounts = exposure.get(commercial_id, {})
            total = amounts.get("total", 0.0)
            limit = limits.get(commercial_id, 0.0)
            partner.credit_exposure = total
            partner.credit_exposure_receivable = amounts.get("receivable", 0.0)
            partner.credit_exposure_orders = amounts.get("orders", 0.0)
            partner.credit_exposure_drafts = amounts.get("drafts", 0.0)
            partner.credit_available = available_credit(limit, total)

    def _credit_limits(self, company):
        """Return {commercial partner id: credit limit} for ``company`` (0 = no limit)."""
        self.fetch(["commercial_partner_id"])
        commercial = self.commercial_partner_id.with_company(company).sudo()
        commercial.fetch(["credit_limit"])  # not every company-dependent field of the partners
        return {partner.id: partner.credit_limit for partner in commercial}

    # ------------------------------------------------------------------ exposure
    @api.model
    def _credit_exposure_by_partner(self, company, partners=None, exclude_order_ids=None):
        """Return ``{commercial partner id: {'receivable', 'orders', 'drafts', 'total'}}``
        for ``partners`` (default: ``self``), amounts in ``company``'s currency, leaving
        out the confirmed orders of ``exclude_order_ids``.

        A fixed number of queries whatever the number of partners or documents.
        """
        partners = self if partners is None else partners
        partners.fetch(["commercial_partner_id"])
        commercial_ids = partners.commercial_partner_id.ids
        if not commercial_ids:
            return {}
        currency = company.currency_id
        rows = self.env.execute_query(
            self.env["credit.receivable"]._exposure_sql(company, commercial_ids, exclude_order_ids))
        return {
            partner_id: {
                "receivable": currency.round(receivable or 0.0),
                "orders": currency.round(orders or 0.0),
                "drafts": currency.round(drafts or 0.0),
                "total": currency.round(total or 0.0),
            }
            for partner_id, receivable, orders, drafts, total in rows
        }

    # ------------------------------------------------------------------ search / sort
    def _credit_exposure_join(self, alias, query):
        """Join the exposure of every customer to ``query`` on ``alias``'s commercial
        partner and return the SQL of its total."""
        exposure_alias = query.make_alias(alias, "credit_exposure")
        query.add_join(
            "LEFT JOIN", exposure_alias,
            SQL("(%s)", self.env["credit.receivable"]._exposure_sql(self.env.company)),
            SQL("%s = %s", SQL.identifier(exposure_alias, "partner_id"),
                SQL.identifier(alias, "commercial_partner_id")),
        )
        return SQL("COALESCE(%s, 0)", SQL.identifier(exposure_alias, "total"))

    def _credit_available_join(self, alias, query):
        """Join the available credit of the customers with a credit limit to ``query``
        on ``alias``'s commercial partner and return its SQL (0 without a limit, as
        ``available_credit``): only their exposure is summed."""
        company = self.env.company
        partners = self.sudo().with_company(company)
        limit = SQL("COALESCE(%s, 0)", partners._field_to_sql("limited", "credit_limit"))
        has_limit = SQL("%s != 0", limit)
        if not self._fields["credit_limit"].get_company_dependent_fallback(partners):
            # Without a default limit, only the partners with a value have one: Odoo's index
            # of the values set finds them (few), where the planner cannot tell how many
            # the condition on the company's value keeps.
            has_limit = SQL("limited.credit_limit IS NOT NULL AND %s", has_limit)
        limited_ids = SQL("SELECT limited.id FROM res_partner limited WHERE %s", has_limit)
        available_alias = query.make_alias(alias, "credit_available")
        query.add_join(
            "LEFT JOIN", available_alias,
            SQL(
                """
                (SELECT limited.id AS partner_id, %(limit)s - COALESCE(exposure.total, 0) AS available
                   FROM res_partner limited
              LEFT JOIN (%(exposure)s) exposure ON exposure.partner_id = limited.id
                  WHERE %(has_limit)s)
                """,
                limit=limit, has_limit=has_limit,
                exposure=self.env["credit.receivable"]._exposure_sql(company, limited_ids),
            ),
            SQL("%s = %s", SQL.identifier(available_alias, "partner_id"),
                SQL.identifier(alias, "commercial_partner_id")),
        )
        return SQL("COALESCE(%s, 0)", SQL.identifier(available_alias, "available"))

    @api.readonly
    def search_fetch(self, domain, field_names=None, offset=0, limit=None, order=None):
        sorts = {term.split()[0] for term in (order or "").split(",") if term.strip()}
        if field_names != [] and limit and sorts & {"credit_exposure", "credit_available"}:
            # Every customer is sorted to keep one page: read the page's fields for its
            # rows only, not in the sorting query for every customer.
            records = super().search_fetch(domain, [], offset=offset, limit=limit, order=order)
            records.fetch(field_names)
            return records
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    def _field_to_sql(self, alias, field_expr, query=None):
        if field_expr in ("credit_exposure", "credit_available") and query is not None:
            self._check_field_access(self._fields[field_expr], "read")
            if field_expr == "credit_exposure":
                return self._credit_exposure_join(alias, query)
            return self._credit_available_join(alias, query)
        return super()._field_to_sql(alias, field_expr, query)

    def _credit_search_amount(self, field_expr, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            return NotImplemented
        if value not in SIGNED_AMOUNT:
            raise ValidationError(self.env._(
                "%(field)s can only be compared with an amount between %(low)s and %(high)s, not %(value)r.",
                field=self._fields[field_expr].get_description(self.env)["string"],
                low=f"{SIGNED_AMOUNT.low:,.0f}", high=f"{SIGNED_AMOUNT.high:,.0f}", value=value))
        query = self.with_context(active_test=False)._search([], bypass_access=True)
        expression = self._field_to_sql(query.table, field_expr, query)
        sql_operator = SQL(operator if operator != "!=" else "<>")
        query.add_where(SQL("%s %s %s", expression, sql_operator, value or 0.0))
        return [("id", "in", query)]

    def _search_credit_exposure(self, operator, value):
        return self._credit_search_amount("credit_exposure", operator, value)

    def _search_credit_available(self, operator, value):
        return self._credit_search_amount("credit_available", operator, value)


    # ======================================================================
    # Holds and limits
    # ======================================================================
    # Odoo's own limit, read by every internal user: salespeople see the limit their
    # orders are checked against. Only credit managers change it (CREDIT_FIELD_GROUPS).
    credit_limit = fields.Float(
        groups="base.group_user",
        aggregator=None,  # 0 means no limit: limits do not add up
        help="The most this customer may owe the company (exposure): orders beyond it need credit "
        "approval when its risk tier says so. 0: no limit.",
    )
    credit_manual_hold = fields.Boolean(
        string="Manual Credit Hold",
        company_dependent=True,
        copy=False,
        groups="base.group_user",
        help="Set by the credit team: every order of this customer needs credit approval until "
        "the hold is lifted.",
    )
    credit_hold_reason = fields.Text(
        string="Hold Reason",
        company_dependent=True,
        copy=False,
        groups="base.group_user",
    )
    credit_hold_forced = fields.Boolean(
        string="Forced by a Manager",
        company_dependent=True,
        copy=False,
        groups="base.group_user",
        help="Only a credit manager can lift this hold or release the customer's orders.",
    )
    credit_hold_user_id = fields.Many2one(
        "res.users", string="Hold Set By", company_dependent=True, copy=False, groups="base.group_user")
    credit_hold_date = fields.Datetime(
        string="Hold Set On", company_dependent=True, copy=False, groups="base.group_user")
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

    @api.depends_context("company")
    @api.depends("commercial_partner_id.credit_manual_hold", "commercial_partner_id.credit_risk_tier_id.hold_policy")
    def _compute_credit_on_hold(self):
        self.env.company.sudo().fetch(HOLD_SETTINGS_FIELDS)
        settings = self.env.company._credit_hold_settings()
        self.fetch(["commercial_partner_id"])
        self.commercial_partner_id.fetch(["credit_manual_hold", "credit_risk_tier_id"])
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.credit_on_hold = on_hold(
                commercial.credit_manual_hold, commercial.credit_risk_tier_id.hold_policy, settings)

    def _search_credit_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        held = [("commercial_partner_id.credit_manual_hold", "=", True)]
        if tier_holds_every_order(POLICY_ALWAYS, self.env.company._credit_hold_settings()):
            held = ["|", *held, ("commercial_partner_id.credit_risk_tier_id.hold_policy", "=", POLICY_ALWAYS)]
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

    @api.model
    def _credit_format_limit(self, amount, currency=None):
        """A credit limit as users read it: the amount in ``currency`` (default: the
        company's), or "No limit" for 0."""
        currency = currency or self.env.company.currency_id
        if currency.is_zero(amount or 0.0):
            return self.env._("No limit")
        return format_amount(self.env, amount, currency)

    def _credit_limit_change_text(self, old, new, company=None):
        """What a change of the credit limit from ``old`` to ``new`` did, in words:
        "raised from $1,000.00 to $2,500.00", "set to...", "removed (was ...)"."""
        company = company or self.env.company
        currency = company.currency_id
        old_text, new_text = self._credit_format_limit(old, currency), self._credit_format_limit(new, currency)
        if currency.is_zero(old or 0.0):
            return self.env._("set to %(new)s (there was no limit)", new=new_text)
        if currency.is_zero(new or 0.0):
            return self.env._("removed (it was %(old)s)", old=old_text)
        if currency.compare_amounts(new, old) > 0:
            return self.env._("raised from %(old)s to %(new)s", old=old_text, new=new_text)
        return self.env._("lowered from %(old)s to %(new)s", old=old_text, new=new_text)

    def _credit_log_limit_changes(self, old_limits):
        """Record a history line for each partner whose limit in the current company
        changed from ``old_limits[partner id]``, and say it in the partner's chatter;
        reason and end date come from the context (``credit_limit_reason``,
        ``credit_limit_until``)."""
        company = self.env.company
        reason = self.env.context.get("credit_limit_reason")
        until = self.env.context.get("credit_limit_until") or False
        values, messages = [], {}
        for partner in self.sudo():
            old, new = old_limits.get(partner.id, 0.0), partner.credit_limit
            # Contacts get their company's limit copied (a commercial field): the change is
            # the company's, logged once, on the company.
            if company.currency_id.compare_amounts(old, new) == 0 or partner != partner.commercial_partner_id:
                continue
            values.append({
                "partner_id": partner.id, "company_id": company.id, "user_id": self.env.uid,
                "old_limit": old, "new_limit": new, "date_end": until,
                "reason": reason or self.env._("Changed on the customer"),
            })
            messages[partner.id] = self.env._(
                "Credit limit %(change)s in %(company)s%(until)s. %(reason)s",
                change=partner._credit_limit_change_text(old, new, company), company=company.name,
                until=self.env._(" until %(date)s", date=format_date(self.env, until)) if until else "",
                reason=reason or self.env._("Changed on the customer."))
        if values:
            self.env["credit.limit.history"].sudo().create(values)
            self.sudo().browse(list(messages))._message_log_batch(messages)

    def _credit_log_hold_changes(self, old_holds):
        """Post in each partner's chatter the hold set or lifted in the current company
        (holds are per company), with its reason."""
        author = self.env.user.partner_id
        company = self.env.company
        for partner in self.sudo():
            was_held, held = old_holds.get(partner.id), partner.credit_manual_hold
            if held and not was_held:
                body = Markup("<p>%s</p><p>%s</p><p>%s</p>") % (
                    self.env._("Credit hold set (forced by a credit manager).") if partner.credit_hold_forced
                    else self.env._("Credit hold set."),
                    partner.credit_hold_reason or "",
                    self.env._("Company: %(company)s", company=company.name),
                )
            elif was_held and not held:
                body = Markup("<p>%s</p><p>%s</p><p>%s</p>") % (
                    self.env._("Credit hold lifted."),
                    self.env.context.get("credit_hold_lift_reason") or self.env._("No reason given."),
                    self.env._("Company: %(company)s", company=company.name),
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
        vals = {"credit_manual_hold": True, "credit_hold_reason": reason}
        if forced:
            vals["credit_hold_forced"] = True
        partners.write(vals)
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
        partners.with_context(credit_hold_lift_reason=reason).write(
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
        self._credit_require_rights({"credit_manual_hold": mode == "set"})
        title = self.env._("Put on Credit Hold") if mode == "set" else self.env._("Lift Credit Hold")
        return self.env["credit.hold.wizard"]._credit_dialog(title, mode, self.commercial_partner_id)

    def action_credit_change_limit(self):
        """Open the dialog that changes the customer's credit limit with a reason, for good
        or until a date."""
        self.ensure_one()
        self._credit_require_rights({"credit_limit": 0.0})
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
        """Give each customer without a limit the default limit of its risk tier; the
        notification says which limits were set."""
        self._credit_require_rights({"credit_limit": 0.0})
        changes = []
        for partner in self.commercial_partner_id.with_company(self.env.company):
            proposed = partner.credit_limit_proposed
            if proposed:
                old = partner.credit_limit
                partner.with_context(credit_limit_reason=self.env._(
                    "Default limit of the risk tier %(tier)s", tier=partner.credit_risk_tier_id.name,
                )).write({"credit_limit": proposed})
                changes.append((partner, old, proposed))
        return self._credit_limit_notification(changes)

    def action_credit_view_limit_history(self):
        """The customer's credit limit changes, newest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_limit_history")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------ standing for the hold rules
    @api.model
    def _credit_order_contributions(self, company, orders):
        """``{order id: amount}``: what each confirmed order of ``orders`` adds to its
        customer's exposure now (not yet invoiced), in ``company``'s currency. One query."""
        confirmed = orders.filtered(lambda order: order.state == "sale")
        if not confirmed:
            return {}
        rows = self.env.execute_query(self.env["credit.receivable"]._uninvoiced_orders_sql(
            company, SQL("so.id = ANY(%s)", confirmed.ids)))
        return {order_id: company.currency_id.round(amount or 0.0) for order_id, _partner, amount in rows}

    @api.model
    def _credit_overdue_by_partner(self, company, partners, overdue_days, today):
        """``{commercial partner id: (count, amount, [OverdueInvoice])}``: the invoices of
        ``partners`` in ``company`` with an instalment overdue by more than
        ``overdue_days`` days on ``today`` and not left alone (disputed, promised, paused:
        see ``credit.receivable``), counted, summed (company currency) and the most
        overdue listed. One query whatever the number of invoices."""
        commercial_ids = partners.commercial_partner_id.ids
        if not commercial_ids or overdue_days <= 0:
            return {}
        rows = self.env.execute_query(self.env["credit.receivable"]._overdue_sql(
            company, today, commercial_ids, overdue_days, LISTED_OVERDUE))
        currency = company.currency_id
        result = {}
        for partner_id, _move_id, name, due, residual, count, amount in rows:
            entry = result.setdefault(partner_id, (count, currency.round(amount), []))
            entry[2].append(OverdueInvoice(name=name, days_overdue=(today - due).days, amount=currency.round(residual)))
        return result

    def _credit_standings(self, company, settings, exclude_order_ids=None, today=None):
        """``{commercial partner id: Standing}`` of ``self``'s customers in ``company``,
        for the hold rules of ``settings`` (a ``HoldSettings``). Exposure leaves out the
        confirmed orders of ``exclude_order_ids``.

        Amounts and overdue invoices are only gathered when a rule needs them, in one
        statement (``credit.receivable._standing_sql``); with the customers' credit
        fields and tiers, a fixed number of queries whatever the number of customers or
        invoices.
        """
        # Holds and tiers are per company: read ``company``'s, whatever the user's company.
        # Only the fields the rules read: a partner's company-dependent fields are many.
        partners = self.sudo().with_company(company)
        partners.fetch(["commercial_partner_id", *STANDING_FIELDS])
        commercial = partners.commercial_partner_id
        (commercial - partners).fetch(STANDING_FIELDS)
        commercial.credit_risk_tier_id.fetch(["name", "hold_policy"])
        today = today or fields.Date.context_today(self)
        policies = {partner.id: partner.credit_risk_tier_id.hold_policy or "none" for partner in commercial}
        limits = {partner.id: partner.credit_limit for partner in commercial}
        limited = [partner.id for partner in commercial
                   if limits[partner.id] and settings.limit_applies(policies[partner.id])]
        rows = []
        if limited or settings.overdue_days > 0:
            rows = self.env.execute_query(self.env["credit.receivable"]._standing_sql(
                company, today, commercial.ids, exposure_ids=limited, exclude_order_ids=exclude_order_ids,
                allowed_days=max(settings.overdue_days, 0), listed=LISTED_OVERDUE))
        currency = company.currency_id
        amounts, listed = {}, defaultdict(list)
        for partner_id, exposure, count, amount, move_id, name, due, residual in rows:
            amounts[partner_id] = (currency.round(exposure), count, currency.round(amount))
            if move_id:
                listed[partner_id].append(OverdueInvoice(
                    name=name, days_overdue=(today - due).days, amount=currency.round(residual)))
        standings = {}
        for partner in commercial:
            exposure, count, amount = amounts.get(partner.id, (0.0, 0, 0.0))
            standings[partner.id] = Standing(
                limit=limits[partner.id],
                exposure=exposure if partner.id in limited else 0.0,
                tier_name=partner.credit_risk_tier_id.name or "",
                tier_policy=policies[partner.id],
                manual_hold=partner.credit_manual_hold,
                hold_reason=partner.credit_hold_reason or "",
                hold_forced=partner.credit_hold_forced,
                overdue_count=count,
                overdue_amount=amount,
                overdue_invoices=tuple(listed[partner.id]),
            )
        return standings


    # ======================================================================
    # Risk: score, tier, reviews, overrides, limit suggestions
    # ======================================================================
    credit_risk_score = fields.Float(
        string="Risk Score",
        company_dependent=True,
        digits=(5, 1),
        readonly=True,
        copy=False,
        aggregator="avg",
        groups="base.group_user",
        help="0 (safest) to 100 (riskiest), from the customer's own payment history at the last "
        "credit review. The Credit tab shows what each factor added.",
    )
    credit_score_tier_id = fields.Many2one(
        "credit.risk.tier",
        company_dependent=True,
        string="Tier from Score",
        readonly=True,
        copy=False,
        ondelete="set null",
        groups="base.group_user",
        help="The tier the score falls in at the last review; the risk tier is this one unless a "
        "credit manager overrides it.",
    )
    credit_risk_tier_color = fields.Integer(
        related="credit_risk_tier_id.color", string="Risk Tier Colour", groups="base.group_user")
    credit_payment_behaviour = fields.Selection(
        BEHAVIOUR_SELECTION,
        company_dependent=True,
        string="Payment Behaviour",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="How the customer pays, from its history: Prompt (on time), Forgetful (now and then a "
        "few days late), Habitual (late on most invoices by a similar margin), Struggling (growing "
        "delays, partial payments or a large overdue), New (too little history yet).",
    )
    credit_last_review_date = fields.Date(
        string="Last Risk Review", company_dependent=True, readonly=True, copy=False, groups="base.group_user")
    credit_next_review_date = fields.Date(
        string="Next Risk Review",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="When the daily job reviews this customer again: the last review date plus the tier's "
        "review interval.",
    )
    credit_tier_override_id = fields.Many2one(
        "credit.risk.tier",
        company_dependent=True,
        string="Override Tier",
        copy=False,
        ondelete="set null",
        groups="base.group_user",
        help="A tier forced by a credit manager: it is the customer's risk tier until the override "
        "ends, whatever the score.",
    )
    credit_override_reason = fields.Text(
        string="Override Reason", company_dependent=True, copy=False, groups="base.group_user")
    credit_override_until = fields.Date(
        string="Override Until",
        company_dependent=True,
        copy=False,
        groups="base.group_user",
        help="Last day of the override; empty: until a credit manager removes it.",
    )
    credit_external_rating = fields.Float(
        string="External Risk Rating",
        company_dependent=True,
        digits=(5, 1),
        aggregator="avg",
        copy=False,
        groups="base.group_user",
        help="A rating from a credit information provider, as a risk from 0 (safest) to 100 "
        "(riskiest). It feeds the score when it has a rating date.",
    )
    credit_external_rating_date = fields.Date(
        string="External Rating Date", company_dependent=True, copy=False, groups="base.group_user")
    credit_review_ids = fields.One2many(
        "credit.risk.review", "partner_id", string="Risk Reviews", readonly=True, groups="base.group_user")
    credit_last_review_id = fields.Many2one(
        "credit.risk.review", string="Last Score Review", compute="_compute_credit_last_review_id",
        groups="base.group_user")
    credit_risk_explanation = fields.Html(
        string="Why This Score", compute="_compute_credit_last_review_id", sanitize=False, groups="base.group_user",
        help="What each factor measured at the last review and how many points it added to the score.")
    credit_behaviour_rule = fields.Selection(
        selection=lambda self: self.env["credit.risk.review"]._fields["behaviour_rule"].selection,
        string="Why This Behaviour", compute="_compute_credit_last_review_id", groups="base.group_user")
    # Limit increase suggestions: fast-moving, computed on demand for the current company.
    credit_utilisation = fields.Float(
        string="Limit Used (%)", compute="_compute_credit_limit_suggestion", compute_sudo=True,
        groups="base.group_user", help="Exposure as a percentage of the credit limit (0 without a limit).")
    credit_sales_recent = fields.Monetary(
        string="Sales (Last 6 Months)", compute="_compute_credit_limit_suggestion", compute_sudo=True,
        search="_search_credit_sales_recent", currency_field="credit_currency_id", groups="base.group_user",
        help="Invoiced sales, net of credit notes and taxes, over the last six months.")
    credit_sales_previous = fields.Monetary(
        string="Sales (6 Months Before)", compute="_compute_credit_limit_suggestion", compute_sudo=True,
        currency_field="credit_currency_id", groups="base.group_user")
    credit_sales_growth = fields.Float(
        string="Sales Growth (%)", compute="_compute_credit_limit_suggestion", compute_sudo=True,
        groups="base.group_user")
    credit_limit_suggested = fields.Monetary(
        string="Suggested Limit", compute="_compute_credit_limit_suggestion", compute_sudo=True,
        currency_field="credit_currency_id", groups="base.group_user",
        help="A higher credit limit to offer this reliable, growing customer before sales has to ask.")
    credit_limit_candidate = fields.Boolean(
        string="Limit Increase Candidate", compute="_compute_credit_limit_suggestion", compute_sudo=True,
        search="_search_credit_limit_candidate", groups="base.group_user")

    @api.constrains("credit_tier_override_id", "credit_override_reason")
    def _check_credit_override_reason(self):
        for partner in self:
            if partner.credit_tier_override_id and not (partner.credit_override_reason or "").strip():
                raise ValidationError(self.env._(
                    "Say why the risk tier of %(partner)s is overridden: the reason is kept with the "
                    "customer's risk history.", partner=partner.display_name))

    @api.constrains("credit_external_rating")
    def _check_credit_external_rating(self):
        for partner in self:
            if not 0 <= partner.credit_external_rating <= 100:
                raise ValidationError(self.env._(
                    "The external risk rating of %(partner)s must be between 0 and 100, not %(rating)s.",
                    partner=partner.display_name, rating=partner.credit_external_rating))

    def _compute_credit_last_review_id(self):
        reviews = self.env["credit.risk.review"]._read_group(
            [("partner_id", "in", self.ids), ("trigger", "!=", "override")], ["partner_id"], ["id:max"])
        last = {partner.id: review_id for partner, review_id in reviews}
        for partner in self:
            review = self.env["credit.risk.review"].browse(last.get(partner.id))
            partner.credit_last_review_id = review
            partner.credit_risk_explanation = review.factors_html
            partner.credit_behaviour_rule = review.behaviour_rule

    # ------------------------------------------------------------------ gathering
    @api.model
    def _credit_history_sql(self, company, partner_ids, window):
        """SQL selecting, per commercial partner of ``partner_ids`` with invoices in
        ``company`` (and its branches) up to ``window.as_of``, the columns of a
        :class:`PaymentHistory` in its field order (see ``credit_core.history``, the
        Python reference of this query: same definitions)."""
        self.env["account.partial.reconcile"].flush_model(["amount", "credit_move_id", "debit_move_id", "max_date"])
        self.env["account.move.line"].flush_model(["journal_id"])
        self.env["account.journal"].flush_model(["type"])
        # A settlement is a payment unless it is a customer credit note, i.e. an entry of a
        # sales journal: the settling line's journal says it without reading its move (the
        # partials are read from the index ``account_partial_reconcile._credit_settlement_idx``).
        return SQL(
            """
            WITH invoice_line AS (
                SELECT r.partner_id, r.id, r.date, r.date_due AS due, r.amount, r.disputed
                  FROM (%(receivables)s) r
                 WHERE r.move_type = 'out_invoice'
                   AND r.date <= %(as_of)s
                   AND r.amount > 0
            ),
            settlement AS (
                SELECT line.id, SUM(apr.amount) AS settled, MAX(apr.max_date) AS last_date,
                       COUNT(*) FILTER (WHERE credit_line.journal_id <> ALL(ARRAY(
                           SELECT id FROM account_journal WHERE type = 'sale'))) AS payments
                  FROM invoice_line line
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = line.id
                  JOIN account_move_line credit_line ON credit_line.id = apr.credit_move_id
                 WHERE apr.max_date <= %(as_of)s
              GROUP BY line.id
            ),
            fact AS (
                SELECT line.partner_id, line.date, line.due, line.amount, line.disputed,
                       GREATEST(line.amount - COALESCE(s.settled, 0), 0) AS residual,
                       COALESCE(s.payments, 0) AS payments,
                       COALESCE(CASE WHEN line.amount - COALESCE(s.settled, 0) <= %(tolerance)s
                                     THEN s.last_date END, %(as_of)s) - line.due AS delay,
                       line.due > %(window_start)s AND line.due <= %(as_of)s AND NOT line.disputed AS in_window
                  FROM invoice_line line
             LEFT JOIN settlement s ON s.id = line.id
            )
            SELECT partner_id,
                   COUNT(*),
                   %(as_of)s - MIN(date),
                   COUNT(*) FILTER (WHERE in_window),
                   COALESCE(SUM(amount) FILTER (WHERE in_window), 0),
                   COUNT(*) FILTER (WHERE in_window AND delay > %(grace)s),
                   COALESCE(SUM(amount) FILTER (WHERE in_window AND delay > %(grace)s), 0),
                   COALESCE(SUM(amount * GREATEST(delay, 0)) FILTER (WHERE in_window), 0),
                   COALESCE(AVG(delay) FILTER (WHERE in_window AND delay > %(grace)s), 0),
                   COALESCE(STDDEV_POP(delay) FILTER (WHERE in_window AND delay > %(grace)s), 0),
                   CASE WHEN COUNT(*) FILTER (WHERE in_window) >= 3
                        THEN COALESCE(REGR_SLOPE(GREATEST(delay, 0), due - %(window_start)s)
                                      FILTER (WHERE in_window), 0) * 30
                        ELSE 0 END,
                   COUNT(*) FILTER (WHERE in_window AND (payments >= 2 OR (
                       residual > %(tolerance)s AND residual < amount - %(tolerance)s))),
                   COALESCE(SUM(residual) FILTER (WHERE residual > %(tolerance)s), 0),
                   COALESCE(SUM(residual) FILTER (
                       WHERE residual > %(tolerance)s AND NOT disputed AND delay > %(grace)s), 0),
                   COALESCE(MAX(%(as_of)s - due) FILTER (
                       WHERE residual > %(tolerance)s AND NOT disputed AND due < %(as_of)s), 0),
                   COUNT(*) FILTER (WHERE residual > %(tolerance)s AND disputed)
              FROM fact
          GROUP BY partner_id
            """,
            receivables=self.env["credit.receivable"]._lines_sql(
                company, window.as_of, partner_ids, open_only=False),
            as_of=window.as_of,
            window_start=window.window_start,
            grace=window.grace_days,
            tolerance=SETTLED_TOLERANCE,
        )

    @api.model
    def _credit_payment_histories(self, company, partner_ids, window):
        """``{commercial partner id: PaymentHistory}`` of ``partner_ids`` in ``company``
        read through ``window``; partners without invoices are left out."""
        if not partner_ids:
            return {}
        rows = self.env.execute_query(self._credit_history_sql(company, partner_ids, window))
        return {
            row[0]: PaymentHistory(
                int(row[1]), int(row[2]), int(row[3]), float(row[4]), int(row[5]), float(row[6]), float(row[7]),
                float(row[8]), float(row[9]), float(row[10]), int(row[11]), float(row[12]), float(row[13]),
                int(row[14]), int(row[15]),
            )
            for row in rows
        }

    def _credit_external_ratings(self, company):
        """``{partner id: external risk rating (0-100)}`` of the partners in ``self`` that
        have one in ``company``; a credit information provider sets the rating and its date."""
        return {
            partner.id: partner.credit_external_rating
            for partner in self.sudo().with_company(company)
            if partner.credit_external_rating_date
        }

    def _credit_review_data(self, company, as_of):
        """What a review of the commercial partners ``self`` needs, gathered set-based
        in a fixed number of queries: ``{partner id: {'history': PaymentHistory,
        'utilisation': exposure / credit limit or None without a limit, 'external':
        rating or None}}``.

        ``as_of`` today uses the exposure now; an earlier date (back-testing) the open
        receivable of that day.
        """
        window = company._credit_history_window(as_of)
        histories = self._credit_payment_histories(company, self.ids, window)
        limits = self._credit_limits(company)
        if as_of >= fields.Date.context_today(self):
            # Utilisation needs the exposure of the partners with a credit limit only.
            limited = self.browse([partner_id for partner_id, limit in limits.items() if limit > 0])
            exposure = {
                pid: amounts["total"] for pid, amounts in self._credit_exposure_by_partner(company, limited).items()}
        else:
            exposure = {pid: history.open_amount for pid, history in histories.items()}
        ratings = self._credit_external_ratings(company)
        data = {}
        for partner_id in self.ids:
            limit = limits.get(partner_id) or 0.0
            data[partner_id] = {
                "history": histories.get(partner_id, PaymentHistory()),
                "utilisation": exposure.get(partner_id, 0.0) / limit if limit > 0 else None,
                "external": ratings.get(partner_id),
            }
        return data

    def _credit_review_outcomes(self, company, as_of, bands=None):
        """The outcome of reviewing the commercial partners ``self`` as of ``as_of``,
        without writing anything: ``{partner id: {'score': ScoreResult, 'behaviour':
        Behaviour, 'score_tier_id': tier id}}``."""
        settings = company._credit_score_settings()
        rule = company._credit_behaviour_rule()
        bands = self.env["credit.risk.tier"]._credit_bands() if bands is None else bands
        outcomes = {}
        for partner_id, data in self._credit_review_data(company, as_of).items():
            result = compute_score(data["history"], data["utilisation"], data["external"], settings)
            outcomes[partner_id] = {
                "score": result,
                "behaviour": classify(data["history"], rule),
                "score_tier_id": tier_for_score(result.score, bands),
            }
        return outcomes

    # ------------------------------------------------------------------ reviews
    def _credit_review(self, trigger="manual", company=None):
        """Review the credit risk of the commercial partners of ``self`` for ``company``
        (default: the current company) now: score, payment behaviour and tier, an
        override that has ended restored to the score's tier, the next review date set
        from the tier's interval, the follow-up segment assigned, one
        ``credit.risk.review`` logged per partner and tier changes posted in the chatter.
        Returns the reviews.

        No access check: callers check the user's rights (see :meth:`action_credit_review`).
        """
        company = company or self.env.company
        today = fields.Date.context_today(self)
        self.fetch(["commercial_partner_id"])
        # The risk state is per company: read and write ``company``'s.
        partners = self.commercial_partner_id.with_company(company)
        bands = self.env["credit.risk.tier"]._credit_bands()
        reviews = self.env["credit.risk.review"]
        for ids in split_every(REVIEW_BATCH_SIZE, partners.ids):
            batch = partners.browse(ids)
            batch.sudo().fetch(REVIEW_FIELDS)
            outcomes = batch._credit_review_outcomes(company, today, bands)
            reviews |= batch._credit_review_apply(company, outcomes, trigger, today)
        return reviews

    def _credit_review_apply(self, company, outcomes, trigger, today):
        """Write the review ``outcomes`` of ``self`` (see :meth:`_credit_review_outcomes`)
        on the partners, log them as reviews and post tier changes; returns the reviews."""
        Tier = self.env["credit.risk.tier"].sudo().with_context(active_test=False)
        tiers = Tier.search([])
        tiers.fetch(["name", "review_interval_days"])
        for tier in tiers.filtered(lambda t: t.review_interval_days not in REVIEW_INTERVAL_DAYS):
            _logger.warning(
                "Risk tier %s (id %s) has a review interval of %s days, outside %s..%s: its customers "
                "are reviewed again after %s days until a credit manager fixes it.", tier.name, tier.id,
                tier.review_interval_days, REVIEW_INTERVAL_DAYS.low, REVIEW_INTERVAL_DAYS.high,
                DEFAULT_REVIEW_INTERVAL_DAYS)
        # The reviews and the chatter messages are the log: no field tracking, no followers.
        partners = self.sudo().with_company(company).with_context(credit_review=True, tracking_disable=True)
        review_values, groups = [], defaultdict(list)
        for partner in partners:
            outcome = outcomes[partner.id]
            score_tier = Tier.browse(outcome["score_tier_id"] or [])
            override = partner.credit_tier_override_id
            expired = bool(override) and not override_in_force(override, partner.credit_override_until, today)
            tier = override if override and not expired else score_tier
            previous = partner.credit_risk_tier_id
            values = {
                "credit_risk_score": outcome["score"].score,
                "credit_score_tier_id": score_tier.id,
                "credit_risk_tier_id": tier.id,
                "credit_payment_behaviour": outcome["behaviour"].code,
                "credit_last_review_date": today,
                "credit_next_review_date": next_review_date(today, tier.review_interval_days),
            }
            note = False
            if expired:
                note = self.env._(
                    "The override to %(tier)s ended on %(date)s: back to the tier of the score.",
                    tier=override.name, date=format_date(self.env, partner.credit_override_until))
                values.update(dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False))
            groups[tuple(sorted(values.items()))].append(partner.id)
            review_values.append({
                "partner_id": partner.id,
                "company_id": company.id,
                "date": today,
                "trigger": trigger,
                "score": outcome["score"].score,
                "previous_score": partner.credit_risk_score,
                "previous_review_date": partner.credit_last_review_date,
                "tier_id": tier.id,
                "score_tier_id": score_tier.id,
                "previous_tier_id": previous.id,
                "tier_changed": tier != previous,
                "payment_behaviour": outcome["behaviour"].code,
                "behaviour_rule": outcome["behaviour"].rule,
                "factors": [factor.as_dict() for factor in outcome["score"].factors],
                "note": note,
            })
        # Partners with the same outcome are written together (sharing the prefetch).
        for values, ids in groups.items():
            partners.browse(ids).with_prefetch(partners._prefetch_ids).write(dict(values))
        reviews = self.env["credit.risk.review"].sudo().create(review_values)
        # The chatter says what a review changed: always for a review asked by a person,
        # only a change of tier for the daily job.
        messages = {
            review.partner_id.id: review._credit_chatter_text()
            for review in reviews
            if trigger == "manual" or (review.tier_changed and review.previous_tier_id)
        }
        if messages:
            partners.browse(list(messages))._message_log_batch(messages)
        # A review also puts the customer in its segment, from its new tier and behaviour.
        self.with_company(company)._credit_assign_segments(company)
        return reviews.sudo(False)

    def action_credit_review(self):
        """Review the credit risk of these customers now (credit controllers): score,
        payment behaviour, tier, next review date, logged as manual reviews."""
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team can review customers' credit risk."))
        partners = self.commercial_partner_id
        reviews = partners._credit_review("manual", self.env.company)
        changed = reviews.filtered(lambda review: review.tier_changed and review.previous_tier_id)
        if len(partners) == 1:
            message = self.env._(
                "%(partner)s: %(change)s", partner=partners.display_name, change=reviews._credit_change_text())
        else:
            message = self.env._(
                "%(count)s customers reviewed, %(changed)s changed tier.",
                count=len(reviews), changed=len(changed))
            if changed:
                message = " ".join([message, *(
                    self.env._("%(partner)s: %(previous)s → %(tier)s.", partner=review.partner_id.display_name,
                               previous=review.previous_tier_id.name, tier=review.tier_id.name)
                    for review in changed[:5]
                )])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Credit Risk Reviewed"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------ daily job
    # Several cron workers share the daily job (see ``credit.job``): each takes the customers
    # due in batches that it locks until their review is committed, so that a customer is
    # never taken by two workers, and one reviewed by a worker is no longer due for the others.
    @api.model
    def _credit_review_customers_sql(self, company):
        """SQL condition on the partner ``p``: a commercial partner the daily job reviews in
        ``company``, i.e. with posted customer invoices in its accounting entity."""
        self.env["res.partner"].flush_model(["active", "commercial_partner_id"])
        self.env["account.move"].flush_model(["company_id", "move_type", "partner_id", "state"])
        return SQL(
            """
            p.active
            AND p.id = p.commercial_partner_id
            AND EXISTS (
                SELECT 1
                  FROM res_partner contact
                  JOIN account_move am ON am.partner_id = contact.id
                 WHERE contact.commercial_partner_id = p.id
                   AND am.move_type = 'out_invoice'
                   AND am.state = 'posted'
                   AND am.company_id = ANY(%(company_ids)s)
            )
            """,
            company_ids=self.env["credit.receivable"]._company_ids(company),
        )

    @api.model
    def _credit_due_for_review(self, company, today, limit, after=0, shared=False):
        """Lock for this transaction up to ``limit`` of the customers the daily job reviews in
        ``company`` (:meth:`_credit_review_customers_sql`) that are due on ``today`` — their
        next review date has come, or they were never reviewed — and that no other
        transaction holds (``FOR NO KEY UPDATE SKIP LOCKED``, see ``credit.job._credit_claim``),
        in the order of their ids after ``after``. Returns ``(their ids, the id to go on
        after)``; None when ``shared`` and one of them was reviewed by a transaction committed
        since this one began.

        The partners are read by windows of ids (the primary key's order, a few thousand at
        a time) until ``limit`` of them are taken: a batch costs the same whatever the number
        of partners, due or not."""
        self.env["res.partner"].flush_model(["credit_next_review_date"])
        # The next review date is per company (jsonb): read ``company``'s.
        next_review = self.sudo().with_company(company)._field_to_sql("p", "credit_next_review_date")
        customers = self._credit_review_customers_sql(company)
        window = REVIEW_CLAIM_WINDOW * limit
        claimed = []
        while len(claimed) < limit:
            candidates = [row[0] for row in self.env.execute_query(SQL(
                "SELECT id FROM res_partner WHERE id > %s ORDER BY id LIMIT %s", after, window))]
            if not candidates:
                break
            wanted = limit - len(claimed)
            ids = self.env["credit.job"]._credit_claim(SQL(
                """
                SELECT p.id
                  FROM res_partner p
                 WHERE p.id = ANY(%(candidates)s)
                   AND (%(next_review)s IS NULL OR %(next_review)s <= %(today)s)
                   AND %(customers)s
              ORDER BY p.id
                 LIMIT %(limit)s
                   FOR NO KEY UPDATE OF p SKIP LOCKED
                """,
                candidates=candidates, next_review=next_review, today=today, customers=customers, limit=wanted,
            ), shared=shared)
            if ids is None:
                return None
            claimed += ids
            # The window was read to its end, unless the batch filled up before.
            after = ids[-1] if len(ids) == wanted else candidates[-1]
        return claimed, after

    @api.model
    def _credit_review_due(self, company, batch_size=REVIEW_BATCH_SIZE, commit=False, share=False):
        """Review the partners due for review in ``company`` (a record, or its id from a
        data file), ``batch_size`` at a time, each batch taken by :meth:`_credit_due_for_review`
        (the partners due that no one else is reviewing, locked until their review is
        committed); returns False when the job's time is up before all are done, True
        otherwise.

        With ``commit`` (the daily job and its workers, see ``credit.job``) each batch is
        committed and reported to the job's progress (``remaining``: a batch more while
        batches come full): a crash loses one batch at most, the next run goes on with the
        partners still due, and several workers running this at once review each partner
        once. ``share``: wake the parallel workers when there is more than one batch to do."""
        if isinstance(company, int):
            company = self.env["res.company"].browse(company)
        today = fields.Date.context_today(self)
        cron = self.env["ir.cron"]
        after, conflicts, first, pending = 0, 0, True, False
        while True:
            claim = self._credit_due_for_review(company, today, batch_size, after=after, shared=commit)
            if claim is None:
                # Another worker reviewed some of them meanwhile: claim again in a new
                # transaction, which sees what it did.
                conflicts += 1
                if conflicts > MAX_CLAIM_CONFLICTS:
                    return True
                cron._commit_progress()
                continue
            conflicts = 0
            ids, after = claim
            if not ids:
                if commit and pending:
                    cron._commit_progress(remaining=0)
                return True
            full = pending = len(ids) == batch_size
            if first and share and commit and full:
                self.env["credit.job"]._credit_trigger_workers()
            first = False
            self.browse(ids)._credit_review("cron", company)
            if commit:
                if not cron._commit_progress(len(ids), remaining=batch_size if full else 0):
                    return False
                self.env.invalidate_all()
            if not full:
                return True

    @api.model
    def _credit_review_batch_size(self):
        """Customers per committed batch of the daily job (system parameter
        ``credit_management.review_batch_size``, default :data:`REVIEW_BATCH_SIZE`)."""
        return int(self.env["ir.config_parameter"].sudo().get_param(
            "credit_management.review_batch_size", REVIEW_BATCH_SIZE)) or REVIEW_BATCH_SIZE

    @api.model
    def _credit_review_due_companies(self, share=False):
        """Review, company by company, the customers whose next review date has come (and
        those never reviewed), in committed batches shared with the other workers (see
        :meth:`_credit_review_due`). Returns False when the job's time is up."""
        batch_size = self._credit_review_batch_size()
        for company in self.env["res.company"].sudo().search([("parent_id", "=", False)]):
            partners = self.sudo().with_company(company)
            if not partners._credit_review_due(company, batch_size=batch_size, commit=True, share=share):
                return False
        return True

    @api.model
    def _credit_expire_overrides(self):
        """Restore the tier of the score for partners whose override ended before
        today, in every company (overrides are per company), logged as override reviews.
        Returns the partners. Partners a review holds are left to it (it ends their
        override too)."""
        today = fields.Date.context_today(self)
        ended = self.sudo().browse()
        for company in self.env["res.company"].sudo().search([]):
            partners = self.sudo().with_company(company).search(
                [("credit_tier_override_id", "!=", False), ("credit_override_until", "<", today)])
            if not partners:
                continue
            claimed = self.env["credit.job"]._credit_claim(SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED", partners.ids))
            partners = partners.browse(claimed or [])
            partners.write(dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False))
            ended |= partners
        return ended.with_env(self.sudo().env)

    @api.model
    def _cron_review_due_partners(self):
        """Daily job: end the overrides that expired, then review, company by company,
        the customers whose next review date has come (and those never reviewed), in
        batches that commit progress, shared with the parallel workers (``credit.job``)
        when there is more than one batch to do."""
        self._credit_expire_overrides()
        self.env["ir.cron"]._commit_progress()
        self._credit_review_due_companies(share=True)

    # ------------------------------------------------------------------ overrides
    def _credit_apply_override(self, previous_tiers):
        """Make the override fields of ``self`` take effect: the risk tier becomes the
        override while it lasts, the tier of the score otherwise; each change is logged
        as an override review and in the chatter. ``previous_tiers``: {partner id:
        risk tier before the change}."""
        today = fields.Date.context_today(self)
        company = self.env.company
        partners = self.sudo().with_context(credit_review=True, mail_notrack=True)
        review_values = []
        for partner in partners:
            override = partner.credit_tier_override_id
            active = override_in_force(override, partner.credit_override_until, today)
            tier = override if active else partner.credit_score_tier_id
            previous = previous_tiers.get(partner.id) or partner.credit_risk_tier_id.browse()
            if partner.credit_risk_tier_id != tier:
                partner.credit_risk_tier_id = tier
            if active:
                until = partner.credit_override_until
                body = self.env._(
                    "Risk tier overridden: %(previous)s → %(tier)s, %(until)s, in %(company)s. Reason: %(reason)s",
                    previous=previous.name or self.env._("none"), tier=tier.name,
                    until=self.env._("until %(date)s", date=format_date(self.env, until)) if until
                    else self.env._("until removed"),
                    company=company.name, reason=partner.credit_override_reason)
                note = partner.credit_override_reason
            else:
                body = self.env._(
                    "Risk tier override ended in %(company)s: %(previous)s → %(tier)s, the tier of the score.",
                    company=company.name, previous=previous.name or self.env._("none"),
                    tier=tier.name or self.env._("none"))
                note = body
            partner._message_log(body=body)
            review_values.append({
                "partner_id": partner.id,
                "company_id": self.env.company.id,
                "date": today,
                "trigger": "override",
                "score": partner.credit_risk_score,
                "tier_id": tier.id,
                "score_tier_id": partner.credit_score_tier_id.id,
                "previous_tier_id": previous.id,
                "payment_behaviour": partner.credit_payment_behaviour,
                "note": note,
                "override_until": partner.credit_override_until if active else False,
            })
        self.env["credit.risk.review"].sudo().create(review_values)

    def _credit_require_manager(self):
        if not self.env.su and not self.env.user.has_group(CREDIT_MANAGER):
            raise AccessError(self.env._("Only credit managers can do this."))

    def action_credit_override_tier(self):
        """Open the override form for this customer (credit managers)."""
        self._credit_require_manager()
        partner = self.commercial_partner_id
        partner.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Risk Tier"),
            "res_model": "credit.tier.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": partner.id},
        }

    def action_credit_remove_override(self):
        """End the tier override now: the tier of the score applies again (managers)."""
        self._credit_require_manager()
        partners = self.commercial_partner_id.filtered("credit_tier_override_id")
        partners.write(dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False))
        return True

    # ------------------------------------------------------------------ limit suggestions
    @api.model
    def _credit_sales_by_partner(self, company, partner_ids, today):
        """``{commercial partner id: (sales of the last 6 months, sales of the 6 months
        before)}``: posted customer invoices net of credit notes, untaxed, in
        ``company``'s currency; of every customer with sales when ``partner_ids`` is
        None."""
        if partner_ids is not None and not partner_ids:
            return {}
        self.env["account.move"].flush_model(
            ["amount_untaxed_signed", "commercial_partner_id", "company_id", "invoice_date", "move_type", "state"])
        middle = today - relativedelta(months=SALES_WINDOW_MONTHS)
        rows = self.env.execute_query(SQL(
            """
            SELECT am.commercial_partner_id,
                   COALESCE(SUM(am.amount_untaxed_signed) FILTER (WHERE am.invoice_date > %(middle)s), 0),
                   COALESCE(SUM(am.amount_untaxed_signed) FILTER (WHERE am.invoice_date <= %(middle)s), 0)
              FROM account_move am
             WHERE am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND am.company_id = ANY(%(company_ids)s)
               %(partners)s
               AND am.invoice_date > %(start)s
               AND am.invoice_date <= %(today)s
          GROUP BY am.commercial_partner_id
            """,
            middle=middle, start=today - relativedelta(months=2 * SALES_WINDOW_MONTHS), today=today,
            company_ids=self.env["credit.receivable"]._company_ids(company),
            partners=SQL("AND am.commercial_partner_id = ANY(%s)", list(partner_ids)) if partner_ids is not None
            else SQL(),
        ))
        return {partner_id: (float(recent), float(previous)) for partner_id, recent, previous in rows}

    def _credit_limit_suggestions(self, company):
        """``{commercial partner id: (LimitSuggestion, sales recent, sales previous)}``
        for the commercial partners of ``self`` in ``company``."""
        partners = self.commercial_partner_id.sudo()
        if not partners:
            return {}
        today = fields.Date.context_today(self)
        exposure = self._credit_exposure_by_partner(company, partners)
        limits = partners._credit_limits(company)
        sales = self._credit_sales_by_partner(company, partners.ids, today)
        rule = company._credit_limit_rule()
        result = {}
        for partner in partners:
            recent, previous = sales.get(partner.id, (0.0, 0.0))
            suggestion = suggest_limit(
                limits.get(partner.id) or 0.0, exposure.get(partner.id, {}).get("total", 0.0), recent, previous,
                tier_allows=partner.credit_risk_tier_id.limit_increase_allowed, rule=rule)
            result[partner.id] = (suggestion, recent, previous)
        return result

    @api.depends_context("company")
    def _compute_credit_limit_suggestion(self):
        company = self.env.company
        suggestions = self._credit_limit_suggestions(company)
        for partner in self:
            suggestion, recent, previous = suggestions.get(
                partner.commercial_partner_id.id, (None, 0.0, 0.0))
            partner.credit_sales_recent = recent
            partner.credit_sales_previous = previous
            partner.credit_utilisation = (suggestion.utilisation or 0.0) * 100 if suggestion else 0.0
            partner.credit_sales_growth = (suggestion.growth or 0.0) * 100 if suggestion else 0.0
            partner.credit_limit_candidate = bool(suggestion and suggestion.candidate)
            partner.credit_limit_suggested = suggestion.suggested_limit if suggestion else 0.0

    def _search_credit_sales_recent(self, operator, value):
        """Customers by their invoiced sales of the last six months in the current
        company (e.g. the large accounts of a segment): one aggregate query."""
        compare = SALES_OPERATORS.get(operator)
        if compare is None:
            return NotImplemented
        if value not in SIGNED_AMOUNT:
            raise ValidationError(self.env._(
                "%(field)s can only be compared with an amount between %(low)s and %(high)s, not %(value)r.",
                field=self._fields["credit_sales_recent"].get_description(self.env)["string"],
                low=f"{SIGNED_AMOUNT.low:,.0f}", high=f"{SIGNED_AMOUNT.high:,.0f}", value=value))
        value = value or 0.0
        sales = self._credit_sales_by_partner(self.env.company, None, fields.Date.context_today(self))
        if compare(0.0, value):  # customers without sales match: leave out those that do not
            return [("commercial_partner_id", "not in", [pid for pid, (recent, _p) in sales.items()
                                                         if not compare(recent, value)])]
        return [("commercial_partner_id", "in", [pid for pid, (recent, _p) in sales.items() if compare(recent, value)])]

    def _search_credit_limit_candidate(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        wanted = {bool(v) for v in value}
        if operator == "not in":
            wanted = {True, False} - wanted
        if wanted in (set(), {True, False}):
            return [] if wanted else [("id", "=", False)]
        company = self.env.company
        prefilter = self.sudo().with_company(company).search([
            ("credit_risk_tier_id.limit_increase_allowed", "=", True),
            ("credit_limit", ">", 0),
        ]).filtered(lambda partner: partner == partner.commercial_partner_id)
        suggestions = prefilter._credit_limit_suggestions(company)
        ids = [partner_id for partner_id, (suggestion, _r, _p) in suggestions.items() if suggestion.candidate]
        return [("id", "in" if True in wanted else "not in", ids)]

    def action_credit_apply_suggested_limit(self):
        """Raise the credit limit of these candidates to the suggested limit (credit
        managers), logged in the chatter. A customer who is no longer a candidate is
        refused with the reason."""
        self._credit_require_manager()
        company = self.env.company
        partners = self.commercial_partner_id
        suggestions = partners._credit_limit_suggestions(company)
        refused = [p.display_name for p in partners if not suggestions[p.id][0].candidate]
        if refused:
            raise UserError(self.env._(
                "No limit increase is suggested any more for: %(partners)s. Their use of the limit, "
                "sales growth or risk tier changed; refresh the list.", partners=", ".join(refused)))
        currency = company.currency_id
        changes = []
        for partner in partners.with_company(company):
            suggestion, recent, previous = suggestions[partner.id]
            reason = self.env._(
                "Suggested increase: %(used)s %% of the limit used, sales %(recent)s over the last 6 months "
                "against %(previous)s before (+%(growth)s %%).",
                used=formatLang(self.env, suggestion.utilisation * 100, digits=0),
                recent=format_amount(self.env, recent, currency),
                previous=format_amount(self.env, previous, currency),
                growth=formatLang(self.env, suggestion.growth * 100, digits=0))
            old = partner.credit_limit
            # The change is logged (history and chatter) by write().
            partner.with_context(credit_limit_reason=reason).credit_limit = suggestion.suggested_limit
            changes.append((partner, old, suggestion.suggested_limit))
        return self._credit_limit_notification(changes, company)

    @api.model
    def _credit_limit_notification(self, changes, company=None, until=None, next_action=None):
        """The notification that confirms limit ``changes`` (``[(partner, old, new)]``)
        were applied: each customer's old and new limit (and the end date ``until`` of a
        temporary limit), then ``next_action`` (default: the screen reloads)."""
        company = company or self.env.company
        lines = [
            self.env._("%(customer)s: %(old)s → %(new)s", customer=partner.display_name,
                       old=self._credit_format_limit(old, company.currency_id),
                       new=self._credit_format_limit(new, company.currency_id))
            for partner, old, new in changes
        ]
        if until and lines:
            lines[-1] = self.env._("%(change)s until %(date)s", change=lines[-1], date=format_date(self.env, until))
        if len(lines) > 5:
            lines = [*lines[:5], self.env._("and %(count)s more.", count=len(lines) - 5)]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Credit Limit Changed") if len(changes) == 1
                else self.env._("%(count)s Credit Limits Changed", count=len(changes)),
                "message": "; ".join(lines) if lines else self.env._("No credit limit was changed."),
                "type": "success" if changes else "info",
                "next": next_action or {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


    # ======================================================================
    # Segments and follow-up
    # ======================================================================
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
        company_dependent=True,
        string="Segment",
        copy=False,
        tracking=True,
        ondelete="set null",
        groups="base.group_user",
        help="The follow-up segment of the customer: the first segment (by sequence) whose rule "
        "matches at the last risk review or assignment, unless fixed by hand.",
    )
    credit_segment_fixed = fields.Boolean(
        string="Segment Fixed by Hand",
        company_dependent=True,
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
                    customer=partner.display_name, date=format_date(self.env, partner.credit_followup_pause_until)))

    # ------------------------------------------------------------------ segments
    # The customer's segment is per company (company-dependent, as its risk state): a
    # company assigns its customers to its own segments (and shared ones) and never sees
    # or changes the segment another company gave them. Every read and write goes through
    # ``with_company(company)``.
    def _credit_customer_ids(self, company, partner_ids=None):
        """The ids of the commercial partners that are customers of ``company`` (and its
        branches): they have customer invoices, credit notes or sales orders there, or
        belong to it (``company_id``), or belong to no company and have no such document
        anywhere yet (a new customer is anyone's). Restricted to ``partner_ids`` when
        given. One query."""
        self.env["res.partner"].flush_model(["company_id", "commercial_partner_id"])
        self.env["account.move"].flush_model(["commercial_partner_id", "company_id", "move_type"])
        self.env["sale.order"].flush_model(["partner_id", "company_id"])
        company_ids = self.env["credit.receivable"]._company_ids(company)
        rows = self.env.execute_query(SQL(
            """
            WITH documents AS (
                SELECT am.commercial_partner_id AS partner_id, am.company_id
                  FROM account_move am
                 WHERE am.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
                   AND am.commercial_partner_id IS NOT NULL %(move_partners)s
                 UNION
                SELECT sp.commercial_partner_id, so.company_id
                  FROM sale_order so
                  JOIN res_partner sp ON sp.id = so.partner_id %(order_partners)s
            )
            SELECT p.id
              FROM res_partner p
             WHERE p.id = p.commercial_partner_id %(partners)s
               AND (p.company_id = ANY(%(company_ids)s)
                    OR EXISTS (SELECT 1 FROM documents d
                                WHERE d.partner_id = p.id AND d.company_id = ANY(%(company_ids)s))
                    OR (p.company_id IS NULL
                        AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.partner_id = p.id)))
            """,
            company_ids=company_ids,
            partners=SQL("AND p.id = ANY(%s)", list(partner_ids)) if partner_ids is not None else SQL(),
            move_partners=(SQL("AND am.commercial_partner_id = ANY(%s)", list(partner_ids))
                           if partner_ids is not None else SQL()),
            order_partners=(SQL("AND sp.commercial_partner_id = ANY(%s)", list(partner_ids))
                            if partner_ids is not None else SQL()),
        ))
        return {row[0] for row in rows}

    def _credit_segment_customers(self, company):
        """The customers whose segment ``company`` assigns when one of its segments is
        saved: its customers (see ``_credit_customer_ids``) not fixed by hand."""
        return self.sudo().with_company(company).with_context(active_test=False).search([
            ("id", "in", list(self._credit_customer_ids(company))),
            ("customer_rank", ">", 0), ("credit_segment_fixed", "=", False),
            "|", ("is_company", "=", True), ("parent_id", "=", False),
        ])

    def _credit_assign_segments(self, company=None):
        """Put each commercial partner of ``self`` not fixed by hand in the first segment of
        ``company`` (and shared segments) by sequence whose domain matches it, in
        ``company`` only (the segment is per company). One search
        per segment and one write per segment, whatever the number of partners. Returns
        ``{segment id or False: partner ids}`` of the partners whose segment changed."""
        company = company or self.env.company
        partners = self.commercial_partner_id.sudo().with_company(company).filtered(
            lambda p: not p.credit_segment_fixed)
        segments = self.env["credit.segment"].sudo().search(
            [("company_id", "in", [False, company.id])], order="sequence, id")
        remaining = set(partners.ids)
        target = {}
        for segment in segments:
            if not remaining:
                break
            matched = self.sudo().with_company(company).with_context(active_test=False).search(
                [("id", "in", list(remaining)), *segment._credit_partner_domain()])
            for partner_id in matched.ids:
                target[partner_id] = segment.id
            remaining -= set(matched.ids)
        changed = {}
        for partner in partners:
            segment_id = target.get(partner.id, False)
            if partner.credit_segment_id.id != segment_id:
                changed.setdefault(segment_id, []).append(partner.id)
        Partner = self.sudo().with_company(company).with_context(credit_segment_assign=True, tracking_disable=True)
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

    def action_credit_view_followups(self):
        """The follow-up history of this customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_followup_line")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_done": 1}
        return action

    def _credit_statement_data(self, company=None, on_date=None):
        """What the customer statement shows for this commercial partner in ``company``
        on ``on_date`` (default: today), as ``credit.receivable._statement`` gathers it."""
        self.ensure_one()
        return self.env["credit.receivable"]._statement(
            self, company or self.env.company, on_date or fields.Date.context_today(self))

    # ======================================================================
    # Complaints and shared notes
    # ======================================================================
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

    def action_credit_view_complaints(self):
        """The complaints of this customer (and of its contacts, for a company)."""
        self.ensure_one()
        if self == self.commercial_partner_id:
            domain = [("commercial_partner_id", "=", self.id)]
        else:
            domain = [("partner_id", "=", self.id)]
        return self.env["credit.complaint"]._action_for(domain, {"default_partner_id": self.id})

    def action_credit_add_note(self):
        """Write a shared note on this customer, in a dialog."""
        self.ensure_one()
        self.check_access("read")
        return self.env["credit.shared.note"]._credit_dialog(
            self.env._("New Shared Note"), {"default_partner_id": self.commercial_partner_id.id})

    def action_credit_acknowledge_opportunities(self):
        """The credit team has seen the sales opportunities noted on these customers."""
        Note = self.env["credit.shared.note"]
        notes = Note.search([*Note._open_opportunity_domain(), ("partner_id", "in", self.commercial_partner_id.ids)])
        notes.action_acknowledge()
        return True

    # ======================================================================
    # On-demand statement: the one the follow-up emails attach
    # ======================================================================
    def _credit_require_statement_rights(self):
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team can print or send customer statements."))
        self.check_access("read")

    def action_credit_print_statement(self):
        """Download the statement of account of these customers (of their commercial
        entity, for a contact): the report the follow-up emails attach."""
        self._credit_require_statement_rights()
        return self.env.ref("credit_management.action_report_credit_statement").report_action(
            self.commercial_partner_id)

    def action_credit_send_statement(self):
        """Open the email composer on this customer (its commercial entity, for a contact)
        with the statement template: the statement attached, the invoicing contact as
        recipient; sending posts the email in the customer's chatter."""
        self.ensure_one()
        self._credit_require_statement_rights()
        customer = self.commercial_partner_id
        template = self.env.ref("credit_management.mail_template_credit_statement", raise_if_not_found=False)
        return {
            "name": self.env._("Send Statement"),
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": customer._name,
                "default_res_ids": customer.ids,
                "default_composition_mode": "comment",
                "default_template_id": template.id if template else False,
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "hide_mail_template_management_options": True,
            },
        }

    # ======================================================================
    # Outside information: identifiers checked with python-stdnum, credit reports
    # ======================================================================
    # The most customers whose credit reports a user fetches at once (the daily job does more).
    _credit_manual_fetch_limit = 50

    credit_identifier_state = fields.Selection(
        [
            ("valid", "Valid"),
            ("unchecked", "Not Checkable"),
            ("missing", "Missing"),
            ("invalid", "Invalid"),
        ],
        string="Identifiers",
        compute="_compute_credit_identifier_state",
        store=True,
        groups="base.group_user",
        help="The VAT and company registration numbers, checked for the customer's country: Valid, Not "
        "Checkable (no check exists for the country, accepted as typed), Missing (neither number: no credit "
        "report can be fetched) or Invalid (entered before they were checked, or the country changed since).",
    )
    credit_identifier_issue = fields.Char(
        string="Identifier Problem", compute="_compute_credit_identifier_display", groups="base.group_user")
    credit_vat_formatted = fields.Char(
        string="VAT Number (Formatted)", compute="_compute_credit_identifier_display", groups="base.group_user")
    credit_company_registry_formatted = fields.Char(
        string="Registration Number (Formatted)", compute="_compute_credit_identifier_display",
        groups="base.group_user")
    credit_info_report_ids = fields.One2many(
        "credit.info.report", "partner_id", string="Credit Reports", groups=CREDIT_USER)
    credit_info_report_count = fields.Integer(
        string="Credit Report Count", compute="_compute_credit_info_report", groups=CREDIT_USER)
    credit_info_report_id = fields.Many2one(
        "credit.info.report", string="Latest Credit Report", compute="_compute_credit_info_report",
        groups=CREDIT_USER, help="The latest credit report with a rating, in this company: the source of the "
        "external risk rating and of the recommended limit.")
    credit_info_recommended_limit = fields.Monetary(
        string="Recommended Limit", compute="_compute_credit_info_report", currency_field="credit_info_currency_id",
        groups=CREDIT_USER, help="The credit limit the latest credit report recommends.")
    credit_info_currency_id = fields.Many2one(
        "res.currency", compute="_compute_credit_info_report", groups=CREDIT_USER)

    # ------------------------------------------------------------------ identifiers
    @api.model
    def _credit_odoo_checks_vat(self):
        """Whether Odoo's own VAT check (the ``base_vat`` module) is installed: it then
        checks and formats VAT numbers alone, and this addon leaves them to it (no second
        check, no second message); registration numbers are checked here either way."""
        return hasattr(self, "_check_vat_number")

    def _credit_identifier_checks(self, for_constraint=False):
        """``{field name: IdentifierCheck}`` of this partner's ``vat`` and
        ``company_registry`` for its commercial partner's country. With
        ``for_constraint``, only what this addon refuses: not the VAT number when Odoo
        checks it, or when the context says not to (``no_vat_validation``)."""
        self.ensure_one()
        country = (self.commercial_partner_id.country_id.code or "").lower()
        checks = {}
        if self._credit_odoo_checks_vat():
            if not for_constraint:
                checks["vat"] = self._credit_odoo_vat_check(country)
        elif not (for_constraint and self.env.context.get("no_vat_validation")):
            checks["vat"] = check_identifier(VAT, country, self.vat)
        checks["company_registry"] = check_identifier(REGISTRY, country, self.company_registry)
        return checks

    def _credit_odoo_vat_check(self, country):
        """The VAT number as Odoo's own check sees it (``_run_vat_checks``), as an
        ``IdentifierCheck``: valid or invalid, kept as Odoo stored it."""
        vat = (self.vat or "").strip()
        if not vat or vat == NO_VAT:
            return check_identifier(VAT, country, vat)
        checked, _country_code = self.with_context(no_vat_validation=False)._run_vat_checks(
            self.commercial_partner_id.country_id, vat, partner_name=self.name or "", validation="setnull")
        return IdentifierCheck(VAT, country, VALID if checked else INVALID, vat, vat)

    def _credit_identifier_error(self, check):
        """What is wrong with the identifier ``check`` (an invalid ``IdentifierCheck``)
        of this partner, the expected format and an example, in words."""
        _ = self.env._
        label = _("VAT number") if check.kind == VAT else (self.company_registry_label or _("Company ID"))
        problem = {
            "checksum": _("its check digits are wrong"),
            "length": _("it has too many or too few characters"),
            "component": _("a part of it (a region, a date or a type) does not exist"),
        }.get(check.error, _("it is not written as expected"))
        values = {
            "label": label, "number": check.compact, "partner": self.display_name or _("this customer"),
            "country": self.commercial_partner_id.country_id.name, "problem": problem,
            "expected": check.expected, "example": check.example,
        }
        if not check.example:
            return _("The %(label)s “%(number)s” of %(partner)s is not valid for %(country)s: %(problem)s. "
                     "Expected: %(expected)s.", **values)
        return _("The %(label)s “%(number)s” of %(partner)s is not valid for %(country)s: %(problem)s. "
                 "Expected: %(expected)s, for example %(example)s.", **values)

    @api.depends("vat", "company_registry", "commercial_partner_id.country_id")
    def _compute_credit_identifier_state(self):
        for partner in self:
            checks = partner._credit_identifier_checks().values()
            statuses = {check.status for check in checks}
            if INVALID in statuses:
                partner.credit_identifier_state = "invalid"
            elif not any(check.usable for check in checks):
                partner.credit_identifier_state = "missing"
            elif UNCHECKED in statuses:
                partner.credit_identifier_state = "unchecked"
            else:
                partner.credit_identifier_state = "valid"

    @api.depends("vat", "company_registry", "commercial_partner_id.country_id")
    def _compute_credit_identifier_display(self):
        for partner in self:
            checks = partner._credit_identifier_checks()
            vat = checks.get("vat")
            partner.credit_vat_formatted = vat.formatted if vat else partner.vat
            partner.credit_company_registry_formatted = checks["company_registry"].formatted
            invalid = [check for check in checks.values() if check.status == INVALID]
            partner.credit_identifier_issue = partner._credit_identifier_error(invalid[0]) if invalid else False

    @api.constrains("vat", "company_registry")
    def _check_credit_identifiers(self):
        # Data that modules load is not refused: the Identifiers filter lists it.
        if self.env.context.get("install_mode"):
            return
        for partner in self:
            for check in partner._credit_identifier_checks(for_constraint=True).values():
                if check.status == INVALID:
                    raise ValidationError(partner._credit_identifier_error(check))

    def _credit_normalise_identifiers(self):
        """Store the valid identifiers of ``self`` in their compact form (stdnum's, the
        VAT number's country prefix kept as typed); VAT numbers only when Odoo does not
        check them itself (it then stores them compact already)."""
        for partner in self.filtered(lambda p: p.vat or p.company_registry):
            values = {
                fname: check.compact
                for fname, check in partner._credit_identifier_checks(for_constraint=True).items()
                if check.status == VALID and check.compact != partner[fname]
            }
            if values:
                partner.write(values)

    def _credit_lookup_identifier(self, lookup_by):
        """``(number, 'vat' or 'company_registry')`` identifying this customer at a
        provider that looks companies up ``lookup_by`` (``vat``, ``company_registry`` or
        ``vat_or_registry``), or ``(None, None)`` when it has no usable one."""
        self.ensure_one()
        checks = self._credit_identifier_checks()
        wanted = {"vat": ("vat",), "company_registry": ("company_registry",),
                  "vat_or_registry": ("vat", "company_registry")}[lookup_by]
        for fname in wanted:
            check = checks.get(fname)
            if check and check.usable:
                return check.compact, fname
        return None, None

    def _credit_missing_identifier_text(self, provider):
        """Why ``provider`` cannot look this customer up, in words."""
        _ = self.env._
        needed = {
            "vat": _("valid VAT number"), "company_registry": _("valid company registration number"),
            "vat_or_registry": _("valid VAT number nor company registration number"),
        }[provider.lookup_by]
        return _("%(partner)s has no %(needed)s: %(provider)s looks companies up by it.",
                 partner=self.display_name, needed=needed, provider=provider.name)

    # ------------------------------------------------------------------ credit reports
    @api.depends_context("company")
    def _compute_credit_info_report(self):
        company = self.env.company
        commercial_ids = self.commercial_partner_id._origin.ids
        Report = self.env["credit.info.report"]
        latest = Report._credit_latest_done(commercial_ids, company.ids)
        counts = dict(Report._read_group(
            [("partner_id", "in", commercial_ids), ("company_id", "=", company.id)], ["partner_id"], ["__count"]))
        for partner in self:
            commercial = partner.commercial_partner_id._origin
            report = Report.browse(latest.get((commercial.id, company.id), (None,))[0])
            partner.credit_info_report_count = counts.get(commercial, 0)
            partner.credit_info_report_id = report
            partner.credit_info_recommended_limit = report.sudo().recommended_limit
            partner.credit_info_currency_id = report.sudo().currency_id or company.currency_id

    def action_credit_fetch_report(self):
        """Fetch a credit report of these customers now from the company's first
        credit-information provider (credit team). The reports are kept whether they
        succeed or fail; a notification says what came back."""
        if not self.env.su and not self.env.user.has_group(CREDIT_USER):
            raise AccessError(self.env._("Only the credit team can fetch credit reports."))
        self.check_access("read")
        company = self.env.company
        provider = self.env["credit.info.provider"]._credit_provider_for(company)
        if not provider:
            raise UserError(self.env._(
                "No credit information provider is set up for %(company)s: a credit manager adds one in Credit → "
                "Configuration → Credit Information Providers.", company=company.name))
        partners = self.commercial_partner_id
        if len(partners) > self._credit_manual_fetch_limit:
            raise UserError(self.env._(
                "Fetch the credit reports of at most %(limit)s customers at once, not %(count)s: the daily job "
                "refreshes those of the tiers its provider names.",
                limit=self._credit_manual_fetch_limit, count=len(partners)))
        missing = partners.filtered(lambda partner: not partner._credit_lookup_identifier(provider.lookup_by)[0])
        if missing == partners:
            raise UserError("\n".join(partner._credit_missing_identifier_text(provider) for partner in missing))
        reports = provider._credit_fetch(partners - missing, company, "manual")
        return self._credit_report_notification(reports, missing)

    @api.model
    def _credit_report_notification(self, reports, skipped=None):
        """The notification saying what fetching ``reports`` gave, and which customers
        were ``skipped`` (no number to look them up by)."""
        _ = self.env._
        reports = reports.sudo()
        failed = reports.filtered(lambda report: report.state == "failed")
        if len(reports) == 1:
            report = reports
            if failed:
                title, message = _("Credit Report Failed"), report.error
            else:
                title = _("Credit Report Fetched")
                message = _("%(partner)s: rating %(rating)s from %(provider)s. The next risk review uses it.",
                            partner=report.partner_id.display_name,
                            rating=self.env["credit.risk.review"]._credit_format_score(report.rating),
                            provider=report.provider_name)
                if report.recommended_limit:
                    message = " ".join([message, _("Recommended limit: %(limit)s.", limit=format_amount(
                        self.env, report.recommended_limit, report.currency_id))])
        else:
            title = _("Credit Reports Fetched")
            message = _("%(done)s report(s) fetched, %(failed)s failed.",
                        done=len(reports) - len(failed), failed=len(failed))
            if failed:
                message = " ".join([message, *(f"{report.partner_id.display_name}: {report.error}"
                                               for report in failed[:3])])
        if skipped:
            message = " ".join([message, _("Skipped, without the number the provider needs: %(partners)s.",
                                           partners=", ".join(skipped[:5].mapped("display_name")))])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "danger" if failed else "success",
                "sticky": bool(failed),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_credit_view_reports(self):
        """The credit reports of this customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_info_report")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
