"""``./bin/test`` counts the Odoo suite's results from its log, skipped tests included."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import devctl

PREFIX = "2026-11-30 00:23:06,270 21839 INFO credit_test odoo"


class FinishedSuite:
    def wait(self):
        return 0


def _finish(tmp_path, lines):
    log = tmp_path / "odoo-tests.log"
    log.write_text("\n".join(lines) + "\n")
    tally = devctl.Tally()
    devctl.finish_suite(tally, FinishedSuite(), log, time.time())
    return tally


def test_a_class_skipped_for_want_of_chromium_is_told_and_counted_skipped(tmp_path, capsys):
    tally = _finish(tmp_path, [
        f"{PREFIX}.tests.suite: skipped setUpClass (odoo.addons.credit_management.tests.test_tours.TestCreditTours)"
        " : Chromium not found: install Debian's chromium (apt install chromium) to run the browser tours ",
        f"{PREFIX}.tests.result: 0 failed, 0 error(s) of 12 tests when loading database 'credit_test'",
    ])
    assert tally.line() == "12 passed, 0 failed, 1 skipped"
    out = capsys.readouterr().out
    assert ("skipped setUpClass (odoo.addons.credit_management.tests.test_tours.TestCreditTours): "
            "Chromium not found") in out


def test_a_skipped_test_is_not_counted_passed(tmp_path):
    tally = _finish(tmp_path, [
        f"{PREFIX}.addons.credit_management.tests.test_followup: skipped TestFollowup.test_sms"
        " : the sms module is not installed",
        f"{PREFIX}.tests.result: 1 failed, 0 error(s) of 5 tests when loading database 'credit_test'",
    ])
    assert tally.line() == "3 passed, 1 failed, 1 skipped"
