#!/usr/bin/env python3
"""Translations of the addons: the templates (``.pot``) and the translations (``.po``).

``export`` regenerates each addon's ``i18n/<addon>.pot`` with Odoo's own export
(``odoo i18n export``) from a database where the addons are installed, merges the new
template into every ``i18n/<lang>.po`` of the addon (translations kept by message,
messages gone from the code dropped, new ones added untranslated) and lists what is left
to translate. ``status`` only lists that, without Odoo. The test command checks that the
committed templates are current with :func:`outdated_templates` and that the translations
keep their placeholders with :func:`translation_problems`.

Usage::

    python3 tools/i18n.py export                   # a temporary database, dropped afterwards
    python3 tools/i18n.py export --database NAME   # an existing database, updated first
    python3 tools/i18n.py status                   # counts and untranslated messages, no Odoo
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import devctl

REPO = devctl.REPO
ADDONS = (devctl.ADDON, devctl.DEMO_ADDON)
EXPORT_COMMAND = "python3 tools/i18n.py export"

# What a translation must keep of its source: Python placeholders (``%(name)s``, ``%s``,
# ``%%``), QWeb/inline-template expressions (``{{ … }}``, ``{…}`` of format strings and
# ``#{…}``) and the HTML/QWeb tags with their attributes.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%"
                         r"|\{\{.*?\}\}|#\{.*?\}|\{[A-Za-z_][\w.]*\}")
TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
TRANSLATED_ATTRIBUTE = re.compile(
    r'\b(title|alt|placeholder|aria-label|string|help|label|confirm)=\s*("[^"]*"|\'[^\']*\')')


def _polib():
    try:
        import polib
    except ImportError:
        sys.exit("The Python package 'polib' is missing (Odoo needs it too): pip install polib")
    return polib


def _display(path):
    """``path`` relative to the repository when it is in it."""
    path = Path(path)
    return path.relative_to(REPO) if path.is_relative_to(REPO) else path


def template_path(addon):
    return REPO / addon / "i18n" / f"{addon}.pot"


def translation_paths(addon):
    return sorted((REPO / addon / "i18n").glob("*.po"))


# ---------------------------------------------------------------- export
def _config_file(odoo, folder):
    """A configuration file for Odoo's ``i18n`` command, which reads its options from one."""
    conf = Path(folder) / "odoo-i18n.conf"
    conf.write_text(f"[options]\naddons_path = {odoo.addons_path}\nlog_level = warn\n")
    return conf


def export_templates(odoo, database, folder):
    """Export each addon's template from ``database`` into ``folder`` with Odoo's own export.

    Returns {addon: path of its exported template}; an addon without any translatable term
    is left out (Odoo writes no file then)."""
    folder = Path(folder)
    conf = _config_file(odoo, folder)
    exported = {}
    for addon in ADDONS:
        target = folder / f"{addon}.pot"
        command = [*odoo.command, "i18n", "export", "-c", str(conf), "-d", database, "-o", str(target), addon]
        devctl.announce(command)
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
        if result.returncode:
            sys.stderr.write(result.stdout + result.stderr)
            raise RuntimeError(f"Odoo's export of {addon} from '{database}' failed (see above).")
        if target.exists() and target.stat().st_size:
            exported[addon] = target
    return exported


def _entry_key(entry):
    """What makes a template entry: its message and where it comes from (line numbers,
    which Odoo writes as 0 for code anyway, left out)."""
    return (entry.msgctxt, entry.msgid, entry.msgid_plural,
            tuple(sorted(name for name, _line in entry.occurrences)), entry.comment)


def _template_entries(path):
    polib = _polib()
    return {_entry_key(entry) for entry in polib.pofile(str(path)) if not entry.obsolete}


def compare_templates(fresh, committed):
    """What differs between the template Odoo just exported (``fresh``) and the committed
    one (a path that may not exist), ignoring the header (creation dates, version) and
    line numbers: None when they match, else (messages added, messages removed); both
    zero when only references moved."""
    fresh_entries = _template_entries(fresh) if fresh else set()
    current = _template_entries(committed) if committed.exists() else set()
    if fresh_entries == current:
        return None
    fresh_ids, current_ids = {key[:3] for key in fresh_entries}, {key[:3] for key in current}
    return len(fresh_ids - current_ids), len(current_ids - fresh_ids)


