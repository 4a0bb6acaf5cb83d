#!/usr/bin/env python3
"""Load realistic customers and two years of receivables into an Odoo database.

    python3 tools/generate_data.py -d DATABASE [--customers N | --scale demo|benchmark]
                                   [--seed S] [--today YYYY-MM-DD] [--company-id ID]
                                   [--batch-size N] [--create [--template DB]] [--no-bulk]

Customers get a payment behaviour (prompt, forgetful, habitual, struggling, new) and posted
invoices, credit notes and payments reconciled as Odoo reconciles them, loaded in bulk
(``credit.data.generator`` of the ``credit_management_demo`` addon). The same seed and date
give the same data; the data is committed at the end.

Without ``--create``, DATABASE must have the credit_management addon installed; the tool
installs credit_management_demo there when it is missing (its demo data comes too when the
database has demo data).

From 1,000 customers on (``--scale benchmark``: 20,000), loading drops the indexes and
foreign keys of the accounting tables and rebuilds them at the end, which only a database
created for generated data may undergo:

``--create``
    creates DATABASE (it must not exist) with Odoo, credit_management and
    credit_management_demo (no demo data), or as a copy of ``--template DB`` (a database
    with Odoo's ``account`` installed, to save the install), then marks it as generated
    (system parameter ``credit_management_demo.generated_database``) before loading.
``--no-bulk``
    loads row by row instead, into any database: slower, the schema is left alone.

On a database that is not marked, loading 1,000 customers or more without ``--no-bulk`` is
refused.
"""

import argparse
import contextlib
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg2

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
sys.path.append(str(TOOLS.parent / "credit_management_demo"))  # the pure generator_core package

from devctl import ADDON, DEMO_ADDON, ODOO_MISSING, drop_db, find_odoo, odoo_env  # noqa: E402

from generator_core.generator import SCALES, customers_for_scale  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--database", required=True)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--customers", type=int, help="number of customers (default: the demo scale, 50)")
    size.add_argument("--scale", choices=sorted(SCALES), help="demo: 50 customers, benchmark: 20,000")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=date.fromisoformat, help="last day of the history (default: today)")
    parser.add_argument("--company-id", type=int, help="the company to invoice from (default: the main one)")
    parser.add_argument("--batch-size", type=int, default=400, help="customers loaded per batch")
    parser.add_argument("--create", action="store_true",
                        help="create the database and mark it as generated (allows bulk loading)")
    parser.add_argument("--template", help="with --create: copy this database instead of installing Odoo")
    parser.add_argument("--no-bulk", action="store_true",
                        help="load row by row, leaving indexes and foreign keys alone (any database)")
    args = parser.parse_args(argv)
    if args.customers is None:
        args.customers = customers_for_scale(args.scale or "demo")
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    if args.template and not args.create:
        parser.error("--template goes with --create")
    return args


def _query(database, query, params=()):
    """The rows of ``query`` on ``database``, connecting as Odoo does by default."""
    with contextlib.closing(psycopg2.connect(dbname=database)) as connection, connection.cursor() as cr:
        cr.execute(query, params)
        return cr.fetchall()


def _install_demo_addon(odoo, database):
    """Install credit_management_demo in ``database`` with Odoo's command line (which
    creates the database when it does not exist); exit on failure."""
    print(f"Installing {DEMO_ADDON} in '{database}'...", flush=True)
    result = subprocess.run(odoo.run_args("-d", database, "-i", DEMO_ADDON, "--stop-after-init",
                                          "--log-level=warn"), check=False)
    return result.returncode == 0


def _copy_filestore(odoo, source, target):
    """Copy the files of ``source`` (company logos, images...) to ``target``, as Odoo does
    when it duplicates a database: ``createdb -T`` copies the rows, not the filestore."""
    if os.environ.get("ODOO_PATH"):
        sys.path.insert(0, str(Path(os.environ["ODOO_PATH"]).expanduser().resolve()))
    from odoo.tools import config

    config.parse_config([f"--addons-path={odoo.addons_path}", "--http-interface=127.0.0.1"])
    if os.path.isdir(config.filestore(source)) and not os.path.exists(config.filestore(target)):
        shutil.copytree(config.filestore(source), config.filestore(target))


def create_database(odoo, args):
    """Create ``args.database`` with the addons installed, or exit."""
    try:
        exists = _query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
    except psycopg2.Error as error:
        sys.exit(f"Cannot reach PostgreSQL: {str(error).strip().splitlines()[-1]}")
    if exists:
        sys.exit(f"The database '{args.database}' exists: --create makes a new one; choose another name.")
    if args.template:
        result = subprocess.run(["createdb", "-T", args.template, args.database],
                                capture_output=True, text=True, check=False)
        if result.returncode:
            sys.exit(f"Cannot copy '{args.template}': {result.stderr.strip()}")
        _copy_filestore(odoo, args.template, args.database)
    if not _install_demo_addon(odoo, args.database):
        drop_db(args.database)
        sys.exit(f"Installing {DEMO_ADDON} in '{args.database}' failed (see the log above).")


def ensure_demo_addon(odoo, database):
    """Install credit_management_demo in ``database`` if credit_management is there and it
    is not, or exit with the reason."""
    try:
        states = dict(_query(database, "SELECT name, state FROM ir_module_module WHERE name IN %s",
                             [(ADDON, DEMO_ADDON)]))
    except psycopg2.errors.UndefinedTable:
        sys.exit(f"The database '{database}' is not an Odoo database.")
    except psycopg2.Error as error:
        sys.exit(f"Cannot open the database '{database}': {str(error).strip().splitlines()[-1]}")
    if states.get(ADDON) != "installed":
        sys.exit(f"The database '{database}' does not have {ADDON} installed.")
    if states.get(DEMO_ADDON) != "installed" and not _install_demo_addon(odoo, database):
        sys.exit(f"Installing {DEMO_ADDON} in '{database}' failed (see the log above).")


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    odoo = find_odoo()
    if not odoo:
        sys.exit(ODOO_MISSING)
    if args.create:
        create_database(odoo, args)
    else:
        ensure_demo_addon(odoo, args.database)
    with odoo_env(args.database, commit=True) as env:
        from odoo.exceptions import UserError

        logging.getLogger(f"odoo.addons.{DEMO_ADDON}").setLevel(logging.INFO)
        Generator = env["credit.data.generator"]
        if args.create:
            Generator._mark_generated_database()
            env.cr.commit()
        company = env["res.company"].browse(args.company_id) if args.company_id else None
        if company is not None and not company.exists():
            sys.exit(f"There is no company {args.company_id} in '{args.database}'.")
        loaded = time.perf_counter()
        try:
            result = Generator._generate(
                customers=args.customers, seed=args.seed, company=company, today=args.today,
                batch_size=args.batch_size, bulk=False if args.no_bulk else None)
        except UserError as error:
            sys.exit(error.args[0])
        generated = time.perf_counter() - loaded
    elapsed = time.perf_counter() - started
    for key in ("customers", "invoices", "credit_notes", "payments", "moves", "move_lines", "partials",
                "full_reconciles"):
        print(f"{key:16} {result[key]:>10,}")
    profiles = ", ".join(f"{name} {count:,}" for name, count in sorted(result["profiles"].items()))
    print(f"{'behaviours':16} {profiles}")
    print(f"{'generation':16} {generated:>10.1f} s")
    print(f"{'elapsed':16} {elapsed:>10.1f} s (with starting Odoo and committing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
