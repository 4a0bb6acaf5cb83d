import importlib.util
import threading
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

from ..models.credit_info_demo import demo_identifiers

TOOL = Path(__file__).resolve().parents[2] / "tools" / "fake_credit_provider.py"


@tagged("post_install", "-at_install")
class TestCreditInfoDemo(TransactionCase):
    """The demo's customers have the numbers of their country and the demo provider reads
    the reports of the repository's fake credit bureau."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"].create([
            {"name": f"Demo {code}", "is_company": True, "ref": f"GEN-9{index:04d}",
             "country_id": cls.env["res.country"].search([("code", "=", code)]).id}
            for index, code in enumerate(("BE", "DE", "FR", "NL", "ES", "GB", "CA", "US", "IT"))
        ])
        # The demo file, loaded as an install with demo data loads it.
        convert_file(cls.env, "credit_management_demo", "demo/credit_info_demo.xml", {}, mode="init", noupdate=True)

    def test_demo_customers_get_the_numbers_of_their_country(self):
        by_country = {partner.country_id.code: partner for partner in self.customers}
        for code in ("BE", "DE", "FR", "NL", "ES", "GB", "CA"):
            self.assertTrue(by_country[code].vat, code)
            self.assertEqual(by_country[code].credit_identifier_state, "valid", code)
        self.assertEqual(by_country["FR"].company_registry, by_country["FR"].vat[4:], "the SIREN in the VAT number")
        self.assertRegex(by_country["US"].company_registry, r"^\d\d-\d{7}$")
        self.assertEqual(by_country["IT"].credit_identifier_state, "missing")
        self.assertEqual(demo_identifiers("BE", "GEN-00001"), demo_identifiers("BE", "GEN-00001"))

    def test_the_demo_provider_reads_the_fake_bureau(self):
        if not TOOL.exists():
            self.skipTest("tools/fake_credit_provider.py is not next to the addons")
        spec = importlib.util.spec_from_file_location("fake_credit_provider", TOOL)
        fake = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(fake)
        server = ThreadingHTTPServer(("127.0.0.1", 0), fake.Handler)
        server.options = SimpleNamespace(api_key="demo-api-key", login=None, currency="USD", slow=0.0, errors=0)
        server.tokens, server.lookups = set(), Counter()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        provider = self.env.ref("credit_management_demo.credit_info_provider_demo")
        self.assertEqual(provider.base_url, "http://127.0.0.1:8097")
        provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        belgian, american = self.customers.filtered(lambda p: p.country_id.code in ("BE", "US")).sorted("ref")
        reports = provider._credit_fetch(belgian | american, self.env.company, "manual")
        self.assertEqual(reports.mapped("state"), ["done", "done"])
        for report, identifier, country in ((reports[0], belgian.vat, "be"), (reports[1], american.company_registry,
                                                                              "us")):
            expected = fake.report_for(country, identifier, "USD")["report"]
            self.assertEqual(report.rating_value, expected["grade"])
            self.assertEqual(report.rating, {"A": 10, "B": 30, "C": 50, "D": 75, "E": 95}[expected["grade"]])
            self.assertEqual(report.recommended_limit, expected["recommended_limit"]["amount"])
        self.assertEqual(reports[1].identifier_type, "company_registry", "no VAT in the US: the EIN")
