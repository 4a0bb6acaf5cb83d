"""A follow-up run over every segment of the main company: the compute (the preview over
all open invoices, set-based) and the execution of its lines in committed steps, as the
background job does. It writes (segments, runs, emails queued, letters, activities,
holds): run it on a copy of the benchmark database with this branch's addon updated
there, e.g.

    createdb -T gen_bench fu_bench
    python3 -m odoo ... -d fu_bench -u credit_management --stop-after-init
    python3 tools/benchmark.py -d fu_bench followup --write

Rendering a PDF (statement, letter) takes the PDF engine about a second per document
when it cannot render several at once (unpatched Qt): the execution measures
``--execute`` lines of each channel (default 50) and reports the time per line, from
which the time of the whole run follows.
"""

import os
import time
from collections import Counter

DESCRIPTION = "compute a follow-up run over all customers and execute a sample of its lines; on a copy"


def add_arguments(parser):
    parser.add_argument("--date", help="the run date (default: today)")
    parser.add_argument("--execute", type=int, default=50,
                        help="lines executed per channel (0: none, -1: all)")
    parser.add_argument("--write", action="store_true",
                        help="confirm that this database is a copy that may be written to")


def run(env, args):
    from odoo import fields

    if not args.write:
        raise SystemExit("This scenario writes runs and commits them: run it on a copy, with --write.")
    env = env(context=dict(env.context, tracking_disable=True))
    company = env.ref("base.main_company")
    env.cr.execute(
        """
        SELECT COUNT(DISTINCT commercial_partner_id), COUNT(*),
               COUNT(*) FILTER (WHERE invoice_date_due < CURRENT_DATE)
          FROM account_move
         WHERE state = 'posted' AND move_type = 'out_invoice' AND payment_state IN ('not_paid', 'partial')
        """
    )
    customers, open_invoices, overdue_invoices = env.cr.fetchone()
    Run = env["credit.followup.run"].with_company(company)
    followup = Run.create({"company_id": company.id, "date": args.date or fields.Date.context_today(Run),
                           "user_id": env.ref("base.user_admin").id})
    env.cr.commit()

    started = time.perf_counter()
    followup.action_compute()
    env.cr.commit()
    compute_seconds = time.perf_counter() - started
    lines = followup.line_ids
    measures = {
        "customers_with_open_invoices": customers,
        "open_invoices": open_invoices,
        "overdue_invoices": overdue_invoices,
        "run": followup.name,
        "compute_seconds": round(compute_seconds, 1),
        "lines": len(lines),
        "invoices_concerned": sum(lines.mapped("invoice_count")),
        "lines_by_segment": dict(Counter(line.segment_id.name for line in lines).most_common()),
        "lines_by_channel": dict(Counter(lines.mapped("channel")).most_common()),
        "load_average_1_min": round(os.getloadavg()[0], 1),
    }
    if not args.execute:
        return measures
    followup.state = "running"
    env.cr.commit()
    executed = {}
    for channel in ("email", "letter", "phone", "sms"):
        channel_lines = lines.filtered(lambda line, channel=channel: line.channel == channel)
        sample = channel_lines if args.execute < 0 else channel_lines[:args.execute]
        if not sample:
            continue
        started = time.perf_counter()
        followup._credit_execute_lines(sample, commit=True)
        env.cr.commit()
        seconds = time.perf_counter() - started
        executed[channel] = {
            "lines": len(sample),
            "seconds": round(seconds, 1),
            "seconds_per_line": round(seconds / len(sample), 3),
            "done": len(sample.filtered(lambda line: line.state == "done")),
            "failed": len(sample.filtered(lambda line: line.state == "failed")),
            "whole_run_estimate_seconds": round(seconds / len(sample) * len(channel_lines)),
        }
    done = lines.filtered(lambda line: line.state == "done")
    measures.update({
        "executed": executed,
        "errors": dict(Counter(lines.filtered("error").mapped("error")).most_common(3)),
        "mails_queued": env["mail.mail"].search_count([("mail_message_id", "in", done.message_id.ids)]),
        "activities_planned": env["mail.activity"].search_count([
            ("res_model", "=", "res.partner"), ("res_id", "in", done.filtered(
                lambda line: line.channel in ("phone", "sms")).partner_id.ids)]),
    })
    return measures
