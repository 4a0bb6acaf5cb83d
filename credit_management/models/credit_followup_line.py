import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount
from odoo.tools.pdf import merge_pdf

from ..credit_core.history import SETTLED_TOLERANCE
from .res_partner import CHANNEL_SELECTION

_logger = logging.getLogger(__name__)

# The notifications of Odoo's mail (and sms) that carry a reminder to the customer, and
# their statuses that mean it did not reach them.
DELIVERY_TYPES = ("email", "sms")
UNDELIVERED = ("exception", "bounce", "canceled")
WAITING = ("ready", "process")


class CreditFollowupLine(models.Model):
    """One reminder of a follow-up run: a customer, the level reached, the channel and
    the invoices concerned. Executed at most once."""

    _name = "credit.followup.line"
    _description = "Follow-up Line"
    _order = "run_id desc, level_delay desc, amount_net desc, id"
    _rec_name = "partner_id"

    run_id = fields.Many2one("credit.followup.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    date = fields.Date(related="run_id.date", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    segment_id = fields.Many2one(related="level_id.segment_id", store=True, string="Segment")
    level_id = fields.Many2one(
        "credit.followup.level", required=True, ondelete="restrict",
        domain="[('segment_id.company_id', 'in', [False, company_id])]",
    )
    level_delay = fields.Integer(related="level_id.delay_days", store=True, string="Delay")
    channel = fields.Selection(CHANNEL_SELECTION, required=True)
    move_ids = fields.Many2many("account.move", string="Invoices", domain="[('move_type', '=', 'out_invoice')]")
    receivable_line_ids = fields.Many2many(
        "account.move.line", "credit_followup_line_receivable_rel", "followup_line_id", "move_line_id",
        string="Instalments Reminded", readonly=True, copy=False,
        help="The open instalments of the invoices concerned that reached a level: what the reminder asks for.")
    invoice_count = fields.Integer(compute="_compute_invoice_count", string="# Invoices")
    amount_due = fields.Monetary(
        string="Due at This Level", currency_field="currency_id",
        help="What the instalments that reached a level still owe (company currency), before open credits.")
    amount_credit = fields.Monetary(
        string="Open Credits", currency_field="currency_id",
        help="Credit notes and payments of the customer not allocated yet, netted in the reminder.")
    amount_net = fields.Monetary(
        compute="_compute_amount_net", store=True, string="To Pay", currency_field="currency_id",
        help="What the customer is asked to pay: the amount due at this level minus the open credits, never "
        "below zero. The email, the letter, the text and the call ask for this very amount.")
    state = fields.Selection(
        [("draft", "To Do"), ("done", "Done"), ("skipped", "Skipped"), ("failed", "Failed")],
        default="draft", required=True, copy=False, index=True,
    )
    status = fields.Selection(
        [("draft", "To Do"), ("queued", "Queued"), ("sent", "Sent"), ("done", "Done"), ("failed", "Failed"),
         ("skipped", "Skipped")],
        compute="_compute_status", store=True, index=True,
        help="To Do: not performed yet. Queued: the email or text waits in the outgoing queue. Sent: it left "
        "the mail server (or the SMS provider). Done: the letter was made or the call planned. Failed: it "
        "could not be performed, or its email or text was not delivered (the reason says why): Retry.")
    status_reason = fields.Text(
        compute="_compute_status", store=True, string="Reason",
        help="Why the reminder failed or was skipped.")
    error = fields.Text(readonly=True, copy=False)
    note = fields.Text(help="The controller's note: kept with the history of the customer.")
    date_done = fields.Date(string="Executed On", readonly=True, copy=False)
    message_id = fields.Many2one("mail.message", string="Email", readonly=True, copy=False, index="btree_not_null")
    recipient_id = fields.Many2one("res.partner", readonly=True, copy=False)
    email_subject = fields.Char(related="message_id.subject", string="Subject")
    email_body = fields.Html(related="message_id.body", string="Message")
    email_date = fields.Datetime(related="message_id.date", string="Sent On")
    email_attachment_ids = fields.Many2many(related="message_id.attachment_ids", string="Attachments")
    activity_user_id = fields.Many2one("res.users", string="Assigned To", readonly=True, copy=False)
    attachment_id = fields.Many2one("ir.attachment", string="Letter", readonly=True, copy=False)
    letter_printed = fields.Boolean(
        string="Printed", readonly=True, copy=False,
        help="The letter was downloaded to be printed (alone or with the run's letters).")
    letter_printed_date = fields.Datetime(string="Printed On", readonly=True, copy=False)
    invoices_html = fields.Html(compute="_compute_invoices_html", sanitize=False,
                                help="The invoices concerned as a table, with the total, for messages and letters.")

    @api.depends("move_ids")
    def _compute_invoice_count(self):
        for line in self:
            line.invoice_count = len(line.move_ids)

    @api.depends("amount_due", "amount_credit")
    def _compute_amount_net(self):
        for line in self:
            line.amount_net = max(line.amount_due - line.amount_credit, 0.0)

    @api.depends("state", "error", "message_id.notification_ids.notification_status",
                 "message_id.notification_ids.failure_type", "message_id.notification_ids.failure_reason",
                 "message_id.notification_ids.mail_mail_id.failure_reason")
    def _compute_status(self):
        """The status follows the delivery of the line's email or text as Odoo's mail (and
        sms) records it on the message's notifications: waiting in the queue, sent, or not
        delivered with the failure type and reason."""
        for line in self:
            status, reason = line.state, line.error or False
            notifications = line.message_id.notification_ids.filtered(
                lambda notif: notif.notification_type in DELIVERY_TYPES)
            if line.state == "done" and notifications:
                failed = notifications.filtered(lambda notif: notif.notification_status in UNDELIVERED)
                if failed:
                    status, reason = "failed", line._credit_failure_text(failed[0])
                elif any(notif.notification_status in WAITING for notif in notifications):
                    status = "queued"
                else:
                    status = "sent"
            line.status = status
            line.status_reason = reason

    @api.depends("receivable_line_ids", "move_ids", "amount_due", "amount_credit")
    def _compute_invoices_html(self):
        for line in self:
            line.invoices_html = line._credit_invoices_table()

    def _credit_invoices_table(self):
        """The instalments the reminder asks for as an HTML table (QWeb template
        ``followup_invoices_table``), with the open credits and the total to pay — the
        line's *To Pay* — in the customer's language."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        company = self.company_id or self.env.company
        statement = self.env["credit.receivable"]._statement(
            partner, company, self.date or fields.Date.context_today(self))
        if self.receivable_line_ids:
            asked = self.receivable_line_ids._origin
            lines = statement["invoices"].filtered(lambda line: line in asked)
        else:  # a line computed before the instalments were kept: its invoices' open instalments
            moves = self.move_ids._origin
            lines = statement["invoices"].filtered(lambda line: line.move_id in moves)
        return self.env["ir.qweb"].with_context(lang=partner.lang)._render(
            "credit_management.followup_invoices_table", {
                "lines": lines,
                "overdue": statement["overdue"],
                "currency": self.currency_id or company.currency_id,
                "amount_credit": self.amount_credit,
                "amount_to_pay": self.amount_net,
            })

    def _credit_amount_text(self):
        """What the customer is asked to pay, formatted for texts and call summaries."""
        self.ensure_one()
        return format_amount(self.env, self.amount_net, self.currency_id)

    # ------------------------------------------------------------------ edits
    def write(self, vals):
        if not self.env.su and vals.keys() - {"note"} and any(line.state == "done" for line in self):
            raise UserError(self.env._("A follow-up already executed cannot be changed; add a note instead."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if any(line.state == "done" for line in self):
            raise UserError(self.env._("A follow-up already executed is kept in the customer's history."))

    def action_skip(self):
        """Leave these customers out of the run."""
        self._credit_require_line_rights()
        self.filtered(lambda line: line.state in ("draft", "failed")).write({"state": "skipped"})

    def action_reset(self):
        """Put skipped lines back in the run."""
        self._credit_require_line_rights()
        self.filtered(lambda line: line.state == "skipped").write({"state": "draft", "error": False})

    def _credit_require_line_rights(self):
        if not self.env.su and not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team can change follow-ups."))
        self.check_access("write")

    # ------------------------------------------------------------------ delivery
    def _credit_failure_text(self, notification):
        """Why ``notification`` (mail.notification) did not reach the customer, in words: the
        kind of failure and the mail server's answer (kept on the email when the
        notification has none, e.g. a connection refused)."""
        fields_ = notification._fields
        labels = dict(fields_["failure_type"]._description_selection(self.env))
        label = labels.get(notification.failure_type) or dict(
            fields_["notification_status"]._description_selection(self.env)).get(notification.notification_status)
        reason = " ".join((notification.failure_reason or notification.mail_mail_id.failure_reason or "").split())
        return f"{label}: {reason}" if reason else label

    def action_retry(self):
        """Try the failed reminders of ``self`` again: a line that could not be performed is
        performed again (after its error was fixed); an email or text that was not delivered
        is queued again, as it was, or sent anew to the customer's current address when
        Odoo no longer keeps it (an address that was missing or invalid)."""
        self._credit_require_line_rights()
        failed = self.filtered(lambda line: line.status == "failed")
        if not failed:
            raise UserError(self.env._("Nothing to retry: none of these reminders failed."))
        undelivered = failed.filtered(lambda line: line.state == "done")
        undelivered.sudo()._credit_retry_delivery()
        for run, lines in (failed - undelivered).grouped("run_id").items():
            run._credit_execute_lines(lines)
            run._credit_finish()
        return failed.run_id._credit_feedback(failed, self.env._("Retried"))

    def _credit_retry_delivery(self):
        """Queue again the undelivered emails and texts of ``self`` (lines done)."""
        requeued = self.browse()
        for line in self:
            notifications = line.message_id.notification_ids.filtered(
                lambda notif: notif.notification_type in DELIVERY_TYPES and notif.notification_status in UNDELIVERED)
            mails = notifications.mail_mail_id.filtered(lambda mail: mail.state == "exception")
            texts = self.env["sms.sms"].browse(notifications.mapped("sms_id_int")).exists().filtered(
                lambda sms: sms.state == "error") if "sms.sms" in self.env else []
            if mails or texts:
                mails.action_retry()
                if texts:
                    texts.action_set_outgoing()
                notifications.write({"notification_status": "ready", "failure_type": False, "failure_reason": False})
                requeued |= line
            elif line.channel == "email":
                line.write({"message_id": line._credit_send_email(attachments=line.message_id.attachment_ids).id})
            else:
                line.write({"message_id": line._credit_send_sms().id})
        self._credit_wake_queues()
        return requeued

    def _credit_wake_queues(self):
        """Have Odoo's outgoing mail (and SMS) queue send what the lines of ``self`` queued
        soon, rather than at its next hourly run."""
        channels = set(self.mapped("channel"))
        for channel, xmlid in (("email", "mail.ir_cron_mail_scheduler_action"),
                               ("sms", "sms.ir_cron_sms_scheduler_action")):
            cron = self.env.ref(xmlid, raise_if_not_found=False) if channel in channels else None
            if cron:
                cron.sudo()._trigger()

    # ------------------------------------------------------------------ letters
    def action_download_letter(self):
        """Download this letter to print it (marked printed)."""
        self.ensure_one()
        self._credit_require_line_rights()
        if not self.attachment_id:
            raise UserError(self.env._("The reminder to %(customer)s has no letter.", customer=self.partner_id.name))
        self._credit_mark_printed()
        return {"type": "ir.actions.act_url", "target": "download",
                "url": f"/web/content/{self.attachment_id.id}?download=true"}

    def action_download_letters(self):
        """Download the letters of ``self`` in one PDF to print (marked printed)."""
        self._credit_require_line_rights()
        letters = self.filtered("attachment_id")
        if not letters:
            raise UserError(self.env._("None of these reminders has a letter to print."))
        attachment = letters._credit_letters_attachment(letters.run_id[:1] if len(letters.run_id) == 1 else None)
        letters._credit_mark_printed()
        return {"type": "ir.actions.act_url", "target": "download",
                "url": f"/web/content/{attachment.id}?download=true"}

    def _credit_mark_printed(self):
        self.sudo().filtered(lambda line: not line.letter_printed).write({
            "letter_printed": True, "letter_printed_date": fields.Datetime.now()})

    def _credit_letters_attachment(self, run=None):
        """The letters of ``self`` in one file to print, in the order of ``self``: one PDF
        (Odoo's ``merge_pdf``) when they are PDFs, attached to ``run`` when given."""
        attachments = self.attachment_id.sudo()
        if all(attachment.mimetype == "application/pdf" for attachment in attachments):
            raw = merge_pdf([line.attachment_id.sudo().raw for line in self])
            mimetype, extension = "application/pdf", "pdf"
        else:  # rendered as HTML (no PDF engine): put together as they are
            raw = b"".join(line.attachment_id.sudo().raw for line in self)
            mimetype, extension = "text/html", "html"
        name = run.name.replace("/", "-") if run else fields.Date.to_string(fields.Date.context_today(self))
        values = {"name": self.env._("Letters %(run)s.%(ext)s", run=name, ext=extension),
                  "raw": raw, "mimetype": mimetype}
        if run:
            values.update(res_model=run._name, res_id=run.id)
        attachment = self.env["ir.attachment"].sudo().create(values)
        if run:
            run.sudo().letter_attachment_id = attachment
        return attachment

    # ------------------------------------------------------------------ execution
    def _credit_refresh_amounts(self):
        """Bring what ``self`` (lines of one run about to be performed) ask for up to date
        from the receivables layer: the instalments kept at compute that are still open
        and chased on the run's date, and the customers' open credits. A line left with
        nothing to ask for is skipped, saying why."""
        run = self.run_id
        run.ensure_one()
        lines = self.sudo().filtered("receivable_line_ids")
        if not lines:
            return
        Receivable = self.env["credit.receivable"]
        rows = self.env.execute_query(SQL(
            "SELECT id, residual FROM (%s) r WHERE r.id = ANY(%s) AND r.residual > 0 AND r.exclusion IS NULL",
            Receivable._lines_sql(run.company_id, run.date, lines.partner_id.ids),
            lines.receivable_line_ids.ids,
        ))
        residuals = {line_id: float(residual) for line_id, residual in rows}
        credits = Receivable._open_credits(run.company_id, lines.partner_id.ids)
        MoveLine = self.env["account.move.line"].sudo()
        for line in lines:
            open_lines = MoveLine.browse([aml for aml in line.receivable_line_ids.ids if aml in residuals])
            amount_due = sum(residuals[aml] for aml in open_lines.ids)
            values = {"amount_due": amount_due, "amount_credit": credits.get(line.partner_id.id, 0.0)}
            if open_lines != line.receivable_line_ids:
                values.update(receivable_line_ids=[fields.Command.set(open_lines.ids)],
                              move_ids=[fields.Command.set(open_lines.move_id.ids)])
            if amount_due - values["amount_credit"] <= SETTLED_TOLERANCE:
                values.update(state="skipped", error=self.env._(
                    "Nothing left to ask for: paid, credited, disputed or promised since the run was computed."))
            line.write(values)

    def _credit_execute(self):
        """Perform each line of ``self`` (all of one run), each in its own savepoint: the
        action (email queued, letter attached, activity planned, hold), the invoices'
        level and the line marked done are written together, or the line is marked
        failed with the reason. What the lines ask for is brought up to date first; PDFs
        are rendered in one batch per kind (``ir.actions.report._credit_render_pdf_batch``)."""
        if not self:
            return
        self._credit_refresh_amounts()
        lines = self.filtered(lambda line: line.state in ("draft", "failed"))
        statements = self._credit_render(
            "credit_management.action_report_credit_statement",
            lines.filtered(lambda line: line.channel == "email").partner_id.ids)
        letters = self._credit_render(
            "credit_management.action_report_credit_followup_letter",
            lines.filtered(lambda line: line.channel == "letter").ids)
        for line in lines:
            try:
                with self.env.cr.savepoint():
                    line._credit_execute_one(statements, letters)
            except (UserError, AccessError, ValueError) as error:
                line.sudo().write({"state": "failed", "error": str(error)})
            except Exception as error:
                _logger.exception("Follow-up line %s failed", line.id)
                line.sudo().write({"state": "failed", "error": repr(error)})
        lines.filtered(lambda line: line.state == "done")._credit_wake_queues()

    def _credit_render(self, report_ref, res_ids):
        """``{res id: (file content, mimetype, extension)}`` of ``report_ref`` for each of
        ``res_ids``, rendered in one batch of the PDF engine; when the batch fails, each
        on its own, so that a document that cannot be rendered fails its line only (the
        error is kept as the value)."""
        if not res_ids:
            return {}
        try:
            documents = self.env["ir.actions.report"].sudo()._credit_render_pdf_batch(report_ref, list(res_ids))
        except (UserError, OSError) as error:
            if len(res_ids) == 1:
                return {res_ids[0]: error}
            result = {}
            for res_id in res_ids:
                result.update(self._credit_render(report_ref, [res_id]))
            return result
        result = {}
        for res_id in res_ids:
            content = documents.get(res_id)
            if not content:
                result[res_id] = UserError(self.env._("The PDF engine returned no document."))
            elif content.startswith(b"%PDF-"):
                result[res_id] = (content, "application/pdf", "pdf")
            else:  # no PDF engine (e.g. tests): the HTML the PDF would have been made from
                result[res_id] = (content, "text/html", "html")
        return result

    def _credit_execute_one(self, statements, letters):
        self.ensure_one()
        if self.state not in ("draft", "failed"):
            return
        partner = self.partner_id.sudo()
        channel = self.channel
        values = {"state": "done", "error": False, "date_done": self.run_id.date}
        if channel == "email":
            values["message_id"] = self._credit_send_email(statements.get(partner.id)).id
            values["recipient_id"] = self._credit_recipient().id
        elif channel == "letter":
            values["attachment_id"] = self._credit_attach_letter(letters.get(self.id)).id
        elif channel == "sms" and "sms.sms" in self.env and partner.phone:
            values["message_id"] = self._credit_send_sms().id
            values["recipient_id"] = partner.id
        else:
            values["activity_user_id"] = self._credit_schedule_activity().id
        # Holds are per company: the run's company puts its customer on hold.
        holder = partner.with_company(self.company_id)
        if self.level_id.hold_partner and not holder.credit_manual_hold:
            holder._credit_set_hold(self.env._(
                "Follow-up %(level)s: %(amount)s to pay.", level=self.level_id.name, amount=self._credit_amount_text()))
        self.sudo().write(values)
        # The level reached is the invoices' follow-up record, read by the next runs only:
        # written without account.move's write, which re-checks the accounting of each
        # invoice (tens of milliseconds a reminder for nothing to check).
        moves = self.move_ids.sudo()
        moves._write({"credit_followup_level_id": self.level_id.id, "credit_followup_date": self.run_id.date})
        moves.invalidate_recordset(["credit_followup_level_id", "credit_followup_date"])

    def _credit_recipient(self):
        """Who receives the email: the customer's invoicing contact, else the customer."""
        partner = self.partner_id.sudo()
        contact = partner.browse(partner.address_get(["invoice"])["invoice"])
        return contact if contact.email else partner

    def _credit_rendered(self, fname):
        template = self.level_id.mail_template_id
        if not template:
            return False
        return template.sudo()._render_field(fname, self.ids, compute_lang=True)[self.id]

    def _credit_send_email(self, statement=None, attachments=None):
        """Queue the level's email to the customer, logged in the customer's chatter, with
        the ``statement`` (file content, mimetype, extension) attached, or ``attachments``
        (those of an earlier try). Returns the message."""
        if isinstance(statement, Exception):
            raise UserError(self.env._("The customer statement could not be rendered: %(error)s", error=statement))
        partner = self.partner_id.sudo()
        recipient = self._credit_recipient()
        if not recipient.email:
            raise UserError(self.env._("%(customer)s has no email address.", customer=partner.display_name))
        if not self.level_id.mail_template_id:
            raise UserError(self.env._("The level %(level)s has no message to send.", level=self.level_id.display_name))
        attachments = attachments or self.env["ir.attachment"]
        if statement:
            content, mimetype, extension = statement
            attachments = self.env["ir.attachment"].sudo().create({
                "name": self.env._("Statement %(customer)s %(date)s.%(ext)s", customer=partner.name,
                                   date=self.run_id.date, ext=extension),
                "raw": content, "mimetype": mimetype, "res_model": "res.partner", "res_id": partner.id,
            })
        message = partner.with_context(mail_notify_force_send=False, mail_post_autofollow=False).message_post(
            body=self._credit_rendered("body_html"),
            subject=self._credit_rendered("subject"),
            partner_ids=recipient.ids,
            attachment_ids=attachments.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
            author_id=(self.company_id.partner_id if self.run_id.automatic else self.run_id.user_id.partner_id).id,
        )
        return message

    def _credit_attach_letter(self, letter):
        """Attach the letter to the customer (logged in its chatter). Returns the attachment."""
        if isinstance(letter, Exception):
            raise UserError(self.env._("The letter could not be rendered: %(error)s", error=letter))
        if not letter:
            raise UserError(self.env._("The letter could not be rendered."))
        partner = self.partner_id.sudo()
        content, mimetype, extension = letter
        attachment = self.env["ir.attachment"].sudo().create({
            "name": self.env._("Reminder %(customer)s %(date)s.%(ext)s", customer=partner.name,
                               date=self.run_id.date, ext=extension),
            "raw": content, "mimetype": mimetype, "res_model": "res.partner", "res_id": partner.id,
        })
        partner.message_post(
            body=self.env._(
                "Reminder letter (%(level)s) made for posting: %(amount)s to pay.",
                level=self.level_id.name, amount=self._credit_amount_text()),
            attachment_ids=attachment.ids, message_type="comment", subtype_xmlid="mail.mt_note",
        )
        return attachment

    def _credit_sms_body(self):
        """The text of the SMS: the level's script, else a short reminder of what to pay."""
        self.ensure_one()
        return self.level_id.note or self.env._(
            "%(company)s: a reminder that %(amount)s is to be paid on your account. Thank you for your payment.",
            company=self.company_id.name, amount=self._credit_amount_text())

    def _credit_send_sms(self):
        """Text the level's script to the customer (``sms`` module). Returns the message."""
        partner = self.partner_id.sudo()
        # Queued like emails: the line is marked done in the same transaction.
        return partner._message_sms(self._credit_sms_body(), partner_ids=partner.ids, put_in_queue=True)

    def _credit_schedule_activity(self):
        """Plan a call (or an SMS to send by hand) for the customer's credit controller,
        else the run's controller (the credit team for the daily job's runs), with the
        level's script. Returns the user."""
        partner = self.partner_id.sudo()
        user = partner.with_company(self.company_id).credit_controller_id
        if not user and self.run_id.automatic:
            user = self.company_id._credit_team_users(partner)[:1]
        user = user or self.run_id.user_id
        if self.channel == "phone":
            activity_type = self.env.ref("mail.mail_activity_data_call")
            summary = self.env._("Call about %(amount)s to pay (%(level)s)", amount=self._credit_amount_text(),
                                 level=self.level_id.name)
        else:
            activity_type = self.env.ref("mail.mail_activity_data_todo")
            summary = self.env._("Text a reminder: %(amount)s to pay (%(level)s)", amount=self._credit_amount_text(),
                                 level=self.level_id.name)
        note = Markup("<p>%s</p>%s") % (self.level_id.note or "", self.invoices_html)
        if self.note:
            note += Markup("<p><em>%s</em></p>") % self.note
        partner.activity_schedule(
            activity_type_id=activity_type.id, summary=summary, note=note,
            user_id=user.id, date_deadline=self.run_id.date,
        )
        return user

    def _credit_letter_body(self):
        """The text of this line's letter: the level's message, else a plain reminder."""
        self.ensure_one()
        body = self._credit_rendered("body_html")
        if body:
            return body
        return Markup("<p>%s</p>%s") % (self.env._(
            "According to our records, the invoices below are still unpaid. We would be grateful if you "
            "could settle them at your earliest convenience."), self.invoices_html)

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action.update({"domain": [("id", "in", self.move_ids.ids)], "context": {"create": False}})
        return action

    def action_open_reminder(self):
        """This reminder on its own: its status and why, the instalments asked for, its email."""
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "name": self.partner_id.display_name, "view_mode": "form", "views": [(False, "form")],
                "target": "new"}
