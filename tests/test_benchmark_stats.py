"""The benchmark's table and statistics (``tools/bench/stats.py``), without Odoo."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from bench.stats import (
    COLUMNS,
    QueryLog,
    Row,
    abbreviate,
    format_bytes,
    format_ms,
    format_range,
    format_table,
    ratio,
    statement_shape,
)


def test_row_median_and_max_of_the_timed_runs():
    row = Row("(a) check", "10 invoices", times_ms=[30.0, 10.0, 20.0, 50.0], queries=[11, 11, 11, 11])
    assert row.median_ms == 25.0
    assert row.max_ms == 50.0
    assert row.cells()[2:5] == ["11", "25.0", "50.0"]


def test_row_without_runs_prints_why():
    row = Row("(g) KPI dashboard", skipped="n/a (not built)", budget="≤ 2 s")
    assert row.median_ms is None
    assert row.cells() == ["(g) KPI dashboard", "", "n/a (not built)", "", "", "", "≤ 2 s", ""]


def test_query_counts_show_their_range_when_they_vary():
    assert format_range([13, 13, 13]) == "13"
    assert format_range([15, 13, 14]) == "13–15"
    assert format_range([20002, 20004]) == "20,002–20,004"
    assert format_range([]) == ""


def test_milliseconds_and_bytes_are_readable():
    assert format_ms(7.756) == "7.76"
    assert format_ms(64.94) == "64.9"
    assert format_ms(45712.4) == "45,712"
    assert format_ms(None) == ""
    assert format_bytes(235 * 1024) == "235 KiB"
    assert format_bytes(int(12.34 * 1024 * 1024)) == "12.3 MiB"
    assert format_bytes(None) == ""


def test_ratio_needs_a_denominator():
    assert ratio(19.0, 7.6) == 2.5
    assert ratio(19.0, 0) is None
    assert ratio(None, 3.0) is None


def test_table_is_markdown_aligned_in_columns():
    rows = [Row("(a) check", "10", [1.0], [3]).cells(), Row("(c) list | page", "80", [900.0], [15]).cells()]
    table = format_table(rows).splitlines()
    assert table[0].startswith("| Scenario")
    assert [cell.strip() for cell in table[0].strip("|").split(" | ")] == list(COLUMNS)
    assert set(table[1]) == {"|", "-"}
    assert len({len(line) for line in table}) == 1  # every line as wide: columns line up
    assert "list \\| page" in table[3]  # a pipe in a cell does not open a column


def test_statement_shape_groups_the_same_statement_for_other_records():
    first = "SELECT name FROM res_partner WHERE id = 42 AND ref = 'GEN-1'"
    second = "SELECT   name\n  FROM res_partner WHERE id = 7 AND ref = 'GEN-2'"
    assert statement_shape(first) == statement_shape(second) == "SELECT name FROM res_partner WHERE id = ? AND ref = ?"
    assert statement_shape("SELECT 1 FROM t WHERE id IN (%s, %s, %s)") == "SELECT ? FROM t WHERE id IN (?...)"
    assert statement_shape("UPDATE t SET a = %(a)s WHERE id = %s") == "UPDATE t SET a = ? WHERE id = ?"
    # Digits inside names are kept: they are not literals.
    assert statement_shape('SELECT "t1"."col2" FROM t1') == 'SELECT "t1"."col2" FROM t1'


def test_query_log_finds_repeated_and_slow_statements():
    log = QueryLog()
    for partner_id in range(100):
        log.add("SELECT * FROM account_move WHERE partner_id = %s", [partner_id], 0.5)
    log.add("SELECT SUM(residual) FROM receivables", None, 40.0)
    log.add("SELECT SUM(residual) FROM receivables", None, 60.0)
    assert log.count == 102
    assert round(log.total_ms, 6) == 150.0
    repeated, slow = log.top(2, "count")
    assert (repeated.count, repeated.total_ms) == (100, 50.0)
    assert slow.shape == "SELECT SUM(residual) FROM receivables"
    assert log.top(1, "max_ms")[0] is slow
    assert slow.max_ms == 60.0 and slow.total_ms == 100.0
    assert log.top(1)[0] is slow  # by total time by default
    # The slowest run is kept to be explained.
    log.add("SELECT * FROM account_move WHERE partner_id = %s", [999], 5.0)
    assert log.top(1, "count")[0].slowest == ("SELECT * FROM account_move WHERE partner_id = %s", [999])


def test_abbreviate_keeps_one_line():
    assert abbreviate("SELECT a\n   FROM b") == "SELECT a FROM b"
    assert abbreviate("x" * 300, width=10) == "x" * 9 + "…"
