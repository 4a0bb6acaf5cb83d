import logging
import time
from collections import Counter

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL, format_amount, format_date, mute_logger

from ..credit_core.followup import (
    LEVEL_SENT,
    MIN_AMOUNT,
    NOT_DUE,
    QUIET,
    Level,
    OpenInvoice,
    level_for_invoice,
    propose,
)
from ..credit_core.receivables import EXCLUSIONS

_logger = logging.getLogger(__name__)

# Lines executed per step: one PDF batch per step and kind, one commit and one progress
# report per step in background jobs (a crash loses at most the step in progress, never
# a line done). The PDF engine takes about a second per call plus a few tens of
# milliseconds per document: 50 documents a call keep its share of a line small.
EXECUTE_BATCH_SIZE = 50
# Steps are claimed among windows of this many steps of the lines to do (skipping those
# another worker holds or has done).
EXECUTE_CLAIM_WINDOW = 4
# Consecutive claims that met lines changed by another worker before a worker leaves the
# rest to the others.
MAX_CLAIM_CONFLICTS = 10

# Why customers who owe something get no reminder from a run, in the order they are
# explained: the receivables layer's exclusions, then the level choice's reasons
# (credit_core.followup), then the run's own.
OTHER_SEGMENT = "other_segment"
MANUAL_LEVEL = "manual_level"
NO_LEVELS = "no_levels"
SKIP_REASON_ORDER = (QUIET, MIN_AMOUNT, *EXCLUSIONS, LEVEL_SENT, NOT_DUE, MANUAL_LEVEL, OTHER_SEGMENT)


