#!/usr/bin/env python3
"""The project's two commands: ``serve`` (a demo Odoo with the addon) and ``test``.

Both find Odoo 19 through ``ODOO_PATH`` (an Odoo source tree) or an importable
``odoo`` package, start PostgreSQL when none answers, and create the database role
Odoo connects with. ``test`` ends with one line ``N passed, N failed[, N skipped]``.
"""

import argparse
import contextlib
import getpass
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON = "credit_management"
# Demo data and the data generator: installed by `serve` and by the test command's install
# check, never needed in production.
DEMO_ADDON = "credit_management_demo"
DEMO_DB = "credit_demo"
DEMO_LOGIN = ("admin", "admin")
TEST_DB_PREFIX = "credit_test"
KEPT_TEST_DB = f"{TEST_DB_PREFIX}_kept"  # the suite database --keep-db keeps and re-uses
ODOO_MISSING = (
    "Odoo 19 not found: install it from source as Odoo documents it "
    "(https://www.odoo.com/documentation/19.0/administration/on_premise/source.html) "
    "and set ODOO_PATH=/path/to/odoo (the folder holding odoo-bin)."
)


def say(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- Odoo lookup
class Odoo:
    """Where Odoo is and how to start it."""

    def __init__(self, command, addons_path, version):
        self.command = command
        self.addons_path = addons_path
        self.version = version

    def run_args(self, *args):
        return [*self.command, f"--addons-path={self.addons_path}", "--http-interface=127.0.0.1", *args]


def find_odoo():
    """Return an :class:`Odoo` for ODOO_PATH or the importable ``odoo``, or None."""
    root = os.environ.get("ODOO_PATH")
    python = sys.executable
    if root:
        root = Path(root).expanduser().resolve()
        if not (root / "odoo-bin").is_file():
            return None
        command = [python, str(root / "odoo-bin")]
        env = dict(os.environ, PYTHONPATH=f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    else:
        command = [python, "-m", "odoo"]
        env = os.environ
    probe = subprocess.run(
        [python, "-c", "import odoo, odoo.release as r; print(r.version_info[0]); print(odoo.__path__[0])"],
        capture_output=True, text=True, env=env, cwd=str(root or REPO), check=False,
    )
    if probe.returncode:
        return None
    major, package_dir = probe.stdout.split()[:2]
    if major != "19":
        return None
    source = Path(package_dir).parent
    paths = [p for p in (source / "addons", Path(package_dir) / "addons") if p.is_dir()]
    paths.append(REPO)
    if root:
        os.environ["PYTHONPATH"] = env["PYTHONPATH"]
    return Odoo(command, ",".join(str(p) for p in paths), major)


@contextlib.contextmanager
def odoo_env(database, *, commit=False):
    """Yield a superuser ``odoo.api.Environment`` on ``database``, in this process.

    Exits with a one-line message when Odoo cannot be found or the addon is not installed
    there. Rolls back at the end unless ``commit``.
    """
    odoo_info = find_odoo()
    if not odoo_info:
        sys.exit(ODOO_MISSING)
    if os.environ.get("ODOO_PATH"):
        sys.path.insert(0, str(Path(os.environ["ODOO_PATH"]).expanduser().resolve()))
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config([f"--addons-path={odoo_info.addons_path}", "-d", database, "--log-level=warn",
                         "--http-interface=127.0.0.1"])
    registry = Registry(database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        module = env["ir.module.module"].search([("name", "=", ADDON), ("state", "=", "installed")])
        if not module:
            sys.exit(f"The database '{database}' does not have {ADDON} installed.")
        yield env
        if commit:
            cr.commit()
        else:
            cr.rollback()


# ---------------------------------------------------------------- PostgreSQL
def _psql_ok(user=None):
    args = ["psql", "-X", "-q", "-d", "postgres", "-c", "SELECT 1"]
    if user:
        args[1:1] = ["-U", user]
    return subprocess.run(args, capture_output=True, check=False).returncode == 0


def _as_postgres(args):
    """Run a command as the postgres superuser (we are root, or have sudo)."""
    if os.geteuid() == 0:
        prefix = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else ["su", "postgres", "-c"]
        if prefix[0] == "su":
            return subprocess.run([*prefix, " ".join(args)], capture_output=True, text=True, check=False)
        return subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
    return subprocess.run(["sudo", "-u", "postgres", *args], capture_output=True, text=True, check=False)


def ensure_postgres():
    """Start PostgreSQL when none answers, and make sure our OS user has a role."""
    if not shutil.which("psql"):
        sys.exit("PostgreSQL client 'psql' not found: install PostgreSQL (e.g. apt-get install postgresql).")
    ready = subprocess.run(["pg_isready", "-q"], check=False).returncode == 0
    if not ready and shutil.which("pg_lsclusters"):
        clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
        for line in clusters.stdout.splitlines():
            version, cluster = line.split()[:2]
            say(f"Starting PostgreSQL {version}/{cluster}...")
            _as_postgres(["pg_ctlcluster", version, cluster, "start"])
            break
        for _ in range(30):
            if subprocess.run(["pg_isready", "-q"], check=False).returncode == 0:
                break
            time.sleep(1)
    if subprocess.run(["pg_isready", "-q"], check=False).returncode:
        sys.exit("PostgreSQL does not answer and could not be started: start it, then run this again.")
    if not _psql_ok():
        user = getpass.getuser()
        if user == "postgres":
            sys.exit("Odoo refuses to connect as 'postgres': run this as another user.")
        say(f"Creating the PostgreSQL role '{user}'...")
        result = _as_postgres(["createuser", "--createdb", user])
        if result.returncode and "already exists" not in result.stderr:
            sys.exit(f"Could not create the PostgreSQL role '{user}': {result.stderr.strip()}")
        _as_postgres(["createdb", "-O", user, user])


def drop_db(name):
    subprocess.run(["dropdb", "--if-exists", "--force", name], capture_output=True, check=False)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- dependencies
def pip_install(requirements, modules):
    """Install ``requirements`` when one of ``modules`` does not import."""
    missing = [m for m in modules if subprocess.run(
        [sys.executable, "-c", f"import {m}"], capture_output=True, check=False).returncode]
    if missing:
        say(f"Installing Python packages ({', '.join(missing)} missing)...")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-r", str(REPO / requirements)], check=True)


# ---------------------------------------------------------------- serve
def served_addresses(port):
    """The system parameters that make a database's addresses those of the server ``serve``
    starts on ``port``: the address links in emails and PDFs point at (``web.base.url``,
    frozen so that logging in through another host name does not change it) and the one
    the PDF engine fetches report styles and fonts from (``report.url``: the interface the
    server listens on, reachable from this machine whatever ``web.base.url`` says)."""
    return {
        "web.base.url": f"http://localhost:{port}",
        "web.base.url.freeze": "True",
        "report.url": f"http://127.0.0.1:{port}",
    }


def set_served_addresses(db, port):
    """Write :func:`served_addresses` into ``db`` (before the server starts: no cache to clear)."""
    rows = ", ".join(
        f"('{key}', '{value}', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')"
        for key, value in served_addresses(int(port)).items())
    result = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c",
         "INSERT INTO ir_config_parameter (key, value, create_date, write_date) "
         f"VALUES {rows} ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date"],
        capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"Could not set the served address in '{db}': {result.stderr.strip()}")


def cmd_serve(args):
    odoo = find_odoo()
    if not odoo:
        sys.exit(ODOO_MISSING)
    pip_install("requirements.txt", ["requests", "stdnum"])
    ensure_postgres()
    db = args.database
    exists = subprocess.run(
        ["psql", "-X", "-tAq", "-d", "postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
        capture_output=True, text=True, check=False).stdout.strip() == "1"
    if exists and args.fresh:
        drop_db(db)
        exists = False
    if not exists:
        say(f"Creating the demo database '{db}' (Odoo, the Credit app and generated data; a few minutes)...")
        result = subprocess.run(odoo.run_args(
            "-d", db, "-i", DEMO_ADDON, "--with-demo", "--stop-after-init", "--log-level=warn"), check=False)
        if result.returncode:
            drop_db(db)
            sys.exit("Creating the demo database failed (see the log above).")
    else:
        installed = subprocess.run(
            ["psql", "-X", "-tAq", "-d", db, "-c",
             f"SELECT 1 FROM ir_module_module WHERE name = '{DEMO_ADDON}' AND state = 'installed'"],
            capture_output=True, text=True, check=False).stdout.strip() == "1"
        if not installed:
            sys.exit(f"The database '{db}' does not have {DEMO_ADDON}, where the demo data now lives: "
                     "rebuild it with --fresh.")
        say(f"Updating the addons in '{db}'...")
        subprocess.run(odoo.run_args("-d", db, "-u", f"{ADDON},{DEMO_ADDON}", "--stop-after-init",
                                     "--log-level=warn"), check=True)
    set_served_addresses(db, args.port)
    say("")
    say(f"Odoo with the Credit app: http://localhost:{args.port}  login: {DEMO_LOGIN[0]}  password: {DEMO_LOGIN[1]}")
    say("Stop it with Ctrl+C.")
    os.execvp(odoo.command[0], odoo.run_args("-d", db, f"--http-port={args.port}", f"--db-filter=^{db}$"))


# ---------------------------------------------------------------- test
class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def add(self, passed=0, failed=0, skipped=0):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped

    def line(self):
        text = f"{self.passed} passed, {self.failed} failed"
        return f"{text}, {self.skipped} skipped" if self.skipped else text


def announce(command):
    """Print ``command`` as one shell-quoted line, so that it can be run again by hand."""
    say(f"$ {shlex.join(str(arg) for arg in command)}")


def run_pure_tests(tally):
    say("== Pure-Python tests (pytest tests/) ==")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "tests")]
    announce(command)
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    out = result.stdout + result.stderr
    summary = out.strip().splitlines()[-1] if out.strip() else ""
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|error|errors|skipped)", summary)}
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    if result.returncode and not failed:
        failed = 1
    if failed:
        say(out)
    say(f"pytest: {summary}")
    tally.add(counts.get("passed", 0), failed, counts.get("skipped", 0))


