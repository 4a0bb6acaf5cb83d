"""The scenarios of the benchmark table (issue 15), each measured in repetitions rolled
back after them (see ``bench.harness``):

(a)/(b) the credit check of one confirmation, for a customer with 10 and with 10,000 open
        invoices: in the same ``action_confirm`` call, the addon's check
        (``sale.order._credit_hold_at_confirmation``, which ``action_confirm`` calls before
        Odoo's own confirmation, its writes flushed) and the rest of the call (Odoo's own
        confirmation) are timed apart;
(c)     *Credit → Customers*: one page of 80 customers sorted by available credit, read as
        the web client reads it (``web_search_read`` with the fields of the list view), and
        the same page with Odoo's own fields only;
(d)     executing follow-up lines that render a PDF (email with statement, letter);
(e)     the review job over every customer;
(f)     computing a follow-up run over every segment;
(g)     the KPI dashboard (not built yet).

(a)–(c) read the benchmark database; (d)–(f) run on a copy of it. The database gets, once
and committed, what the scenarios need (:func:`prepare`): two benchmark customers with 10 and
10,000 open invoices, the over-limit and overdue hold rules on, and a first review of every
customer (tiers, behaviours, segments), as a database in use has them.
"""

import time
from ast import literal_eval
from datetime import timedelta
from unittest.mock import patch

from lxml import etree

from odoo import Command, fields
from odoo.tools import SQL

from bench import harness
from bench.stats import Row, format_ms, ratio

SETUP_PARAM = "credit_management.benchmark_setup"
SETUP_VERSION = "2"
SIZES = {"a": 10, "b": 10_000}
INVOICE_AMOUNT = 100.0
ORDER_AMOUNT = 500.0
DAYS_UNTIL_DUE = 3650  # the benchmark customers' invoices: not due for years (see _set_due_dates)
OVERDUE_RULE_DAYS = 30
PAGE = 80
SCENARIOS = "abcdefg"
READING, WRITING = "abc", "def"


def _ref(size):
    return f"BENCH-{size}"


def _say(message):
    print(message, flush=True)


# ---------------------------------------------------------------- the database
def prepare(env):
    """Give the benchmark database, once, what the scenarios need (committed): the
    benchmark customers, the hold rules on, every customer reviewed. Returns whether it
    changed the database (then vacuum it, as autovacuum would in time)."""
    params = env["ir.config_parameter"].sudo()
    if params.get_param(SETUP_PARAM) == SETUP_VERSION:
        return False
    company = env.ref("base.main_company")
    company.write({"credit_hold_over_limit": True, "credit_hold_overdue_days": OVERDUE_RULE_DAYS})
    if not env["product.product"].search([("default_code", "=", "BENCH-PRODUCT")]):
        env["product.product"].create({"name": "Benchmark product", "default_code": "BENCH-PRODUCT",
                                       "type": "consu", "list_price": ORDER_AMOUNT, "taxes_id": []})
    partners = env["res.partner"]
    for size in SIZES.values():
        partners |= _benchmark_customer(env, company, size)
    _set_due_dates(env, partners, fields.Date.context_today(partners) + timedelta(days=DAYS_UNTIL_DUE))
    env.cr.commit()
    if not env["credit.risk.review"].search_count([], limit=1):
        _say("First review of every customer, as a database in use has them...")
        started = time.perf_counter()
        env["res.partner"]._cron_review_due_partners()
        env.cr.commit()
        _say(f"  done in {time.perf_counter() - started:.0f} s")
    # A tier that checks the limit without holding every order: the orders measured pass.
    tier = env["credit.risk.tier"].search([("hold_policy", "=", "over_limit")], order="sequence", limit=1)
    for partner in partners:
        customer = partner.with_company(company)
        if customer.credit_tier_override_id != tier:
            customer.write({"credit_tier_override_id": tier.id, "credit_override_reason": "Benchmark customer"})
        size = int(partner.ref.split("-")[1])
        limit = 2 * size * INVOICE_AMOUNT + 10 * ORDER_AMOUNT
        if customer.credit_limit != limit:
            customer.credit_limit = limit
    params.set_param(SETUP_PARAM, SETUP_VERSION)
    env.cr.commit()
    return True


