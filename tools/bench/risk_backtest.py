"""Does the risk score predict who pays late? Score every customer *as of* a cutoff date,
from its history before that date only, then measure, per tier, how the invoices issued
after the cutoff were paid: the share paid late (or still open past their due date) by
count and by amount, beyond the grace days, more than 30 days late, and the average days
late. Invoices not due yet and still open are left out (their outcome is unknown).

Read-only (rolled back). The database needs this branch's addon installed.
"""

import itertools
from collections import defaultdict
from datetime import timedelta

DESCRIPTION = "late payments of the invoices after a cutoff, per tier scored as of the cutoff"


def add_arguments(parser):
    parser.add_argument("--cutoff-days", type=int, default=180, help="cutoff: this many days before today")
    parser.add_argument("--batch-size", type=int, default=2000)


def _outcomes(env, company, cutoff):
    """{partner id: invoice outcome sums} of the invoices issued after ``cutoff``."""
    from odoo import fields
    from odoo.tools import SQL
    grace = company.credit_risk_grace_days
    today = fields.Date.context_today(env["res.partner"])
    rows = env.execute_query(SQL(
        """
        WITH line AS (
            SELECT p.commercial_partner_id AS partner_id, aml.id, aml.balance AS amount,
                   COALESCE(aml.date_maturity, aml.date) AS due
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.parent_state = 'posted' AND am.move_type = 'out_invoice'
               AND acc.account_type = 'asset_receivable' AND aml.balance > 0
               AND aml.company_id = ANY(%(company_ids)s) AND aml.date > %(cutoff)s
        ),
        settled AS (
            SELECT line.id, SUM(apr.amount) AS paid, MAX(apr.max_date) AS last_date
              FROM line JOIN account_partial_reconcile apr ON apr.debit_move_id = line.id
          GROUP BY line.id
        ),
        outcome AS (
            SELECT line.partner_id, line.amount,
                   (CASE WHEN line.amount - COALESCE(s.paid, 0) <= 0.005 THEN s.last_date
                         ELSE %(today)s END) - line.due AS delay
              FROM line LEFT JOIN settled s ON s.id = line.id
             WHERE line.amount - COALESCE(s.paid, 0) <= 0.005 OR line.due < %(today)s
        )
        SELECT partner_id, COUNT(*), SUM(amount),
               COUNT(*) FILTER (WHERE delay > 0), COALESCE(SUM(amount) FILTER (WHERE delay > 0), 0),
               COUNT(*) FILTER (WHERE delay > %(grace)s),
               COALESCE(SUM(amount) FILTER (WHERE delay > %(grace)s), 0),
               COUNT(*) FILTER (WHERE delay > 30), SUM(GREATEST(delay, 0))
          FROM outcome
      GROUP BY partner_id
        """,
        company_ids=env["credit.receivable"]._company_ids(company), cutoff=cutoff, today=today, grace=grace,
    ))
    return {row[0]: row[1:] for row in rows}


def run(env, args):
    from odoo import fields
    from odoo.tools import split_every

    company = env.company
    cutoff = fields.Date.context_today(env["res.partner"]) - timedelta(days=args.cutoff_days)
    outcomes = _outcomes(env, company, cutoff)
    partners = env["res.partner"].browse(sorted(outcomes))
    bands = env["credit.risk.tier"]._credit_bands()
    tier_names = {band.key: band.name for band in bands}
    sums = defaultdict(lambda: [0] * 9)
    for ids in split_every(args.batch_size, partners.ids):
        batch = env["res.partner"].browse(ids)
        for partner_id, outcome in batch._credit_review_outcomes(company, cutoff, bands).items():
            tier = tier_names.get(outcome["score_tier_id"], "-")
            row = sums[tier]
            row[0] += 1
            for index, value in enumerate(outcomes[partner_id], start=1):
                row[index] += float(value)
        env.invalidate_all()
    table = {}
    for band in bands:
        customers, count, amount, late, late_amount, grace, grace_amount, late30, days = sums[band.name]
        if not count:
            continue
        table[band.name] = {
            "customers": customers,
            "invoices": int(count),
            "late_%": round(100 * late / count, 1),
            "late_amount_%": round(100 * late_amount / amount, 1),
            "late_beyond_grace_%": round(100 * grace / count, 1),
            "late_beyond_grace_amount_%": round(100 * grace_amount / amount, 1),
            "late_over_30_days_%": round(100 * late30 / count, 1),
            "avg_days_late": round(days / count, 1),
        }
    measures = [key for key in next(iter(table.values()), {}) if key not in ("customers", "invoices")]
    rising = {}
    for key in measures:
        values = [row[key] for row in table.values()]
        rising[key] = all(low < high for low, high in itertools.pairwise(values))
    return {
        "cutoff": str(cutoff),
        "customers": len(partners),
        "invoices_after_cutoff": sum(row["invoices"] for row in table.values()),
        "per_tier": table,
        "strictly_rising_with_tier": rising,
    }