def run_static_checks(tally):
    say("== Static checks ==")
    checks = [
        ("ruff", [sys.executable, "-m", "ruff", "check", "--no-cache", "."]),
        ("pylint-odoo (mandatory)", [
            sys.executable, "-m", "pylint", "--rcfile=.pylintrc-mandatory", "--score=n", ADDON, DEMO_ADDON]),
    ]
    for name, command in checks:
        announce(command)
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
        if result.returncode:
            say(result.stdout + result.stderr)
            say(f"{name}: FAILED")
            tally.add(failed=1)
        else:
            say(f"{name}: clean")
            tally.add(passed=1)


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): ")
RESULT_LINE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
# Odoo logs each skipped test (or class, "setUpClass (…)") with its reason.
SKIP_LINE = re.compile(r" INFO \S+ \S+: skipped (.+?) : (.*?)\s*$", re.MULTILINE)


def _problems(log_text, *, addon_only_warnings):
    """Lines logged at ERROR/CRITICAL, and WARNINGs that come from this addon."""
    found = []
    for line in log_text.splitlines():
        match = LOG_LINE.match(line)
        if not match:
            continue
        level = match["level"]
        if level in ("ERROR", "CRITICAL"):
            found.append(line)
        elif level == "WARNING" and (not addon_only_warnings or ADDON in line):
            found.append(line)
    return found


