"""Review the credit risk of every customer with invoices, as the daily job does when
all of them are due: batches of ``--batch-size`` customers, progress committed after
each batch. It writes (scores, tiers, reviews): run it on a copy of the benchmark
database, with this branch's addon updated there (``-u credit_management``), e.g.

    createdb -T gen_bench risk_bench
    python3 -m odoo ... -d risk_bench -u credit_management --stop-after-init
    python3 tools/benchmark.py -d risk_bench review --write
"""

import os
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2] / "credit_management_demo"))  # the pure generator_core

DESCRIPTION = "review all customers (the daily job with every customer due), committing each batch; on a copy"


def add_arguments(parser):
    parser.add_argument("--batch-size", type=int, default=1000, help="customers per committed batch")
    parser.add_argument("--seed", type=int, default=42,
                        help="the generator's seed: compare the behaviours found with the generated ones")
    parser.add_argument("--write", action="store_true",
                        help="confirm that this database is a copy that may be written to")


def run(env, args):
    if not args.write:
        raise SystemExit("This scenario writes reviews and commits them: run it on a copy, with --write.")
    env.cr.execute(
        """
        SELECT COUNT(DISTINCT am.commercial_partner_id), COUNT(*)
          FROM account_move am
         WHERE am.state = 'posted' AND am.move_type = 'out_invoice'
        """
    )
    customers, invoices = env.cr.fetchone()
    # Everyone due in every company (the date is per company, one jsonb): as if no customer
    # had been reviewed yet.
    env.cr.execute("UPDATE res_partner SET credit_next_review_date = NULL WHERE credit_next_review_date IS NOT NULL")
    env["ir.config_parameter"].set_param("credit_management.review_batch_size", args.batch_size)
    env.cr.commit()
    env.invalidate_all()

    reviews_before = env["credit.risk.review"].search_count([])
    started = time.perf_counter()
    env["res.partner"]._cron_review_due_partners()
    elapsed = time.perf_counter() - started
    env.cr.commit()

    reviewed = env["credit.risk.review"].search_count([]) - reviews_before
    reviewed_domain = [("credit_last_review_date", "!=", False)]
    Partner = env["res.partner"]
    tiers = Counter({tier.name: count for tier, count in Partner._read_group(
        reviewed_domain, ["credit_risk_tier_id"], ["__count"])})
    behaviours = Counter(dict(Partner._read_group(reviewed_domain, ["credit_payment_behaviour"], ["__count"])))
    return {
        **_behaviour_agreement(env, args.seed),
        "customers_with_invoices": customers,
        "posted_invoices": invoices,
        "batch_size": args.batch_size,
        "customers_reviewed": reviewed,
        "review_seconds": round(elapsed, 1),
        "load_average_1_min": round(os.getloadavg()[0], 1),
        "customers_per_second": round(reviewed / elapsed, 1) if elapsed else None,
        "tiers": dict(tiers.most_common()),
        "behaviours": dict(behaviours.most_common()),
    }


def _behaviour_agreement(env, seed):
    """How the behaviours found compare with the generator's (``GEN-`` customers of
    ``seed``): per generated profile, the share of customers given each behaviour."""
    from odoo.tools import SQL

    from generator_core.generator import generate_customer, profile_for

    # The behaviour is per company (jsonb): read the current company's.
    behaviour = env["res.partner"].sudo()._field_to_sql("res_partner", "credit_payment_behaviour")
    rows = env.execute_query(SQL(
        "SELECT ref, name, %(behaviour)s FROM res_partner "
        "WHERE ref LIKE %(ref)s AND %(behaviour)s IS NOT NULL ORDER BY id", behaviour=behaviour, ref="GEN-%",
    ))
    if not rows or generate_customer(seed, int(rows[0][0][4:]) - 1, date.today()).name != rows[0][1]:
        return {"behaviour_vs_generator": f"no customer generated with seed {seed}"}
    found = defaultdict(Counter)
    for ref, _name, behaviour in rows:
        found[profile_for(int(ref[4:]) - 1, seed)][behaviour] += 1
    return {"behaviour_vs_generator": {
        profile: {behaviour: round(100 * count / sum(counts.values()), 1) for behaviour, count in counts.most_common()}
        for profile, counts in sorted(found.items())
    }}