def _benchmark_customer(env, company, size):
    """The customer ``BENCH-<size>`` with ``size`` posted, open invoices of 100: one posted
    through the ORM, copied in bulk SQL (a benchmark database only)."""
    partner = env["res.partner"].search([("ref", "=", _ref(size))], limit=1)
    if partner:
        return partner
    _say(f"Adding the benchmark customer with {size:,} open invoices...")
    partner = env["res.partner"].create({"name": f"Benchmark customer ({size:,} open invoices)", "ref": _ref(size),
                                         "is_company": True, "email": f"bench-{size}@example.com"})
    today = fields.Date.context_today(partner)
    template = env["account.move"].with_company(company).create({
        "move_type": "out_invoice", "partner_id": partner.id, "invoice_date": today - timedelta(days=40),
        "invoice_date_due": today + timedelta(days=DAYS_UNTIL_DUE),
        "invoice_line_ids": [Command.create({"name": "Goods", "quantity": 1, "price_unit": INVOICE_AMOUNT,
                                             "tax_ids": []})],
    })
    template.action_post()
    env.flush_all()
    if size > 1:
        _copy_move(env, template, size - 1)
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


def _set_due_dates(env, partners, due):
    """Make the open invoices of ``partners`` due on ``due``: years ahead, so that the
    orders measured pass the overdue rule whatever the day the benchmark runs (the rule
    still reads every open invoice of the customer)."""
    env.flush_all()
    env.execute_query(SQL(
        """
        WITH moves AS (
            UPDATE account_move SET invoice_date_due = %(due)s
             WHERE partner_id = ANY(%(partners)s) AND state = 'posted' AND invoice_date_due != %(due)s RETURNING id
        )
        UPDATE account_move_line SET date_maturity = %(due)s
         WHERE move_id IN (SELECT id FROM moves) AND date_maturity IS NOT NULL
        """,
        due=due, partners=partners.ids,
    ))
    env.invalidate_all()


def _web_env(env, company):
    """The environment of the administrator in the web client (a credit manager)."""
    return env(user=env.ref("base.user_admin").id,
               context={"lang": "en_US", "tz": "UTC", "allowed_company_ids": [company.id]}, su=False)


def data_size(env):
    """Counts describing the database: customers, invoices, open instalments."""
    row = env.execute_query_dict(SQL(
        """
        SELECT (SELECT COUNT(*) FROM res_partner WHERE customer_rank > 0 AND is_company) AS customers,
               (SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted') AS invoices,
               (SELECT COUNT(*) FROM account_move_line aml JOIN account_account acc ON acc.id = aml.account_id
                 WHERE acc.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
                   AND NOT aml.reconciled AND aml.amount_residual != 0) AS open_lines
        """
    ))[0]
    return row


# ---------------------------------------------------------------- (a), (b) the order check
def order_check(env, key, times, memory):
    """Rows of the credit check of one confirmation and of Odoo's own confirmation."""
    size = SIZES[key]
    company = env.ref("base.main_company")
    partner = env["res.partner"].search([("ref", "=", _ref(size))], limit=1)
    web = _web_env(env, company)
    product = env["product.product"].search([("default_code", "=", "BENCH-PRODUCT")], limit=1)
    order = web["sale.order"].with_context(credit_dialog=True).create({
        "partner_id": partner.id, "company_id": company.id,
        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1,
                                       "price_unit": ORDER_AMOUNT, "tax_ids": []})],
    })
    env.flush_all()
    open_lines = len(env.execute_query(SQL(
        "SELECT 1 FROM (%s) r", env["credit.receivable"]._lines_sql(company, fields.Date.today(), partner.ids))))

    SaleOrder = type(env["sale.order"])
    check_of_confirmation = SaleOrder._credit_hold_at_confirmation
    stopwatch = harness.Stopwatch()

    def timed_check(self):
        with stopwatch(self.env):
            return check_of_confirmation(self)

    def confirm():
        stopwatch.ms = stopwatch.queries = 0
        order.action_confirm()
        return stopwatch.ms, stopwatch.queries

    with patch.object(SaleOrder, "_credit_hold_at_confirmation", timed_check):
        measure = harness.repeat(web, confirm, times=times, memory=memory,
                                 after=lambda: (order.state, order.credit_hold_reasons))
    states = {sample.after[0] for sample in measure.samples}
    label = f"({key}) Order check, {size:,} open invoices"
    data = f"1 order; customer with {open_lines:,} open invoices, not due"
    if states != {"sale"}:
        reasons = etree.fromstring(f"<div>{measure.samples[0].after[1] or ''}</div>").xpath("string()")
        return [Row(label, data, skipped=f"order held, not confirmed: {reasons[:120]}")], measure
    check_ms = [sample.result[0] for sample in measure.samples]
    check_queries = [sample.result[1] for sample in measure.samples]
    odoo_ms = [sample.ms - check for sample, check in zip(measure.samples, check_ms, strict=True)]
    odoo_queries = [sample.queries - check for sample, check in zip(measure.samples, check_queries, strict=True)]
    check_row = Row(f"{label}: the addon's check", data, check_ms, check_queries, measure.peak_bytes,
                    budget="≤ 6 queries, ≤ 0.5× Odoo's" if size < 1000 else "≤ 6 queries, ≤ 1.0× Odoo's")
    odoo_row = Row(f"{label}: Odoo's own confirmation", data, odoo_ms, odoo_queries,
                   notes="action_confirm minus the check, same call")
    quotient = ratio(check_row.median_ms, odoo_row.median_ms)
    per_run = sorted(c / o for c, o in zip(check_ms, odoo_ms, strict=True) if o)
    check_row.notes = (f"check / Odoo = {quotient:.2f}× (runs {per_run[0]:.2f}–{per_run[-1]:.2f}); "
                       f"memory: whole confirmation") if quotient else ""
    return [check_row, odoo_row], measure