def _addon_installed(database):
    """Whether ``database`` exists and has the addon installed."""
    state = subprocess.run(
        ["psql", "-X", "-tAq", "-d", database, "-c",
         f"SELECT state FROM ir_module_module WHERE name = '{ADDON}'"],
        capture_output=True, text=True, check=False).stdout.strip()
    return state == "installed"


def start_suite(odoo, test_db, suite_log, tags, keep_db):
    """Start the Odoo test suite on ``test_db``: a fresh install of the addon, or with
    ``keep_db`` an update of the addon in the database kept by the last run. Returns the
    process."""
    if keep_db and _addon_installed(test_db):
        say(f"Re-using the database '{test_db}' (--keep-db): updating the addon.")
        load = ["-u", f"{ADDON},{DEMO_ADDON}"]
    else:
        drop_db(test_db)
        load = ["-i", f"{ADDON},{DEMO_ADDON}"]
    command = odoo.run_args(
        "-d", test_db, *load, "--test-enable", f"--test-tags={tags or f'/{ADDON},/{DEMO_ADDON}'}",
        "--stop-after-init", f"--http-port={free_port()}", "--max-cron-threads=0",
        f"--logfile={suite_log}", "--log-level=info")
    announce(command)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=REPO)


def finish_suite(tally, suite, suite_log, started):
    """Wait for the test suite and count its results from its log."""
    suite_rc = suite.wait()
    elapsed = time.time() - started
    suite_text = suite_log.read_text(errors="replace") if suite_log.exists() else ""
    results = RESULT_LINE.findall(suite_text)
    problems = _problems(suite_text, addon_only_warnings=True)
    if results:
        failures, errors, ran = (int(x) for x in results[-1])
    else:
        failures, errors, ran = 0, 1, 0
        say("The Odoo test run ended without a result line (install failed?).")
    bad = failures + errors
    if suite_rc and not bad:
        bad = 1
    skips = SKIP_LINE.findall(suite_text)
    say(f"Odoo tests: {ran} run, {failures} failed, {errors} error(s) in {elapsed:.0f}s (log: {suite_log})")
    for test, reason in skips:
        say(f"  skipped {test}: {reason}")
    if bad or problems:
        for line in problems[:80]:
            say(f"  {line}")
        if problems and not bad:
            bad = 1
    # A skipped test counts in the tests run; a skipped class (setUpClass) does not.
    skipped_run = sum(1 for test, _reason in skips if not test.startswith("setUpClass"))
    tally.add(passed=max(ran - failures - errors - skipped_run, 0), failed=bad, skipped=len(skips))