def outdated_templates(odoo, database):
    """Compare the committed templates with the ones Odoo exports from ``database`` (where
    the addons of this working tree are installed). Returns one line per addon whose
    template is not current."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="credit-i18n-") as folder:
        try:
            exported = export_templates(odoo, database, folder)
        except RuntimeError as error:
            return [str(error)]
        for addon in ADDONS:
            committed = template_path(addon)
            difference = compare_templates(exported.get(addon), committed)
            if difference:
                added, removed = difference
                problems.append(
                    f"{_display(committed)} is not current ({added} new, {removed} removed message(s), "
                    f"or moved ones): regenerate it with `{EXPORT_COMMAND}`")
    return problems


def merge_translation(po_path, template):
    """Bring ``po_path`` in line with ``template`` (a polib POFile): its entries in the
    template's order with the template's references, each keeping the translation it had
    for the same message. Returns the messages dropped because the code no longer has them."""
    polib = _polib()
    old = polib.pofile(str(po_path))
    known = {(entry.msgctxt, entry.msgid): entry for entry in old if not entry.obsolete and entry.msgstr}
    merged = polib.POFile(wrapwidth=old.wrapwidth)
    merged.header = template.header
    merged.metadata = dict(old.metadata)
    merged.metadata["POT-Creation-Date"] = template.metadata.get("POT-Creation-Date", "")
    for entry in template:
        previous = known.pop((entry.msgctxt, entry.msgid), None)
        merged.append(polib.POEntry(
            msgctxt=entry.msgctxt, msgid=entry.msgid, msgid_plural=entry.msgid_plural,
            msgstr=previous.msgstr if previous else "",
            msgstr_plural=previous.msgstr_plural if previous else entry.msgstr_plural,
            occurrences=entry.occurrences, comment=entry.comment, tcomment=entry.tcomment,
            flags=[flag for flag in entry.flags if flag != "fuzzy"],
        ))
    merged.save(str(po_path))
    return [msgid for _ctx, msgid in known]


# ---------------------------------------------------------------- checks of a translation
def _markers(text):
    return sorted(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))


def translation_problems(po_path):
    """The translated entries of ``po_path`` whose placeholders or markup differ from their
    message's: a translation that would fail to format, or break the page it is shown on."""
    polib = _polib()
    problems = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete or not entry.msgstr:
            continue
        source, translation = _markers(entry.msgid), _markers(entry.msgstr)
        if source[0] != translation[0]:
            problems.append(f"{_display(po_path)}: {_short(entry.msgid)!r}: placeholders "
                            f"{source[0]} translated as {translation[0]}")
        elif _tag_names(source[1]) != _tag_names(translation[1]):
            problems.append(f"{_display(po_path)}: {_short(entry.msgid)!r}: markup differs")
    return problems


def _tag_names(tags):
    """Tags with their attributes, the values of the translatable ones (a title, a
    placeholder...) left out: the others (``invisible``, ``class``, ``t-out``...) must stay."""
    return sorted(TRANSLATED_ATTRIBUTE.sub(r"\1=", tag) for tag in tags)


def _short(text, width=100):
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def status(list_untranslated=True):
    """Print, per translation, how many messages it has and which are untranslated.
    Returns the number of untranslated messages."""
    polib = _polib()
    missing_total = 0
    for addon in ADDONS:
        for po_path in translation_paths(addon):
            entries = [entry for entry in polib.pofile(str(po_path)) if not entry.obsolete]
            missing = [entry for entry in entries if not entry.translated()]
            missing_total += len(missing)
            devctl.say(f"{_display(po_path)}: {len(entries)} messages, "
                       f"{len(entries) - len(missing)} translated, {len(missing)} untranslated")
            if list_untranslated:
                for entry in missing:
                    where = entry.occurrences[0][0] if entry.occurrences else ""
                    devctl.say(f"  - {_short(entry.msgid)!r}  ({where})")
            for problem in translation_problems(po_path):
                devctl.say(f"  ! {problem}")
    return missing_total


# ---------------------------------------------------------------- commands
def cmd_export(args):
    odoo = devctl.find_odoo()
    if not odoo:
        sys.exit(devctl.ODOO_MISSING)
    devctl.ensure_postgres()
    database = args.database or f"{devctl.TEST_DB_PREFIX}_i18n_export"
    modules = ",".join(ADDONS)
    if args.database:
        load = ["-u", modules]
    else:
        devctl.drop_db(database)
        load = ["-i", modules]
    say_what = "Updating" if args.database else "Installing"
    devctl.say(f"{say_what} the addons in '{database}' (no demo data)...")
    command = odoo.run_args("-d", database, *load, "--stop-after-init", "--max-cron-threads=0",
                            f"--http-port={devctl.free_port()}", "--log-level=warn")
    devctl.announce(command)
    try:
        if subprocess.run(command, cwd=REPO, check=False).returncode:
            sys.exit(f"Installing the addons in '{database}' failed (see the log above).")
        polib = _polib()
        with tempfile.TemporaryDirectory(prefix="credit-i18n-") as folder:
            exported = export_templates(odoo, database, folder)
            for addon, path in exported.items():
                target = template_path(addon)
                current = compare_templates(path, target) is None
                if not current:  # a template only newer by its date is left as it is
                    target.parent.mkdir(exist_ok=True)
                    target.write_bytes(path.read_bytes())
                template = polib.pofile(str(target))
                devctl.say(f"{_display(target)}: {len(template)} messages{' (current)' if current else ''}")
                for po_path in translation_paths(addon):
                    dropped = merge_translation(po_path, template)
                    devctl.say(f"{_display(po_path)}: merged"
                               + (f", {len(dropped)} message(s) no longer in the code dropped" if dropped else ""))
    finally:
        if not args.database:
            devctl.drop_db(database)
    missing = status(list_untranslated=not args.quiet)
    devctl.say(f"{missing} untranslated message(s)")
    return 0


def cmd_status(args):
    missing = status(list_untranslated=not args.quiet)
    devctl.say(f"{missing} untranslated message(s)")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="regenerate the .pot files, merge them into the .po files")
    export.add_argument("--database", metavar="NAME",
                        help="export from this database (the addons are updated there first) instead of a "
                             "temporary one")
    export.add_argument("--quiet", action="store_true", help="only count the untranslated messages")
    stat = sub.add_parser("status", help="count and list the untranslated messages (no Odoo needed)")
    stat.add_argument("--quiet", action="store_true", help="only count the untranslated messages")
    args = parser.parse_args()
    return cmd_export(args) if args.command == "export" else cmd_status(args)


if __name__ == "__main__":
    sys.exit(main())
