from odoo import fields
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

    def test_the_segment_explains_its_count_against_the_rule_count(self):
        """First match wins: of the contacts a rule matches, some are customers taken by
        earlier segments or fixed elsewhere by hand, some are not customers at all; and
        customers fixed here by hand need not match. The form says so, in numbers that
        add up to the rule's count and to the segment's count."""
        zed_a = self._free(name="Zedquist Alpha")
        zed_b = self._free(name="Zedquist Bravo", credit_preferred_channel="phone")  # Early takes it
        zed_c = self._free(name="Zedquist Charlie")
        zed_c.credit_segment_id = self.seg_standard  # fixed by hand elsewhere
        # a person of a customer company, and a supplier: contacts, not customers
        self.env["res.partner"].sudo().create({"name": "Zedquist Person", "parent_id": zed_a.id})
        self.env["res.partner"].sudo().create({"name": "Zedquist Supplier", "is_company": True, "supplier_rank": 1})
        outsider = self._free(name="Outsider")
        zed = self.env["credit.segment"].with_user(self.manager).create({
            "name": "Zed", "sequence": 10, "company_id": self.company.id,
            "partner_domain": "[('name', 'ilike', 'Zedquist')]",
        })
        outsider.credit_segment_id = zed  # fixed here by hand, not matched
        self.assertEqual((zed_a | zed_b).credit_segment_id, zed | self.seg_early)

        self.assertEqual(zed.match_count, self.env["res.partner"].with_user(self.manager).search_count(
            [("name", "ilike", "Zedquist")]), "the same count as the rule editor's")
        self.assertEqual(zed.match_count, 5)
        self.assertEqual(
            (zed.match_in_segment_count, zed.match_earlier_count, zed.match_fixed_elsewhere_count,
             zed.match_not_customer_count, zed.unmatched_in_segment_count),
            (1, 1, 1, 2, 1))
        self.assertEqual(zed.partner_count, zed.match_in_segment_count + zed.unmatched_in_segment_count)
        elsewhere = self.env["res.partner"].search(zed.action_view_matched_elsewhere()["domain"])
        self.assertEqual(elsewhere, zed_b | zed_c)
        self.assertEqual(self.env["res.partner"].search(zed.action_view_unmatched_here()["domain"]), outsider)

        zed.sequence = 0  # now before Early: it takes Zedquist Bravo
        self.assertEqual(zed_b.credit_segment_id, zed)
        zed.invalidate_recordset()
        self.assertEqual((zed.match_in_segment_count, zed.match_earlier_count), (2, 0))

    def test_the_rule_editor_offers_the_fields_a_credit_manager_segments_by(self):
        segment = self.seg_early.with_user(self.manager)
        offered = segment.partner_domain_fields
        self.assertEqual(offered[:3], ["credit_risk_tier_id", "credit_payment_behaviour", "credit_preferred_channel"])
        self.assertTrue({"country_id", "category_id", "user_id", "credit_sales_recent", "credit_risk_score"} <= set(
            offered))
        searchable = self.env["res.partner"].with_user(self.manager).fields_get(offered, ["searchable"])
        self.assertEqual([name for name in offered if not searchable[name]["searchable"]], [],
                         "every offered field can be used in a rule")
        self.assertNotIn("rtc_session_ids", offered)

    def test_a_segment_of_large_accounts_by_recent_sales(self):
        large, small = self._free(name="Large Account"), self._free(name="Small Account")
        self._invoice(large, 5000.0)
        self._invoice(small, 200.0)
        self._invoice(large, 9000.0, date=fields.Date.subtract(self.today, months=8))  # before the window
        Partner = self.env["res.partner"].with_user(self.manager)
        self.assertEqual(large.with_user(self.manager).credit_sales_recent, 5000)
        accounts = large | small
        self.assertEqual(Partner.search([("id", "in", accounts.ids), ("credit_sales_recent", ">=", 1000)]), large)
        self.assertEqual(Partner.search([("id", "in", accounts.ids), ("credit_sales_recent", "<", 1000)]), small)
        self.assertEqual(Partner.search([("id", "in", (accounts | self.customer_b).ids),
                                         ("credit_sales_recent", "<", 1000)]), small | self.customer_b,
                         "a customer without sales has sales of 0")
        segment = self.env["credit.segment"].with_user(self.manager).create({
            "name": "Large accounts", "sequence": 5, "company_id": self.company.id,
            "partner_domain": "[('credit_sales_recent', '>=', 1000)]",
        })
        self.assertEqual(large.credit_segment_id, segment)
        self.assertNotEqual(small.credit_segment_id, segment)

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
