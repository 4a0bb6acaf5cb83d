# The tests of TestCreditBasics (in test_exposure.py), on the CreditCommon setup.
from odoo.exceptions import AccessError


class TranslationTests:
    """The addon speaks French to French-speaking users (``i18n/fr.po``): its labels, its
    messages and the data it ships, while English users keep reading English."""

    def _credit_french_env(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["credit_management"], ["fr_FR"], overwrite=True)
        return self.env(context=dict(self.env.context, lang="fr_FR"))

    def test_shipped_segments_levels_and_labels_read_in_french(self):
        fr = self._credit_french_env()
        segment = fr.ref("credit_management.credit_segment_struggling")
        self.assertEqual(segment.name, "Clients en difficulté")
        self.assertTrue(segment.description.startswith("Clients aux retards croissants"), segment.description)
        call = fr.ref("credit_management.credit_followup_level_struggling_call")
        self.assertTrue(call.note.startswith("Demandez comment se porte l'activité"), call.note)
        behaviours = dict(fr["res.partner"]._fields["credit_payment_behaviour"]._description_selection(fr))
        self.assertEqual(behaviours["struggling"], "En difficulté")
        self.assertEqual(fr["res.partner"].fields_get(["credit_exposure"])["credit_exposure"]["string"], "Encours")

        english = self.env(context=dict(self.env.context, lang="en_US"))
        self.assertTrue(english.ref("credit_management.credit_segment_struggling").description.startswith(
            "Customers with growing delays"))

    def test_a_refused_credit_change_is_explained_in_the_users_language(self):
        self._credit_french_env()
        self.salesman.lang = "fr_FR"
        customer = self.customer.with_user(self.salesman).with_context(lang="fr_FR")
        with self.assertRaisesRegex(AccessError, "Blocage de crédit manuel.*Adressez-vous à votre service crédit"):
            customer.write({"credit_manual_hold": True})