# ---------------------------------------------------------------- (c) the customer list
def list_specification(model, view):
    """The ``web_search_read`` specification the web client sends for the list ``view``:
    every field of the arch, many2one fields with their display name."""
    arch = model.get_views([(view.id, "list")])["views"]["list"]["arch"]
    spec = {}
    for node in etree.fromstring(arch).iterchildren("field"):
        name = node.get("name")
        spec[name] = {"fields": {"display_name": {}}} if model._fields[name].type == "many2one" else {}
    return spec


def customer_list(env, times, memory):
    company = env.ref("base.main_company")
    web = _web_env(env, company)
    action = env.ref("credit_management.action_credit_customers")
    context = dict(web.context, search_default_customer=1, res_partner_search_mode="customer",
                   default_is_company=True, default_customer_rank=1, bin_size=True)
    Partner = web["res.partner"].with_context(context)
    spec = list_specification(Partner, env.ref("credit_management.res_partner_view_list_credit"))
    # The action's domain and its default filter (Customer Invoices).
    domain = [*literal_eval(action.domain or "[]"), ("customer_rank", ">", 0)]
    own = {name: value for name, value in spec.items() if Partner._fields[name]._module != "credit_management"}

    def page():
        return Partner.web_search_read(domain, spec, offset=0, limit=PAGE, order="credit_available ASC",
                                       count_limit=10001)

    def own_page():
        return Partner.web_search_read(domain, own, offset=0, limit=PAGE, count_limit=10001)

    measure = harness.repeat(web, page, times=times, memory=memory)
    own_measure = harness.repeat(web, own_page, times=times, memory=False)
    total = Partner.search_count(domain)
    data = f"{len(measure.samples[0].result['records'])} of {total:,} customers, {len(spec)} fields"
    row = Row("(c) Credit → Customers, 80 by available credit", data, measure.times_ms, measure.queries,
              measure.peak_bytes, budget="≤ 100 ms")
    own_row = Row("(c) the same page, Odoo's fields only", f"{PAGE} of {total:,} customers, {len(own)} fields",
                  own_measure.times_ms, own_measure.queries, notes=f"{', '.join(own)}; Odoo's default order")
    quotient = ratio(row.median_ms, own_row.median_ms)
    if quotient:
        row.notes = f"{quotient:.1f}× the same page with Odoo's fields only"
    return [row, own_row], measure


# ---------------------------------------------------------------- (d) follow-up execution
def _count_engine_calls():
    """A list that gets the duration (ms) of each call of the PDF engine while the patch
    returned is active."""
    from odoo.addons.base.models import ir_actions_report

    calls = []
    original = ir_actions_report._run_wkhtmltopdf

    def counted(args):
        started = time.perf_counter()
        try:
            return original(args)
        finally:
            calls.append((time.perf_counter() - started) * 1000)

    return calls, patch.object(ir_actions_report, "_run_wkhtmltopdf", counted)


