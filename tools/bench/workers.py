"""The batch jobs shared by several cron workers, as on a server with ``--max-cron-threads``
of N (or N servers on one database): N threads, each with its own database connection, run
at the same time what a cron worker runs, committing each batch; the wall time and the
customers done by each are measured, and every customer is checked to be done once.

- the review job: every customer due (as if none had been reviewed), reviewed in batches
  of ``--batch-size``;
- the follow-up execution (``--execute N`` lines with a PDF, of a run computed first):
  steps of the execution job (one PDF engine call each).

It writes and commits: run it on a copy of the benchmark database, with this branch's addon
updated there, e.g.

    createdb -T bench bench_copy
    python3 -m odoo ... -d bench_copy -u credit_management --stop-after-init
    python3 tools/benchmark.py -d bench_copy workers --write --workers 1,2
"""

import threading
import time
from collections import Counter
from unittest.mock import patch

DESCRIPTION = "the review job and the follow-up execution shared by N cron workers (threads), committing; on a copy"


def add_arguments(parser):
    parser.add_argument("--workers", default="1,2", help="numbers of workers to measure, in turn (default: 1,2)")
    parser.add_argument("--batch-size", type=int, default=1000, help="customers per committed batch of the review")
    parser.add_argument("--execute", type=int, default=200,
                        help="follow-up lines with a PDF executed per measure (0: no follow-up measure)")
    parser.add_argument("--write", action="store_true",
                        help="confirm that this database is a copy that may be written to")


def _in_threads(registry, count, job):
    """Run ``job(env)`` in ``count`` threads at once, each with its own cursor (committed
    when it returns); returns the wall time (s)."""
    from odoo import SUPERUSER_ID, api

    errors = []

    def work():
        try:
            with registry.cursor() as cr:
                job(api.Environment(cr, SUPERUSER_ID, {}))
        except Exception as error:  # reported after the others end
            errors.append(error)

    threads = [threading.Thread(target=work, name=f"worker-{index + 1}") for index in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def _counting(method, batches):
    """``method`` recording the size of each batch it is given, per thread."""

    def counted(records, *args, **kwargs):
        batches.setdefault(threading.current_thread().name, []).append(len(records))
        return method(records, *args, **kwargs)

    return counted


def _review(env, registry, workers, batch_size):
    Partner = registry["res.partner"]
    env.cr.execute("UPDATE res_partner SET credit_next_review_date = NULL WHERE credit_next_review_date IS NOT NULL")
    env["ir.config_parameter"].sudo().set_param("credit_management.review_batch_size", batch_size)
    env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM credit_risk_review")
    last_review = env.cr.fetchone()[0]
    env.cr.commit()
    batches = {}
    with patch.object(Partner, "_credit_review", _counting(Partner._credit_review, batches)):
        seconds = _in_threads(registry, workers, lambda worker_env: worker_env["res.partner"]
                                 ._credit_review_due_companies())
    env.cr.execute("""
        SELECT COUNT(*), COUNT(DISTINCT partner_id) FROM credit_risk_review WHERE id > %s AND trigger = 'cron'
    """, [last_review])
    reviews, customers = env.cr.fetchone()
    return {
        "workers": workers,
        "seconds": round(seconds, 1),
        "customers_reviewed": customers,
        "reviewed_twice": reviews - customers,
        "customers_per_second": round(customers / seconds) if seconds else None,
        "batches_per_worker": {name: len(sizes) for name, sizes in sorted(batches.items())},
    }


def _execute(env, registry, workers, count):
    from odoo import fields

    Run = env["credit.followup.run"]
    Line = registry["credit.followup.line"]
    company = env.ref("base.main_company")
    run = Run.with_company(company).create({"company_id": company.id, "date": fields.Date.context_today(Run)})
    run.action_compute()
    lines = run.line_ids.filtered(lambda line: line.channel in ("email", "letter"))[:count]
    (run.line_ids - lines).write({"state": "skipped"})
    run.write({"state": "running"})
    env.cr.commit()
    batches = {}
    with patch.object(Line, "_credit_execute", _counting(Line._credit_execute, batches)):
        seconds = _in_threads(registry, workers, lambda worker_env: worker_env["credit.followup.run"]
                                 ._credit_execute_running())
    env.invalidate_all()
    done = lines.filtered(lambda line: line.state == "done")
    mails = env["mail.message"].search_count([("id", "in", done.message_id.ids)])
    return {
        "workers": workers,
        "lines": len(lines),
        "channels": dict(Counter(lines.mapped("channel"))),
        "seconds": round(seconds, 1),
        "ms_per_line": round(seconds * 1000 / len(lines)) if lines else None,
        "done": len(done),
        "emails_posted_for_done_email_lines": mails,
        "run_state": run.state,
        "steps_per_worker": {name: len(sizes) for name, sizes in sorted(batches.items())},
    }


def run(env, args):
    if not args.write:
        raise SystemExit("This scenario writes and commits: run it on a copy, with --write.")
    registry = env.registry
    measures = {}
    for index, workers in enumerate(int(count) for count in args.workers.split(",")):
        measures[f"{index + 1}. review, {workers} worker(s)"] = _review(env, registry, workers, args.batch_size)
        if args.execute:
            measures[f"{index + 1}. follow-up execution, {workers} worker(s)"] = _execute(
                env, registry, workers, args.execute)
    return measures
