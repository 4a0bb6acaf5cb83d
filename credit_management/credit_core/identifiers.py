"""A customer's identifiers — its VAT number and its company registration number — checked
with python-stdnum for the customer's country: format and check digits, the compact form
to store, the formatted form to show, and what to tell the user when it is wrong.

VAT numbers keep the country prefix the user typed (``BE 0477.472.701`` is stored as
``BE0477472701``, ``0477 472 701`` as ``0477472701``), as Odoo's own VAT check does:
stdnum's ``compact`` of the number itself, prefix kept. An EU VAT number typed with
another member state's prefix is checked for that state (a customer's branch elsewhere in
the EU). A country without a stdnum module (or no country at all) accepts what is typed.
"""

import importlib
import re
from dataclasses import dataclass
from functools import cache

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.util import get_cc_module

VAT = "vat"
REGISTRY = "company_registry"

# The stdnum modules of company registration numbers, by country (lower-case ISO code),
# the most usual first; a number valid for any of them is accepted. Modules that read
# stdnum's data files are left out (see us.ein below).
REGISTRY_MODULES = {
    "at": ("at.businessid",),
    "au": ("au.acn", "au.abn"),
    "be": ("be.vat",),  # the enterprise number (KBO/BCE): the VAT number's digits
    "br": ("br.cnpj",),
    "ca": ("ca.bn",),
    "ch": ("ch.uid",),
    "cn": ("cn.uscc",),
    "de": ("de.handelsregisternummer",),
    "dk": ("dk.cvr",),
    "ee": ("ee.registrikood",),
    "es": ("es.cif",),
    "fi": ("fi.ytunnus",),
    "fr": ("fr.siren", "fr.siret"),
    "it": ("it.iva",),
    "jp": ("jp.cn",),
    "no": ("no.orgnr",),
    "pl": ("pl.regon",),
    "pt": ("pt.nif",),
    "se": ("se.orgnr",),
    "sg": ("sg.uen",),
    # Not us.ein: it reads a data file of stdnum that Odoo 19's import hook on stdnum
    # (odoo/_monkeypatches) leaves unreadable ("Can't open orphan path").
}
# Examples for the modules whose documentation shows none (checked by the tests).
EXAMPLES = {
    "stdnum.ie.vat": "6433435F",
    "stdnum.ro.cf": "18547290",
    "stdnum.lt.pvm": "119511515",
}
# Odoo's "no VAT" mark: the customer is not subject to VAT.
NO_VAT = "/"

# Status of a check.
EMPTY = "empty"          # nothing typed
NONE = "none"            # "/": deliberately none
VALID = "valid"
INVALID = "invalid"
UNCHECKED = "unchecked"  # no country, or no stdnum module for it: accepted as typed

_EXAMPLE_RE = re.compile(r">>> (?:validate|compact)\('([^']+)'\)[^\n]*\n\s*'([^']+)'")
_PUNCTUATION_RE = re.compile(r"[\s.,\-/()]")


@dataclass(frozen=True)
class IdentifierCheck:
    """The outcome of checking one identifier.

    ``status`` is one of :data:`EMPTY`, :data:`NONE`, :data:`VALID`, :data:`INVALID`,
    :data:`UNCHECKED`; ``compact`` is what to store (the typed text, stripped, when not
    valid), ``formatted`` what to show; for an invalid number, ``error`` says what is
    wrong (``checksum``, ``length``, ``format`` or ``component``); ``expected`` names
    the numbers the country expects (stdnum's names) and ``example`` shows one.
    """

    kind: str
    country: str
    status: str
    compact: str
    formatted: str
    error: str = ""
    expected: str = ""
    example: str = ""

    @property
    def usable(self):
        """Whether the number can be used to look the company up."""
        return self.status in (VALID, UNCHECKED)


@cache
def _module(name):
    return importlib.import_module(f"stdnum.{name}")


def modules_for(kind, country):
    """The stdnum modules checking ``kind`` (:data:`VAT` or :data:`REGISTRY`) numbers of
    ``country`` (ISO code, any case), in the order they are tried; empty when stdnum has
    none."""
    country = (country or "").lower()
    if not country:
        return ()
    if kind == VAT:
        module = get_cc_module(country, "vat")
        return (module,) if module else ()
    return tuple(_module(name) for name in REGISTRY_MODULES.get(country, ()))


