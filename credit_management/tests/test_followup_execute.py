import io
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models.ir_cron import IrCron

from ..models import credit_followup_run


# The tests of TestFollowup (in test_followup_levels.py), on the FollowupCommon setup.
class FollowupExecuteTests:
    """Executing a run: each channel does what the customer and the controller expect,
    once and only once, whatever happens."""

    def test_email_is_queued_with_the_statement_and_logged_in_the_chatter(self):
        invoice = self._overdue(self.customer, 100.0, 8)
        run = self._run()
        run.action_execute()
        line = self._line(run)
        self.assertEqual(line.state, "done")
        mails = self._mails()
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing", "queued, sent by the mail queue")
        self.assertEqual(mails.recipient_ids, self.customer)
        self.assertIn(invoice.name, mails.body_html)
        self.assertIn("Total to pay", mails.body_html)
        self.assertEqual(len(mails.attachment_ids), 1)
        self.assertTrue(mails.attachment_ids.name.startswith("Statement"))
        self.assertEqual(line.message_id.model, "res.partner")
        self.assertEqual(line.message_id.res_id, self.customer.id)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.email_count, 1)
        self.assertEqual(invoice.credit_followup_level_id, self.lvl_firm)

    def test_letters_rendered_attached_to_each_customer_and_gathered_for_printing(self):
        self._overdue(self.customer, 100.0, 31)
        self.customer_b.sudo().credit_preferred_channel = "letter"
        self.customer_b.sudo().credit_segment_id = self.seg_early
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        self.assertEqual(set(run.line_ids.mapped("channel")), {"letter"})
        run.action_execute()
        for line in run.line_ids:
            self.assertEqual(line.state, "done")
            self.assertEqual(line.attachment_id.res_model, "res.partner")
            self.assertEqual(line.attachment_id.res_id, line.partner_id.id)
            # Tests render HTML (stored as text), a server renders PDF.
            self.assertIn(line.attachment_id.mimetype, ("application/pdf", "text/html", "text/plain"))
        self.assertEqual((run.letter_count, run.to_print_count), (2, 2))
        run.action_download_letters()
        self.assertTrue(run.letter_attachment_id, "one file with all the letters to print")
        self.assertEqual(run.to_print_count, 0, "downloaded to be printed")
        self.assertFalse(self._mails() | self._mails(self.customer_b), "letters are not emailed")
        html = self.env["ir.actions.report"]._render_qweb_html(
            "credit_management.action_report_credit_followup_letter", run.line_ids.ids)[0].decode()
        self.assertIn("Payment Reminder", html)
        self.assertIn(self.customer_b.name, html)

    def test_letter_level_that_holds_puts_the_customer_on_hold(self):
        self._overdue(self.customer, 100.0, 31)
        self._run().action_execute()
        self.assertTrue(self.customer.sudo().credit_manual_hold)
        self.assertIn("Hold letter", self.customer.sudo().credit_hold_reason)

    def test_phone_level_plans_a_call_for_the_customers_controller_or_the_runs(self):
        self._overdue(self.customer, 100.0, 16)
        self._overdue(self.customer_b, 100.0, 16)
        self.customer_b.sudo().write({"credit_segment_id": self.seg_early.id, "credit_controller_id": self.manager.id})
        run = self._run()
        run.action_execute()
        call = self.env.ref("mail.mail_activity_data_call")
        activity = self.customer.activity_ids.filtered(lambda a: a.activity_type_id == call)
        self.assertEqual(activity.user_id, self.controller, "no controller on the customer: the run's")
        self.assertIn("Ask for a payment date.", str(activity.note))
        activity_b = self.customer_b.activity_ids.filtered(lambda a: a.activity_type_id == call)
        self.assertEqual(activity_b.user_id, self.manager)
        self.assertEqual(run.activity_count, 2)

    def test_sms_without_the_sms_module_or_a_number_is_an_activity(self):
        self._overdue(self.customer, 100.0, 8)
        run = self._run()
        self._line(run).channel = "sms"
        run.action_execute()
        line = self._line(run)
        self.assertEqual(line.state, "done")
        if "sms.sms" in self.env:
            self.assertEqual(line.activity_user_id, self.controller, "the customer has no phone number")
        self.assertTrue(self.customer.activity_ids)

    def test_sms_with_the_sms_module_and_a_number_is_queued(self):
        if "sms.sms" not in self.env:
            self.skipTest("the sms module is not installed")
        self.customer.sudo().phone = "+32 470 12 34 56"
        self._overdue(self.customer, 100.0, 16)
        run = self._run()
        self._line(run).channel = "sms"
        run.action_execute()
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.state, "outgoing", "queued, sent by the SMS queue")
        self.assertIn("Ask for a payment date.", sms.body)
        self.assertEqual(self._line(run).message_id.message_type, "sms")

    def test_controller_edits_level_channel_note_and_skips(self):
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        line = self._line(run).with_user(self.controller)
        line.write({"level_id": self.lvl_call.id, "channel": "phone", "note": "Promised on the phone already"})
        self._line(run, self.customer_b).with_user(self.controller).action_skip()
        run.action_execute()
        self.assertEqual(self._line(run).state, "done")
        self.assertEqual(self._line(run, self.customer_b).state, "skipped")
        self.assertFalse(self._mails(self.customer_b))
        self.assertIn("Promised on the phone already", str(self.customer.activity_ids.note))
        with self.assertRaises(UserError):
            line.write({"channel": "email"})

    def test_execute_twice_sends_nothing_twice(self):
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        run.action_execute()
        mails = self._mails() | self._mails(self.customer_b)
        self.assertEqual(len(mails), 2)
        with self.assertRaises(UserError):
            run.action_execute()
        self.assertEqual(self._mails() | self._mails(self.customer_b), mails)
        again = self._run()
        self.assertFalse(again.line_ids, "a new run the same day finds nothing new")
        self.assertEqual(self._mails() | self._mails(self.customer_b), mails)

    def test_failed_line_says_why_and_is_retried(self):
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        self.customer.sudo().email = False
        run = self._run()
        run.action_execute()
        line = self._line(run)
        self.assertEqual(line.state, "failed")
        self.assertIn("no email address", line.error)
        self.assertEqual(self._line(run, self.customer_b).state, "done", "one failure does not stop the run")
        self.assertFalse(line.move_ids.credit_followup_level_id, "a failed line records no level")
        self.customer.sudo().email = "acme@example.com"
        run.action_retry_failed()
        self.assertEqual(line.state, "done")
        self.assertFalse(line.error)
        self.assertEqual(len(self._mails()), 1)
        self.assertEqual(len(self._mails(self.customer_b)), 1)

    def test_large_run_executes_in_the_background_with_progress_and_notifies(self):
        self.company.sudo().credit_followup_background_lines = 1
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        cron = self.env.ref("credit_management.ir_cron_credit_followup_execute")
        Trigger = self.env["ir.cron.trigger"].sudo()
        triggers = Trigger.search_count([("cron_id", "=", cron.id)])
        run.action_execute()
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers + 1, "the job is triggered")
        self.assertEqual(run.state, "running")
        self.assertEqual(run.progress, 0.0)
        self.assertFalse(self._mails())
        with patch.object(IrCron, "_commit_progress", return_value=100.0):
            self.env["credit.followup.run"]._cron_execute_runs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.progress, 100.0)
        self.assertEqual(len(self._mails() | self._mails(self.customer_b)), 2)
        self.assertIn(self.controller.partner_id, run.message_ids[0].partner_ids, "the controller is notified")

    def test_crash_half_way_resumes_with_the_remaining_lines_only(self):
        self.company.sudo().credit_followup_background_lines = 1
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        run.action_execute()
        # The job commits after each step of one line, then its time is up (or the worker dies).
        with patch.object(credit_followup_run, "EXECUTE_BATCH_SIZE", 1), \
                patch.object(IrCron, "_commit_progress", return_value=0.0):
            self.env["credit.followup.run"]._cron_execute_runs()
        self.assertEqual(run.state, "running")
        self.assertEqual(sorted(run.line_ids.mapped("state")), ["done", "draft"])
        self.assertEqual(run.progress, 50.0)
        with patch.object(IrCron, "_commit_progress", return_value=100.0):
            self.env["credit.followup.run"]._cron_execute_runs()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._mails()), 1)
        self.assertEqual(len(self._mails(self.customer_b)), 1)

    def test_daily_job_executes_automatic_levels_only(self):
        self._overdue(self.customer, 100.0, -3)  # automatic "before due" level
        self._overdue(self.customer_b, 100.0, 8)  # automatic "friendly" level
        other = self.env["res.partner"].sudo().create({
            "name": "Call Me", "is_company": True, "customer_rank": 1, "email": "c@example.com",
            "credit_segment_id": self.seg_early.id, "credit_segment_fixed": True})
        self._overdue(other, 100.0, 16)  # the call is not automatic
        with patch.object(IrCron, "_commit_progress", return_value=100.0):
            self.env["credit.followup.run"]._cron_followup_automatic()
        run = self.env["credit.followup.run"].sudo().search([
            ("automatic", "=", True), ("company_id", "=", self.company.id)])
        self.assertEqual(run.state, "done")
        self.assertEqual(run.line_ids.partner_id, self.customer | self.customer_b)
        self.assertEqual(len(self._mails()), 1)
        self.assertFalse(other.activity_ids, "levels not marked automatic wait for a controller")
        manual = self._run()
        self.assertEqual(self._line(manual, other).level_id, self.lvl_call)
        self.assertFalse(self._line(manual), "the automatic reminder is not repeated")

    def test_daily_job_run_again_the_same_day_makes_no_second_run(self):
        self._overdue(self.customer_b, 100.0, 8)  # automatic "friendly" level
        Run = self.env["credit.followup.run"].sudo()
        with patch.object(IrCron, "_commit_progress", return_value=100.0):
            Run._cron_followup_automatic()
            Run._cron_followup_automatic()  # a second cron worker, or the job run again by hand
        runs = Run.search([("automatic", "=", True), ("company_id", "=", self.company.id)])
        self.assertEqual(len(runs), 1, "one automatic run per company and day")
        self.assertEqual(runs.state, "done")
        self.assertEqual(len(self._mails(self.customer_b)), 1, "the reminder is sent once")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Run.create({"company_id": self.company.id, "date": self.today, "automatic": True,
                        "user_id": self.env.ref("base.user_root").id})

    def test_controller_screens_from_run_form_to_emails_letters_and_calls(self):
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 16)
        self.customer_b.sudo().credit_segment_id = self.seg_early
        self.customer_b.sudo().credit_preferred_channel = "letter"
        with Form(self.env["credit.followup.run"].with_user(self.controller)) as form:
            form.segment_ids.add(self.seg_early)
        run = form.record
        self.assertEqual(run.date, self.today)
        self.assertTrue(run.name.startswith("FU/"))
        run.action_compute()
        self._line(run, self.customer_b).channel = "letter"
        run.action_execute()
        self.assertEqual((run.email_count, run.letter_count), (1, 1))
        emails = run.action_view_emails()
        self.assertEqual(self.env[emails["res_model"]].with_user(self.controller).search(emails["domain"]),
                         self._line(run))
        letters = run.action_view_letters()
        self.assertEqual(self.env[letters["res_model"]].with_user(self.controller).search(letters["domain"]),
                         self._line(run, self.customer_b))
        self.assertEqual(run.action_download_letters()["type"], "ir.actions.act_url")
        history = self.customer.with_user(self.controller).action_credit_view_followups()
        self.assertEqual(self.env["credit.followup.line"].with_user(self.controller).search(history["domain"]),
                         self._line(run))

    def test_followups_report_counts_actions_and_payments_within_days(self):
        invoice = self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        run.action_execute()
        self._pay(invoice, date=fields.Date.add(self.today, days=5))
        self.env.flush_all()
        Analysis = self.env["credit.followup.analysis"].with_user(self.controller)
        rows = Analysis._read_group([("run_id", "=", run.id)], ["channel"], ["action_count:sum", "paid_7:sum",
                                                                                "paid_30:sum"])
        self.assertEqual(rows, [("email", 2, 1, 1)])
        paid = Analysis.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(paid.days_to_pay, 5)

    def test_execution_through_the_job_performs_each_line_once_with_progress_and_reaches_done(self):
        self.company.sudo().credit_followup_background_lines = 5
        partners = self.env["res.partner"].sudo().create([{
            "name": f"Customer {index}", "is_company": True, "customer_rank": 1, "email": f"c{index}@example.com",
            "credit_segment_id": self.seg_standard.id, "credit_segment_fixed": True} for index in range(7)])
        for partner in partners:
            self._overdue(partner, 100.0, 8)
        run = self._run(segments=self.seg_standard)
        self.assertEqual(len(run.line_ids), 7)
        action = run.action_execute()
        self.assertEqual(action["params"]["type"], "info", "told it runs in the background")
        self.assertEqual((run.state, run.processed_count, run.line_count), ("running", 0, 7))
        self.assertEqual(run.execute_user_id, self.controller)
        progress = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            progress.append((processed, remaining))
            return 100.0

        with patch.object(credit_followup_run, "EXECUTE_BATCH_SIZE", 3), \
                patch.object(IrCron, "_commit_progress", autospec=True, side_effect=commit_progress):
            self.env["credit.followup.run"]._cron_execute_runs()
            self.assertEqual(run.state, "done")
            self.env["credit.followup.run"]._cron_execute_runs()  # the job again: nothing left
        self.assertEqual(progress[:3], [(3, 4), (3, 1), (1, 0)], "progress reported after each step")
        self.assertEqual(run.processed_count, 7)
        for partner in partners:
            self.assertEqual(len(self._mails(partner)), 1, "each reminder performed exactly once")
        done = run.message_ids[0]
        self.assertIn(self.controller.partner_id, done.partner_ids, "who executed it is notified")
        self.assertIn("7 email(s) queued or sent", done.body)

    def test_small_run_executes_at_once_and_says_what_happened(self):
        self.company.sudo().credit_followup_background_lines = 5
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        self.customer_b.sudo().email = False
        action = self._run().action_execute()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("1 email(s) queued or sent", action["params"]["message"])
        self.assertIn("1 failed", action["params"]["message"])

    def test_download_letters_merges_one_pdf_with_each_letters_pages_and_marks_them_printed(self):
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() not in ("ok", "upgrade"):
            self.skipTest("no PDF engine (wkhtmltopdf)")
        # The PDF engine must not wait for this test's own server, blocked by the test's
        # transaction: styles from an address that answers at once (refused).
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        self.customer.sudo().credit_preferred_channel = "letter"
        self.customer_b.sudo().write({"credit_segment_id": self.seg_early.id, "credit_preferred_channel": "letter"})
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        run.with_context(force_report_rendering=True).action_execute()
        letters = run.line_ids.sorted("id")
        self.assertEqual(letters.mapped("channel"), ["letter", "letter"])
        self.assertEqual(set(letters.attachment_id.mapped("mimetype")), {"application/pdf"})
        pages = [len(PdfFileReader(io.BytesIO(letter.attachment_id.raw)).pages) for letter in letters]

        action = run.with_user(self.controller).action_download_letters()
        merged = run.letter_attachment_id
        self.assertEqual(action["url"], f"/web/content/{merged.id}?download=true")
        self.assertEqual(merged.mimetype, "application/pdf")
        reader = PdfFileReader(io.BytesIO(merged.raw))
        self.assertEqual(len(reader.pages), sum(pages), "each letter's pages, once")
        first_pages = [0, pages[0]]
        for letter, page in zip(letters, first_pages, strict=True):
            self.assertIn(letter.partner_id.name, " ".join(reader.pages[page].extract_text().split()))
        self.assertTrue(all(letters.mapped("letter_printed")))
        self.assertEqual(run.to_print_count, 0)
        one = letters[1].with_user(self.controller).action_download_letter()
        self.assertEqual(one["url"], f"/web/content/{letters[1].attachment_id.id}?download=true")
