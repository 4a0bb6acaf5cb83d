"""The credit check of one order at confirmation: the SQL queries and time it adds, for a
customer with few and with many open invoices (the count must not grow with them).

Inside the scenario's rolled-back transaction, for each size it makes a customer with that
many open, overdue invoices (copied in bulk SQL from one invoice posted through the ORM, then
ANALYZEd as autovacuum would once committed — use a benchmark database, not production),
turns the over-limit and overdue rules on, and measures on one quotation of the customer:
the check alone (``sale.order._credit_evaluate``) and the whole confirmation of the held
order (check, hold, reasons, chatter).
"""

import time

from odoo import Command, fields
from odoo.tools import SQL

DESCRIPTION = "queries and ms of one order's credit check for customers with 10 and 10,000 open invoices"


def add_arguments(parser):
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 10000],
                        help="open invoices of each customer measured (default: 10 10000)")
    parser.add_argument("--repeat", type=int, default=5, help="measures per size; the best time is kept")


def _measure(env, func):
    env.invalidate_all()
    env.flush_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = func()
    env.flush_all()
    return result, env.cr.sql_log_count - queries, (time.perf_counter() - started) * 1000


def _customer_with_open_invoices(env, company, count):
    """A customer with ``count`` posted invoices of 100, due 60 days ago, left open."""
    partner = env["res.partner"].create({"name": f"Benchmark customer ({count} invoices)", "is_company": True})
    date = fields.Date.subtract(fields.Date.context_today(env.user), days=90)
    template = env["account.move"].with_company(company).create({
        "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": date,
        "invoice_date_due": fields.Date.add(date, days=30),
        "invoice_line_ids": [Command.create({"name": "Goods", "quantity": 1, "price_unit": 100, "tax_ids": []})],
    })
    template.action_post()
    env.flush_all()
    if count > 1:
        _copy_move(env, template, count - 1)
        # What autovacuum does once such rows are committed: without statistics on the new
        # rows the planner takes the tables for empty and joins them row by row.
        env.cr.execute(SQL("ANALYZE account_move, account_move_line, res_partner"))
    env.invalidate_all()
    return partner


def _columns(env, table, skip):
    rows = env.execute_query(SQL(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        table))
    return [name for (name,) in rows if name not in skip]


def _copy_move(env, template, copies):
    """Copy ``template`` (a posted move and its lines) ``copies`` times in two INSERTs."""
    move_columns = _columns(env, "account_move", {"id", "name", "sequence_number", "access_token"})
    line_columns = _columns(env, "account_move_line", {"id", "move_id", "move_name"})
    move_list = SQL(", ").join(SQL.identifier(c) for c in move_columns)
    line_list = SQL(", ").join(SQL.identifier(c) for c in line_columns)
    line_select = SQL(", ").join(SQL.identifier("l", c) for c in line_columns)
    env.execute_query(SQL(
        """
        WITH copies AS (
            INSERT INTO account_move (name, sequence_number, %(move_list)s)
            SELECT 'BENCH/' || %(template_id)s || '/' || n, 100000 + n, %(move_list)s
              FROM account_move, generate_series(1, %(copies)s) AS n
             WHERE id = %(template_id)s
         RETURNING id, name
        )
        INSERT INTO account_move_line (move_id, move_name, %(line_list)s)
        SELECT copies.id, copies.name, %(line_select)s
          FROM copies, account_move_line l
         WHERE l.move_id = %(template_id)s
        """,
        move_list=move_list, line_list=line_list, line_select=line_select,
        template_id=template.id, copies=copies,
    ))


def run(env, args):
    company = env.company
    company.write({"credit_hold_over_limit": True, "credit_hold_overdue_days": 30})
    product = env["product.product"].create({"name": "Benchmark product", "list_price": 500})
    measures = {}
    for size in args.sizes:
        partner = _customer_with_open_invoices(env, company, size)
        partner.with_company(company).credit_limit = 1000
        order = env["sale.order"].create({
            "partner_id": partner.id, "company_id": company.id,
            "order_line": [Command.create({"product_id": product.id, "price_unit": 500, "tax_ids": []})],
        })
        _measure(env, order._credit_evaluate)  # warm the caches (access rules, rates...)
        best = None
        for _i in range(args.repeat):
            checks, queries, ms = _measure(env, order._credit_evaluate)
            best = (queries, ms) if best is None or ms < best[1] else best
        reasons = checks[order].reasons
        for _i in range(2):  # the first confirmation warms the chatter's caches
            with env.cr.savepoint(flush=False) as savepoint:
                _result, confirm_queries, confirm_ms = _measure(
                    env, lambda order=order: order.with_context(credit_dialog=True).action_confirm())
                held = order.credit_check_state
                savepoint.rollback()
        measures.update({
            f"open_invoices_{size}": size,
            f"check_queries_{size}": best[0],
            f"check_ms_{size}": round(best[1], 1),
            f"confirm_queries_{size}": confirm_queries,
            f"confirm_ms_{size}": round(confirm_ms, 1),
            f"held_{size}": f"{held}: " + ", ".join(reason.code for reason in reasons),
        })
    return measures
