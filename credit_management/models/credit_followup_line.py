import io
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from .res_partner import CHANNEL_SELECTION

_logger = logging.getLogger(__name__)


class CreditFollowupLine(models.Model):
    """One reminder of a follow-up run: a customer, the level reached, the channel and
    the invoices concerned. Executed at most once."""

    _name = "credit.followup.line"
    _description = "Follow-up Line"
    _order = "run_id desc, level_delay desc, amount_due desc, id"
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
    invoice_count = fields.Integer(compute="_compute_invoice_count", string="Invoices Concerned")
    amount_due = fields.Monetary(currency_field="currency_id",
                                 help="The residual of the invoices concerned, company currency.")
    amount_credit = fields.Monetary(
        string="Open Credits", currency_field="currency_id",
        help="Credit notes and payments of the customer not allocated yet, netted in the reminder.")
    amount_net = fields.Monetary(compute="_compute_amount_net", string="Net Due", currency_field="currency_id")
    state = fields.Selection(
        [("draft", "To Do"), ("done", "Done"), ("skipped", "Skipped"), ("failed", "Failed")],
        default="draft", required=True, copy=False, index=True,
    )
    error = fields.Text(readonly=True, copy=False)
    note = fields.Text(help="The controller's note: kept with the history of the customer.")
    date_done = fields.Date(string="Executed On", readonly=True, copy=False)
    message_id = fields.Many2one("mail.message", string="Email", readonly=True, copy=False, index="btree_not_null")
    activity_user_id = fields.Many2one("res.users", string="Assigned To", readonly=True, copy=False)
    attachment_id = fields.Many2one("ir.attachment", string="Letter", readonly=True, copy=False)
    invoices_html = fields.Html(compute="_compute_invoices_html", sanitize=False,
                                help="The invoices concerned as a table, with the total, for messages and letters.")

    @api.depends("move_ids")
    def _compute_invoice_count(self):
        for line in self:
            line.invoice_count = len(line.move_ids)

    @api.depends("amount_due", "amount_credit")
    def _compute_amount_net(self):
        for line in self:
            line.amount_net = line.amount_due - line.amount_credit

    @api.depends("move_ids", "amount_due", "amount_credit")
    def _compute_invoices_html(self):
        for line in self:
            line.invoices_html = line._credit_invoices_table()

    def _credit_invoices_table(self):
        """The open instalments of the invoices concerned as an HTML table (QWeb template
        ``followup_invoices_table``), with the open credits and the total to pay, in the
        customer's language."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        company = self.company_id or self.env.company
        statement = self.env["credit.receivable"]._statement(
            partner, company, self.date or fields.Date.context_today(self))
        moves = self.move_ids._origin
        return self.env["ir.qweb"].with_context(lang=partner.lang)._render(
            "credit_management.followup_invoices_table", {
                "lines": statement["invoices"].filtered(lambda line: line.move_id in moves),
                "overdue": statement["overdue"],
                "currency": self.currency_id or company.currency_id,
                "amount_credit": self.amount_credit,
                "amount_to_pay": max(self.amount_due - self.amount_credit, 0.0),
            })

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

    # ------------------------------------------------------------------ execution
    def _credit_execute(self):
        """Perform each line of ``self`` (all of one run), each in its own savepoint: the
        action (email queued, letter attached, activity planned, hold), the invoices'
        level and the line marked done are written together, or the line is marked
        failed with the reason. PDFs are rendered for all lines at once per channel."""
        if not self:
            return
        statements = self._credit_render(
            "credit_management.action_report_credit_statement",
            self.filtered(lambda line: line.channel == "email").partner_id.ids)
        letters = self._credit_render(
            "credit_management.action_report_credit_followup_letter",
            self.filtered(lambda line: line.channel == "letter").ids)
        for line in self:
            try:
                with self.env.cr.savepoint():
                    line._credit_execute_one(statements, letters)
            except (UserError, AccessError, ValueError) as error:
                line.sudo().write({"state": "failed", "error": str(error)})
            except Exception as error:
                _logger.exception("Follow-up line %s failed", line.id)
                line.sudo().write({"state": "failed", "error": repr(error)})

    def _credit_render(self, report_ref, res_ids):
        """``{res id: (file content, mimetype, extension)}`` of ``report_ref`` for each
        of ``res_ids``: rendered together (one PDF engine call) when the engine can, one
        by one when it cannot (a PDF engine that takes one document per call, a PDF that
        cannot be split per record); a rendering error is kept as the value, to fail the
        lines."""
        if not res_ids:
            return {}
        Report = self.env["ir.actions.report"].sudo()
        try:
            content, kind = Report._pre_render_qweb_pdf(report_ref, res_ids)
        except (UserError, OSError) as error:
            if len(res_ids) > 1:
                return self._credit_render_each(report_ref, res_ids)
            return dict.fromkeys(res_ids, error)
        if kind != "pdf":  # rendered as HTML: one document for all the records
            return dict.fromkeys(res_ids, (content, "text/html", kind))
        result = {}
        for res_id in res_ids:
            stream = content.get(res_id, {}).get("stream")
            if stream is None and len(res_ids) > 1:  # the PDF could not be split per record
                return self._credit_render_each(report_ref, res_ids)
            if stream is None:
                return {res_id: UserError(self.env._("The PDF engine returned no document."))}
            result[res_id] = (stream.getvalue(), "application/pdf", "pdf")
        return result

    def _credit_render_each(self, report_ref, res_ids):
        """:meth:`_credit_render` of each of ``res_ids`` on its own."""
        result = {}
        for res_id in res_ids:
            result.update(self._credit_render(report_ref, [res_id]))
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
        elif channel == "letter":
            values["attachment_id"] = self._credit_attach_letter(letters.get(self.id)).id
        elif channel == "sms" and "sms.sms" in self.env and partner.phone:
            values["message_id"] = self._credit_send_sms().id
        else:
            values["activity_user_id"] = self._credit_schedule_activity().id
        # Holds are per company: the run's company puts its customer on hold.
        holder = partner.with_company(self.company_id)
        if self.level_id.hold_partner and not holder.credit_manual_hold:
            holder._credit_set_hold(self.env._(
                "Follow-up %(level)s: %(amount)s overdue.",
                level=self.level_id.name, amount=format_amount(self.env, self.amount_due, self.currency_id)))
        self.sudo().write(values)
        self.move_ids.sudo().with_context(tracking_disable=True).write({
            "credit_followup_level_id": self.level_id.id, "credit_followup_date": self.run_id.date})

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

    def _credit_send_email(self, statement):
        """Queue the level's email to the customer (with its statement attached), logged in
        the customer's chatter. Returns the message."""
        if isinstance(statement, Exception):
            raise UserError(self.env._("The customer statement could not be rendered: %(error)s", error=statement))
        partner = self.partner_id.sudo()
        recipient = self._credit_recipient()
        if not recipient.email:
            raise UserError(self.env._("%(customer)s has no email address.", customer=partner.display_name))
        if not self.level_id.mail_template_id:
            raise UserError(self.env._("The level %(level)s has no message to send.", level=self.level_id.display_name))
        attachments = self.env["ir.attachment"]
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
                "Reminder letter (%(level)s) printed for posting, %(amount)s due.",
                level=self.level_id.name, amount=format_amount(self.env, self.amount_due, self.currency_id)),
            attachment_ids=attachment.ids, message_type="comment", subtype_xmlid="mail.mt_note",
        )
        return attachment

    def _credit_send_sms(self):
        """Text the level's script to the customer (``sms`` module). Returns the message."""
        partner = self.partner_id.sudo()
        body = self.level_id.note or self.env._(
            "%(company)s: a reminder that %(amount)s is overdue on your account. Thank you for your payment.",
            company=self.company_id.name, amount=format_amount(self.env, self.amount_due, self.currency_id))
        # Queued like emails: the line is marked done in the same transaction.
        return partner._message_sms(body, partner_ids=partner.ids, put_in_queue=True)

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
            summary = self.env._("Call about %(amount)s overdue (%(level)s)", amount=format_amount(
                self.env, self.amount_due, self.currency_id), level=self.level_id.name)
        else:
            activity_type = self.env.ref("mail.mail_activity_data_todo")
            summary = self.env._("Text a reminder: %(amount)s overdue (%(level)s)", amount=format_amount(
                self.env, self.amount_due, self.currency_id), level=self.level_id.name)
        note = Markup("<p>%s</p>%s") % (self.level_id.note or "", self.invoices_html)
        if self.note:
            note += Markup("<p><em>%s</em></p>") % self.note
        partner.activity_schedule(
            activity_type_id=activity_type.id, summary=summary, note=note,
            user_id=user.id, date_deadline=self.run_id.date,
        )
        return user

    def _credit_letters_attachment(self, run):
        """The letters of ``self`` (executed) in one file to print, attached to ``run``."""
        attachments = self.attachment_id.sudo()
        if all(attachment.mimetype == "application/pdf" for attachment in attachments):
            streams = [io.BytesIO(attachment.raw) for attachment in attachments]
            with self.env["ir.actions.report"]._merge_pdfs(streams) as merged:
                raw = merged.getvalue()
            mimetype, extension = "application/pdf", "pdf"
        else:  # rendered as HTML: put together as they are
            raw = b"".join(attachments.mapped("raw"))
            mimetype, extension = "text/html", "html"
        return self.env["ir.attachment"].sudo().create({
            "name": self.env._("Letters %(run)s.%(ext)s", run=run.name.replace("/", "-"), ext=extension),
            "raw": raw, "mimetype": mimetype, "res_model": run._name, "res_id": run.id,
        })

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
