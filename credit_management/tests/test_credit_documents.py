import io
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import format_date
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models import ir_actions_report

from ..models import ir_actions_report as credit_ir_actions_report
from .followup_common import FollowupCommon

STATEMENT = "credit_management.action_report_credit_statement"
LETTER = "credit_management.action_report_credit_followup_letter"
UNREACHABLE = "http://127.0.0.1:9"  # nothing answers there


@tagged("post_install", "-at_install")
class TestCreditDocuments(FollowupCommon):
    """The statements and reminder letters as customers receive them: PDFs that look like
    letters with the engine Debian ships, rendered many at a time, and the statement sent or
    printed on demand from a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sudo().write({
            "street": "12 Ledger Lane", "city": "Tallytown", "phone": "+1 555 0100",
            "email": "credit@company.example", "website": "https://company.example",
        })
        # Enough invoices for a statement and a letter of more than one page.
        for _index in range(40):
            cls._overdue(cls.customer, 100.0, 31)
        cls._overdue(cls.customer_b, 250.0, 8)
        cls.customer_b.sudo().write({"credit_preferred_channel": "letter", "credit_segment_id": cls.seg_early.id,
                                     "city": "Boltville", "ref": "BOLT-7"})
        cls.customer_c = cls.env["res.partner"].create({"name": "Calm Customer", "is_company": True})
        cls.contact = cls.env["res.partner"].create({
            "name": "Ann Accounts", "parent_id": cls.customer.id, "type": "invoice", "email": "ann@acme.example",
        })
        cls.Report = cls.env["ir.actions.report"]

    def setUp(self):
        super().setUp()
        if self.Report.get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed")

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _pages(pdf):
        """The text of each page of ``pdf`` (bytes), as extracted."""
        return [page.extract_text() for page in PdfFileReader(io.BytesIO(pdf)).pages]

    @classmethod
    def _words(cls, pdf):
        """The text of each page of ``pdf``, words separated by one space."""
        return [" ".join(text.split()) for text in cls._pages(pdf)]

    def _alone(self, report_ref, res_id):
        """The PDF of one record rendered on its own, as Odoo prints it."""
        return self.Report.with_context(force_report_rendering=True)._render_qweb_pdf(report_ref, [res_id])[0]

    def _batch(self, report_ref, res_ids):
        """:meth:`_credit_render_pdf_batch` and the number of PDF engine calls it made."""
        engine = ir_actions_report._run_wkhtmltopdf
        with patch.object(ir_actions_report, "_run_wkhtmltopdf", side_effect=engine) as calls:
            documents = self.Report._credit_render_pdf_batch(report_ref, res_ids)
        return documents, calls.call_count

    def _letter_lines(self):
        run = self._run()
        lines = run.line_ids.filtered(lambda line: line.channel == "letter")
        self.assertEqual(lines.partner_id, self.customer | self.customer_b)
        return lines

    # ------------------------------------------------------------------ batch rendering
    def test_statements_rendered_in_one_engine_call_match_each_rendered_alone(self):
        customers = self.customer | self.customer_b | self.customer_c
        documents, calls = self._batch(STATEMENT, customers.ids)
        self.assertEqual(calls, 1, "one PDF engine call for all the statements")
        self.assertEqual(list(documents), customers.ids)
        for customer in customers:
            batch, alone = self._pages(documents[customer.id]), self._pages(self._alone(STATEMENT, customer.id))
            self.assertEqual(len(batch), len(alone), f"{customer.name}: same number of pages")
            self.assertEqual(batch, alone, f"{customer.name}: same text on each page")
            self.assertIn(customer.name, " ".join(batch[0].split()))
        self.assertGreater(len(self._pages(documents[self.customer.id])), 1, "a statement of several pages")
        self.assertIn("No open invoice.", self._words(documents[self.customer_c.id])[0])

    def test_letters_rendered_in_one_engine_call_match_each_rendered_alone(self):
        lines = self._letter_lines()
        documents, calls = self._batch(LETTER, lines.ids)
        self.assertEqual(calls, 1)
        for line in lines:
            batch, alone = self._pages(documents[line.id]), self._pages(self._alone(LETTER, line.id))
            self.assertEqual(batch, alone, f"the letter to {line.partner_id.name}, page by page")
        long_letter = documents[lines.filtered(lambda line: line.partner_id == self.customer).id]
        self.assertGreater(len(self._pages(long_letter)), 1)

    def test_printing_several_statements_makes_one_pdf_in_one_engine_call(self):
        customers = self.customer | self.customer_b | self.customer_c
        engine = ir_actions_report._run_wkhtmltopdf
        with patch.object(ir_actions_report, "_run_wkhtmltopdf", side_effect=engine) as calls:
            pdf, kind = self.Report.with_context(force_report_rendering=True)._render_qweb_pdf(STATEMENT, customers.ids)
        self.assertEqual((kind, calls.call_count), ("pdf", 1))
        expected = [page for customer in customers for page in self._pages(self._alone(STATEMENT, customer.id))]
        self.assertEqual(self._pages(pdf), expected, "the statements one after the other, nothing else")

    def test_large_batch_takes_one_engine_call_per_batch_size(self):
        customers = self.customer | self.customer_b | self.customer_c
        with patch.object(credit_ir_actions_report, "CREDIT_BATCH_RECORDS", 2):
            documents, calls = self._batch(STATEMENT, customers.ids)
        self.assertEqual(calls, 2)
        self.assertEqual(list(documents), customers.ids)
        self.assertIn(self.customer_c.name, self._words(documents[self.customer_c.id])[0])
        self.assertIn(self.customer_b.name, self._words(documents[self.customer_b.id])[0])

    def test_batch_of_one_record_or_of_repeated_ids_gives_one_document_each(self):
        documents, calls = self._batch(STATEMENT, [self.customer_b.id, self.customer_b.id])
        self.assertEqual(list(documents), [self.customer_b.id])
        self.assertEqual(calls, 1)
        alone = self._alone(STATEMENT, self.customer_b.id)
        self.assertEqual(self._pages(documents[self.customer_b.id]), self._pages(alone))
        self.assertEqual(self.Report._credit_render_pdf_batch(STATEMENT, []), {})

    # ------------------------------------------------------------------ letters that look like letters
    def test_credit_documents_carry_their_styles_and_need_no_web_server(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", UNREACHABLE)
        self.env["ir.config_parameter"].sudo().set_param("report.url", UNREACHABLE)
        report = self.Report._get_report(STATEMENT)
        html = self.Report._render_qweb_html(STATEMENT, self.customer_b.ids, data={"report_type": "pdf"})[0]
        bodies, res_ids, header, footer, paperformat_args = report._prepare_html(html, report_model=report.model)
        self.assertEqual(res_ids, self.customer_b.ids)
        self.assertNotIn('rel="stylesheet"', bodies[0], "no stylesheet to fetch from the web server")
        self.assertIn(".table", bodies[0], "the report styles are in the page itself")
        self.assertIn("o_credit_letterhead", bodies[0])
        self.assertFalse(header or footer, "the letterhead is in the body: no separate header or footer")
        self.assertEqual(paperformat_args["data-report-margin-top"], 12)
        # Odoo's other reports are left as they are.
        invoice_report = self.Report._get_report("account.account_invoices")
        invoice_html = self.Report._render_qweb_html(
            "account.account_invoices", self.customer_b.invoice_ids[:1].ids, data={"report_type": "pdf"})[0]
        self.assertIn('rel="stylesheet"', invoice_report._prepare_html(invoice_html, report_model="account.move")[0][0])

    def test_letter_shows_letterhead_addressee_date_body_and_footer(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", UNREACHABLE)
        line = self._letter_lines().filtered(lambda line: line.partner_id == self.customer_b)
        pages = self._words(self._alone(LETTER, line.id))
        first, last = pages[0], pages[-1]
        self.assertIn(self.company.name, first)
        self.assertIn("12 Ledger Lane", first, "the company address in the letterhead")
        self.assertIn(self.customer_b.name, first)
        self.assertIn("Boltville", first, "the customer's address")
        self.assertIn(format_date(self.env, line.date), first)
        self.assertIn(f"Our reference : {line.run_id.name} / {line.id}", first)
        self.assertIn("BOLT-7", first, "the customer's reference")
        self.assertIn("Payment Reminder", first)
        self.assertIn(line.move_ids.name, first, "the invoices of the reminder")
        self.assertIn("credit@company.example", last, "the footer with the company's details")
        self.assertIn("+1 555 0100", last)

    # ------------------------------------------------------------------ statement on demand
    def test_print_statement_downloads_the_statement_of_the_customer(self):
        action = self.contact.with_user(self.controller).action_credit_print_statement()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(action["report_name"], "credit_management.report_credit_statement")
        self.assertEqual(action["report_type"], "qweb-pdf")
        self.assertEqual(action["context"]["active_ids"], self.customer.ids, "a contact prints its company's")

    def test_send_statement_emails_the_statement_and_posts_it_in_the_chatter(self):
        action = self.customer.with_user(self.controller).action_credit_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        Composer = self.env["mail.compose.message"].with_user(self.controller).with_context(**action["context"])
        composer_form = Form(Composer)
        self.assertEqual(composer_form.template_id, self.env.ref("credit_management.mail_template_credit_statement"))
        self.assertIn("statement of account", composer_form.subject)
        self.assertEqual(composer_form.partner_ids[:], self.contact, "the invoicing contact")
        composer = composer_form.save()
        self.assertEqual(len(composer.attachment_ids), 1, "the statement attached")
        self.assertTrue(composer.attachment_ids.name.startswith("Statement - Acme Customer"))
        composer.action_send_mail()
        message = self.customer.message_ids[0]
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.author_id, self.controller.partner_id)
        self.assertEqual(message.partner_ids, self.contact)
        self.assertEqual(message.attachment_ids.name, composer.attachment_ids.name)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.recipient_ids, self.contact)
        self.assertEqual(len(mail.attachment_ids), 1)

    def test_statements_are_for_the_credit_team(self):
        for action in ("action_credit_print_statement", "action_credit_send_statement"):
            with self.assertRaises(AccessError):
                getattr(self.customer.with_user(self.salesman), action)()
        self.assertEqual(
            self.customer.with_user(self.manager).action_credit_send_statement()["context"]["default_res_ids"],
            self.customer.ids)
