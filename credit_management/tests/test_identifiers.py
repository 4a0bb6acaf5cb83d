from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import Form

# (country, typed, stored, formatted) — valid VAT numbers as people type them.
VALID_VATS = [
    ("be", "BE 0477.472.701", "BE0477472701", "BE 0477472701"),
    ("de", "de 136 695 976", "DE136695976", "DE 136695976"),
    ("fr", "FR 40 303 265 045", "FR40303265045", "FR 40303265045"),
    ("nl", "NL 0044.95.445.B01", "NL004495445B01", "NL 004495445B01"),
    ("it", "IT 007 431 101 57", "IT00743110157", "IT 00743110157"),
    ("es", "ES A-13585625", "ESA13585625", "ES A13585625"),
    ("ch", "CHE 107 787 577 IVA", "CHE107787577IVA", "CHE-107.787.577 IVA"),
    ("no", "NO 995525828 MVA", "NO995525828MVA", "NO 995 525 828 MVA"),
]
# (country, a number whose check digits are wrong, a number in the wrong format, the name of the
# format the message gives, an example it shows)
INVALID_VATS = [
    ("be", "BE0477472702", "BE047747270A", "Belgian enterprise number", "BE0403019261"),
    ("de", "DE136695977", "DE1366959", "German VAT number", "DE136695976"),
    ("fr", "FR40303265046", "FR4030326504X", "French VAT number", "FR40303265045"),
    ("nl", "NL004495446B01", "NL004495445X01", "the Dutch VAT number", "NL004495445B01"),
    ("it", "IT00743110158", "IT0074311015", "Italian VAT number", "IT00743110157"),
    ("es", "ESA13585626", "ES13585626", "Spanish VAT number", "ESB58378431"),
    ("ch", "CHE-107.787.578 IVA", "CHE-107.787 IVA", "the Swiss VAT number", "CHE-107.787.577 IVA"),
]


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class IdentifierTests:
    """A customer's VAT and company registration numbers are checked with python-stdnum
    for its country when entered or changed, stored compact, shown formatted, with or
    without Odoo's own VAT check (base_vat)."""

    def _country(self, code):
        return self.env.ref(f"base.{code}")

    def _company(self, code, **values):
        return self.env["res.partner"].create({
            "name": f"Customer {code.upper()}", "is_company": True, "country_id": self._country(code).id, **values})

    def _skip_if_odoo_checks_vat(self):
        if self.env["res.partner"]._credit_odoo_checks_vat():
            self.skipTest("base_vat is installed: Odoo checks VAT numbers itself (tested by "
                          "test_with_base_vat_installed_one_check_one_message)")

    def _odoo_checks_vat(self, checks=True):
        """Behave as with (or without) Odoo's base_vat installed, as far as this addon asks."""
        return patch.object(type(self.env["res.partner"]), "_credit_odoo_checks_vat", return_value=checks)

    # ------------------------------------------------------------------ without base_vat
    def test_valid_vat_numbers_of_eight_countries_are_stored_compact_and_shown_formatted(self):
        self._skip_if_odoo_checks_vat()
        for country, typed, stored, formatted in VALID_VATS:
            with self.subTest(country=country):
                partner = self._company(country, vat=typed)
                self.assertEqual(partner.vat, stored)
                self.assertEqual(partner.credit_vat_formatted, formatted)
                self.assertEqual(partner.credit_identifier_state, "valid")
                partner.write({"vat": f" {typed} "})
                self.assertEqual(partner.vat, stored, "changed again: stored compact again")

    def test_wrong_check_digits_and_formats_are_refused_with_the_expected_format_and_an_example(self):
        self._skip_if_odoo_checks_vat()
        for country, wrong_digits, wrong_format, expected, example in INVALID_VATS:
            with self.subTest(country=country):
                with self.assertRaises(ValidationError) as refused:
                    self._company(country, vat=wrong_digits)
                message = str(refused.exception)
                self.assertIn(f"The VAT number “{wrong_digits}” of Customer {country.upper()} is not valid for "
                              f"{self._country(country).name}: its check digits are wrong.", message)
                self.assertIn(expected, message)
                self.assertIn(f"for example {example}", message)
                partner = self._company(country)
                with self.assertRaises(ValidationError) as refused:
                    partner.write({"vat": wrong_format})
                self.assertNotIn("check digits", str(refused.exception))
                self.assertIn(example, str(refused.exception))

    def test_a_vat_number_of_another_eu_state_and_no_vat_are_accepted(self):
        self._skip_if_odoo_checks_vat()
        self.assertEqual(self._company("fr", vat="BE 0477 472 701").vat, "BE0477472701")
        self.assertEqual(self._company("be", vat="/").credit_identifier_state, "missing")

    def test_a_vat_number_the_context_says_not_to_check_is_stored_as_given(self):
        self._skip_if_odoo_checks_vat()
        partner = self.env["res.partner"].with_context(no_vat_validation=True).create({
            "name": "Pushed by an API", "is_company": True, "country_id": self._country("be").id,
            "vat": "BE0477472702"})
        self.assertEqual(partner.vat, "BE0477472702")
        self.assertEqual(partner.credit_identifier_state, "invalid", "the Identifiers filter lists it")

    # ------------------------------------------------------------------ registration numbers
    def test_registration_numbers_are_checked_where_stdnum_knows_them(self):
        for country, typed, stored, formatted in (
            ("fr", "732 829 320 00074", "73282932000074", "732 829 320 00074"),   # SIRET
            ("fr", "552.008.443", "552008443", "552008443"),                         # SIREN
            ("no", "988 077 917", "988077917", "988 077 917"),
            ("dk", "13 58 56 28", "13585628", "13585628"),
            ("fi", "2077474-0", "20774740", "2077474-0"),
            ("ch", "CHE-100.155.212", "CHE100155212", "CHE-100.155.212"),
        ):
            with self.subTest(country=country, typed=typed):
                partner = self._company(country, company_registry=typed)
                self.assertEqual(partner.company_registry, stored)
                self.assertEqual(partner.credit_company_registry_formatted, formatted)
                self.assertEqual(partner.credit_identifier_state, "valid")
        with self.assertRaises(ValidationError) as refused:
            self._company("fr", company_registry="552 008 444")
        self.assertIn("its check digits are wrong. Expected: SIREN", str(refused.exception))
        self.assertIn("for example 552008443", str(refused.exception))
        with self.assertRaises(ValidationError) as refused:
            self._company("de", company_registry="HRB 12345")
        self.assertIn("it is not written as expected. Expected: Handelsregisternummer", str(refused.exception))

    def test_countries_without_a_check_accept_the_number_as_typed(self):
        dutch = self._company("nl", company_registry="KvK 1234-5678")
        self.assertEqual(dutch.company_registry, "KvK 1234-5678", "no stdnum module for a Dutch KvK number")
        self.assertEqual(dutch.credit_identifier_state, "unchecked")
        nowhere = self.env["res.partner"].create({"name": "No Country", "is_company": True, "company_registry": "x"})
        self.assertEqual(nowhere.company_registry, "x")

    def test_identifiers_missing_or_invalid_are_listed_by_the_filter(self):
        valid = self._company("be", vat="BE0477472701")
        missing = self._company("de")
        moved = self._company("fr", company_registry="552008443")
        moved.country_id = self._country("no")  # changing the country is not refused: the filter shows it
        self.assertEqual(moved.credit_identifier_state, "invalid")
        self.assertIn("not valid for Norway", moved.credit_identifier_issue)
        self.assertEqual(missing.credit_identifier_state, "missing")
        action = self.env.ref("credit_management.res_partner_view_search_credit_info")
        self.assertIn("credit_identifiers_to_fix", action.arch)
        found = self.env["res.partner"].with_user(self.controller).search(
            [("credit_identifier_state", "in", ("missing", "invalid")), ("id", "in", (valid | missing | moved).ids)])
        self.assertEqual(found, missing | moved)

    def test_contacts_follow_their_company(self):
        self._skip_if_odoo_checks_vat()
        company = self._company("be", vat="BE 0477 472 701")
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": company.id})
        self.assertEqual(contact.vat, "BE0477472701")
        company.vat = "BE 0403 019 261"
        self.assertEqual(contact.vat, "BE0403019261")

    def test_the_customer_form_refuses_a_wrong_number_where_it_is_typed(self):
        self._skip_if_odoo_checks_vat()
        form = Form(self.env["res.partner"])
        form.name = "Typed In A Form"
        form.company_type = "company"
        form.country_id = self._country("be")
        form.vat = "BE0477472702"
        with self.assertRaises(ValidationError):
            form.save()
        form.vat = "be 0477 472 701"
        partner = form.save()
        self.assertEqual(partner.vat, "BE0477472701")

    def test_module_data_is_not_refused(self):
        partner = self.env["res.partner"].with_context(install_mode=True).create({
            "name": "Loaded Demo Company", "is_company": True, "country_id": self._country("no").id,
            "company_registry": "123456789"})
        self.assertEqual(partner.credit_identifier_state, "invalid")

    # ------------------------------------------------------------------ with base_vat
    def test_with_odoo_checking_vat_numbers_this_addon_leaves_them_alone(self):
        """As with base_vat installed (its check present): the VAT number is Odoo's to
        check and format, no second check nor message; registration numbers are still
        checked here. The state follows Odoo's verdict (``_run_vat_checks``). Where
        base_vat is installed, the test below checks the real thing instead."""
        self._skip_if_odoo_checks_vat()
        Partner = type(self.env["res.partner"])
        with self._odoo_checks_vat():
            partner = self._company("be", vat="BE 0477 472 702")
            self.assertEqual(partner.vat, "BE 0477 472 702", "neither refused nor reformatted by this addon")
            with self.assertRaises(ValidationError):
                partner.write({"company_registry": "0477.472.702"})
            partner.write({"company_registry": "0477.472.701"})
            self.assertEqual(partner.company_registry, "0477472701")
            with patch.object(Partner, "_run_vat_checks", autospec=True, return_value=("", "BE")) as odoo_check:
                partner.invalidate_recordset(["credit_identifier_state"])
                partner.vat = "BE0477472799"
                self.assertEqual(partner.credit_identifier_state, "invalid", "Odoo's verdict")
            self.assertEqual(odoo_check.call_args.args[1:3], (self._country("be"), "BE0477472799"))
            self.assertEqual(odoo_check.call_args.kwargs["validation"], "setnull")
            partner.vat = "BE0477472701"
            self.assertEqual(partner.credit_identifier_state, "valid")

    def test_with_base_vat_installed_one_check_one_message(self):
        if not self.env["res.partner"]._credit_odoo_checks_vat():
            self.skipTest("base_vat is not installed")
        with self.assertRaises(ValidationError) as refused:
            self._company("be", vat="BE0477472702")
        message = str(refused.exception)
        self.assertIn("does not seem to be valid", message, "base_vat's message")
        self.assertNotIn("check digits", message, "not this addon's as well")
        partner = self._company("be", vat="BE 0477 472 701", company_registry="0477 472 701")
        self.assertEqual(partner.vat, "BE0477472701", "formatted by base_vat")
        self.assertEqual(partner.company_registry, "0477472701")
        self.assertEqual(partner.credit_identifier_state, "valid")
        with self.assertRaises(ValidationError) as refused:
            self._company("fr", company_registry="552 008 444")
        self.assertIn("its check digits are wrong", str(refused.exception))
