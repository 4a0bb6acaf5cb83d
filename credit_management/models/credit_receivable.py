from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..credit_core.receivables import EXCLUSIONS, due_before

# What a receivable line reads (the lean projection of ``_lines_sql``) and what its
# details read (the invoice and the commercial partner): flushed before a query that
# reads them runs (the ``to_flush`` of its SQL, each model flushed once per query).
LINE_FIELDS = (
    ("account.move.line", ["account_id", "amount_residual", "balance", "company_id", "company_currency_id",
                           "date", "date_maturity", "move_id", "parent_state", "partner_id", "reconciled"]),
    ("account.account", ["account_type"]),
    ("res.partner", ["commercial_partner_id"]),
)
DETAIL_FIELDS = (
    ("account.move", ["name", "move_type", "invoice_user_id", "credit_disputed", "credit_promise_date"]),
    ("res.partner", ["credit_followup_pause_until"]),
)
ORDER_FIELDS = (
    ("sale.order", ["state", "company_id", "partner_invoice_id", "amount_total", "currency_id"]),
    ("sale.order.line", ["order_id", "invoice_lines"]),
    ("account.move.line", ["price_total", "move_id"]),
    ("account.move", ["state", "move_type"]),
    ("res.partner", ["commercial_partner_id"]),
)
DRAFT_FIELDS = (("account.move", ["state", "move_type", "commercial_partner_id", "amount_total_signed", "company_id"]),)
RATE_FIELDS = (("res.currency.rate", ["currency_id", "company_id", "name", "rate"]),)

# What the receivables layer reads of a company: its accounting entity (``parent_path``),
# currency and exposure settings — not every field of it.
COMPANY_FIELDS = ["parent_path", "currency_id", "credit_exposure_receivables", "credit_exposure_orders",
                  "credit_exposure_draft_invoices"]

# Exposure when no component is counted: the columns of ``_exposure_sql``, no row.
NO_EXPOSURE = SQL(
    "SELECT NULL::int AS partner_id, 0::numeric AS receivable, 0::numeric AS orders, "
    "0::numeric AS drafts, 0::numeric AS total WHERE FALSE"
)


