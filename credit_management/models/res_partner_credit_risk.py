from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, split_every

from ..credit_core.behaviour import classify
from ..credit_core.history import SETTLED_TOLERANCE, PaymentHistory
from ..credit_core.limit import suggest_limit
from ..credit_core.score import compute_score, tier_for_score
from .credit_risk_review import BEHAVIOUR_SELECTION

# Customers reviewed per SQL round trip (and per committed step of the daily job).
REVIEW_BATCH_SIZE = 1000
# Set by reviews only (sudo, after the reviewer's rights are checked).
CREDIT_REVIEW_FIELDS = frozenset({
    "credit_risk_score", "credit_risk_tier_id", "credit_score_tier_id", "credit_payment_behaviour",
    "credit_last_review_date", "credit_next_review_date",
})
# What a credit manager decides: tier overrides and the external rating.
CREDIT_OVERRIDE_FIELDS = frozenset({"credit_tier_override_id", "credit_override_reason", "credit_override_until"})
CREDIT_MANAGER_FIELDS = CREDIT_OVERRIDE_FIELDS | {"credit_external_rating", "credit_external_rating_date"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_risk_score = fields.Float(
        string="Risk Score",
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
        string="Tier from Score",
        readonly=True,
        copy=False,
        ondelete="restrict",
        groups="base.group_user",
        help="The tier the score falls in at the last review; the risk tier is this one unless a "
        "credit manager overrides it.",
    )
    credit_risk_tier_color = fields.Integer(related="credit_risk_tier_id.color", string="Risk Tier Colour")
    credit_payment_behaviour = fields.Selection(
        BEHAVIOUR_SELECTION,
        string="Payment Behaviour",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="How the customer pays, from its history: Prompt (on time), Forgetful (now and then a "
        "few days late), Habitual (late on most invoices by a similar margin), Struggling (growing "
        "delays, partial payments or a large overdue), New (too little history yet).",
    )
    credit_last_review_date = fields.Date(
        string="Last Risk Review", readonly=True, copy=False, groups="base.group_user")
    credit_next_review_date = fields.Date(
        string="Next Risk Review",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
        help="When the daily job reviews this customer again: the last review date plus the tier's "
        "review interval.",
    )
    credit_tier_override_id = fields.Many2one(
        "credit.risk.tier",
        string="Override Tier",
        copy=False,
        ondelete="restrict",
        groups="base.group_user",
        help="A tier forced by a credit manager: it is the customer's risk tier until the override "
        "ends, whatever the score.",
    )
    credit_override_reason = fields.Text(string="Override Reason", copy=False, groups="base.group_user")
    credit_override_until = fields.Date(
        string="Override Until",
        copy=False,
        groups="base.group_user",
        help="Last day of the override; empty: until a credit manager removes it.",
    )
    credit_external_rating = fields.Float(
        string="External Risk Rating",
        digits=(5, 1),
        copy=False,
        groups="base.group_user",
        help="A rating from a credit information provider, as a risk from 0 (safest) to 100 "
        "(riskiest). It feeds the score when it has a rating date.",
    )
    credit_external_rating_date = fields.Date(string="External Rating Date", copy=False, groups="base.group_user")
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
        currency_field="credit_currency_id", groups="base.group_user",
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

    # ------------------------------------------------------------------ protection
    def _credit_check_risk_write(self, fnames):
        """Refuse writing risk fields to whoever may not: review results are written by
        reviews only (as superuser, after the reviewer's rights are checked), overrides
        and external ratings by credit managers; administrators may fix any of them."""
        if self.env.su or not fnames & (CREDIT_MANAGER_FIELDS | CREDIT_REVIEW_FIELDS):
            return
        if self.env.user.has_group("base.group_system"):
            return
        if fnames & CREDIT_REVIEW_FIELDS:
            raise AccessError(self.env._(
                "A customer's risk score, tier and payment behaviour are set by credit reviews only. "
                "Credit managers can override the tier from the customer's Credit tab."))
        if fnames & CREDIT_MANAGER_FIELDS and not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(self.env._(
                "Only credit managers can override a customer's risk tier or change its external rating."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._credit_check_risk_write(set(vals))
        return super().create(vals_list)

    def write(self, vals):
        self._credit_check_risk_write(set(vals))
        # Reviews write the override fields themselves (as superuser) and log it.
        in_review = self.env.su and self.env.context.get("credit_review")
        override_changed = bool(CREDIT_OVERRIDE_FIELDS & set(vals)) and not in_review
        previous = {partner.id: partner.credit_risk_tier_id for partner in self.sudo()} if override_changed else {}
        result = super().write(vals)
        if override_changed:
            self._credit_apply_override(previous)
        return result

    # ------------------------------------------------------------------ gathering
    @api.model
    def _credit_history_sql(self, company, partner_ids, window):
        """SQL selecting, per commercial partner of ``partner_ids`` with invoices in
        ``company`` (and its branches) up to ``window.as_of``, the columns of a
        :class:`PaymentHistory` in its field order (see ``credit_core.history``, the
        Python reference of this query: same definitions)."""
        for model, fnames in (
            ("account.move.line", ["account_id", "balance", "company_id", "date", "date_maturity",
                                   "move_id", "parent_state", "partner_id"]),
            ("account.move", ["move_type", "credit_disputed"]),
            ("account.partial.reconcile", ["amount", "credit_move_id", "debit_move_id", "max_date"]),
            ("res.partner", ["commercial_partner_id"]),
        ):
            self.env[model].flush_model(fnames)
        return SQL(
            """
            WITH invoice_line AS (
                SELECT p.commercial_partner_id AS partner_id, aml.id, aml.date,
                       COALESCE(aml.date_maturity, aml.date) AS due, aml.balance AS amount,
                       COALESCE(am.credit_disputed, FALSE) AS disputed
                  FROM res_partner p
                  JOIN account_move_line aml ON aml.partner_id = p.id
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE p.commercial_partner_id = ANY(%(partner_ids)s)
                   AND aml.parent_state = 'posted'
                   AND am.move_type = 'out_invoice'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.company_id = ANY(%(company_ids)s)
                   AND aml.date <= %(as_of)s
                   AND aml.balance > 0
            ),
            settlement AS (
                SELECT line.id, SUM(apr.amount) AS settled, MAX(apr.max_date) AS last_date,
                       COUNT(*) FILTER (WHERE credit_move.move_type != 'out_refund') AS payments
                  FROM invoice_line line
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = line.id
                  JOIN account_move_line credit_line ON credit_line.id = apr.credit_move_id
                  JOIN account_move credit_move ON credit_move.id = credit_line.move_id
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
            partner_ids=list(partner_ids),
            company_ids=self._credit_company_family(company),
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

    def _credit_external_ratings(self):
        """``{partner id: external risk rating (0-100)}`` of the partners in ``self`` that
        have one; a credit information provider sets the rating and its date."""
        return {
            partner.id: partner.credit_external_rating
            for partner in self.sudo()
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
        ratings = self._credit_external_ratings()
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
        from the tier's interval, one ``credit.risk.review`` logged per partner and tier
        changes posted in the chatter. Returns the reviews.

        No access check: callers check the user's rights (see :meth:`action_credit_review`).
        Modules that add what a review decides (e.g. the customer's segment) extend this
        method and work on ``self`` after ``super()``.
        """
        company = company or self.env.company
        today = fields.Date.context_today(self)
        partners = self.commercial_partner_id
        bands = self.env["credit.risk.tier"]._credit_bands()
        reviews = self.env["credit.risk.review"]
        for ids in split_every(REVIEW_BATCH_SIZE, partners.ids):
            batch = self.browse(ids)
            outcomes = batch._credit_review_outcomes(company, today, bands)
            reviews |= batch._credit_review_apply(company, outcomes, trigger, today)
        return reviews

    def _credit_review_apply(self, company, outcomes, trigger, today):
        """Write the review ``outcomes`` of ``self`` (see :meth:`_credit_review_outcomes`)
        on the partners, log them as reviews and post tier changes; returns the reviews."""
        Tier = self.env["credit.risk.tier"].sudo().with_context(active_test=False)
        Tier.search([]).fetch(["name", "review_interval_days"])
        # The reviews and the chatter messages are the log: no field tracking, no followers.
        partners = self.sudo().with_context(credit_review=True, tracking_disable=True)
        review_values, messages, groups = [], {}, defaultdict(list)
        for partner in partners:
            outcome = outcomes[partner.id]
            score_tier = Tier.browse(outcome["score_tier_id"] or [])
            override = partner.credit_tier_override_id
            expired = bool(override and partner.credit_override_until and partner.credit_override_until < today)
            tier = override if override and not expired else score_tier
            previous = partner.credit_risk_tier_id
            values = {
                "credit_risk_score": outcome["score"].score,
                "credit_score_tier_id": score_tier.id,
                "credit_risk_tier_id": tier.id,
                "credit_payment_behaviour": outcome["behaviour"].code,
                "credit_last_review_date": today,
                "credit_next_review_date": today + timedelta(days=tier.review_interval_days or 30),
            }
            note = False
            if expired:
                note = self.env._(
                    "The override to %(tier)s ended on %(date)s: back to the tier of the score.",
                    tier=override.name, date=partner.credit_override_until)
                values.update(dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False))
            groups[tuple(sorted(values.items()))].append(partner.id)
            review_values.append({
                "partner_id": partner.id,
                "company_id": company.id,
                "date": today,
                "trigger": trigger,
                "score": outcome["score"].score,
                "tier_id": tier.id,
                "score_tier_id": score_tier.id,
                "previous_tier_id": previous.id,
                "payment_behaviour": outcome["behaviour"].code,
                "behaviour_rule": outcome["behaviour"].rule,
                "factors": [factor.as_dict() for factor in outcome["score"].factors],
                "note": note,
            })
            if previous and previous != tier:
                messages[partner.id] = self.env._(
                    "Risk tier changed from %(previous)s to %(tier)s (score %(score)s).%(note)s",
                    previous=previous.name, tier=tier.name, score=outcome["score"].score,
                    note=f" {note}" if note else "")
        # Partners with the same outcome are written together (sharing the prefetch).
        for values, ids in groups.items():
            partners.browse(ids).with_prefetch(partners._prefetch_ids).write(dict(values))
        reviews = self.env["credit.risk.review"].sudo().create(review_values)
        if messages:
            partners.browse(list(messages))._message_log_batch(messages)
        return reviews.sudo(False)

    def action_credit_review(self):
        """Review the credit risk of these customers now (credit controllers): score,
        payment behaviour, tier, next review date, logged as manual reviews."""
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team can review customers' credit risk."))
        partners = self.commercial_partner_id
        reviews = partners._credit_review("manual", self.env.company)
        changed = reviews.filtered("tier_changed")
        if len(partners) == 1:
            message = self.env._(
                "%(partner)s: score %(score)s, tier %(tier)s.",
                partner=partners.display_name, score=reviews.score, tier=reviews.tier_id.name or "-")
        else:
            message = self.env._(
                "%(count)s customers reviewed, %(changed)s changed tier.",
                count=len(reviews), changed=len(changed))
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
    @api.model
    def _credit_due_for_review(self, company, today):
        """The ids of the commercial partners due for review in ``company`` on ``today``,
        oldest review first: their next review date has come, or they were never
        reviewed, and they have posted customer invoices in the company. One query."""
        self.env["res.partner"].flush_model(["active", "commercial_partner_id", "credit_next_review_date"])
        self.env["account.move"].flush_model(["company_id", "move_type", "partner_id", "state"])
        rows = self.env.execute_query(SQL(
            """
            SELECT p.id
              FROM res_partner p
             WHERE p.active
               AND p.id = p.commercial_partner_id
               AND (p.credit_next_review_date IS NULL OR p.credit_next_review_date <= %(today)s)
               AND EXISTS (
                    SELECT 1
                      FROM res_partner contact
                      JOIN account_move am ON am.partner_id = contact.id
                     WHERE contact.commercial_partner_id = p.id
                       AND am.move_type = 'out_invoice'
                       AND am.state = 'posted'
                       AND am.company_id = ANY(%(company_ids)s)
               )
          ORDER BY p.credit_next_review_date NULLS FIRST, p.id
            """,
            today=today, company_ids=self._credit_company_family(company),
        ))
        return [row[0] for row in rows]

    @api.model
    def _credit_review_due(self, company, batch_size=REVIEW_BATCH_SIZE, commit=False):
        """Review the partners due for review in ``company`` (a record, or its id from a
        data file), ``batch_size`` at a time, oldest review first. With ``commit``,
        progress is committed after each batch (the daily job): a crash loses one batch
        at most, and the next run goes on with the partners still due. Returns False when
        the job's time is up before all are done, True otherwise."""
        if isinstance(company, int):
            company = self.env["res.company"].browse(company)
        due = self._credit_due_for_review(company, fields.Date.context_today(self))
        done = 0
        for ids in split_every(batch_size, due):
            self.browse(ids)._credit_review("cron", company)
            done += len(ids)
            if commit:
                if not self.env["ir.cron"]._commit_progress(len(ids), remaining=len(due) - done):
                    return False
                self.env.invalidate_all()
        return True

    @api.model
    def _credit_expire_overrides(self):
        """Restore the tier of the score for partners whose override ended before
        today, logged as override reviews. Returns the partners."""
        today = fields.Date.context_today(self)
        partners = self.sudo().search([("credit_tier_override_id", "!=", False), ("credit_override_until", "<", today)])
        partners.write(dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False))
        return partners

    @api.model
    def _cron_review_due_partners(self):
        """Daily job: end the overrides that expired, then review, company by company,
        the customers whose next review date has come (and those never reviewed), in
        batches that commit progress."""
        batch_size = int(self.env["ir.config_parameter"].sudo().get_param(
            "credit_management.review_batch_size", REVIEW_BATCH_SIZE)) or REVIEW_BATCH_SIZE
        self._credit_expire_overrides()
        self.env["ir.cron"]._commit_progress()
        for company in self.env["res.company"].sudo().search([("parent_id", "=", False)]):
            partners = self.sudo().with_company(company)
            if not partners._credit_review_due(company, batch_size=batch_size, commit=True):
                return

    # ------------------------------------------------------------------ overrides
    def _credit_apply_override(self, previous_tiers):
        """Make the override fields of ``self`` take effect: the risk tier becomes the
        override while it lasts, the tier of the score otherwise; each change is logged
        as an override review and in the chatter. ``previous_tiers``: {partner id:
        risk tier before the change}."""
        today = fields.Date.context_today(self)
        partners = self.sudo().with_context(credit_review=True, mail_notrack=True)
        review_values = []
        for partner in partners:
            override = partner.credit_tier_override_id
            active = bool(override) and not (partner.credit_override_until and partner.credit_override_until < today)
            tier = override if active else partner.credit_score_tier_id
            previous = previous_tiers.get(partner.id) or partner.credit_risk_tier_id.browse()
            if partner.credit_risk_tier_id != tier:
                partner.credit_risk_tier_id = tier
            if active:
                until = partner.credit_override_until
                body = self.env._(
                    "Risk tier overridden: %(previous)s → %(tier)s, %(until)s. Reason: %(reason)s",
                    previous=previous.name or self.env._("none"), tier=tier.name,
                    until=self.env._("until %(date)s", date=until) if until else self.env._("until removed"),
                    reason=partner.credit_override_reason)
                note = partner.credit_override_reason
            else:
                body = self.env._(
                    "Risk tier override ended: %(previous)s → %(tier)s, the tier of the score.",
                    previous=previous.name or self.env._("none"), tier=tier.name or self.env._("none"))
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

    def _credit_check_manager(self):
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(self.env._("Only credit managers can do this."))

    def action_credit_override_tier(self):
        """Open the override form for this customer (credit managers)."""
        self._credit_check_manager()
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
        self._credit_check_manager()
        partners = self.commercial_partner_id.sudo().filtered("credit_tier_override_id")
        partners.write(dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False))
        return True

    # ------------------------------------------------------------------ limit suggestions
    @api.model
    def _credit_sales_by_partner(self, company, partner_ids, today):
        """``{commercial partner id: (sales of the last 6 months, sales of the 6 months
        before)}``: posted customer invoices net of credit notes, untaxed, in
        ``company``'s currency."""
        if not partner_ids:
            return {}
        self.env["account.move"].flush_model(
            ["amount_untaxed_signed", "commercial_partner_id", "company_id", "invoice_date", "move_type", "state"])
        middle = today - relativedelta(months=6)
        rows = self.env.execute_query(SQL(
            """
            SELECT am.commercial_partner_id,
                   COALESCE(SUM(am.amount_untaxed_signed) FILTER (WHERE am.invoice_date > %(middle)s), 0),
                   COALESCE(SUM(am.amount_untaxed_signed) FILTER (WHERE am.invoice_date <= %(middle)s), 0)
              FROM account_move am
             WHERE am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND am.company_id = ANY(%(company_ids)s)
               AND am.commercial_partner_id = ANY(%(partner_ids)s)
               AND am.invoice_date > %(start)s
               AND am.invoice_date <= %(today)s
          GROUP BY am.commercial_partner_id
            """,
            middle=middle, start=today - relativedelta(months=12), today=today,
            company_ids=self._credit_company_family(company), partner_ids=list(partner_ids),
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
        self._credit_check_manager()
        company = self.env.company
        partners = self.commercial_partner_id
        suggestions = partners._credit_limit_suggestions(company)
        refused = [p.display_name for p in partners if not suggestions[p.id][0].candidate]
        if refused:
            raise UserError(self.env._(
                "No limit increase is suggested any more for: %(partners)s. Their use of the limit, "
                "sales growth or risk tier changed; refresh the list.", partners=", ".join(refused)))
        currency = company.currency_id
        for partner in partners.sudo().with_company(company):
            suggestion, recent, previous = suggestions[partner.id]
            reason = self.env._(
                "Suggested increase: %(used)s %% of the limit used, sales %(recent)s over the last 6 months "
                "against %(previous)s before (+%(growth)s %%).",
                used=f"{suggestion.utilisation * 100:.0f}", recent=currency.format(recent),
                previous=currency.format(previous), growth=f"{suggestion.growth * 100:.0f}")
            old = partner.credit_limit
            partner.with_context(credit_limit_reason=reason).credit_limit = suggestion.suggested_limit
            partner._message_log(body=self.env._(
                "Credit limit raised from %(old)s to %(new)s in %(company)s. %(reason)s",
                old=currency.format(old), new=currency.format(suggestion.suggested_limit), company=company.name,
                reason=reason))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Credit Limits Raised"),
                "message": self.env._("%(count)s credit limits raised to the suggested amount.", count=len(partners)),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
