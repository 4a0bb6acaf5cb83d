from odoo.exceptions import AccessError, ValidationError


# The tests of TestFollowup (in test_followup_levels.py), on the FollowupCommon setup.
class FollowupSegmentTests:
    """Customers belong to the first segment whose rule matches, unless fixed by hand;
    only the credit team runs follow-ups, only managers configure them."""

    def _free(self, **vals):
        return self.env["res.partner"].sudo().create({
            "name": "Free Customer", "is_company": True, "customer_rank": 1, **vals})

    def test_first_matching_segment_by_sequence_wins(self):
        partner = self._free(credit_preferred_channel="phone")
        partner.with_user(self.controller).action_credit_assign_segment()
        self.assertEqual(partner.credit_segment_id, self.seg_early)
        self.assertFalse(partner.credit_segment_fixed)
        partner.sudo().credit_preferred_channel = "email"
        partner._credit_assign_segments(self.company)
        self.assertEqual(partner.credit_segment_id, self.seg_standard)

    def test_segment_fixed_by_hand_is_kept(self):
        partner = self._free(credit_preferred_channel="phone")
        partner.sudo().credit_segment_id = self.seg_standard
        self.assertTrue(partner.credit_segment_fixed, "choosing a segment by hand fixes it")
        partner._credit_assign_segments(self.company)
        self.assertEqual(partner.credit_segment_id, self.seg_standard)

    def test_saving_a_segment_reassigns_customers(self):
        partner = self._free(credit_preferred_channel="letter")
        partner._credit_assign_segments(self.company)
        self.assertEqual(partner.credit_segment_id, self.seg_standard)
        self.seg_early.with_user(self.manager).partner_domain = (
            "[('credit_preferred_channel', 'in', ['phone', 'letter'])]")
        self.assertEqual(partner.credit_segment_id, self.seg_early)

    def _company_b_segment(self, **vals):
        """Company B (no chart of accounts needed) and a catch-all segment of its own."""
        company_b = self.env["res.company"].sudo().create({"name": "Company B"})
        segment_b = self.env["credit.segment"].sudo().create({
            "name": "B customers", "sequence": 1, "company_id": company_b.id, "partner_domain": "[]", **vals})
        return company_b, segment_b

    def test_saving_a_segment_in_another_company_leaves_this_companys_customers(self):
        partner = self._free(email="free@example.com")
        self._overdue(partner, 100.0, 8)
        partner._credit_assign_segments(self.company)
        self.assertEqual(partner.credit_segment_id, self.seg_standard)

        _company_b, segment_b = self._company_b_segment()
        segment_b.write({"partner_domain": "[('name', '!=', False)]", "sequence": 2})

        self.assertEqual(partner.credit_segment_id, self.seg_standard, "B's segments are for B's customers")
        self.assertEqual(self.customer.credit_segment_id, self.seg_early)
        run = self._run()
        self.assertEqual(self._line(run, partner).level_id, self.lvl_friendly, "A's run still finds them")

    def test_another_company_never_moves_a_customer_out_of_this_companys_segment(self):
        partner = self._free(credit_preferred_channel="phone")
        self._overdue(partner, 100.0, 8)
        partner._credit_assign_segments(self.company)
        company_b, segment_b = self._company_b_segment()
        self.env["sale.order"].sudo().create({"partner_id": partner.id, "company_id": company_b.id})

        partner._credit_assign_segments(company_b)

        self.assertEqual(partner.credit_segment_id, self.seg_early,
                         "a customer of both companies stays in A's segment for A")
        self.assertEqual(partner.sudo().with_company(company_b).credit_segment_id, segment_b,
                         "and is in B's own segment for B: the segment is per company")
        b_only = self._free(company_id=company_b.id)
        self.assertEqual(b_only.sudo().with_company(company_b).credit_segment_id, self.env["credit.segment"])
        segment_b.sequence = 3
        self.assertEqual(b_only.sudo().with_company(company_b).credit_segment_id, segment_b,
                         "B's own customers are assigned to B's segments")

    def test_a_customer_of_nobody_is_in_each_companys_own_segment(self):
        partner = self._free(email="new@example.com")
        company_b, segment_b = self._company_b_segment()
        in_b = partner.sudo().with_company(company_b)
        self.assertEqual(in_b.credit_segment_id, segment_b, "a customer of nobody yet is anyone's")
        self.assertFalse(partner.credit_segment_id, "B's segment is B's only")
        self._overdue(partner, 100.0, 8)

        run = self._run()

        self.assertEqual(partner.credit_segment_id, self.seg_standard)
        self.assertEqual(in_b.credit_segment_id, segment_b, "A's run leaves B's segment alone")
        self.assertEqual(self._line(run, partner).level_id, self.lvl_friendly)

    def test_review_assigns_the_segment(self):
        partner = self._free(credit_preferred_channel="phone")
        self._invoice(partner, 100.0)
        partner.with_user(self.controller).action_credit_review()
        self.assertEqual(partner.credit_segment_id, self.seg_early)

    def test_compute_assigns_customers_without_segment(self):
        partner = self._free(email="free@example.com")
        self._overdue(partner, 100.0, 8)
        run = self._run()
        self.assertEqual(partner.credit_segment_id, self.seg_standard)
        self.assertEqual(self._line(run, partner).level_id, self.lvl_friendly)

    def test_controller_pauses_a_customer_and_fixes_its_segment_without_contact_rights(self):
        partner = self._free(credit_preferred_channel="phone").with_user(self.controller)
        partner.write({"credit_followup_pause_until": self.today, "credit_followup_pause_reason": "Payment plan"})
        partner.write({"credit_segment_id": self.seg_standard.id, "credit_preferred_channel": "letter"})
        self.assertTrue(partner.credit_segment_fixed)
        self.assertEqual(partner.credit_followup_pause_until, self.today)
        partner.write({"credit_controller_id": self.controller.id})
        self.assertEqual(partner.credit_controller_id, self.controller, "Controllers assign who follows a customer")
        with self.assertRaises(AccessError):
            partner.write({"credit_followup_pause_until": False, "name": "Renamed"})
        with self.assertRaises(ValidationError):
            partner.write({"credit_followup_pause_reason": False})

    def test_invalid_domain_is_refused_clearly(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self.seg_early.with_user(self.manager).partner_domain = "[('name', '=', "
        with self.assertRaisesRegex(ValidationError, "cannot be applied"):
            self.seg_early.with_user(self.manager).partner_domain = "[('no_such_field', '=', 1)]"

    def test_a_rule_comparing_an_amount_with_a_word_is_refused_naming_the_field(self):
        segment = self.seg_early.with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "Exposure can only be compared with an amount between "
                                                     "-1,000,000,000,000 and 1,000,000,000,000, not 'abc'"):
            segment.partner_domain = "[('credit_exposure', '>', 'abc')]"
        with self.assertRaisesRegex(ValidationError, "Available Credit can only be compared with an amount"):
            segment.partner_domain = "[('credit_available', '<', '1e400')]"
        segment.partner_domain = "[('credit_exposure', '>', 1000)]"

    def test_shipped_defaults_make_sense(self):
        segments = self.env["credit.segment"].with_context(active_test=False).search([("id", "not in", (
            self.seg_early | self.seg_standard).ids)])
        self.assertEqual(segments.mapped("name"), ["Struggling customers", "High risk", "Habitual late payers",
                                                   "Standard"])
        for level in segments.followup_level_ids.filtered(lambda lvl: lvl.channel in ("email", "letter")):
            self.assertTrue(level.mail_template_id, f"{level.display_name} has a message")
        self.assertLess(min(segments.followup_level_ids.mapped("delay_days")), 0, "a reminder before the due date")

    def test_salesperson_cannot_run_followups_nor_configure_them(self):
        self._overdue(self.customer, 100.0, 8)
        run = self._run()
        Run = self.env["credit.followup.run"].with_user(self.salesman)
        with self.assertRaises(AccessError):
            Run.create({"company_id": self.company.id})
        with self.assertRaises(AccessError):
            run.with_user(self.salesman).action_compute()
        with self.assertRaises(AccessError):
            run.with_user(self.salesman).action_execute()
        with self.assertRaises(AccessError):
            run.line_ids.with_user(self.salesman).write({"channel": "letter"})
        with self.assertRaises(AccessError):
            self.seg_early.with_user(self.salesman).write({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.seg_early.with_user(self.controller).write({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write({"credit_followup_pause_until": self.today,
                                                          "credit_followup_pause_reason": "Friend"})
        self.assertFalse(self._mails())
        run.action_execute()
        self.assertEqual(len(self._mails()), 1)
