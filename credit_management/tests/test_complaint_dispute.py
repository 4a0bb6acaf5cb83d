from odoo.tools import SQL


# The tests of TestComplaintsAndNotes (in test_complaint.py), on the ComplaintCommon setup.
class ComplaintDisputeTests:
    """An open complaint that pauses follow-up puts its invoice — and only that invoice — in
    dispute: the receivables layer's rule "not chased nor counted overdue", used by the follow-up
    runs and the overdue hold rule, and the ageing report's Disputed and Not Chased columns
    follow it.
    Closing the complaint resumes both."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a = cls._overdue_invoice(300)
        cls.invoice_b = cls._overdue_invoice(500)
        cls.invoices = cls.invoice_a | cls.invoice_b

    def _not_chased_by_sql(self):
        """Invoices A and B that the receivables layer leaves alone today (not chased by
        follow-ups nor counted by the overdue hold rule)."""
        rows = self.env.execute_query(SQL(
            "SELECT DISTINCT move_id FROM (%s) r WHERE r.exclusion IS NOT NULL AND r.move_id = ANY(%s)",
            self.env["credit.receivable"]._lines_sql(self.company, self.today), self.invoices.ids,
        ))
        return self.env["account.move"].browse(sorted(row[0] for row in rows))

    def _not_chased_by_domain(self):
        """Invoices A and B that the Receivables Ageing shows as not chased today."""
        rows = self.env["credit.ageing.report"].with_user(self.controller).search(
            [("move_id", "in", self.invoices.ids), ("exclusion", "!=", False)])
        return rows.move_id.sorted("id")

    def _ageing_disputed(self):
        """{invoice: Disputed column} of the Receivables Ageing, as the credit controller sees it."""
        rows = self.env["credit.ageing.report"].with_user(self.controller).search(
            [("move_id", "in", self.invoices.ids)])
        return {row.move_id: row.credit_disputed for row in rows}

    def test_open_complaint_pauses_followup_and_overdue_hold_of_its_invoice_only(self):
        self.assertFalse(self._not_chased_by_sql(), "Both overdue invoices are chased before any complaint")
        self.assertFalse(self._not_chased_by_domain())

        complaint = self._complaint(move_id=self.invoice_a.id)

        self.assertTrue(self.invoice_a.credit_disputed)
        self.assertFalse(self.invoice_b.credit_disputed, "The customer's other invoice is not disputed")
        self.assertEqual(self._not_chased_by_sql(), self.invoice_a)
        self.assertEqual(self._not_chased_by_domain(), self.invoice_a)
        self.assertEqual(self._ageing_disputed(), {self.invoice_a: True, self.invoice_b: False})
        self.assertEqual(self.invoice_a.credit_dispute_complaint_ids, complaint)

        complaint.with_user(self.controller).action_start()
        self.assertEqual(self._not_chased_by_sql(), self.invoice_a, "In progress is still open")

    def test_salespersons_complaint_leaves_the_invoice_chased_until_the_credit_team_accepts_it(self):
        complaint = self._complaint(user=self.salesman, move_id=self.invoice_a.id)

        self.assertFalse(complaint.pause_followup)
        self.assertTrue(complaint.dispute_pending, "The complaint waits for the credit team")
        self.assertFalse(self.invoice_a.credit_disputed)
        self.assertFalse(self._not_chased_by_sql(), "Still chased and counted by the overdue hold rule")
        self.assertFalse(self._not_chased_by_domain())

        complaint.with_user(self.controller).action_accept_dispute()

        self.assertTrue(complaint.pause_followup)
        self.assertFalse(complaint.dispute_pending)
        self.assertTrue(self.invoice_a.credit_disputed)
        self.assertEqual(self._not_chased_by_sql(), self.invoice_a)
        self.assertEqual(self.invoice_a.credit_dispute_complaint_ids, complaint)

    def test_credit_team_can_keep_chasing_the_invoice_of_a_salespersons_complaint(self):
        complaint = self._complaint(user=self.salesman, move_id=self.invoice_a.id)

        complaint.with_user(self.controller).action_keep_chasing()

        self.assertFalse(complaint.dispute_pending, "Decided: it no longer waits")
        self.assertFalse(complaint.pause_followup)
        self.assertFalse(self._not_chased_by_sql())
        self.assertEqual(complaint.state, "new", "The complaint itself is still handled")

    def test_resolving_the_complaint_resumes_followup_and_overdue_hold(self):
        complaint = self._complaint(move_id=self.invoice_a.id)
        self.assertEqual(self._not_chased_by_sql(), self.invoice_a)

        self._resolve(complaint)

        self.assertFalse(self.invoice_a.credit_disputed)
        self.assertFalse(self._not_chased_by_sql(), "The resolved invoice is chased and counted overdue again")
        self.assertFalse(self._not_chased_by_domain())
        self.assertEqual(self._ageing_disputed(), {self.invoice_a: False, self.invoice_b: False})

    def test_rejecting_the_complaint_resumes_followup_and_overdue_hold(self):
        complaint = self._complaint(move_id=self.invoice_a.id)
        complaint.with_user(self.controller).action_reject()
        self.assertFalse(self._not_chased_by_sql())
        self.assertFalse(self._not_chased_by_domain())

    def test_reopening_a_resolved_complaint_disputes_the_invoice_again(self):
        complaint = self._complaint(move_id=self.invoice_a.id)
        self._resolve(complaint)
        complaint.with_user(self.controller).action_reopen()
        self.assertEqual(complaint.state, "in_progress")
        self.assertFalse(complaint.date_resolved)
        self.assertEqual(self._not_chased_by_sql(), self.invoice_a)
        self.assertEqual(self._not_chased_by_domain(), self.invoice_a)

    def test_complaint_that_does_not_pause_followup_leaves_the_invoice_chased(self):
        complaint = self._complaint(move_id=self.invoice_a.id, pause_followup=False)
        self.assertFalse(self.invoice_a.credit_disputed)
        self.assertFalse(self._not_chased_by_sql())

        complaint.with_user(self.controller).pause_followup = True
        self.assertEqual(self._not_chased_by_domain(), self.invoice_a)

        complaint.with_user(self.controller).pause_followup = False
        self.assertFalse(self._not_chased_by_domain(), "Un-pausing resumes the chasing at once")

    def test_invoice_stays_disputed_until_its_last_open_complaint_closes(self):
        first = self._complaint(move_id=self.invoice_a.id)
        second = self._complaint(move_id=self.invoice_a.id, category=self.category_pricing)
        self._resolve(first)
        self.assertEqual(self._not_chased_by_sql(), self.invoice_a, "The second complaint is still open")
        second.with_user(self.controller).action_reject()
        self.assertFalse(self._not_chased_by_sql())

    def test_moving_the_complaint_to_another_invoice_moves_the_dispute(self):
        complaint = self._complaint(move_id=self.invoice_a.id)
        complaint.move_id = self.invoice_b
        self.assertEqual(self._not_chased_by_sql(), self.invoice_b)
        self.assertEqual(self._not_chased_by_domain(), self.invoice_b)

    def test_complaint_without_invoice_disputes_nothing(self):
        self._complaint(partner_id=self.customer.id)
        self.assertFalse(self._not_chased_by_sql())
        self.assertFalse(self._not_chased_by_domain())
