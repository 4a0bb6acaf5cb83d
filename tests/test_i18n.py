"""Translations: what ``tools/i18n.py`` checks and merges, and the committed ``.po`` files."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import i18n

polib = pytest.importorskip("polib")


def entry(msgid, msgstr="", where="code:addons/credit_management/models/sale_order.py", line="0"):
    return polib.POEntry(msgid=msgid, msgstr=msgstr, occurrences=[(where, line)], comment="module: credit_management")


def write(path, *entries, date="2026-01-01 10:00+0000"):
    """A .po/.pot file as Odoo writes one: a header with its creation date, then ``entries``."""
    po = polib.POFile()
    po.metadata = {"Project-Id-Version": "Odoo Server 19.0", "POT-Creation-Date": date,
                   "Content-Type": "text/plain; charset=UTF-8"}
    for item in entries:
        po.append(item)
    po.save(str(path))
    return path


def test_a_translation_that_loses_or_renames_a_placeholder_is_reported(tmp_path):
    po = write(tmp_path / "fr.po",
               entry("Exposure %(amount)s", "Encours %(amount)s"),
               entry("Limit %(amount)s", "Plafond %(montant)s"),
               entry("%(count)s reminder(s) to review", "relances à vérifier"),
               entry("Untranslated %(x)s"))
    problems = i18n.translation_problems(po)
    assert len(problems) == 2
    assert "Limit %(amount)s" in problems[0] and "%(montant)s" in problems[0]
    assert "reminder(s) to review" in problems[1]


def test_translated_markup_keeps_its_tags_and_expressions_but_not_its_titles(tmp_path):
    source = '<span invisible="not limit" title="A limit">No limit</span>'
    po = write(tmp_path / "fr.po",
               entry(source, '<span invisible="not limit" title="Un plafond">Aucun plafond</span>',
                     where="model_terms:ir.ui.view,arch_db:credit_management.view"))
    assert i18n.translation_problems(po) == []
    po = write(tmp_path / "fr.po",
               entry(source, '<span invisible="limit" title="Un plafond">Aucun plafond</span>',
                     where="model_terms:ir.ui.view,arch_db:credit_management.view"))
    assert "markup differs" in i18n.translation_problems(po)[0]


def test_templates_that_differ_only_by_their_dates_and_line_numbers_are_current(tmp_path):
    committed = write(tmp_path / "committed.pot", entry("Credit Limit", line="12"), date="2025-01-01 00:00+0000")
    fresh = write(tmp_path / "fresh.pot", entry("Credit Limit", line="0"))
    assert i18n.compare_templates(fresh, committed) is None


def test_a_template_missing_a_new_message_or_keeping_an_old_one_is_not_current(tmp_path):
    committed = write(tmp_path / "committed.pot", entry("Credit Limit"), entry("Old message"))
    fresh = write(tmp_path / "fresh.pot", entry("Credit Limit"), entry("New message"), entry("Another one"))
    assert i18n.compare_templates(fresh, committed) == (2, 1)
    assert i18n.compare_templates(fresh, tmp_path / "absent.pot") == (3, 0)
    moved = write(tmp_path / "moved.pot", entry("Credit Limit", where="code:addons/credit_management/models/x.py"),
                  entry("Old message"))
    assert i18n.compare_templates(moved, committed) == (0, 0)


def test_merging_keeps_translations_adds_new_messages_untranslated_and_drops_removed_ones(tmp_path):
    po = write(tmp_path / "fr.po", entry("Credit Limit", "Plafond de crédit"), entry("Gone", "Parti"))
    template = polib.pofile(str(write(tmp_path / "t.pot", entry("Credit Limit", where="model:x"), entry("Brand new"))))
    dropped = i18n.merge_translation(po, template)
    merged = polib.pofile(str(po))
    assert dropped == ["Gone"]
    assert [(e.msgid, e.msgstr) for e in merged] == [("Credit Limit", "Plafond de crédit"), ("Brand new", "")]
    assert merged[0].occurrences == [("model:x", "0")]


@pytest.mark.parametrize("addon", i18n.ADDONS)
def test_the_committed_translations_are_merged_with_their_template_and_keep_placeholders(addon):
    template = i18n.template_path(addon)
    if not template.exists():
        pytest.skip(f"{addon} has no template")
    messages = {e.msgid for e in polib.pofile(str(template))}
    for po_path in i18n.translation_paths(addon):
        translated = {e.msgid for e in polib.pofile(str(po_path)) if not e.obsolete}
        assert translated == messages, f"{po_path.name}: run `{i18n.EXPORT_COMMAND}`"
        assert i18n.translation_problems(po_path) == []
