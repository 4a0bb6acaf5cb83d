import logging
import time

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL, split_every

from ..credit_core.followup import Level, OpenInvoice, propose

_logger = logging.getLogger(__name__)

# Lines executed per step: one PDF rendering per step and channel, one commit per step
# in background jobs (a crash loses at most the step in progress, never a line done).
EXECUTE_BATCH_SIZE = 50


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
    line_count = fields.Integer(compute="_compute_line_stats")
    done_count = fields.Integer(compute="_compute_line_stats", string="Done")
    failed_count = fields.Integer(compute="_compute_line_stats", string="Failed")
    email_count = fields.Integer(compute="_compute_line_stats", string="Emails")
    letter_count = fields.Integer(compute="_compute_line_stats", string="Letters")
    activity_count = fields.Integer(compute="_compute_line_stats", string="Calls & Texts")
    progress = fields.Float(compute="_compute_line_stats", help="Share of the lines executed, skipped or failed.")
    amount_total = fields.Monetary(compute="_compute_line_stats", string="Amount Chased", currency_field="currency_id")
    letter_attachment_id = fields.Many2one("ir.attachment", string="Letters to Print", readonly=True, copy=False)
    compute_date = fields.Datetime(string="Computed On", readonly=True, copy=False)
    executed_date = fields.Datetime(string="Executed On", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("credit.followup.run") or self.env._("New")
        return super().create(vals_list)

    @api.depends("line_ids.state", "line_ids.channel", "line_ids.amount_due")
    def _compute_line_stats(self):
        stats = {
            (run.id, state, channel): (count, amount)
            for run, state, channel, count, amount in self.env["credit.followup.line"]._read_group(
                [("run_id", "in", self.ids)], ["run_id", "state", "channel"], ["__count", "amount_due:sum"])
        }
        for run in self:
            rows = {(state, channel): value for (run_id, state, channel), value in stats.items() if run_id == run.id}
            total = sum(count for count, _amount in rows.values())
            done = sum(count for (state, _c), (count, _a) in rows.items() if state == "done")

            def count(states, channels, rows=rows):
                return sum(c for (state, channel), (c, _a) in rows.items() if state in states and channel in channels)

            run.line_count = total
            run.done_count = done
            run.failed_count = count({"failed"}, {"email", "letter", "phone", "sms"})
            run.email_count = count({"done"}, {"email"})
            run.letter_count = count({"done"}, {"letter"})
            run.activity_count = count({"done"}, {"phone", "sms"})
            processed = count({"done", "skipped", "failed"}, {"email", "letter", "phone", "sms"})
            run.progress = 100.0 * processed / total if total else 0.0
            run.amount_total = sum(a for (state, _c), (_n, a) in rows.items() if state != "skipped")

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
        invoices on the run's date (the preview: nothing is sent). Lines not executed
        yet are replaced; a run already executed cannot be recomputed."""
        self._credit_require_run_rights()
        for run in self:
            if run.state != "draft" or run.line_ids.filtered(lambda line: line.state in ("done", "failed")):
                raise UserError(self.env._(
                    "%(run)s has already been executed: create a new run to follow up again.", run=run.name))
            started = time.perf_counter()
            run.line_ids.unlink()
            values = run._credit_prepare_line_values()
            self.env["credit.followup.line"].sudo().create(values)
            run.compute_date = fields.Datetime.now()
            _logger.info("Follow-up run %s computed: %s lines in %.1fs", run.name, len(values),
                         time.perf_counter() - started)
        return True

    def _credit_segments(self):
        """The segments of this run: those picked, or all active ones of its company."""
        self.ensure_one()
        return self.segment_ids or self.env["credit.segment"].sudo().search(
            [("company_id", "in", [False, self.company_id.id])])

    def _credit_assign_unsegmented(self):
        """Put the customers who owe the company something and are in none of its segments
        (nor a shared one) yet in their segment: those without one, and those another
        company's segment took while they were not its customers (see
        ``res.partner._credit_assign_segments``)."""
        company_segments = self.env["credit.segment"].sudo().search(
            [("company_id", "in", [False, self.company_id.id])])
        self.env["res.partner"].flush_model(["credit_segment_id", "credit_segment_fixed"])
        # The segment is per company (jsonb): read the run's company's.
        Partner = self.env["res.partner"].sudo().with_company(self.company_id)
        rows = self.env.execute_query(SQL(
            """
            SELECT DISTINCT r.partner_id
              FROM (%(receivables)s) r
              JOIN res_partner p ON p.id = r.partner_id
             WHERE r.move_type = 'out_invoice' AND r.residual > 0
               AND %(segment_fixed)s IS NOT TRUE
               AND (%(segment)s IS NULL OR %(segment)s != ALL(%(segment_ids)s))
            """,
            receivables=self.env["credit.receivable"]._lines_sql(self.company_id, self.date),
            segment_fixed=Partner._field_to_sql("p", "credit_segment_fixed"),
            segment=Partner._field_to_sql("p", "credit_segment_id"),
            segment_ids=company_segments.ids,
        ))
        if rows:
            self.env["res.partner"].browse([row[0] for row in rows])._credit_assign_segments(self.company_id)

    def _credit_prepare_line_values(self):
        """The values of the lines this run proposes, gathered set-based (three queries
        whatever the number of customers and invoices): each open instalment of a
        customer's invoices is chased from its own due date (see ``credit.receivable``)."""
        self.ensure_one()
        company = self.company_id
        self._credit_assign_unsegmented()
        segments = self._credit_segments()
        levels = self.env["credit.followup.level"].sudo().search([("segment_id", "in", segments.ids)])
        levels -= levels._credit_out_of_bounds()
        if not levels:
            return []
        levels_by_segment = {}
        for level in levels:
            levels_by_segment.setdefault(level.segment_id.id, []).append(Level(level.id, level.delay_days))
        self.env["account.move"].flush_model(["credit_followup_level_id"])
        self.env["res.partner"].flush_model(["credit_segment_id"])
        self.env["credit.followup.level"].flush_model(["delay_days"])
        # The segment is per company (jsonb): read the run's company's.
        segment = self.env["res.partner"].sudo().with_company(company)._field_to_sql("p", "credit_segment_id")
        rows = self.env.execute_query(SQL(
            """
            SELECT r.move_id, r.partner_id, %(segment)s, r.days_overdue, r.residual, last.delay_days
              FROM (%(receivables)s) r
              JOIN res_partner p ON p.id = r.partner_id
              JOIN account_move am ON am.id = r.move_id
         LEFT JOIN credit_followup_level last ON last.id = am.credit_followup_level_id
             WHERE r.move_type = 'out_invoice'
               AND r.residual > 0
               AND r.exclusion IS NULL
               AND r.date_due <= %(latest_due)s
               AND %(segment)s = ANY(%(segment_ids)s)
            """,
            segment=segment,
            receivables=self.env["credit.receivable"]._lines_sql(company, self.date),
            latest_due=fields.Date.subtract(self.date, days=min(level.delay_days for level in levels)),
            segment_ids=list(levels_by_segment),
        ))
        instalments = [
            OpenInvoice(move_id, partner_id, segment_id, days, float(residual), last_delay)
            for move_id, partner_id, segment_id, days, residual, last_delay in rows
        ]
        partner_ids = list({instalment.partner_id for instalment in instalments})
        credits = self.env["credit.receivable"]._open_credits(company, partner_ids)
        last_contact = self._credit_last_contacts(partner_ids)
        proposals = propose(instalments, levels_by_segment, company._credit_followup_rules(), self.date,
                            last_contact, credits)
        partners = self.env["res.partner"].sudo().browse(list(proposals))
        channels = dict(zip(partners.ids, partners.mapped("credit_preferred_channel"), strict=True))
        level_records = {level.id: level for level in levels}
        values = []
        for partner_id, proposal in proposals.items():
            level = level_records[proposal.level.id]
            if self.automatic and not level.auto_execute:
                continue  # the level due waits for a controller: no lower level instead
            channel = (channels.get(partner_id) if level.use_partner_channel else None) or level.channel
            values.append({
                "run_id": self.id,
                "partner_id": partner_id,
                "level_id": level.id,
                "channel": channel,
                "move_ids": [Command.set(proposal.invoice_ids)],
                "amount_due": proposal.amount_due,
                "amount_credit": credits.get(partner_id, 0.0),
            })
        return values

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
        """Perform the lines of the run not performed yet: at once for a small run, in
        the background (with progress) for a large one. A run already executed is refused."""
        self._credit_require_run_rights()
        background = self.browse()
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
            if len(pending) > run.company_id.credit_followup_background_lines:
                background |= run
            else:
                run._credit_execute_lines(pending)
                run._credit_finish()
        if background:
            background.write({"state": "running"})
            self.env.ref("credit_management.ir_cron_credit_followup_execute")._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Follow-up Started"),
                    "message": self.env._(
                        "The follow-up is being executed in the background; you will be notified when it is done."),
                    "type": "info",
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        return True

    def action_retry_failed(self):
        """Execute again the lines that failed (after fixing what their error says)."""
        self._credit_require_run_rights()
        for run in self:
            failed = run.line_ids.filtered(lambda line: line.state == "failed")
            if not failed:
                raise UserError(self.env._("%(run)s has no failed line to retry.", run=run.name))
            run._credit_execute_lines(failed)
            run._credit_finish()
        return True

    def _credit_lock(self):
        """Lock the runs of ``self`` for their execution: two executions of the same run
        never overlap (a second one is refused instead of waiting)."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    "SELECT id FROM credit_followup_run WHERE id = ANY(%s) FOR NO KEY UPDATE NOWAIT", self.ids))
        except pg_errors.LockNotAvailable:
            raise UserError(self.env._("This follow-up is being executed by someone else right now.")) from None

    def _credit_execute_lines(self, lines, commit=False):
        """Execute ``lines`` of this run in steps of :data:`EXECUTE_BATCH_SIZE`. With
        ``commit`` (background job) each step is committed with the lines it marks done:
        a crash or a timeout leaves the lines not done to the next execution. Returns
        False when the job's time is up before all lines are done."""
        self.ensure_one()
        self._credit_lock()
        ids = lines.ids
        done = 0
        for batch_ids in split_every(EXECUTE_BATCH_SIZE, ids):
            batch = self.env["credit.followup.line"].browse(batch_ids)
            # Read again: another execution may have performed some lines meanwhile.
            batch.invalidate_recordset(["state"])
            batch.filtered(lambda line: line.state in ("draft", "failed"))._credit_execute()
            done += len(batch_ids)
            if commit:
                if not self.env["ir.cron"]._commit_progress(len(batch_ids), remaining=len(ids) - done):
                    return False
                self._credit_lock()
        return True

    def _credit_finish(self):
        """Close the run once no line is waiting: the letters of the run gathered into one
        PDF to print, the controller told."""
        for run in self:
            if run.line_ids.filtered(lambda line: line.state == "draft"):
                continue
            letters = run.line_ids.filtered(lambda line: line.state == "done" and line.channel == "letter")
            if letters:
                run.letter_attachment_id = letters._credit_letters_attachment(run)
            notify = run.state == "running" and not run.automatic
            run.write({"state": "done", "executed_date": fields.Datetime.now()})
            if notify:
                run._credit_notify_done()

    def _credit_notify_done(self):
        """Tell the run's controller that its background execution is done."""
        self.ensure_one()
        body = self.env._(
            "Follow-up executed: %(done)s of %(total)s reminders performed, %(failed)s failed.",
            done=self.done_count, total=self.line_count, failed=self.failed_count)
        self.message_post(body=body, partner_ids=self.user_id.partner_id.ids, subtype_xmlid="mail.mt_comment")

    @api.model
    def _cron_execute_runs(self):
        """Background job: execute the runs waiting in the background, committing each step."""
        for run in self.sudo().search([("state", "=", "running")], order="id"):
            pending = run.line_ids.filtered(lambda line: line.state == "draft")
            if not run._credit_execute_lines(pending, commit=True):
                return
            run._credit_finish()
            self.env["ir.cron"]._commit_progress()

    @api.model
    def _cron_followup_automatic(self):
        """Daily job: for each company, a run of today with the levels marked automatic,
        computed and executed in steps that commit."""
        for company in self.env["res.company"].sudo().search([("parent_id", "=", False)]):
            run = self.sudo().with_company(company).create({
                "company_id": company.id, "automatic": True, "user_id": self.env.ref("base.user_root").id,
            })
            run.action_compute()
            if not run.line_ids:
                run.unlink()
                continue
            run.write({"state": "running"})
            self.env["ir.cron"]._commit_progress()
            if not run._credit_execute_lines(run.line_ids, commit=True):
                return
            run._credit_finish()
            self.env["ir.cron"]._commit_progress()

    # ------------------------------------------------------------------ navigation
    def _credit_line_action(self, domain, name):
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_followup_line")
        action.update({"domain": [("run_id", "in", self.ids), *domain], "name": name, "context": {}})
        return action

    def action_view_emails(self):
        """The emails queued or sent by this run."""
        self.ensure_one()
        messages = self.line_ids.message_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Emails of %(run)s", run=self.name),
            "res_model": "mail.message",
            "view_mode": "list,form",
            "domain": [("id", "in", messages.ids)],
        }

    def action_view_activities(self):
        """The calls and texts this run planned."""
        self.ensure_one()
        return self._credit_line_action([("channel", "in", ("phone", "sms")), ("state", "=", "done")],
                                        self.env._("Calls and Texts"))

    def action_view_lines(self):
        self.ensure_one()
        return self._credit_line_action([], self.name)

    def action_print_letters(self):
        """The letters of this run, in one PDF ready to print."""
        self.ensure_one()
        if self.letter_attachment_id:
            return {"type": "ir.actions.act_url", "url": f"/web/content/{self.letter_attachment_id.id}?download=true",
                    "target": "new"}
        letters = self.line_ids.filtered(lambda line: line.channel == "letter" and line.state != "skipped")
        if not letters:
            raise UserError(self.env._("%(run)s has no letter to print.", run=self.name))
        return self.env.ref("credit_management.action_report_credit_followup_letter").report_action(letters)
