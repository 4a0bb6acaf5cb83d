#!/usr/bin/env python3
"""The repository's benchmark: the performance budgets of issue 15, measured on generated data.

    python3 tools/benchmark.py [run] [-d bench] [options]    the table (the default command)
    python3 tools/benchmark.py build [-d bench]               only build the database
    python3 tools/benchmark.py SCENARIO -d DATABASE [options] one detailed scenario

``run`` builds the benchmark database when it does not exist (``python3
tools/generate_data.py --create -d bench --scale benchmark``: 20,000 customers, ~500,000
invoices, a few minutes), prepares it once (two benchmark customers with 10 and 10,000 open
invoices, the hold rules on, every customer reviewed), measures every scenario several times,
each repetition in a savepoint rolled back after it — the scenarios that write run on a copy
(``<database>_copy``, dropped after) — and prints one table: scenario, data size, SQL
queries, median and max ms, peak memory. The table, the heaviest SQL statements of each
scenario and ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest are written to the report file.

Odoo 19 is found through ``ODOO_PATH`` (the folder holding odoo-bin) or an importable
``odoo``; this help needs neither.
"""

import argparse
import importlib
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
sys.path.insert(0, str(TOOLS))

from bench import database  # noqa: E402
from devctl import ODOO_MISSING, find_odoo  # noqa: E402

# Detailed scenarios (one module of tools/bench each, with DESCRIPTION, add_arguments(parser)
# and run(env, args) returning {measure: value}), imported without Odoo.
DETAILS = ("review", "followup", "risk_backtest", "workers")
SCENARIO_HELP = """scenarios of the table:
  a  credit check of one confirmation, customer with 10 open invoices, vs Odoo's own confirmation
  b  the same, customer with 10,000 open invoices
  c  Credit > Customers: a page of 80 sorted by available credit, vs the same page with Odoo's fields
  d  executing follow-up lines with a PDF (email + statement, letter), per line
  e  review of every customer (the daily job)
  f  computing a follow-up run over every segment
  g  KPI dashboard (not built yet)
"""


def detail_modules():
    return {name: importlib.import_module(f"bench.{name}") for name in DETAILS}


def parse_args(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    details = detail_modules()
    commands = {"run", "build", *details}
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help")):
        argv.insert(0, "run")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="{run,build,SCENARIO}")

    run = sub.add_parser("run", help="measure the scenarios and print the table (default)", epilog=SCENARIO_HELP,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("-d", "--database", default="bench", help="the benchmark database (default: bench)")
    run.add_argument("--only", default="abcdefg", help="scenarios to measure, e.g. abc (default: all)")
    run.add_argument("--repeat", type=int, default=5, help="timed runs of a, b, c after a warm-up (default: 5)")
    run.add_argument("--heavy-repeat", type=int, default=3,
                     help="timed runs of d, e, f after a warm-up (default: 3)")
    run.add_argument("--lines", type=int, default=0,
                     help="follow-up lines of each channel per run of d (default: one step of the job, 50)")
    run.add_argument("--explain", type=int, default=2,
                     help="statements of each scenario explained in the report, slowest first (default: 2)")
    run.add_argument("--no-memory", dest="memory", action="store_false",
                     help="skip the peak memory (measured with tracemalloc on the warm-up run)")
    run.add_argument("--update", action="store_true",
                     help="update the addons in the database first (after their models changed)")
    run.add_argument("--template", help="when building the database: copy this one (with Odoo's account) first")
    run.add_argument("--report", default=str(REPO / ".test-logs" / "benchmark.md"),
                     help="where the table, statements and plans are written (default: .test-logs/benchmark.md)")

    build = sub.add_parser("build", help="build the benchmark database only")
    build.add_argument("-d", "--database", default="bench")
    build.add_argument("--template", help="copy this database (with Odoo's account) first")

    for name, module in details.items():
        detail = sub.add_parser(name, help=module.DESCRIPTION, description=module.__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        detail.add_argument("-d", "--database", required=True)
        detail.add_argument("--json", action="store_true", help="print the measures as JSON")
        module.add_arguments(detail)
    args = parser.parse_args(argv)
    if args.command == "run":
        unknown = set(args.only) - set("abcdefg")
        if unknown:
            parser.error(f"--only: unknown scenarios {''.join(sorted(unknown))} (choose among abcdefg)")
        if min(args.repeat, args.heavy_repeat) < 1 or args.lines < 0:
            parser.error("--repeat and --heavy-repeat must be at least 1, --lines not negative")
        args.copy = f"{args.database}_copy"
    return args


def require_odoo():
    """Where Odoo is (exits when it cannot be found), made importable in this process."""
    odoo = find_odoo()
    if not odoo:
        sys.exit(ODOO_MISSING)
    if os.environ.get("ODOO_PATH"):
        sys.path.insert(0, str(Path(os.environ["ODOO_PATH"]).expanduser().resolve()))
    try:
        importlib.import_module("odoo")
    except ImportError:
        sys.exit(ODOO_MISSING)
    return odoo


def _git_commit():
    result = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True,
                            text=True, check=False)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "credit_management"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return result.stdout.strip()[:80] + (" (addon modified)" if dirty else "")


def run_table(args):
    odoo = require_odoo()
    if not database.exists(args.database):
        print(f"The benchmark database '{args.database}' does not exist: building it (a few minutes).", flush=True)
        database.build(args.database, args.template)
    if args.update:
        database.update(odoo, args.database)
    from bench import suite
    from devctl import odoo_env

    from odoo.tools import config

    args.log_dir = str(Path(args.report).parent)
    os.makedirs(args.log_dir, exist_ok=True)
    load_before = os.getloadavg()
    started = time.perf_counter()
    results = suite.run(odoo_env, database, args, config.filestore)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    header = (
        f"# Benchmark, {datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"Database `{args.database}`; addon at {_git_commit()}; {os.cpu_count()} CPUs, {platform.python_version()}; "
        f"load average (1, 5, 15 min) {' '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in load_after)} after; {elapsed / 60:.1f} min. "
        f"Timed runs: {args.repeat} (a–c), {args.heavy_repeat} (d–f), after a warm-up run each, every run rolled "
        "back; peak memory: the Python heap's peak above its start (tracemalloc, warm-up run)."
    )
    from bench.stats import format_table

    text = suite.report(results, header)
    Path(args.report).write_text(text + "\n")
    print()
    print(header)
    print()
    print(format_table([row.cells() for row in results.rows]))
    print(f"\nStatements and plans: {args.report}")
    return 0


def run_detail(args):
    require_odoo()
    import json

    from devctl import odoo_env

    module = detail_modules()[args.command]
    with odoo_env(args.database) as env:
        started = time.perf_counter()
        measures = module.run(env, args)
        measures.setdefault("wall_seconds", round(time.perf_counter() - started, 2))
    if args.json:
        print(json.dumps(measures, indent=2, default=str))
    else:
        width = max(len(key) for key in measures)
        for key, value in measures.items():
            print(f"{key:{width}}  {value}")
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.command == "build":
        if database.exists(args.database):
            print(f"The database '{args.database}' exists.")
            return 0
        require_odoo()
        database.build(args.database, args.template)
        return 0
    if args.command == "run":
        return run_table(args)
    return run_detail(args)


if __name__ == "__main__":
    sys.exit(main())
