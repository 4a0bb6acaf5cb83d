import hashlib

from stdnum.be import vat as be_vat
from stdnum.ca import bn as ca_bn
from stdnum.de import vat as de_vat
from stdnum.es import nif as es_nif
from stdnum.fr import siren as fr_siren
from stdnum.fr import tva as fr_tva
from stdnum.gb import vat as gb_vat
from stdnum.nl import btw as nl_btw

from odoo import api, models

# How a demo customer's numbers are made, by country: (field, stdnum module, number of
# digits drawn, the number from the digits drawn and the check digits tried).
_PATTERNS = {
    "BE": [("vat", be_vat, 7, lambda body, n: f"BE0{body}{n:02d}", 100)],
    "DE": [("vat", de_vat, 8, lambda body, n: f"DE{int(body[0]) % 9 + 1}{body[1:]}{n}", 10)],
    "NL": [("vat", nl_btw, 8, lambda body, n: f"NL{body}{n}B01", 10)],
    "ES": [("vat", es_nif, 7, lambda body, n: f"ESB{body}{n}", 10)],
    "GB": [("vat", gb_vat, 7, lambda body, n: f"GB{int(body[0]) % 9 + 1}{body[1:]}{n:02d}", 100)],
    "CA": [("vat", ca_bn, 8, lambda body, n: f"{int(body[0]) % 9 + 1}{body[1:]}{n}", 10)],
}


def _digits(seed, count):
    """``count`` digits drawn from ``seed``: always the same for the same seed."""
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[-count:]


def _valid_number(module, seed, count, build, tries):
    """A number ``module`` accepts, built by ``build(digits, n)`` from ``count`` digits
    drawn from ``seed`` and the first ``n`` below ``tries`` that makes it valid."""
    for attempt in range(100):
        body = _digits(f"{seed}/{attempt}", count)
        for n in range(tries):
            number = build(body, n)
            if module.is_valid(number):
                return number
    raise ValueError(seed)


def demo_identifiers(country, seed):
    """``{field: number}`` of a demo customer of ``country`` (ISO code): a VAT number
    valid for python-stdnum (and the SIREN for France), or an Employer Identification
    Number as the registration number in the US; the same for the same ``seed``; empty
    for other countries."""
    country = (country or "").upper()
    if country == "FR":
        siren = _valid_number(fr_siren, seed, 8, lambda body, n: f"{body}{n}", 10)
        vat = _valid_number(fr_tva, seed, 0, lambda _body, n: f"FR{n:02d}{siren}", 100)
        return {"vat": vat, "company_registry": siren}
    if country == "US":
        digits = _digits(seed, 9)
        return {"company_registry": f"{int(digits[0]) % 8 + 1}{digits[1]}-{digits[2:]}"}
    return {fname: _valid_number(module, seed, count, build, tries)
            for fname, module, count, build, tries in _PATTERNS.get(country, ())}


class CreditDataGenerator(models.AbstractModel):
    _inherit = "credit.data.generator"

    @api.model
    def _generate_demo_identifiers(self):
        """Give the generated demo customers the VAT or registration numbers a customer
        of their country has, so that the demo credit information provider can look them
        up. Returns the customers given numbers."""
        partners = self.env["res.partner"].search([
            ("ref", "=like", "GEN-%"), ("is_company", "=", True), ("vat", "=", False),
            ("company_registry", "=", False),
        ])
        done = self.env["res.partner"]
        for partner in partners:
            values = demo_identifiers(partner.country_id.code, partner.ref)
            if values:
                partner.write(values)
                done |= partner
        return done
