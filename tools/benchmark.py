#!/usr/bin/env python3
"""The repository's benchmark: performance budgets measured on generated data.

    python3 tools/benchmark.py -d DATABASE SCENARIO [options]
    python3 tools/benchmark.py --list

Each scenario is a module of ``tools/bench/`` with ``DESCRIPTION``, ``add_arguments(parser)``
and ``run(env, args)`` returning ``{measure: value}``. Scenarios run in one transaction that
is rolled back unless the scenario commits progress itself (batch jobs do) — use a copy of
the benchmark database (``createdb -T bench bench_copy``) when a scenario writes.
Generate the data first, in a database the generator creates:
``python3 tools/generate_data.py --create -d bench --scale benchmark``.
"""

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import bench  # noqa: E402
from devctl import odoo_env  # noqa: E402


def scenarios():
    return {info.name: importlib.import_module(f"bench.{info.name}")
            for info in pkgutil.iter_modules(bench.__path__)}


def main():
    available = scenarios()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--database")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    sub = parser.add_subparsers(dest="scenario")
    for name, module in available.items():
        module.add_arguments(sub.add_parser(name, help=module.DESCRIPTION))
    args = parser.parse_args()
    if args.list or not args.scenario:
        for name, module in sorted(available.items()):
            print(f"{name:20} {module.DESCRIPTION}")
        return 0
    if not args.database:
        parser.error("-d DATABASE is required")
    with odoo_env(args.database) as env:
        started = time.perf_counter()
        measures = available[args.scenario].run(env, args)
        measures.setdefault("wall_seconds", round(time.perf_counter() - started, 2))
    if args.json:
        print(json.dumps(measures, indent=2, default=str))
    else:
        width = max(len(key) for key in measures)
        for key, value in measures.items():
            print(f"{key:{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