def followup_execution(env, run, channel, lines, times, memory):
    """Row of executing ``lines`` lines of ``channel`` of the computed ``run`` per repetition
    (default: one step of the execution job, ``EXECUTE_BATCH_SIZE`` lines, one PDF engine
    call), as the job executes them."""
    from odoo.addons.credit_management.models.credit_followup_run import EXECUTE_BATCH_SIZE

    lines = lines or EXECUTE_BATCH_SIZE
    candidates = run.line_ids.filtered(lambda line: line.channel == channel and line.state == "draft")
    needed = lines * (times + 1)
    label = {"email": "(d) Follow-up line executed: email + statement PDF",
             "letter": "(d) Follow-up line executed: letter PDF"}[channel]
    if len(candidates) < needed:
        return [Row(label, f"{len(candidates)} {channel} lines", skipped=f"fewer than {needed} lines to execute")], None
    batches = [candidates[index:index + lines] for index in range(0, needed, lines)]
    calls, engine_patch = _count_engine_calls()
    current = []
    position = [0]

    def prepare():  # other lines each run; the last ones again to explain statements
        current[:] = [batches[min(position[0], len(batches) - 1)]]
        position[0] += 1

    def execute():
        run._credit_execute_lines(current[0])

    def outcome():
        done = current[0].filtered(lambda line: line.state == "done")
        return len(done), {error[:80] for error in (current[0] - done).mapped("error") if error}

    with engine_patch:
        calls.clear()
        measure = harness.repeat(env, execute, times=times, memory=memory, prepare=prepare, after=outcome)
    per_line = [ms / lines for ms in measure.times_ms]
    queries = [round(q / lines) for q in measure.queries]
    done = sum(sample.after[0] for sample in measure.samples)
    errors = set().union(*(sample.after[1] for sample in measure.samples))
    row = Row(label + ", per line", f"{lines} lines a run (steps of {EXECUTE_BATCH_SIZE}), of {len(candidates):,}",
              per_line, queries, measure.peak_bytes, budget="≤ 150 ms a line")
    row.notes = (f"{len(calls) / (times + 1):.1f} PDF engine call(s) a run, "
                 f"{sum(calls) / (lines * (times + 1)):,.0f} ms in the engine a line; {done}/{lines * times} done"
                 + (f"; errors: {'; '.join(sorted(errors))}" if errors else "") + "; memory: Odoo's, not the engine's")
    return [row], measure


# ---------------------------------------------------------------- (e) review, (f) follow-up compute
def review_job(env, times, memory):
    Partner = env["res.partner"]
    counts = {}

    def prepare():
        # Everyone due in every company (the date is per company, one jsonb), as in a
        # database where every customer's review has come.
        env.cr.execute("UPDATE res_partner SET credit_next_review_date = NULL "
                       "WHERE credit_next_review_date IS NOT NULL")
        env.invalidate_all()
        counts["before"] = env["credit.risk.review"].search_count([])

    def review():
        with harness.commits_kept_in_transaction(env):
            Partner._cron_review_due_partners()

    measure = harness.repeat(env, review, times=times, memory=memory, prepare=prepare,
                             after=lambda: env["credit.risk.review"].search_count([]) - counts["before"])
    reviewed = measure.samples[0].after
    size = data_size(env)
    row = Row("(e) Review of every customer (the daily job)",
              f"{reviewed:,} customers reviewed, {size['invoices']:,} invoices", measure.times_ms, measure.queries,
              measure.peak_bytes, budget="≤ 30 s")
    row.notes = (f"{reviewed / (row.median_ms / 1000):.0f} customers/s; the job's batch commits kept in the "
                 "rolled-back transaction")
    return [row], measure


def compute_run(env, company):
    web = _web_env(env, company)
    return web["credit.followup.run"].with_company(company).create({
        "company_id": company.id, "date": fields.Date.context_today(web["credit.followup.run"]),
        "user_id": web.uid})


def followup_compute(env, times, memory):
    company = env.ref("base.main_company")
    web = _web_env(env, company)
    runs = []

    def prepare():
        runs[:] = [compute_run(env, company)]

    def compute():
        runs[0].with_env(web).action_compute()

    measure = harness.repeat(web, compute, times=times, memory=memory, prepare=prepare,
                             after=lambda: len(runs[0].line_ids))
    rows = env.execute_query(SQL(
        """
        SELECT COUNT(DISTINCT partner_id), COUNT(*), COUNT(*) FILTER (WHERE days_overdue > 0) FROM (%s) r
         WHERE move_type = 'out_invoice' AND residual > 0
        """, env["credit.receivable"]._lines_sql(company, fields.Date.today())))
    customers, instalments, overdue = rows[0]
    segments = env["credit.segment"].search_count([])
    row = Row("(f) Follow-up run computed over every segment",
              f"{segments} segments; {customers:,} customers, {instalments:,} open instalments "
              f"({overdue:,} overdue) → {measure.samples[0].after:,} lines",
              measure.times_ms, measure.queries, measure.peak_bytes, budget="≤ 10 s")
    return [row], measure


