import pytest
from hypothesis import given
from hypothesis import strategies as st

from credit_core.identifiers import (
    EMPTY,
    INVALID,
    NONE,
    REGISTRY,
    REGISTRY_MODULES,
    UNCHECKED,
    VALID,
    VAT,
    check_identifier,
    module_example,
    modules_for,
)

# (country, typed, stored): valid numbers as people type them, and what is stored.
VALID_VATS = [
    ("be", "BE 0477.472.701", "BE0477472701"),
    ("be", "0477 472 701", "0477472701"),
    ("de", "de 136 695 976", "DE136695976"),
    ("fr", "FR 40 303 265 045", "FR40303265045"),
    ("nl", "NL 0044.95.445.B01", "NL004495445B01"),
    ("it", "IT 00743110157", "IT00743110157"),
    ("es", "ES A-13585625", "ESA13585625"),
    ("gr", "EL 094259216", "EL094259216"),
    ("gb", "GB 980 7806 84", "GB980780684"),
    ("ch", "CHE-107.787.577 IVA", "CHE107787577IVA"),
    ("no", "NO 995 525 828 MVA", "NO995525828MVA"),
]
# (country, typed, error)
INVALID_VATS = [
    ("be", "BE0477472702", "checksum"),
    ("be", "BE04774727", "length"),
    ("de", "DE136695977", "checksum"),
    ("de", "DE13669597X", "format"),
    ("fr", "FR40303265046", "checksum"),
    ("nl", "NL004495445C01", "format"),
    ("it", "IT00743110158", "checksum"),
    ("ch", "CHE-107.787.578 IVA", "checksum"),
]


@pytest.mark.parametrize(("country", "typed", "stored"), VALID_VATS)
def test_valid_vat_numbers_are_stored_compact_with_the_prefix_typed(country, typed, stored):
    check = check_identifier(VAT, country, typed)
    assert check.status == VALID
    assert check.compact == stored
    assert check.usable
    # Checking the stored form again gives the same form: normalising is idempotent.
    assert check_identifier(VAT, country, check.compact).compact == stored


@pytest.mark.parametrize(("country", "typed", "error"), INVALID_VATS)
def test_invalid_vat_numbers_say_what_is_wrong_and_show_a_valid_example(country, typed, error):
    check = check_identifier(VAT, country, typed)
    assert check.status == INVALID
    assert check.error == error
    assert check.compact == typed, "an invalid number is kept as typed"
    assert check.expected
    assert check_identifier(VAT, country, check.example).status == VALID, check.example


def test_eu_examples_carry_the_country_prefix():
    assert check_identifier(VAT, "be", "BE1").example.startswith("BE")
    assert check_identifier(VAT, "gr", "EL1").example.startswith("EL")


def test_a_vat_number_of_another_eu_state_is_checked_for_that_state():
    assert check_identifier(VAT, "fr", "BE 0477 472 701").compact == "BE0477472701"
    assert check_identifier(VAT, "fr", "BE0477472702").status == INVALID


def test_without_a_module_or_a_country_the_number_is_accepted_as_typed():
    assert check_identifier(VAT, "us", " 12-3456789 ").status == UNCHECKED
    assert check_identifier(VAT, "us", " 12-3456789 ").compact == "12-3456789"
    assert check_identifier(VAT, "", "BE0477472702").status == UNCHECKED
    assert check_identifier(REGISTRY, "nl", "KvK 1234").status == UNCHECKED
    assert check_identifier(REGISTRY, "gb", "01234567").usable
    assert check_identifier(REGISTRY, "us", "91-1144442").status == UNCHECKED


def test_empty_and_no_vat():
    assert check_identifier(VAT, "be", "  ").status == EMPTY
    assert check_identifier(VAT, "be", False).status == EMPTY
    assert check_identifier(VAT, "be", "/").status == NONE
    assert not check_identifier(VAT, "be", "/").usable


@pytest.mark.parametrize(("country", "typed", "stored"), [
    ("fr", "552 008 443", "552008443"),          # SIREN
    ("fr", "732 829 320 00074", "73282932000074"),  # SIRET
    ("be", "0403.019.261", "0403019261"),
    ("dk", "13 58 56 28", "13585628"),
    ("no", "988 077 917", "988077917"),
    ("se", "123456-7897", "1234567897"),
    ("fi", "2077474-0", "20774740"),
    ("ch", "CHE-100.155.212", "CHE100155212"),
    ("de", "Aachen HRA 11223", "Aachen HRA 11223"),
])
def test_registration_numbers(country, typed, stored):
    check = check_identifier(REGISTRY, country, typed)
    assert (check.status, check.compact) == (VALID, stored)


def test_a_wrong_registration_number_names_every_accepted_kind():
    check = check_identifier(REGISTRY, "fr", "552 008 444")
    assert (check.status, check.error) == (INVALID, "checksum")
    assert "SIREN" in check.expected and "SIRET" in check.expected
    assert check_identifier(REGISTRY, "de", "HRB 12345").error == "format"


def test_numbers_are_shown_formatted():
    assert check_identifier(REGISTRY, "fr", "73282932000074").formatted == "732 829 320 00074"
    assert check_identifier(VAT, "no", "NO995525828MVA").formatted == "NO 995 525 828 MVA"
    assert check_identifier(VAT, "be", "BE0477472701").formatted == "BE 0477472701"


@pytest.mark.parametrize("country", sorted(REGISTRY_MODULES))
def test_every_registry_country_has_a_valid_example(country):
    examples = [module_example(module) for module in modules_for(REGISTRY, country)]
    assert any(examples)
    for example in filter(None, examples):
        assert check_identifier(REGISTRY, country, example).status == VALID, (country, example)


@pytest.mark.parametrize("country", ["at", "be", "bg", "cy", "cz", "de", "dk", "ee", "es", "fi", "fr", "gr", "hr",
                                     "hu", "ie", "it", "lt", "lu", "lv", "mt", "nl", "pl", "pt", "ro", "se", "si",
                                     "sk", "gb", "ch", "no", "au", "br", "mx", "ca"])
def test_every_vat_country_has_a_valid_example(country):
    check = check_identifier(VAT, country, "0")
    assert check.status == INVALID
    assert check_identifier(VAT, country, check.example).status == VALID, (country, check.example)


@given(st.text(max_size=20))
def test_any_text_gets_an_answer(text):
    for kind in (VAT, REGISTRY):
        check = check_identifier(kind, "be", text)
        assert check.status in (EMPTY, NONE, VALID, INVALID)
        assert check.compact == text.strip() or check.status == VALID
