"""Exposure of customers: the SQL queries and time it costs, for one customer with the
most open invoices and for a page of the customer list sorted by exposure."""

import time

DESCRIPTION = "exposure of the customer with most open invoices, and of an 80-customer list page"


def add_arguments(parser):
    parser.add_argument("--page", type=int, default=80, help="customers on the list page")


def _measure(env, func):
    env.invalidate_all()
    env.flush_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    return result, env.cr.sql_log_count - queries, round((time.perf_counter() - started) * 1000, 1)


def run(env, args):
    env.cr.execute(
        """
        SELECT p.commercial_partner_id, COUNT(*)
          FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE acc.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
           AND aml.reconciled IS NOT TRUE
      GROUP BY 1 ORDER BY 2 DESC LIMIT 1
        """
    )
    row = env.cr.fetchone()
    if not row:
        raise SystemExit("No open receivable in this database: generate data first.")
    partner = env["res.partner"].browse(row[0])
    exposure, one_queries, one_ms = _measure(env, lambda: partner.credit_exposure)
    Partner = env["res.partner"]
    page, page_queries, page_ms = _measure(env, lambda: Partner.search_read(
        [("customer_rank", ">", 0)], ["credit_exposure", "credit_available"],
        order="credit_exposure desc", limit=args.page))
    return {
        "customer": partner.display_name,
        "open_receivable_lines": row[1],
        "exposure": exposure,
        "one_customer_queries": one_queries,
        "one_customer_ms": one_ms,
        "list_page_customers": len(page),
        "list_page_queries": page_queries,
        "list_page_ms": page_ms,
    }