class CreditReceivable(models.AbstractModel):
    """The one definition of a customer's receivables that every credit rule reads.

    A receivable is a posted line of a receivable account: one per instalment of an invoice
    (each with its own due date), and the credit notes and payments not allocated yet
    (negative). It belongs to the commercial partner of its partner and to a company's
    accounting entity (the company and its branches); its residual is in the company
    currency. On a date it is *overdue* by the days past its due date, and it may be *left
    alone* — not chased by follow-ups and not counted by the overdue hold rule — for one of
    the reasons of :meth:`_exclusions_sql` (disputed, promised, paused; later modules add
    theirs there). ``credit_core.receivables`` holds the same rules in Python.

    Exposure, the overdue hold rule, the risk score's history, follow-up runs, customer
    statements and the ageing report all read :meth:`_lines_sql`: amounts read its lean
    projection (the line alone), the rest its full one (the line and what its invoice and
    customer say), built on the lean one.
    """

    _name = "credit.receivable"
    _description = "Customer Receivables"

    @api.model
    def _company_ids(self, company):
        """The ids of ``company``, its parent and sibling branches: one accounting entity."""
        return list(self._company_ids_of_root(company.root_id.id))

    @tools.ormcache("root_id")
    def _company_ids_of_root(self, root_id):
        # A company's place in the hierarchy never changes; creating, archiving or deleting
        # a company clears the registry's caches.
        return tuple(self.env["res.company"].sudo().search([("id", "child_of", root_id)]).ids)

    @api.model
    def _exclusions_sql(self, on_date):
        """``{reason: SQL condition}``: why a receivable is left alone on ``on_date``, in
        the order the reasons are reported (see ``credit_core.receivables.EXCLUSIONS``).
        The conditions read the invoice ``am`` and the commercial partner ``cp``. Modules
        that add a reason (e.g. payment plans) extend this dictionary."""
        conditions = {
            "disputed": SQL("am.credit_disputed IS TRUE"),
            "promised": SQL("am.credit_promise_date >= %s", on_date),
            "paused": SQL("cp.credit_followup_pause_until >= %s", on_date),
        }
        assert tuple(conditions) == EXCLUSIONS
        return conditions

    @api.model
    def _receivable_lines(self, lines):
        """The lines of ``lines`` (account.move.line) that are receivables in the sense of
        :meth:`_lines_sql`: on a receivable account, of a partner (for records already in
        memory, e.g. those a reconciliation just matched)."""
        return lines.filtered(lambda line: line.account_id.account_type == "asset_receivable" and line.partner_id)

    @api.model
    def _fields_of(self, spec):
        """The fields of ``spec`` (``(model, field names)`` pairs), for the ``to_flush``
        of the SQL that reads them."""
        return [self.env[model]._fields[fname] for model, fnames in spec for fname in fnames]

    @api.model
    def _partner_filter_sql(self, column, partner_ids):
        """SQL condition: the partner id ``column`` is one of ``partner_ids`` (a list of
        ids, or an SQL query selecting them)."""
        if isinstance(partner_ids, SQL):
            return SQL("%s IN (%s)", column, partner_ids)
        return SQL("%s = ANY(%s)", column, list(partner_ids))

    @api.model
    def _lines_sql(self, company, on_date, partner_ids=None, open_only=True, lean=False):
        """SQL selecting one row per receivable line of ``company``'s accounting entity
        (every company when None), with the columns ``id`` (the account.move.line),
        ``move_id``, ``partner_id`` (commercial partner), ``company_id``, ``currency_id``
        (company currency), ``date``, ``date_due``, ``amount`` (the line's balance),
        ``residual`` (what is still open, company currency) and ``days_overdue`` (on
        ``on_date``; zero or less: not due) — the *lean* projection, what amounts read —
        and unless ``lean``, what the invoice and the customer say (see
        :meth:`_line_details_sql`): ``move_type``, ``move_name``, ``invoice_user_id``,
        ``disputed`` and ``exclusion`` (the first reason the line is left alone on
        ``on_date``, NULL when chased).

        ``partner_ids``: only those commercial partners (ids, or an SQL query selecting
        them); ``open_only``: only the lines not fully reconciled (else also the settled
        ones, for histories).

        The open lines are found by receivable account id (``account_id = ANY(...)``, the
        ids read once per query) and read from the index
        ``account_move_line_credit_open_receivable_idx`` alone; histories, which read every
        line of their customers, join the receivable accounts instead (measured faster:
        PostgreSQL then knows how few accounts they are).
        """
        receivable = SQL("account_type = 'asset_receivable'")
        if open_only:
            accounts = SQL()
            conditions = [SQL("aml.account_id = ANY(ARRAY(SELECT id FROM account_account WHERE %s))", receivable)]
        else:
            accounts = SQL("JOIN account_account acc ON acc.id = aml.account_id")
            conditions = [SQL("acc.%s", receivable)]
        conditions.append(SQL("aml.parent_state = 'posted'"))
        if company is not None:
            conditions.append(SQL("aml.company_id = ANY(%s)", self._company_ids(company)))
        if partner_ids is not None:
            conditions.append(self._partner_filter_sql(SQL("p.commercial_partner_id"), partner_ids))
        if open_only:
            conditions.append(SQL("aml.reconciled IS NOT TRUE AND aml.amount_residual != 0"))
        lines = SQL(
            """
            SELECT aml.id, aml.move_id, p.commercial_partner_id AS partner_id, aml.company_id,
                   aml.company_currency_id AS currency_id, aml.date,
                   COALESCE(aml.date_maturity, aml.date) AS date_due,
                   aml.balance AS amount, aml.amount_residual AS residual,
                   %(on_date)s - COALESCE(aml.date_maturity, aml.date) AS days_overdue
              FROM account_move_line aml
              %(accounts)s
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE %(conditions)s
            """,
            on_date=on_date, accounts=accounts, conditions=SQL(" AND ").join(conditions),
            to_flush=self._fields_of(LINE_FIELDS),
        )
        if lean:
            return lines
        return self._line_details_sql(SQL("(%s)", lines), on_date)

    @api.model
    def _line_details_sql(self, lines, on_date):
        """SQL selecting the rows of ``lines`` (a sub-query of lean rows of
        :meth:`_lines_sql`) with what their invoice ``am`` and commercial partner ``cp``
        say on ``on_date``: every column of :meth:`_lines_sql`. Conditions on the lean
        columns are applied before the invoices are read."""
        exclusion = SQL("CASE %s END", SQL(" ").join(
            SQL("WHEN %s THEN %s", condition, reason) for reason, condition in self._exclusions_sql(on_date).items()))
        return SQL(
            """
            SELECT line.id, line.move_id, am.move_type, am.name AS move_name, line.partner_id, line.company_id,
                   line.currency_id, am.invoice_user_id, line.date, line.date_due, line.amount, line.residual,
                   line.days_overdue, COALESCE(am.credit_disputed, FALSE) AS disputed, %(exclusion)s AS exclusion
              FROM %(lines)s AS line
              JOIN account_move am ON am.id = line.move_id
              JOIN res_partner cp ON cp.id = line.partner_id
            """,
            lines=lines, exclusion=exclusion, to_flush=self._fields_of(DETAIL_FIELDS),
        )

    # ------------------------------------------------------------------ what customers owe
    @api.model
    def _currency_factor_sql(self, company, currency):
        """SQL of the factor that converts an amount in the currency of the SQL
        expression ``currency`` into ``company``'s currency at today's rate (1 for the
        company's own), read in the query for the currencies met only. The rate of a
        currency is chosen as ``res.currency._get_rates`` does: its latest rate up to
        today of the company's root or of no company (the company's first), else its
        first one, else 1."""
        today = fields.Date.context_today(self)

        def rate(currency_sql):
            scope = SQL("r.currency_id = %s AND (r.company_id = %s OR r.company_id IS NULL)",
                        currency_sql, company.root_id.id)
            return SQL(
                """COALESCE(
                    (SELECT r.rate FROM res_currency_rate r WHERE %(scope)s AND r.name <= %(today)s
                      ORDER BY r.company_id, r.name DESC LIMIT 1),
                    (SELECT r.rate FROM res_currency_rate r WHERE %(scope)s ORDER BY r.company_id, r.name LIMIT 1),
                    1.0)::numeric""",
                scope=scope, today=today,
            )

        company_currency = company.currency_id.id
        return SQL(
            "(CASE WHEN %(currency)s = %(company_currency)s THEN 1.0 ELSE %(company_rate)s / %(rate)s END)",
            currency=currency, company_currency=company_currency,
            company_rate=rate(SQL("%s", company_currency)), rate=rate(currency), to_flush=self._fields_of(RATE_FIELDS),
        )

    @api.model
    def _uninvoiced_orders_sql(self, company, where):
        """SQL selecting ``(order_id, partner_id, amount)``: what each confirmed order of
        ``company``'s accounting entity matching the SQL condition ``where`` (on ``so`` and
        its invoicing partner ``p``) still adds to its commercial partner's exposure, in
        ``company``'s currency at today's rate: its total minus what is already invoiced
        from it (down payments and their later deduction included, credit notes
        subtracted), so that nothing invoiced is counted twice."""
        invoiced_states = ["posted", "draft"] if company.credit_exposure_draft_invoices else ["posted"]
        return SQL(
            """
            SELECT so.id AS order_id, p.commercial_partner_id AS partner_id,
                   GREATEST(so.amount_total - COALESCE(invoiced.amount, 0), 0) * %(factor)s AS amount
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_invoice_id
         LEFT JOIN LATERAL (
                    SELECT SUM(CASE WHEN am.move_type = 'out_refund' THEN -aml.price_total
                                    ELSE aml.price_total END) AS amount
                      FROM sale_order_line sol
                      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE sol.order_id = so.id
                       AND am.state = ANY(%(invoiced_states)s)
               ) invoiced ON TRUE
             WHERE so.state = 'sale'
               AND so.company_id = ANY(%(company_ids)s)
               AND %(where)s
            """,
            factor=self._currency_factor_sql(company, SQL("so.currency_id")),
            invoiced_states=invoiced_states, company_ids=self._company_ids(company), where=where,
            to_flush=self._fields_of(ORDER_FIELDS),
        )

    @api.model
    def _exposure_sql(self, company, partner_ids=None, exclude_order_ids=None):
        """SQL selecting ``(partner_id, receivable, orders, drafts, total)``: one row per
        commercial partner (of ``partner_ids``: ids or an SQL query selecting them; or
        all) with a non-zero component, amounts in ``company``'s currency.

        Components switched off in ``company``'s settings count as zero; confirmed orders
        of ``exclude_order_ids`` are left out (to check one of them against the rest).
        Every open receivable counts, left alone or not (``credit_core.receivables.owed``):
        the lean projection of :meth:`_lines_sql` is summed.
        Rights are not applied on purpose: a salesperson who sees only their own orders
        must still get the customer's true exposure; the rows are amounts, never the
        documents.
        """
        company.sudo().fetch(COMPANY_FIELDS)
        today = fields.Date.context_today(self)
        parts = []
        if company.credit_exposure_receivables:
            parts.append(SQL(
                "SELECT r.partner_id, SUM(r.residual) AS receivable, 0 AS orders, 0 AS drafts"
                " FROM (%s) AS r GROUP BY r.partner_id",
                self._lines_sql(company, today, partner_ids, lean=True),
            ))
        if company.credit_exposure_orders:
            where = SQL("TRUE")
            if partner_ids is not None:
                where = self._partner_filter_sql(SQL("p.commercial_partner_id"), partner_ids)
            if exclude_order_ids:
                where = SQL("%s AND so.id <> ALL(%s)", where, list(exclude_order_ids))
            parts.append(SQL(
                "SELECT partner_id, 0, SUM(amount), 0 FROM (%s) AS uninvoiced GROUP BY partner_id",
                self._uninvoiced_orders_sql(company, where),
            ))
        if company.credit_exposure_draft_invoices:
            partner_filter = SQL("AND %s", self._partner_filter_sql(SQL("am.commercial_partner_id"), partner_ids)) \
                if partner_ids is not None else SQL()
            # The conditions of the index account_move_credit_draft_invoice_idx.
            parts.append(SQL(
                """
                SELECT am.commercial_partner_id, 0, 0, SUM(am.amount_total_signed)
                  FROM account_move am
                 WHERE am.state = 'draft'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.company_id = ANY(%(company_ids)s)
                   %(partner_filter)s
              GROUP BY am.commercial_partner_id
                """,
                company_ids=self._company_ids(company), partner_filter=partner_filter,
                to_flush=self._fields_of(DRAFT_FIELDS),
            ))
        if not parts:
            return NO_EXPOSURE
        return SQL(
            """
            SELECT partner_id, SUM(receivable) AS receivable, SUM(orders) AS orders,
                   SUM(drafts) AS drafts, SUM(receivable + orders + drafts) AS total
              FROM (%s) AS components
          GROUP BY partner_id
            """,
            SQL(" UNION ALL ").join(parts),
        )

    # ------------------------------------------------------------------ overdue and credits
    @api.model
    def _overdue_sql(self, company, on_date, partner_ids, allowed_days, listed):
        """SQL selecting ``(partner_id, move_id, name, due, residual, overdue_count,
        overdue_amount)``: per commercial partner of ``partner_ids``, the invoices with an
        instalment overdue by more than ``allowed_days`` on ``on_date`` and not left alone,
        counted and summed (company currency) per partner, the ``listed`` most overdue
        named (``due``: the oldest such instalment; ``residual``: what those instalments
        still owe). Only the instalments due before the threshold are read
        (``credit_core.receivables.due_before``): a range of the index of the open
        receivables; their invoices and customers are read for those only."""
        receivables = SQL("(%s)", self._lines_sql(company, on_date, partner_ids, lean=True))
        return SQL(
            """
            WITH overdue AS (
                SELECT r.partner_id, r.move_id, r.move_name AS name, MIN(r.date_due) AS due,
                       SUM(r.residual) AS residual
                  FROM (%(lines)s) r
                 WHERE r.residual > 0
                   AND r.date_due < %(due_before)s
                   AND r.exclusion IS NULL
              GROUP BY r.partner_id, r.move_id, r.move_name
            ), ranked AS (
                SELECT partner_id, move_id, name, due, residual,
                       COUNT(*) OVER by_partner AS overdue_count,
                       SUM(residual) OVER by_partner AS overdue_amount,
                       ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY due, move_id) AS rank
                  FROM overdue
                WINDOW by_partner AS (PARTITION BY partner_id)
            )
            SELECT partner_id, move_id, name, due, residual, overdue_count, overdue_amount
              FROM ranked
             WHERE rank <= %(listed)s
          ORDER BY partner_id, rank
            """,
            # Overdue by more than ``allowed_days``: due before this date (a range of the
            # index of the open receivables, not a test on each of them).
            lines=self._line_details_sql(receivables, on_date), due_before=due_before(on_date, allowed_days),
            listed=listed,
        )

    @api.model
    def _standing_sql(self, company, on_date, partner_ids, exposure_ids=(), exclude_order_ids=None,
                      allowed_days=0, listed=0):
        """SQL of what the hold rules read of the commercial partners ``partner_ids`` in
        ``company``, in one statement: rows ``(partner_id, exposure, overdue_count,
        overdue_amount, move_id, name, due, residual)``, one per overdue invoice listed
        (see :meth:`_overdue_sql`: the ``listed`` most overdue by more than
        ``allowed_days`` on ``on_date``, most overdue first), or one with no invoice.
        ``exposure``: the total of :meth:`_exposure_sql` for the partners of
        ``exposure_ids`` (without the confirmed orders of ``exclude_order_ids``), else 0;
        ``allowed_days`` 0: the overdue rule is off, nothing is overdue.

        The exposure sums the partners' open receivables; the overdue rule reads only
        those due before its threshold, a range of the same index: the instalments not
        due yet are not read twice."""
        exposure = self._exposure_sql(company, list(exposure_ids), exclude_order_ids) if exposure_ids else NO_EXPOSURE
        overdue = self._overdue_sql(company, on_date, partner_ids, allowed_days, listed) if allowed_days > 0 else SQL(
            "SELECT NULL::int AS partner_id, NULL::int AS move_id, NULL::varchar AS name, NULL::date AS due, "
            "0::numeric AS residual, 0::bigint AS overdue_count, 0::numeric AS overdue_amount WHERE FALSE")
        return SQL(
            """
            SELECT partner.id, COALESCE(exposure.total, 0), COALESCE(overdue.overdue_count, 0),
                   COALESCE(overdue.overdue_amount, 0), overdue.move_id, overdue.name, overdue.due,
                   overdue.residual
              FROM unnest(%(partner_ids)s::int[]) AS partner(id)
         LEFT JOIN (%(exposure)s) exposure ON exposure.partner_id = partner.id
         LEFT JOIN (%(overdue)s) overdue ON overdue.partner_id = partner.id
          ORDER BY partner.id, overdue.due, overdue.move_id
            """,
            exposure=exposure, overdue=overdue, partner_ids=list(partner_ids),
        )

    @api.model
    def _open_credits(self, company, partner_ids):
        """``{commercial partner id: open credit notes and unallocated payments}``, a
        positive amount in company currency."""
        if not partner_ids:
            return {}
        rows = self.env.execute_query(SQL(
            "SELECT partner_id, -SUM(residual) FROM (%s) r WHERE residual < 0 GROUP BY partner_id",
            self._lines_sql(company, fields.Date.context_today(self), partner_ids, lean=True),
        ))
        return {partner_id: float(amount) for partner_id, amount in rows}

    @api.model
    def _statement(self, partner, company, on_date):
        """What a customer statement shows for the commercial ``partner`` in ``company``'s
        accounting entity on ``on_date``: ``{'invoices': open receivable lines owed, one
        per instalment, oldest due first; 'credits': open credit notes and payments not
        allocated; 'overdue': {line id: days overdue} of the instalments overdue and
        chased; 'excluded': {line id: reason} of the ones left alone; 'total': the net
        balance; 'overdue_amount'; 'currency'; 'company'}``."""
        rows = self.env.execute_query_dict(SQL(
            "SELECT id, residual, days_overdue, exclusion FROM (%s) r ORDER BY date_due, date, id",
            self._lines_sql(company, on_date, partner.commercial_partner_id.ids),
        ))
        lines = self.env["account.move.line"].sudo().browse([row["id"] for row in rows])
        overdue = {row["id"]: row["days_overdue"] for row in rows
                   if row["residual"] > 0 and row["days_overdue"] > 0 and not row["exclusion"]}
        return {
            "invoices": lines.filtered(lambda line: line.amount_residual > 0),
            "credits": lines.filtered(lambda line: line.amount_residual < 0),
            "overdue": overdue,
            "excluded": {row["id"]: row["exclusion"] for row in rows if row["exclusion"]},
            "total": sum(row["residual"] for row in rows),
            "overdue_amount": sum(row["residual"] for row in rows if row["id"] in overdue),
            "currency": company.currency_id,
            "company": company,
        }
