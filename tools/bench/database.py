"""The benchmark's databases: the one built once from the generator and the copy that the
writing scenarios use (dropped after).

Only the standard library at import (psycopg2 when used): ``--help`` needs no Odoo.
"""

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parent.parent


def build_command(database, template=None):
    """The one command that builds the benchmark database (20,000 customers, ~500,000
    invoices), as the README gives it."""
    command = ["python3", "tools/generate_data.py", "--create", "-d", database, "--scale", "benchmark"]
    if template:
        command[4:4] = ["--template", template]
    return command


def _connect():
    import psycopg2

    connection = psycopg2.connect(dbname="postgres")
    connection.autocommit = True
    return connection


def exists(database):
    """Whether ``database`` exists (False when PostgreSQL does not answer)."""
    try:
        with contextlib.closing(_connect()) as connection, connection.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            return bool(cr.fetchone())
    except Exception as error:
        if type(error).__name__ == "OperationalError":  # PostgreSQL does not answer
            return False
        raise


def build(database, template=None):
    """Build ``database`` with the generator (a few minutes); exit when it fails."""
    command = build_command(database, template)
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run([sys.executable, *command[1:]], cwd=str(TOOLS.parent), check=False)
    if result.returncode:
        sys.exit(f"Building the benchmark database '{database}' failed (see above).")


def vacuum(database):
    """``VACUUM ANALYZE`` ``database``: statistics and visibility maps as a database in use
    has them once autovacuum has passed (index-only scans depend on them)."""
    import psycopg2

    connection = psycopg2.connect(dbname=database)
    connection.autocommit = True
    with contextlib.closing(connection), connection.cursor() as cr:
        cr.execute("VACUUM ANALYZE")


def update(odoo, database, addons="credit_management,credit_management_demo"):
    """Update the addons in ``database`` (after a change of their models); exit on failure."""
    args = odoo.run_args("-d", database, "-u", addons, "--stop-after-init", "--log-level=warn",
                         "--max-cron-threads=0")
    print(f"Updating {addons} in '{database}'...", flush=True)
    if subprocess.run(args, check=False).returncode:
        sys.exit(f"Updating {addons} in '{database}' failed (see above).")


def copy(source, target, filestore):
    """Make ``target`` a fresh copy of ``source`` (database and filestore, as Odoo
    duplicates a database). ``filestore(name)`` gives a database's filestore folder."""
    from psycopg2 import sql

    drop(target, filestore)
    with contextlib.closing(_connect()) as connection, connection.cursor() as cr:
        cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
            sql.Identifier(target), sql.Identifier(source)))
    if os.path.isdir(filestore(source)):
        shutil.copytree(filestore(source), filestore(target))


def drop(database, filestore):
    """Drop ``database`` and its filestore if they exist."""
    from psycopg2 import sql

    with contextlib.closing(_connect()) as connection, connection.cursor() as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
    shutil.rmtree(filestore(database), ignore_errors=True)
