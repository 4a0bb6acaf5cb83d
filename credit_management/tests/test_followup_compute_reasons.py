from odoo import fields
from odoo.fields import Command


# The tests of TestFollowup (in test_followup_levels.py), on the FollowupCommon setup.
class FollowupComputeReasonTests:
    """Compute says why customers who owe something get no reminder, counted per reason."""

    def _customer(self, name, segment=None, **values):
        return self.env["res.partner"].sudo().create({
            "name": name, "is_company": True, "customer_rank": 1, "email": f"{name.lower()}@example.com",
            "credit_segment_id": (segment or self.seg_standard).id, "credit_segment_fixed": True, **values,
        })

    def test_compute_with_no_line_says_why_with_counts_per_reason(self):
        self.company.sudo().write({"credit_followup_min_amount": 50.0, "credit_followup_quiet_days": 5})
        quiet = self._customer("Quiet")
        self._overdue(quiet, 100.0, 8)
        self._run(segments=self.seg_standard).action_execute()  # reminded today
        self._overdue(quiet, 100.0, 9)  # reaches the level, but the customer was just reminded
        disputed = self._overdue(self._customer("Disputed"), 100.0, 8)
        self.env["credit.complaint"].with_user(self.controller).create({
            "partner_id": disputed.partner_id.id, "move_id": disputed.id, "description": "Wrong quantity",
            "category_id": self.env.ref("credit_management.complaint_category_quality").id,
        })
        promised = self._overdue(self._customer("Promised"), 100.0, 8)
        promised.credit_promise_date = fields.Date.add(self.today, days=5)
        self._overdue(self._customer("Paused", credit_followup_pause_until=fields.Date.add(self.today, days=5),
                                     credit_followup_pause_reason="Plan agreed"), 100.0, 8)
        self._overdue(self._customer("Later"), 100.0, 2)
        reminded = self._overdue(self._customer("Reminded"), 100.0, 8)
        reminded.credit_followup_level_id = self.lvl_friendly
        self._overdue(self._customer("Cents"), 20.0, 8)
        self._overdue(self._customer("Elsewhere", self.seg_early), 100.0, 8)
        self._overdue(self._customer("Not Yet Elsewhere", self.seg_early), 100.0, -20)

        run = self._run(segments=self.seg_standard, compute=False)
        action = run.with_user(self.controller).action_compute()
        self.assertFalse(run.line_ids)
        self.assertEqual(run.skip_reasons, {
            "quiet": 1, "disputed": 1, "promised": 1, "paused": 1, "not_due": 1, "level_sent": 1,
            "min_amount": 1, "other_segment": 1,
        })
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("No reminder is due", action["params"]["title"])
        for words in ("1 customer(s): their follow-up is paused", "1 customer(s): contacted less than 5 days ago",
                      "1 customer(s): owe less than the minimum", "1 customer(s): only disputed invoices",
                      "1 customer(s): have overdue invoices but are in none of this run"):
            self.assertIn(words, action["params"]["message"])
            self.assertIn(words, run.compute_summary)
            self.assertIn(words, run.message_ids[0].body, "logged in the run's chatter")

    def test_compute_summary_counts_customers_left_out_beside_the_lines(self):
        self._overdue(self.customer_b, 100.0, 8)
        self._overdue(self.customer, 100.0, -10)
        run = self._run()
        self.assertEqual(run.line_ids.partner_id, self.customer_b)
        self.assertEqual(run.skip_reasons, {"not_due": 1})
        self.assertIn("Customers left out", run.compute_summary)

    def test_compute_of_segments_without_levels_says_so(self):
        empty = self.env["credit.segment"].sudo().create({
            "name": "Empty", "sequence": 99, "company_id": self.company.id, "partner_domain": "[]",
            "followup_level_ids": [Command.clear()]})
        run = self._run(segments=empty)
        self.assertFalse(run.line_ids)
        self.assertIn("no follow-up level", run.compute_summary)