def run_odoo_suite(tally, odoo, keep, *, tags=None, keep_db=False, demo_check=True):
    say("== Odoo suite ==")
    stamp = f"{os.getpid()}"
    test_db, demo_db = f"{TEST_DB_PREFIX}_{stamp}", f"{TEST_DB_PREFIX}_demo_{stamp}"
    if keep_db:
        test_db = keep_db
    logs = REPO / ".test-logs"
    logs.mkdir(exist_ok=True)
    started = time.time()
    # Two fresh databases at once: the test suite of both addons (no demo data) and an
    # install check (the demo addon with demo data, then uninstalling credit_management,
    # which takes the demo addon with it). Each part's log goes to its own file.
    suite_log, demo_log = logs / "odoo-tests.log", logs / "odoo-install-demo.log"
    for log in (suite_log, demo_log, logs / "odoo-uninstall.log"):
        log.unlink(missing_ok=True)  # Odoo appends to its log file: judge this run only
    suite = start_suite(odoo, test_db, suite_log, tags, keep_db)
    if not demo_check:
        finish_suite(tally, suite, suite_log, started)
        if not tags:
            check_translations(tally, odoo, test_db)
        if not (keep or keep_db):
            drop_db(test_db)
        return
    demo_command = odoo.run_args("-d", demo_db, "-i", DEMO_ADDON, "--with-demo", "--stop-after-init",
                                 f"--http-port={free_port()}", "--max-cron-threads=0",
                                 f"--logfile={demo_log}", "--log-level=info")
    announce(demo_command)
    demo = subprocess.Popen(demo_command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=REPO)
    demo_rc = demo.wait()
    say(f"install with demo data: {'ok' if not demo_rc else 'FAILED'} ({time.time() - started:.0f}s)")
    uninstall_rc = 1
    if not demo_rc:
        # `odoo module` reads its options from a configuration file only.
        conf = logs / "odoo-uninstall.conf"
        conf.write_text(
            f"[options]\naddons_path = {odoo.addons_path}\nlogfile = {logs / 'odoo-uninstall.log'}\n")
        uninstall_command = [*odoo.command, "module", "uninstall", "-c", str(conf), "-d", demo_db, ADDON]
        announce(uninstall_command)
        uninstall = subprocess.run(uninstall_command, capture_output=True, text=True, cwd=REPO, check=False)
        uninstall_rc = uninstall.returncode
        if uninstall_rc:
            say(uninstall.stdout + uninstall.stderr)
    # install + uninstall checks: the addon logs nothing at WARNING or above.
    demo_text = demo_log.read_text(errors="replace") if demo_log.exists() else ""
    uninstall_log = logs / "odoo-uninstall.log"
    uninstall_text = uninstall_log.read_text(errors="replace") if uninstall_log.exists() else ""
    for name, rc, problems in (
        ("install with demo data", demo_rc, _problems(demo_text, addon_only_warnings=True)),
        ("uninstall", uninstall_rc, _problems(uninstall_text, addon_only_warnings=True)),
    ):
        if rc or problems:
            say(f"{name}: FAILED")
            for line in problems[:40]:
                say(f"  {line}")
            tally.add(failed=1)
        else:
            say(f"{name}: clean")
            tally.add(passed=1)

    finish_suite(tally, suite, suite_log, started)
    if not tags:
        check_translations(tally, odoo, test_db)
    if not (keep or keep_db):
        drop_db(test_db)
    if not keep:
        drop_db(demo_db)