def module_name(module):
    """stdnum's name of the numbers ``module`` checks: the first line of its
    documentation ("SIREN (a French company identification number)")."""
    return (module.__doc__ or module.__name__).strip().splitlines()[0].rstrip(".")


def module_example(module):
    """A valid number of ``module`` from its documentation (or :data:`EXAMPLES`),
    formatted when the module can; empty when none is known."""
    example = EXAMPLES.get(module.__name__, "")
    if not example:
        for _typed, compact in _EXAMPLE_RE.findall(module.__doc__ or ""):
            if module.is_valid(compact):
                example = compact
                break
    if example and hasattr(module, "format"):
        return module.format(example)
    return example


def vat_prefix(country):
    """The prefix of ``country``'s VAT numbers (``EL`` for Greece)."""
    country = (country or "").lower()
    return "EL" if country == "gr" else country.upper()


def _error_code(error):
    if isinstance(error, InvalidChecksum):
        return "checksum"
    if isinstance(error, InvalidLength):
        return "length"
    if isinstance(error, InvalidComponent):
        return "component"
    return "format"


# The more an error says about the number, the better it describes it: a wrong check
# digit means the number had the right shape.
_ERROR_RANK = {"checksum": 0, "component": 1, "length": 2, "format": 3}


def _expected(kind, country, modules):
    names = " / ".join(module_name(module) for module in modules)
    example = ""
    for module in modules:
        example = module_example(module)
        if example:
            break
    if kind == VAT and example and country in eu_vat.MEMBER_STATES:
        compact = modules[0].compact(example)
        prefix = vat_prefix(country)
        example = compact if compact.upper().startswith(prefix) else prefix + compact
    return names, example


def _formatted(module, compact):
    if hasattr(module, "format"):
        try:
            return module.format(compact)
        except ValidationError:
            return compact
    return compact


def _check_with(modules, number):
    """``(module, compact)`` of the first of ``modules`` that accepts ``number``, or
    ``(None, error code)``."""
    errors = []
    for module in modules:
        try:
            return module, module.validate(number)
        except ValidationError as error:
            errors.append(_error_code(error))
    return None, min(errors, key=_ERROR_RANK.get) if errors else "format"


def _typed_prefix(country, number, compact):
    """The country prefix the user typed before a number that stdnum stores without it."""
    prefix = vat_prefix(country)
    cleaned = _PUNCTUATION_RE.sub("", number).upper()
    if prefix and cleaned.startswith(prefix) and not compact.upper().startswith(prefix):
        return prefix
    return ""


def check_identifier(kind, country, number):
    """Check ``number``, a ``kind`` identifier (:data:`VAT` or :data:`REGISTRY`) of a
    customer of ``country`` (ISO code, any case; empty when unknown): an
    :class:`IdentifierCheck`."""
    country = (country or "").lower()
    typed = (number or "").strip()
    if not typed:
        return IdentifierCheck(kind, country, EMPTY, "", "")
    if kind == VAT and typed == NO_VAT:
        return IdentifierCheck(kind, country, NONE, typed, typed)
    modules = modules_for(kind, country)
    if not modules:
        return IdentifierCheck(kind, country, UNCHECKED, typed, typed)
    module, result = _check_with(modules, typed)
    if module is not None:
        prefix = _typed_prefix(country, typed, result) if kind == VAT else ""
        formatted = _formatted(module, result)
        if prefix and not formatted.upper().startswith(prefix):
            formatted = f"{prefix} {formatted}"
        return IdentifierCheck(kind, country, VALID, prefix + result, formatted)
    if kind == VAT:
        foreign = _foreign_eu_vat(country, typed)
        if foreign:
            return IdentifierCheck(kind, country, VALID, foreign, foreign)
    expected, example = _expected(kind, country, modules)
    return IdentifierCheck(kind, country, INVALID, typed, typed, result, expected, example)


def _foreign_eu_vat(country, number):
    """``number``'s compact form when it is the valid VAT number of another EU member
    state than ``country``, typed with that state's prefix; empty otherwise."""
    prefix = _PUNCTUATION_RE.sub("", number)[:2].lower()
    member = "gr" if prefix == "el" else prefix
    if member == country or member not in eu_vat.MEMBER_STATES:
        return ""
    try:
        return eu_vat.validate(number)
    except ValidationError:
        return ""
