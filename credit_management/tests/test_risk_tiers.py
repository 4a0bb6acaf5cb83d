from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class RiskTierTests:
    """Managers edit the tiers one after the other; any set of active tiers that leaves a
    score without a tier, or a tier without scores, is refused with the numbers."""

    def _tiers(self):
        """The risk tiers as the credit manager edits them."""
        return self.env["credit.risk.tier"].with_user(self.manager)

    def test_default_tiers_cover_every_score(self):
        Tier = self.env["credit.risk.tier"]
        self.assertEqual(Tier._credit_tier_for_score(0), self.tier_low)
        self.assertEqual(Tier._credit_tier_for_score(25), self.tier_low)
        self.assertEqual(Tier._credit_tier_for_score(25.1), self.tier_medium)
        self.assertEqual(Tier._credit_tier_for_score(75), self.tier_high)
        self.assertEqual(Tier._credit_tier_for_score(100), self.tier_critical)
        self.assertEqual(self.tier_medium.min_score, 25)
        self.assertEqual(self.tier_low.min_score, 0)

    def test_grouped_lists_never_add_up_scores_days_or_limits(self):
        """Summing the scores, review intervals or default limits of tiers (or customers'
        scores and ratings) means nothing: grouped lists and pivots leave them out, or
        average the scores."""
        aggregators = {
            ("credit.risk.tier", "max_score"): None,
            ("credit.risk.tier", "review_interval_days"): None,
            ("credit.risk.tier", "default_credit_limit"): None,
            ("credit.risk.tier", "color"): None,
            ("credit.risk.review", "score"): "avg",
            ("credit.risk.review", "previous_score"): "avg",
            ("res.partner", "credit_risk_score"): "avg",
            ("res.partner", "credit_external_rating"): "avg",
            ("res.partner", "credit_limit"): None,
        }
        for (model, field), aggregator in aggregators.items():
            description = self.env[model].with_user(self.manager).fields_get([field], ["aggregator"])[field]
            self.assertEqual(description.get("aggregator"), aggregator, f"{model}.{field}")

    def test_a_default_limit_of_zero_proposes_none(self):
        self.assertIn("0 (shown as No limit)", self.tier_critical._fields["default_credit_limit"].help)
        newcomer = self._customer("Risky Newcomer")
        newcomer.sudo().credit_risk_tier_id = self.tier_critical
        self.assertFalse(self.tier_critical.default_credit_limit)
        self.assertEqual(newcomer.with_company(self.company).credit_limit_proposed, 0, "no limit is proposed")

    def test_an_overlapping_tier_is_refused_with_the_numbers(self):
        with self.assertRaises(ValidationError) as caught:
            self.tier_medium.with_user(self.manager).max_score = 20
        message = str(caught.exception)
        self.assertIn("Medium goes up to score 20", message)
        self.assertIn("Low, before it in the sequence, already goes up to 25", message)
        self.assertEqual(self.tier_medium.max_score, 50, "Nothing is saved")

    def test_a_gap_above_the_last_tier_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Scores above 90 belong to no tier"):
            self.tier_critical.with_user(self.manager).max_score = 90

    def test_archiving_every_tier_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "At least one active risk tier"):
            self._tiers().search([]).action_archive()

    def test_a_tier_moved_before_a_lower_one_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "Medium goes up to score 50, but High"):
            self.tier_high.with_user(self.manager).sequence = 15

    def test_splitting_a_tier_one_record_at_a_time(self):
        """Medium (25-50) becomes Medium (25-40) and Elevated (40-50): each step is valid."""
        self.tier_medium.with_user(self.manager).max_score = 40
        elevated = self._tiers().create(
            {"name": "Elevated", "sequence": 25, "max_score": 50, "hold_policy": "over_limit"})
        Tier = self.env["credit.risk.tier"]
        self.assertEqual(Tier._credit_tier_for_score(45), elevated)
        self.assertEqual(elevated.min_score, 40)

    def test_removing_the_top_tier_raise_the_one_below_first(self):
        """Raising High to 100 leaves Critical without scores (accepted for the time of
        the change), then Critical can be archived."""
        self.tier_high.with_user(self.manager).max_score = 100
        self.assertEqual(self.env["credit.risk.tier"]._credit_tier_for_score(90), self.tier_high)
        self.tier_critical.with_user(self.manager).action_archive()
        self.assertFalse(self.tier_critical.active)

    def test_deleting_the_top_tier_alone_is_refused(self):
        tier = self._tiers().create({"name": "Top", "sequence": 50, "max_score": 100})
        self.tier_critical.with_user(self.manager).max_score = 99
        with self.assertRaisesRegex(ValidationError, "Scores above 99 belong to no tier"):
            tier.unlink()

    def test_several_tiers_changed_in_one_save_are_checked_together(self):
        (self.tier_low | self.tier_medium).with_user(self.manager).write({"max_score": 30})
        self.assertEqual(self.tier_medium.min_score, 30, "Medium now covers no score: accepted")

    def test_tier_form_shows_the_band_and_customers(self):
        self.customer.sudo().credit_risk_tier_id = self.tier_high
        with Form(self.tier_high.with_user(self.manager)) as form:
            form.max_score = 80
        self.assertEqual(self.tier_critical.min_score, 80)
        self.assertEqual(self.tier_high.partner_count, 1)
        action = self.tier_high.action_view_partners()
        self.assertEqual(self.env["res.partner"].search(action["domain"]), self.customer)

    def test_only_managers_change_tiers(self):
        for user in (self.salesman, self.controller):
            with self.assertRaises(AccessError):
                self.tier_low.with_user(user).write({"max_score": 20})
            with self.assertRaises(AccessError):
                self.env["credit.risk.tier"].with_user(user).create({"name": "X", "max_score": 100, "sequence": 99})
        self.assertEqual(self.tier_low.with_user(self.salesman).name, "Low", "Everyone reads them")

    def test_review_interval_out_of_bounds_is_refused_with_the_range(self):
        for days in (3_000_000, 0, -5):
            with self.assertRaisesRegex(ValidationError,
                                        r"Review Every \(Days\) of Low must be a number between 1 and 3,650"):
                self.tier_low.with_user(self.manager).review_interval_days = days
        with self.assertRaisesRegex(ValidationError, "between 1 and 3,650, not 3000000"):
            self._tiers().create({"name": "Slow", "max_score": 100, "sequence": 99, "review_interval_days": 3_000_000})
        self.tier_low.with_user(self.manager).review_interval_days = 3650
        self.assertEqual(self.tier_low.review_interval_days, 3650, "ten years is accepted")

    def test_default_limit_that_is_not_a_sensible_amount_is_refused_with_the_range(self):
        before = self.tier_low.default_credit_limit
        for amount in (float("nan"), float("inf"), 1e308, 1e15, -1):
            with self.assertRaisesRegex(
                    ValidationError, "Default Credit Limit of Low must be a number between 0 and 1,000,000,000,000"):
                self.tier_low.with_user(self.manager).default_credit_limit = amount
        self.assertEqual(self.tier_low.default_credit_limit, before, "Nothing is saved")
