from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..credit_core.receivables import EXCLUSIONS

# What the receivable lines read: flushed before every query of this layer.
RECEIVABLE_FIELDS = (
    ("account.move.line", ["account_id", "amount_residual", "balance", "company_id", "company_currency_id",
                           "date", "date_maturity", "move_id", "parent_state", "partner_id", "reconciled"]),
    ("account.move", ["name", "move_type", "invoice_user_id", "credit_disputed", "credit_promise_date"]),
    ("account.account", ["account_type"]),
    ("res.partner", ["commercial_partner_id", "credit_followup_pause_until"]),
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
    statements and the ageing report all read :meth:`_lines_sql`.
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
    def _lines_sql(self, company, on_date, partner_ids=None, open_only=True):
        """SQL selecting one row per receivable line of ``company``'s accounting entity
        (every company when None), with the columns ``id`` (the account.move.line),
        ``move_id``, ``move_type``, ``partner_id`` (commercial partner), ``company_id``,
        ``currency_id`` (company currency), ``invoice_user_id``, ``date``, ``date_due``,
        ``amount`` (the line's balance), ``residual`` (what is still open, company
        currency), ``days_overdue`` (on ``on_date``; zero or less: not due), ``disputed``
        and ``exclusion`` (the first reason the line is left alone on ``on_date``, NULL
        when chased).

        ``partner_ids``: only those commercial partners; ``open_only``: only the lines
        not fully reconciled (else also the settled ones, for histories).
        """
        for model, fnames in RECEIVABLE_FIELDS:
            self.env[model].flush_model(fnames)
        exclusions = self._exclusions_sql(on_date)
        exclusion = SQL("CASE %s END", SQL(" ").join(
            SQL("WHEN %s THEN %s", condition, reason) for reason, condition in exclusions.items()))
        conditions = [SQL("aml.parent_state = 'posted'"), SQL("acc.account_type = 'asset_receivable'")]
        if company is not None:
            conditions.append(SQL("aml.company_id = ANY(%s)", self._company_ids(company)))
        if partner_ids is not None:
            conditions.append(SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids)))
        if open_only:
            conditions.append(SQL("aml.reconciled IS NOT TRUE AND aml.amount_residual != 0"))
        return SQL(
            """
            SELECT aml.id, aml.move_id, am.move_type, p.commercial_partner_id AS partner_id, aml.company_id,
                   aml.company_currency_id AS currency_id, am.invoice_user_id, aml.date,
                   COALESCE(aml.date_maturity, aml.date) AS date_due,
                   aml.balance AS amount, aml.amount_residual AS residual,
                   %(on_date)s - COALESCE(aml.date_maturity, aml.date) AS days_overdue,
                   COALESCE(am.credit_disputed, FALSE) AS disputed,
                   %(exclusion)s AS exclusion
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN account_move am ON am.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE %(conditions)s
            """,
            on_date=on_date, exclusion=exclusion, conditions=SQL(" AND ").join(conditions),
        )

    # ------------------------------------------------------------------ what customers owe
    @api.model
    def _currency_factors_sql(self, company, alias):
        """SQL ``(VALUES ...) AS alias(currency_id, factor)``: multiply an amount in
        ``currency_id`` by ``factor`` to get it in ``company``'s currency at today's rate
        (Odoo's rates of ``company``)."""
        currencies = self.env["res.currency"].sudo().with_context(active_test=False).search([])
        rates = currencies._get_rates(company, fields.Date.context_today(self))
        company_rate = rates.get(company.currency_id.id) or 1.0
        rows = [SQL("(%s, %s::numeric)", cid, company_rate / (rate or 1.0)) for cid, rate in rates.items()]
        return SQL("(VALUES %s) AS %s(currency_id, factor)", SQL(", ").join(rows), SQL.identifier(alias))

    @api.model
    def _uninvoiced_orders_sql(self, company, where):
        """SQL selecting ``(order_id, partner_id, amount)``: what each confirmed order of
        ``company``'s accounting entity matching the SQL condition ``where`` (on ``so`` and
        its invoicing partner ``p``) still adds to its commercial partner's exposure, in
        ``company``'s currency at today's rate: its total minus what is already invoiced
        from it (down payments and their later deduction included, credit notes
        subtracted), so that nothing invoiced is counted twice."""
        for model, fnames in (
            ("sale.order", ["state", "company_id", "partner_invoice_id", "amount_total", "currency_id"]),
            ("sale.order.line", ["order_id", "invoice_lines"]),
            ("account.move.line", ["price_total", "move_id"]),
            ("account.move", ["state", "move_type"]),
            ("res.partner", ["commercial_partner_id"]),
        ):
            self.env[model].flush_model(fnames)
        invoiced_states = ["posted", "draft"] if company.credit_exposure_draft_invoices else ["posted"]
        return SQL(
            """
            SELECT so.id AS order_id, p.commercial_partner_id AS partner_id,
                   GREATEST(so.amount_total - COALESCE(invoiced.amount, 0), 0) * fx.factor AS amount
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_invoice_id
              JOIN %(factors)s ON fx.currency_id = so.currency_id
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
            factors=self._currency_factors_sql(company, "fx"),
            invoiced_states=invoiced_states, company_ids=self._company_ids(company), where=where,
        )

    @api.model
    def _exposure_sql(self, company, partner_ids=None, exclude_order_ids=None):
        """SQL selecting ``(partner_id, receivable, orders, drafts, total)``: one row per
        commercial partner (of ``partner_ids``, or all) with a non-zero component, amounts
        in ``company``'s currency.

        Components switched off in ``company``'s settings count as zero; confirmed orders
        of ``exclude_order_ids`` are left out (to check one of them against the rest).
        Rights are not applied on purpose: a salesperson who sees only their own orders
        must still get the customer's true exposure; the rows are amounts, never the
        documents.
        """
        today = fields.Date.context_today(self)
        parts = []
        if company.credit_exposure_receivables:
            parts.append(SQL(
                "SELECT partner_id, SUM(residual) AS receivable, 0 AS orders, 0 AS drafts"
                " FROM (%s) AS receivable GROUP BY partner_id",
                self._lines_sql(company, today, partner_ids),
            ))
        if company.credit_exposure_orders:
            where = SQL("TRUE")
            if partner_ids is not None:
                where = SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids))
            if exclude_order_ids:
                where = SQL("%s AND so.id <> ALL(%s)", where, list(exclude_order_ids))
            parts.append(SQL(
                "SELECT partner_id, 0, SUM(amount), 0 FROM (%s) AS uninvoiced GROUP BY partner_id",
                self._uninvoiced_orders_sql(company, where),
            ))
        if company.credit_exposure_draft_invoices:
            self.env["account.move"].flush_model(["state", "move_type", "commercial_partner_id",
                                                  "amount_total_signed", "company_id"])
            partner_filter = SQL("AND am.commercial_partner_id = ANY(%s)", list(partner_ids)) \
                if partner_ids is not None else SQL()
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
            ))
        if not parts:
            return SQL(
                "SELECT NULL::int AS partner_id, 0::numeric AS receivable, 0::numeric AS orders, "
                "0::numeric AS drafts, 0::numeric AS total WHERE FALSE"
            )
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
        still owe)."""
        self.env["account.move"].flush_model(["name"])
        return SQL(
            """
            WITH overdue AS (
                SELECT r.partner_id, r.move_id, am.name, MIN(r.date_due) AS due, SUM(r.residual) AS residual
                  FROM (%(lines)s) r
                  JOIN account_move am ON am.id = r.move_id
                 WHERE r.residual > 0
                   AND r.days_overdue > %(allowed_days)s
                   AND r.exclusion IS NULL
              GROUP BY r.partner_id, r.move_id, am.name
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
            lines=self._lines_sql(company, on_date, partner_ids), allowed_days=allowed_days, listed=listed,
        )

    @api.model
    def _open_credits(self, company, partner_ids):
        """``{commercial partner id: open credit notes and unallocated payments}``, a
        positive amount in company currency."""
        if not partner_ids:
            return {}
        rows = self.env.execute_query(SQL(
            "SELECT partner_id, -SUM(residual) FROM (%s) r WHERE residual < 0 GROUP BY partner_id",
            self._lines_sql(company, fields.Date.context_today(self), partner_ids),
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
