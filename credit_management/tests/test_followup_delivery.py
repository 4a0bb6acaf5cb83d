from unittest.mock import patch

from odoo.addons.base.tests.common import MockSmtplibCase


# The tests of TestFollowup (in test_followup_levels.py), on the FollowupCommon setup.
class FollowupDeliveryTests(MockSmtplibCase):
    """A reminder's status follows its email as Odoo's mail delivers it — queued, sent, or
    failed with the reason — and a failed one can be retried; the run's emails read as
    emails."""

    def _no_mail_server(self):
        """The outgoing mail server does not answer."""
        return patch.object(type(self.env["ir.mail_server"]), "_connect__",
                            side_effect=ConnectionRefusedError(111, "Connection refused"))

    def test_email_status_follows_its_delivery_failed_with_the_reason_sent_and_retried(self):
        self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 8)
        run = self._run()
        run.action_execute()
        line, line_b = self._line(run), self._line(run, self.customer_b)
        self.assertEqual((line.state, line.status, line_b.status), ("done", "queued", "queued"))
        self.assertEqual((run.queued_count, run.sent_count, run.failed_count), (2, 0, 0))
        mail, mail_b = self._mails(), self._mails(self.customer_b)

        with self._no_mail_server():
            mail.send()
        self.assertEqual(line.status, "failed", "not Done: the email did not leave")
        self.assertIn("Connection failed", line.status_reason)
        self.assertIn("Connection refused", line.status_reason)
        self.assertEqual(line.state, "done", "the reminder was performed: its level stays on the invoices")
        with self.mock_smtplib_connection():
            mail_b.send()
        self.assertEqual(line_b.status, "sent")
        self.assertFalse(line_b.status_reason)
        self.assertEqual((run.queued_count, run.sent_count, run.failed_count), (0, 1, 1))
        failed = self.env["credit.followup.line"].with_user(self.controller).search([
            ("run_id", "=", run.id), ("status", "=", "failed")])
        self.assertEqual(failed, line, "the run's Failed filter finds it")

        message = line.message_id
        self.env["credit.followup.run"].browse(run.id).with_user(self.controller).action_retry_failed()
        self.assertEqual(mail.state, "outgoing", "queued again")
        self.assertEqual(line.status, "queued")
        self.assertEqual(line.message_id, message, "the same email, not a second one")
        with self.mock_smtplib_connection():
            mail.send()
        self.assertEqual(line.status, "sent")
        self.assertEqual(len(self.emails), 1, "delivered once")
        self.assertEqual(run.failed_count, 0)

    def test_email_to_an_invalid_address_fails_and_is_sent_anew_once_the_address_is_fixed(self):
        self._overdue(self.customer, 100.0, 8)
        self.customer.sudo().email = "acme-at-example"
        run = self._run()
        run.action_execute()
        line = self._line(run)
        with self.mock_smtplib_connection():
            self._mails().send()
        self.assertEqual(line.status, "failed")
        self.assertIn("Invalid email address", line.status_reason)
        self.assertFalse(self._mails(), "Odoo drops an email it cannot address")
        self.customer.sudo().email = "acme@example.com"
        line.with_user(self.controller).action_retry()
        self.assertEqual(line.status, "queued")
        self.assertEqual(self._mails().email_to or self._mails().recipient_ids.email, "acme@example.com")
        self.assertEqual(line.message_id.attachment_ids.name[:9], "Statement", "the statement goes along again")

    def test_emails_of_a_run_read_as_emails_subject_recipient_status_and_message(self):
        invoice = self._overdue(self.customer, 100.0, 8)
        self._overdue(self.customer_b, 100.0, 16)
        self.customer_b.sudo().write({"credit_segment_id": self.seg_early.id})
        run = self._run()
        run.action_execute()
        action = run.with_user(self.controller).action_view_emails()
        self.assertEqual(action["res_model"], "credit.followup.line", "not Odoo's technical message screen")
        views = {kind: view_id for view_id, kind in action["views"]}
        self.assertEqual(views["list"], self.env.ref("credit_management.credit_followup_line_view_list_emails").id)
        self.assertEqual(views["form"], self.env.ref("credit_management.credit_followup_line_view_form_email").id)
        emails = self.env["credit.followup.line"].with_user(self.controller).search(action["domain"])
        self.assertEqual(emails, self._line(run), "the call of customer B is not an email")
        mail = self._mails()
        self.assertEqual(emails.email_subject, mail.subject)
        self.assertEqual(emails.recipient_id, self.customer)
        self.assertEqual(emails.status, "queued")
        self.assertIn(invoice.name, emails.email_body)
        self.assertTrue(emails.email_date)
        self.assertEqual(len(emails.email_attachment_ids), 1)