# ---------------------------------------------------------------- the whole table
class Results:
    """The rows and, per scenario, the statements and plans for the report."""

    def __init__(self):
        self.rows = []
        self.details = []  # (scenario, QueryLog, [(statement, sql, plan)])

    def add(self, rows, measure, explain):
        """Add the ``rows`` of a scenario and, with ``explain``, the plans of its
        ``explain`` slowest statements (one more run of the scenario)."""
        self.rows.extend(rows)
        if measure is None:
            return
        plans = []
        if explain:
            plans = harness.explain(measure.env, measure.action, measure.log.top(explain, "max_ms"),
                                    prepare=measure.prepare)
        self.details.append((rows[0].scenario, measure.log, plans))


def run(odoo_env, database_module, args, filestore):
    """Measure the scenarios of ``args.only`` and return a :class:`Results`."""
    results = Results()
    only = args.only
    with odoo_env(args.database, commit=True) as env:
        changed = prepare(env)
    if changed:
        _say(f"Vacuuming '{args.database}' (as autovacuum would, in time)...")
        _close(args.database)
        database_module.vacuum(args.database)
    if set(only) & set(READING):
        with odoo_env(args.database) as env:
            for key in "ab":
                if key in only:
                    _say(f"({key}) order check, {SIZES[key]:,} open invoices...")
                    rows, measure = order_check(env, key, args.repeat, args.memory)
                    results.add(rows, measure, args.explain)
            if "c" in only:
                _say("(c) Credit → Customers page...")
                rows, measure = customer_list(env, args.repeat, args.memory)
                results.add(rows, measure, args.explain)
    if set(only) & set(WRITING):
        _close(args.database)
        _say(f"Copying '{args.database}' to '{args.copy}' for the scenarios that write...")
        database_module.copy(args.database, args.copy, filestore)
        try:
            _writing(results, odoo_env, args)
        finally:
            _close(args.copy)
            database_module.drop(args.copy, filestore)
    if "g" in only:
        results.rows.append(Row("(g) KPI dashboard, whole company", skipped="n/a (not built)", budget="≤ 2 s",
                                notes="issue 11"))
    order = {key: index for index, key in enumerate(SCENARIOS)}
    results.rows.sort(key=lambda row: order[row.scenario[1]])
    return results


def _writing(results, odoo_env, args):
    only = args.only
    with odoo_env(args.copy, commit=True) as env:
        company = env.ref("base.main_company")
        if "f" in only:
            _say("(f) follow-up compute over every segment...")
            rows, measure = followup_compute(env, args.heavy_repeat, args.memory)
            results.add(rows, measure, args.explain)
        if "d" in only:
            followup = compute_run(env, company)
            followup.action_compute()
            env.cr.commit()
            # The credit documents carry their styles (no web server needed by the PDF engine).
            _say("(d) follow-up lines with a PDF...")
            for channel in ("email", "letter"):
                rows, measure = followup_execution(env, followup, channel, args.lines, args.heavy_repeat, args.memory)
                results.add(rows, measure, args.explain)
        if "e" in only:
            _say("(e) review of every customer...")
            rows, measure = review_job(env, args.heavy_repeat, args.memory)
            results.add(rows, measure, args.explain)
        env.cr.rollback()


def _close(database):
    """Close this process's connections to ``database`` (to copy or drop it)."""
    from odoo.modules.registry import Registry
    from odoo.sql_db import close_db

    Registry.delete(database)
    close_db(database)


def report(results, header):
    """The Markdown report: ``header``, the table, then per scenario its heaviest
    statements and the plans of the slowest."""
    from bench.stats import abbreviate, format_table

    lines = [header, "", format_table([row.cells() for row in results.rows]), ""]
    for scenario, log, plans in results.details:
        lines += [f"## {scenario}", "",
                  f"{log.count:,} queries ({len(log.statements):,} distinct statements) in the last run, "
                  f"{format_ms(log.total_ms)} ms waiting for PostgreSQL (round trips included). "
                  "Heaviest statements (total time):", ""]
        for statement in log.top(12):
            lines.append(f"- {statement.count:,}× total {format_ms(statement.total_ms)} ms, max "
                         f"{format_ms(statement.max_ms)} ms: `{abbreviate(statement.shape, 220)}`")
        for statement, query, plan in plans:
            lines += ["", f"### {format_ms(statement.max_ms)} ms, run {statement.count:,}×", "",
                      "```sql", query.strip(), "```", "", "```", plan, "```"]
        lines.append("")
    return "\n".join(lines)

