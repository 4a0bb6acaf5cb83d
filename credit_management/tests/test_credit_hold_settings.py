from psycopg2 import IntegrityError

from odoo.tools import mute_logger


# The tests of TestCreditHold (in test_credit_hold.py), on the CreditHoldCommon setup.
class CreditHoldSettingsTests:
    """The hold rules in the settings, with a preview of what they would hold."""

    def test_preview_counts_the_open_quotations_the_rules_would_hold(self):
        self._invoice(self.customer, 900)
        self._overdue_invoice(self.customer, 10, 60)
        self._order(self.customer, 50, confirm=False)  # within the limit
        self._order(self.customer, 500, confirm=False)  # over it
        self._order(self.customer, 700)  # confirmed: not a quotation
        # What the settings screen shows while the manager edits the rules, before saving:
        # nothing is evaluated until the manager asks for the preview.
        settings = self.env["res.config.settings"].new({})
        self.assertEqual(
            (settings.credit_hold_open_count, settings.credit_hold_preview_count), (0, 0), "Not evaluated")
        settings.credit_hold_preview = True
        self.assertEqual(settings.credit_hold_current_count, 0, "Default rules hold nothing")
        self.assertEqual(settings.credit_hold_preview_count, 0)
        open_count = settings.credit_hold_open_count
        self.assertGreaterEqual(open_count, 2)
        settings.credit_hold_over_limit = True
        self.assertEqual(settings.credit_hold_preview_count, 2,
                         "The 700 confirmed takes the customer over its limit for both quotations")
        settings.credit_hold_over_limit = False
        settings.credit_hold_overdue_days = 30
        self.assertEqual(settings.credit_hold_preview_count, 2)
        self.assertEqual(settings.credit_hold_open_count, open_count)
        self.assertEqual(settings.credit_hold_current_count, 0, "Nothing saved yet")
        self.assertEqual(self.company.credit_hold_overdue_days, 0)
        self.env["res.config.settings"].create({"credit_hold_overdue_days": 30}).execute()
        self.assertEqual(self.company.credit_hold_overdue_days, 30)

    def test_bad_settings_are_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.company.credit_hold_overdue_days = -1
            self.company.flush_recordset()
