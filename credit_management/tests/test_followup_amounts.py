import re

from odoo.tools import html2plaintext


# The tests of TestFollowup (in test_followup_levels.py), on the FollowupCommon setup.
class FollowupAmountTests:
    """What a customer is asked to pay at a level is one amount: the instalments that
    reached a level (as the receivables layer says they are open and chased) net of the
    customer's open credits. The line, the run, the email, the letter and the call show it."""

    def _total_to_pay(self, html):
        """The amount after "Total to pay" in a rendered reminder."""
        text = html2plaintext(html)
        found = re.search(r"Total to pay\W*?[^\d]*([\d,]+\.\d\d)", text)
        self.assertTrue(found, text)
        return float(found.group(1).replace(",", ""))

    def test_line_email_and_run_ask_the_same_amount_net_of_open_credits(self):
        late = self._overdue(self.customer_b, 700.0, 8)
        older = self._overdue(self.customer_b, 300.0, 20)
        not_due = self._overdue(self.customer_b, 500.0, -10)
        self._invoice(self.customer_b, 400.0, move_type="out_refund")
        run = self._run()
        line = self._line(run, self.customer_b)
        self.assertEqual((line.amount_due, line.amount_credit, line.amount_net), (1000.0, 400.0, 600.0))
        self.assertEqual(line.move_ids, late | older)
        self.assertEqual(line.receivable_line_ids.move_id, late | older)
        self.assertEqual(run.amount_total, 600.0)
        run.action_execute()
        body = self._mails(self.customer_b).body_html
        self.assertEqual(self._total_to_pay(body), line.amount_net)
        self.assertIn(late.name, body)
        self.assertNotIn(not_due.name, body, "an invoice not due for a level is not asked for")

    def test_a_payment_between_compute_and_execute_changes_the_line_and_the_email_alike(self):
        late = self._overdue(self.customer_b, 700.0, 8)
        self._overdue(self.customer_b, 300.0, 20)
        paid = self._overdue(self.customer, 100.0, 8)
        run = self._run()
        self.assertEqual(self._line(run, self.customer_b).amount_net, 1000.0)
        self._pay(late, 200.0)
        self._pay(paid)
        run.action_execute()
        line = self._line(run, self.customer_b)
        self.assertEqual((line.amount_due, line.amount_net), (800.0, 800.0))
        self.assertEqual(self._total_to_pay(self._mails(self.customer_b).body_html), 800.0)
        line_a = self._line(run)
        self.assertEqual(line_a.state, "skipped", "paid in full since the run was computed: nothing to ask for")
        self.assertIn("Nothing left to ask for", line_a.status_reason)
        self.assertFalse(self._mails())

    def test_letter_and_call_ask_for_the_amount_of_the_line(self):
        self._overdue(self.customer, 300.0, 16)  # the call level
        self._invoice(self.customer, 100.0, move_type="out_refund")
        run = self._run()
        line = self._line(run)
        self.assertEqual(line.amount_net, 200.0)
        self.assertEqual(self._total_to_pay(line._credit_letter_body()), 200.0, "the letter's text")
        run.action_execute()
        call = self.customer.activity_ids.filtered(lambda activity: "Call about" in activity.summary)
        self.assertIn("200.00", call.summary)
        self.assertEqual(self._total_to_pay(str(call.note)), 200.0)
