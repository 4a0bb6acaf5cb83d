#!/usr/bin/env python3
"""Load realistic customers and two years of receivables into an Odoo database.

    python3 tools/generate_data.py -d DATABASE [--customers N | --scale demo|benchmark]
                                   [--seed S] [--today YYYY-MM-DD] [--company-id ID]

Customers get a payment behaviour (prompt, forgetful, habitual, struggling, new) and posted
invoices, credit notes and payments reconciled as Odoo reconciles them, loaded in bulk
(``credit.data.generator``). The same seed and date give the same data. The database must
have the credit_management addon installed; the data is committed at the end.
"""

import argparse
import contextlib
import logging
import sys
import time
from datetime import date
from pathlib import Path

import psycopg2

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
sys.path.append(str(TOOLS.parent / "credit_management"))  # the pure credit_core package

from devctl import odoo_env  # noqa: E402

from credit_core.generator import SCALES, customers_for_scale  # noqa: E402


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
    args = parser.parse_args(argv)
    if args.customers is None:
        args.customers = customers_for_scale(args.scale or "demo")
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        try:
            env = stack.enter_context(odoo_env(args.database, commit=True))
        except psycopg2.Error as error:
            sys.exit(f"Cannot open the database '{args.database}': {str(error).strip().splitlines()[-1]}")
        except KeyError:  # the registry of a database Odoo has not initialised has no models
            sys.exit(f"The database '{args.database}' is not an Odoo database.")
        logging.getLogger("odoo.addons.credit_management").setLevel(logging.INFO)
        company = env["res.company"].browse(args.company_id) if args.company_id else None
        if company is not None and not company.exists():
            sys.exit(f"There is no company {args.company_id} in '{args.database}'.")
        loaded = time.perf_counter()
        result = env["credit.data.generator"]._generate(
            customers=args.customers, seed=args.seed, company=company, today=args.today,
            batch_size=args.batch_size)
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