class CreditFollowupRun(models.Model):
    """A follow-up run: the credit controller picks a date and segments, computes the
    reminders due (the preview, nothing is sent), adjusts them and executes them.
    Executing is idempotent: each line is performed at most once, even when the run is
    executed again or resumed after a crash."""

    _name = "credit.followup.run"
    _description = "Follow-up Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(
        required=True, readonly=True, copy=False, default=lambda self: self.env._("New"))
    date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True,
        help="Levels are due according to the days between this date and the invoices' due dates.",
    )
    user_id = fields.Many2one(
        "res.users", string="Credit Controller", required=True, default=lambda self: self.env.user,
        help="Runs the follow-up; phone calls of customers without a credit controller go to them.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    segment_ids = fields.Many2many(
        "credit.segment", string="Segments",
        domain="[('company_id', 'in', [False, company_id])]",
        help="The segments whose customers are followed up; all of them when empty.",
    )
    automatic = fields.Boolean(
        readonly=True, help="Created by the daily job: only the levels marked automatic.")
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Executing"), ("done", "Done")],
        default="draft", required=True, readonly=True, tracking=True, copy=False,
    )
    line_ids = fields.One2many("credit.followup.line", "run_id", string="Lines", copy=False)
    line_count = fields.Integer(compute="_compute_line_stats", string="Reminders")
    done_count = fields.Integer(compute="_compute_line_stats", string="Performed")
    processed_count = fields.Integer(
        compute="_compute_line_stats", string="Processed", help="Reminders performed, failed or skipped.")
    queued_count = fields.Integer(compute="_compute_line_stats", string="Queued")
    sent_count = fields.Integer(compute="_compute_line_stats", string="Sent")
    failed_count = fields.Integer(compute="_compute_line_stats", string="Failed")
    email_count = fields.Integer(compute="_compute_line_stats", string="Emails")
    letter_count = fields.Integer(compute="_compute_line_stats", string="Letters")
    to_print_count = fields.Integer(compute="_compute_line_stats", string="Letters to Print")
    activity_count = fields.Integer(compute="_compute_line_stats", string="Calls & Texts")
    progress = fields.Float(compute="_compute_line_stats", help="Share of the lines executed, skipped or failed.")
    amount_total = fields.Monetary(
        compute="_compute_line_stats", string="Amount Asked", currency_field="currency_id",
        help="What the reminders of this run ask customers to pay (their To Pay), skipped ones left out.")
    letter_attachment_id = fields.Many2one(
        "ir.attachment", string="Letters File", readonly=True, copy=False,
        help="The last file of the run's letters downloaded to print.")
    compute_date = fields.Datetime(string="Computed On", readonly=True, copy=False)
    executed_date = fields.Datetime(string="Executed On", readonly=True, copy=False)
    execute_user_id = fields.Many2one(
        "res.users", string="Executed By", readonly=True, copy=False,
        help="Who asked for the execution: told when a background execution is done.")
    skip_reasons = fields.Json(
        readonly=True, copy=False,
        help="{reason: number of customers} left out by the last Compute, and why.")
    compute_summary = fields.Html(compute="_compute_compute_summary", string="Left Out", sanitize=False)

    # One run of the daily job per company and day, whichever cron worker creates it.
    _credit_automatic_daily_uniq = models.UniqueIndex(
        "(company_id, date) WHERE automatic IS TRUE",
        "The daily job makes one automatic follow-up run per company and day.")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("credit.followup.run") or self.env._("New")
        return super().create(vals_list)

    @api.depends("line_ids.state", "line_ids.status", "line_ids.channel", "line_ids.amount_net",
                 "line_ids.letter_printed")
    def _compute_line_stats(self):
        groups = self.env["credit.followup.line"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state", "status", "channel", "letter_printed"],
            ["__count", "amount_net:sum"])
        rows_by_run = {}
        for run, state, status, channel, printed, count, amount in groups:
            rows_by_run.setdefault(run.id, []).append((state, status, channel, printed, count, amount))
        for run in self:
            rows = rows_by_run.get(run.id, [])

            def count(rows=rows, **criteria):
                keys = ("state", "status", "channel", "printed")
                return sum(row[4] for row in rows if all(
                    row[keys.index(key)] in values for key, values in criteria.items()))

            total = count()
            run.line_count = total
            run.done_count = count(state={"done"})
            run.processed_count = total - count(status={"draft"})
            run.queued_count = count(status={"queued"})
            run.sent_count = count(status={"sent"})
            run.failed_count = count(status={"failed"})
            run.email_count = count(state={"done"}, channel={"email"})
            run.letter_count = count(state={"done"}, channel={"letter"})
            run.to_print_count = count(state={"done"}, channel={"letter"}, printed={False})
            run.activity_count = count(state={"done"}, channel={"phone", "sms"})
            run.progress = 100.0 * run.processed_count / total if total else 0.0
            run.amount_total = sum(row[5] for row in rows if row[0] != "skipped")

    @api.depends("skip_reasons", "line_ids", "date", "company_id")
    def _compute_compute_summary(self):
        for run in self:
            run.compute_summary = run._credit_skip_summary()

    def _credit_skip_summary(self):
        """Why customers who owe something got no reminder from the last Compute, counted
        per reason, as HTML (empty before the first Compute)."""
        intro, items = self._credit_skip_explanation()
        if not intro:
            return False
        return Markup("<p>%s</p>%s") % (intro, Markup("<ul>%s</ul>") % Markup("").join(
            Markup("<li>%s</li>") % item for item in items) if items else "")

    def _credit_skip_explanation(self):
        """``(introduction, [one sentence per reason with its number of customers])``
        explaining the last Compute's :attr:`skip_reasons`; ``(False, [])`` before it."""
        self.ensure_one()
        reasons = self.skip_reasons or {}
        if not self.compute_date and not reasons:
            return False, []
        if NO_LEVELS in reasons:
            return self.env._("The segments of this run have no follow-up level: add levels to the segments "
                              "(Configuration → Segments)."), []
        company = self.company_id
        labels = {
            QUIET: self.env._("contacted less than %(days)s days ago (quiet days between reminders)",
                              days=company.credit_followup_quiet_days),
            MIN_AMOUNT: self.env._("owe less than the minimum of %(amount)s, net of their open credits",
                                   amount=format_amount(self.env, company.credit_followup_min_amount,
                                                        company.currency_id)),
            "disputed": self.env._("only disputed invoices are due for a reminder (open complaint)"),
            "promised": self.env._("promised to pay the invoices due at a later date"),
            "paused": self.env._("their follow-up is paused"),
            LEVEL_SENT: self.env._("already received the levels due (a level is never repeated)"),
            NOT_DUE: self.env._("have nothing due for a level yet"),
            MANUAL_LEVEL: self.env._("the level due waits for a controller (not marked automatic)"),
            OTHER_SEGMENT: self.env._("have overdue invoices but are in none of this run's segments"),
        }
        items = [self.env._("%(count)s customer(s): %(reason)s", count=reasons[reason], reason=labels[reason])
                 for reason in SKIP_REASON_ORDER if reasons.get(reason)]
        date = format_date(self.env, self.date)
        if self.line_ids:
            intro = self.env._("Customers left out on %(date)s:", date=date) if items else False
        elif items:
            intro = self.env._("No reminder is due on %(date)s. Customers who owe something were left out:",
                               date=date)
        else:
            intro = self.env._("No reminder is due on %(date)s: no customer of these segments has an open invoice.",
                               date=date)
        return intro, items

    # ------------------------------------------------------------------ rights
    def _credit_require_run_rights(self):
        """Only the credit team runs follow-ups (checked on the server, not only in views)."""
        if self.env.su:
            return
        if not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team can compute or execute follow-ups."))
        self.check_access("write")

    # ------------------------------------------------------------------ compute
    def action_compute(self):
        """Propose one line per customer with the highest level due across its open
        invoices on the run's date (the preview: nothing is sent), and say why the other
        customers who owe something get none. Lines not executed yet are replaced; a run
        already executed cannot be recomputed."""
        self._credit_require_run_rights()
        for run in self:
            if run.state != "draft" or run.line_ids.filtered(lambda line: line.state in ("done", "failed")):
                raise UserError(self.env._(
                    "%(run)s has already been executed: create a new run to follow up again.", run=run.name))
            started = time.perf_counter()
            run.line_ids.unlink()
            values, reasons = run._credit_prepare_line_values()
            self.env["credit.followup.line"].sudo().create(values)
            run.write({"compute_date": fields.Datetime.now(), "skip_reasons": reasons})
            run._credit_post_compute_summary()
            _logger.info("Follow-up run %s computed: %s lines in %.1fs", run.name, len(values),
                         time.perf_counter() - started)
        if len(self) != 1:
            return True
        if self.line_ids:
            title = self.env._("%(count)s reminder(s) to review", count=len(self.line_ids))
            message = self.env._("Nothing is sent before you execute the run.")
        else:
            title = self.env._("No reminder is due")
            intro, items = self._credit_skip_explanation()
            message = self.env._("Left out: %(reasons)s.", reasons="; ".join(items)) if items else intro
        return self._credit_notification(title, message, "success" if self.line_ids else "warning")

    def _credit_post_compute_summary(self):
        """Log in the run's chatter what Compute proposed and why customers were left out."""
        self.ensure_one()
        body = Markup("<p>%s</p>") % self.env._(
            "Computed for %(date)s: %(count)s reminder(s), %(amount)s to be asked.",
            date=format_date(self.env, self.date), count=len(self.line_ids),
            amount=format_amount(self.env, self.amount_total, self.currency_id))
        self.message_post(body=body + (self.compute_summary or ""), subtype_xmlid="mail.mt_note")

    def _credit_notification(self, title, message, kind):
        """A notification for the user, the screen reloaded behind it."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title, "message": message, "type": kind, "sticky": kind == "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _credit_segments(self):
        """The segments of this run: those picked, or all active ones of its company."""
        self.ensure_one()
        return self.segment_ids or self.env["credit.segment"].sudo().search(
            [("company_id", "in", [False, self.company_id.id])])

    def _credit_segment_sql(self, alias):
        """SQL of the segment id of the partner ``alias`` in the run's company: the stored
        value (with its default), without the check that the segment still exists which
        Odoo adds to a company-dependent many2one (a subquery per customer; deleting a
        segment clears it on its customers anyway, and an id that is none of the run's
        segments is treated as no segment)."""
        Partner = self.env["res.partner"].sudo().with_company(self.company_id)
        field = Partner._fields["credit_segment_id"]
        return super(fields.Many2one, field).to_sql(Partner, alias)

    def _credit_assign_unsegmented(self):
        """Put the customers who owe the company something and are in none of its segments
        (nor a shared one) yet in their segment: those without one, and those another
        company's segment took while they were not its customers (see
        ``res.partner._credit_assign_segments``). Customers are assigned at each review:
        usually none is left, found with one read of the partners."""
        company_segments = self.env["credit.segment"].sudo().search(
            [("company_id", "in", [False, self.company_id.id])])
        self.env["res.partner"].flush_model(["commercial_partner_id", "credit_segment_id", "credit_segment_fixed"])
        # The segment is per company (jsonb): read the run's company's.
        Partner = self.env["res.partner"].sudo().with_company(self.company_id)
        segment = self._credit_segment_sql("p")
        unsegmented = [row[0] for row in self.env.execute_query(SQL(
            """
            SELECT p.id
              FROM res_partner p
             WHERE p.id = p.commercial_partner_id
               AND %(segment_fixed)s IS NOT TRUE
               AND (%(segment)s IS NULL OR %(segment)s != ALL(%(segment_ids)s))
            """,
            segment_fixed=Partner._field_to_sql("p", "credit_segment_fixed"),
            segment=segment,
            segment_ids=company_segments.ids,
        ))]
        if not unsegmented:
            return
        rows = self.env.execute_query(SQL(
            """
            SELECT DISTINCT r.partner_id
              FROM (%(receivables)s) r
             WHERE r.move_type = 'out_invoice' AND r.residual > 0
            """,
            receivables=self.env["credit.receivable"]._lines_sql(self.company_id, self.date, unsegmented),
        ))
        if rows:
            self.env["res.partner"].browse([row[0] for row in rows])._credit_assign_segments(self.company_id)

    def _credit_prepare_line_values(self):
        """``(values of the lines this run proposes, {reason: customers left out})``,
        gathered set-based (a fixed number of queries whatever the number of customers and
        invoices): each open instalment of a customer's invoices is chased from its own due
        date; the receivables layer (``credit.receivable``) says which ones are left alone
        and why, the level choice (``credit_core.followup``) why the others get nothing."""
        self.ensure_one()
        company = self.company_id
        self._credit_assign_unsegmented()
        segments = self._credit_segments()
        levels = self.env["credit.followup.level"].sudo().search([("segment_id", "in", segments.ids)])
        levels -= levels._credit_out_of_bounds()
        if not levels:
            return [], {NO_LEVELS: 1}
        levels_by_segment = {}
        for level in levels:
            levels_by_segment.setdefault(level.segment_id.id, []).append(Level(level.id, level.delay_days))
        self.env["account.move"].flush_model(["credit_followup_level_id"])
        self.env["res.partner"].flush_model(["credit_segment_id"])
        self.env["credit.followup.level"].flush_model(["delay_days"])
        # The segment is per company (jsonb): read the run's company's.
        segment = self._credit_segment_sql("p")
        rows = self.env.execute_query(SQL(
            """
            SELECT r.id, r.move_id, r.partner_id, %(segment)s, r.days_overdue, r.residual, r.exclusion,
                   last.delay_days
              FROM (%(receivables)s) r
              JOIN res_partner p ON p.id = r.partner_id
              JOIN account_move am ON am.id = r.move_id
         LEFT JOIN credit_followup_level last ON last.id = am.credit_followup_level_id
             WHERE r.move_type = 'out_invoice'
               AND r.residual > 0
            """,
            segment=segment,
            receivables=self.env["credit.receivable"]._lines_sql(company, self.date),
        ))
        instalments = []
        in_segments, other_segment, excluded = set(), set(), {}
        for line_id, move_id, partner_id, segment_id, days, residual, exclusion, last_delay in rows:
            segment_levels = levels_by_segment.get(segment_id)
            if segment_levels is None:
                if days > 0:
                    other_segment.add(partner_id)
                continue
            in_segments.add(partner_id)
            if exclusion:
                # Left alone by the receivables layer: the reason when a level would be due.
                if level_for_invoice(days, last_delay, segment_levels):
                    excluded.setdefault(partner_id, set()).add(exclusion)
                continue
            instalments.append(OpenInvoice(move_id, partner_id, segment_id, days, float(residual), last_delay, line_id))
        partner_ids = list({instalment.partner_id for instalment in instalments})
        credits = self.env["credit.receivable"]._open_credits(company, partner_ids)
        last_contact = self._credit_last_contacts(partner_ids)
        skipped = {}
        proposals = propose(instalments, levels_by_segment, company._credit_followup_rules(), self.date,
                            last_contact, credits, skipped=skipped)
        partners = self.env["res.partner"].sudo().browse(list(proposals))
        channels = dict(zip(partners.ids, partners.mapped("credit_preferred_channel"), strict=True))
        level_records = {level.id: level for level in levels}
        values = []
        reasons = {}
        for partner_id, proposal in proposals.items():
            level = level_records[proposal.level.id]
            if self.automatic and not level.auto_execute:
                reasons[partner_id] = MANUAL_LEVEL  # the level due waits for a controller: no lower level instead
                continue
            channel = (channels.get(partner_id) if level.use_partner_channel else None) or level.channel
            values.append({
                "run_id": self.id,
                "partner_id": partner_id,
                "level_id": level.id,
                "channel": channel,
                "move_ids": [Command.set(proposal.invoice_ids)],
                "receivable_line_ids": [Command.set(proposal.line_ids)],
                "amount_due": proposal.amount_due,
                "amount_credit": credits.get(partner_id, 0.0),
            })
        for partner_id in in_segments - set(proposals):
            reason = skipped.get(partner_id, NOT_DUE)
            if reason not in (QUIET, MIN_AMOUNT) and partner_id in excluded:
                reason = next(exclusion for exclusion in EXCLUSIONS if exclusion in excluded[partner_id])
            reasons[partner_id] = reason
        for partner_id in other_segment - in_segments:
            reasons[partner_id] = OTHER_SEGMENT
        return values, dict(Counter(reasons.values()))

    def _credit_last_contacts(self, partner_ids):
        """``{commercial partner id: date of its last follow-up executed}`` in this company."""
        if not partner_ids:
            return {}
        self.env["credit.followup.line"].flush_model(["partner_id", "state", "date_done", "company_id"])
        rows = self.env.execute_query(SQL(
            """
            SELECT partner_id, MAX(date_done)
              FROM credit_followup_line
             WHERE state = 'done' AND company_id = %(company_id)s AND partner_id = ANY(%(partner_ids)s)
          GROUP BY partner_id
            """,
            company_id=self.company_id.id, partner_ids=partner_ids,
        ))
        return dict(rows)

    # ------------------------------------------------------------------ execute
    def action_execute(self):
        """Perform the lines of the run not performed yet: at once for a small run (up to
        the company's *Execute in Background From* lines), else in the background through
        the job *Credit: execute follow-ups in the background*, with progress, the
        requester told when it is done. The context key ``credit_followup_inline`` executes
        in this transaction whatever the size (demo data, scripts). A run already executed
        is refused."""
        self._credit_require_run_rights()
        inline = self.env.context.get("credit_followup_inline")
        background = executed = self.browse()
        for run in self:
            if run.state == "done":
                raise UserError(self.env._(
                    "%(run)s has already been executed: nothing is sent twice. Use Retry Failed for the "
                    "lines that failed.", run=run.name))
            if run.state == "running":
                raise UserError(self.env._("%(run)s is being executed in the background.", run=run.name))
            if not run.line_ids:
                raise UserError(self.env._("%(run)s has nothing to execute: compute it first.", run=run.name))
            pending = run.line_ids.filtered(lambda line: line.state == "draft")
            if not inline and len(pending) > run.company_id.credit_followup_background_lines:
                background |= run
                continue
            run.execute_user_id = self.env.user
            run._credit_execute_lines(pending)
            run._credit_finish()
            executed |= run
        if background:
            background.write({"state": "running", "execute_user_id": self.env.uid})
            self.env.ref("credit_management.ir_cron_credit_followup_execute")._trigger()
            if len(background.line_ids) > EXECUTE_BATCH_SIZE:
                self.env["credit.job"]._credit_trigger_workers()
            return self._credit_notification(
                self.env._("Executing in the background"),
                self.env._("%(count)s reminder(s) are being performed: you can leave this screen, you will be "
                           "notified when it is done.", count=len(background.line_ids.filtered(
                               lambda line: line.state == "draft"))),
                "info")
        if len(executed) == 1:
            return executed._credit_feedback(executed.line_ids, self.env._("Executed"))
        return True

    def _credit_outcome_text(self, lines):
        """What happened to ``lines``, in words: emails queued or sent, letters, calls,
        texts, skipped and failed reminders."""
        counts = Counter(lines.mapped(lambda line: (line.status, line.channel)))

        def number(statuses, channels=("email", "letter", "phone", "sms")):
            return sum(n for (status, channel), n in counts.items() if status in statuses and channel in channels)

        parts = [
            (number({"queued", "sent"}, {"email"}), self.env._("%(n)s email(s) queued or sent")),
            (number({"done"}, {"letter"}), self.env._("%(n)s letter(s) to print")),
            (number({"done"}, {"phone"}), self.env._("%(n)s call(s) planned")),
            (number({"queued", "sent", "done"}, {"sms"}), self.env._("%(n)s text(s)")),
            (number({"skipped"}), self.env._("%(n)s skipped")),
            (number({"failed"}), self.env._("%(n)s failed (see why on the lines)")),
        ]
        return ", ".join(text % {"n": n} for n, text in parts if n)

    def _credit_feedback(self, lines, title):
        """A notification saying what happened to ``lines`` of the runs of ``self``."""
        failed = lines.filtered(lambda line: line.status == "failed")
        return self._credit_notification(title, self._credit_outcome_text(lines) or self.env._("Nothing to do."),
                                         "warning" if failed else "success")

    def action_retry_failed(self):
        """Try the failed reminders of the run again (see ``credit.followup.line.action_retry``)."""
        self._credit_require_run_rights()
        failed = self.line_ids.filtered(lambda line: line.status == "failed")
        if not failed:
            raise UserError(self.env._("%(run)s has no failed line to retry.", run=", ".join(self.mapped("name"))))
        return failed.action_retry()

    def _credit_claim_lines(self, candidates, limit, shared=False):
        """Lock for this transaction up to ``limit`` of the lines ``candidates`` (ids, taken
        in their order) still to do (to do or failed) that no other transaction holds
        (``FOR NO KEY UPDATE SKIP LOCKED``, see ``credit.job._credit_claim``): the ids
        locked, in order; None when ``shared`` and one was performed by a transaction
        committed since this one began."""
        return self.env["credit.job"]._credit_claim(SQL(
            """
            SELECT line.id
              FROM unnest(%(candidates)s::int[]) WITH ORDINALITY AS candidate(id, position)
              JOIN credit_followup_line line ON line.id = candidate.id
             WHERE line.state IN ('draft', 'failed')
          ORDER BY candidate.position
             LIMIT %(limit)s
               FOR NO KEY UPDATE OF line SKIP LOCKED
            """,
            candidates=list(candidates), limit=limit,
            to_flush=self.env["credit.followup.line"]._fields["state"],
        ), shared=shared)

    def _credit_execute_lines(self, lines, commit=False):
        """Execute ``lines`` of this run in steps of :data:`EXECUTE_BATCH_SIZE`. Each step
        takes the lines it locks among those still to do (:meth:`_credit_claim_lines`):
        lines another execution holds or has performed are left to it, so that the job,
        its parallel workers (``credit.job``) and a retry running at once perform each line
        once. With ``commit`` (background jobs) each step is committed with the lines it
        marks done and reported to the job's progress: a crash or a timeout leaves the lines
        not done to the next execution. Returns False when the job's time is up before all
        lines are done."""
        self.ensure_one()
        ids = lines.ids
        position = {line_id: index for index, line_id in enumerate(ids)}
        cron = self.env["ir.cron"]
        start, conflicts = 0, 0
        while start < len(ids):
            window = ids[start:start + EXECUTE_CLAIM_WINDOW * EXECUTE_BATCH_SIZE]
            claimed = self._credit_claim_lines(window, EXECUTE_BATCH_SIZE, shared=commit)
            if claimed is None:
                # Another worker performed some of them meanwhile: claim again in a new
                # transaction, which sees what it did.
                conflicts += 1
                if conflicts > MAX_CLAIM_CONFLICTS:
                    return True
                cron._commit_progress()
                continue
            conflicts = 0
            if not claimed:  # done or being done by other workers
                start += len(window)
                continue
            start = position[claimed[-1]] + 1
            batch = self.env["credit.followup.line"].browse(claimed)
            # Read again: another execution may have performed or changed them meanwhile.
            batch.invalidate_recordset()
            batch._credit_execute()
            if commit:
                if not cron._commit_progress(len(claimed), remaining=len(ids) - start):
                    return False
                self.env.invalidate_all()
        return True

    def _credit_finish(self):
        """Close the runs of ``self`` once no line is waiting, telling the requester of a
        background execution. A run that another worker is closing is left to it."""
        runs = self.filtered(lambda run: run.state != "done")
        if not runs:
            return
        background = runs.filtered(lambda run: run.state == "running")
        claimed = self.env["credit.job"]._credit_claim(SQL(
            "SELECT id FROM credit_followup_run WHERE id = ANY(%s) AND state != 'done' "
            "FOR NO KEY UPDATE SKIP LOCKED", runs.ids), shared=bool(background))
        for run in self.browse(claimed or []):
            run.invalidate_recordset(["state"])
            if run.state == "done" or run.line_ids.filtered(lambda line: line.state == "draft"):
                continue
            notify = run.state == "running" and not run.automatic
            run.write({"state": "done", "executed_date": fields.Datetime.now()})
            if notify:
                run._credit_notify_done()

    def _credit_notify_done(self):
        """Tell who asked for the background execution (else the run's controller) that it is
        done: a message on the run in their inbox, and a notification on their screen."""
        self.ensure_one()
        user = self.execute_user_id or self.user_id
        outcome = self._credit_outcome_text(self.line_ids)
        self.message_post(
            body=self.env._("Follow-up executed: %(outcome)s.", outcome=outcome),
            partner_ids=user.partner_id.ids, subtype_xmlid="mail.mt_comment",
            message_type="notification",
        )
        user._bus_send("simple_notification", {
            "title": self.env._("%(run)s executed", run=self.name),
            "message": outcome,
            "type": "warning" if self.failed_count else "success",
            "sticky": bool(self.failed_count),
        })

    @api.model
    def _credit_execute_running(self):
        """Execute the lines waiting in the runs being executed (in the background or by
        the daily job), oldest run first, in committed steps shared with the other workers
        (see :meth:`_credit_execute_lines`), and close the runs done. Returns False when the
        job's time is up."""
        for run in self.sudo().search([("state", "=", "running")], order="id"):
            pending = run.line_ids.filtered(lambda line: line.state == "draft")
            if not run._credit_execute_lines(pending, commit=True):
                return False
            run._credit_finish()
            self.env["ir.cron"]._commit_progress()
        return True

    @api.model
    def _cron_execute_runs(self):
        """Background job: execute the runs waiting in the background, committing and
        reporting progress after each step."""
        self._credit_execute_running()

    @api.model
    def _credit_automatic_run(self, company):
        """Today's run of the daily job for ``company``: created (once a day, whichever
        worker comes first: a unique index), computed with the levels marked automatic and
        set executing, committed. Returns it when this call computed it with lines to
        execute, else an empty recordset (nothing due, or another worker has it)."""
        today = fields.Date.context_today(self)
        Run = self.sudo().with_company(company)
        cron = self.env["ir.cron"]
        if not Run.search_count([("automatic", "=", True), ("company_id", "=", company.id), ("date", "=", today)]):
            try:
                # Another worker creating it at the same moment makes this insert fail.
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    Run.create({"company_id": company.id, "date": today, "automatic": True,
                                "user_id": self.env.ref("base.user_root").id})
            except pg_errors.UniqueViolation:
                _logger.debug("Today's automatic follow-up run of %s was created by another worker", company.name)
            cron._commit_progress()
        claimed = self.env["credit.job"]._credit_claim(SQL(
            """
            SELECT id FROM credit_followup_run
             WHERE automatic AND company_id = %s AND date = %s AND state = 'draft' AND compute_date IS NULL
               FOR NO KEY UPDATE SKIP LOCKED
            """, company.id, today))
        run = Run.browse(claimed or [])
        if not run:
            return run
        run.invalidate_recordset()
        run.action_compute()
        if run.line_ids:
            run.write({"state": "running"})
        else:
            run.unlink()
        cron._commit_progress()
        return run.exists()

    @api.model
    def _cron_followup_automatic(self):
        """Daily job: for each company, a run of today with the levels marked automatic,
        computed, then executed in steps that commit, shared with the parallel workers
        (``credit.job``) when it has more than one step of lines."""
        for company in self.env["res.company"].sudo().search([("parent_id", "=", False)]):
            run = self._credit_automatic_run(company)
            if len(run.line_ids) > EXECUTE_BATCH_SIZE:
                self.env["credit.job"]._credit_trigger_workers()
        # A new transaction sees the runs other workers computed meanwhile.
        self.env["ir.cron"]._commit_progress()
        self._credit_execute_running()

    # ------------------------------------------------------------------ navigation
    def _credit_line_action(self, domain, name, views=None):
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_followup_line")
        action.update({"domain": [("run_id", "in", self.ids), *domain], "name": name, "display_name": name,
                       "context": {}})
        if views:
            action["views"] = [(self.env.ref(xmlid).id, kind) for xmlid, kind in views]
        return action

    def action_view_emails(self):
        """The emails of this run as the customers read them: subject, recipient, status
        (queued, sent, failed and why) and the message itself."""
        self.ensure_one()
        return self._credit_line_action(
            [("channel", "=", "email"), ("message_id", "!=", False)],
            self.env._("Emails of %(run)s", run=self.name),
            views=[("credit_management.credit_followup_line_view_list_emails", "list"),
                   ("credit_management.credit_followup_line_view_form_email", "form")])

    def action_view_letters(self):
        """The letters of this run: customer, level, amount, printed or not, each to download."""
        self.ensure_one()
        return self._credit_line_action(
            [("channel", "=", "letter"), ("attachment_id", "!=", False)],
            self.env._("Letters of %(run)s", run=self.name),
            views=[("credit_management.credit_followup_line_view_list_letters", "list"),
                   ("credit_management.credit_followup_line_view_form", "form")])

    def action_view_activities(self):
        """The calls and texts this run planned."""
        self.ensure_one()
        return self._credit_line_action([("channel", "in", ("phone", "sms")), ("state", "=", "done")],
                                        self.env._("Calls and Texts"))

    def action_view_lines(self):
        self.ensure_one()
        return self._credit_line_action([], self.name)

    def action_download_letters(self):
        """The letters of this run in one PDF to print (they are marked printed)."""
        self.ensure_one()
        letters = self.line_ids.filtered(lambda line: line.state == "done" and line.attachment_id)
        if not letters:
            raise UserError(self.env._("%(run)s has no letter to print.", run=self.name))
        previous = self.letter_attachment_id
        action = letters.action_download_letters()
        previous.sudo().unlink()
        return action