def check_translations(tally, odoo, test_db):
    """The committed .pot files are what Odoo exports from the suite's database, and the
    .po files keep their messages' placeholders (tools/i18n.py)."""
    import i18n

    say("== Translations ==")
    if not _addon_installed(test_db):
        say("translations: not checked (the addon is not installed in the suite's database)")
        return
    problems = i18n.outdated_templates(odoo, test_db)
    problems += [p for addon in i18n.ADDONS for path in i18n.translation_paths(addon)
                 for p in i18n.translation_problems(path)]
    for problem in problems:
        say(problem)
    say(f"translations: {'FAILED' if problems else 'current'}")
    tally.add(passed=0 if problems else 1, failed=1 if problems else 0)


def cmd_test(args):
    tally = Tally()
    pip_install("requirements-dev.txt", ["pytest", "hypothesis", "ruff", "pylint_odoo", "websocket"])
    if args.tags:
        say(f"Only the Odoo tests tagged {args.tags} (--tags): no pure-Python tests, static checks nor "
            "install check.")
    else:
        run_pure_tests(tally)
        run_static_checks(tally)
    odoo = find_odoo()
    if odoo:
        pip_install("requirements.txt", ["requests", "stdnum"])
        ensure_postgres()
        run_odoo_suite(tally, odoo, args.keep, tags=args.tags, keep_db=args.keep_db,
                       demo_check=not (args.tags or args.no_demo_check))
    else:
        say("Odoo suite: SKIPPED (Odoo 19 not found)")
        say(ODOO_MISSING)
    say(tally.line())
    return 1 if tally.failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="create the demo database if needed and serve Odoo")
    serve.add_argument("--database", default=DEMO_DB)
    serve.add_argument("--port", type=int, default=8069)
    serve.add_argument("--fresh", action="store_true", help="drop and recreate the demo database")
    test = sub.add_parser("test", help="run all the tests")
    test.add_argument("--keep", action="store_true", help="keep the test databases")
    test.add_argument("--tags", metavar="TAGS",
                      help="run only the Odoo tests with these Odoo test tags, e.g. "
                           f"/{ADDON}:TestCreditHold or /{ADDON}:TestCreditHold.test_tier_policies")
    test.add_argument("--keep-db", nargs="?", const=KEPT_TEST_DB, default=None, metavar="NAME",
                      help=f"keep the suite database (NAME, by default {KEPT_TEST_DB}) and re-use it "
                           "next time: the addon is updated instead of installed afresh")
    test.add_argument("--no-demo-check", action="store_true",
                      help="skip the install-with-demo-data and uninstall check run beside the suite")
    args = parser.parse_args()
    if args.command == "serve":
        cmd_serve(args)
        return 0
    return cmd_test(args)


if __name__ == "__main__":
    sys.exit(main())
