from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_risk_tier_id = fields.Many2one(
        "credit.risk.tier",
        string="Risk Tier",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        ondelete="restrict",
        groups="base.group_user",
        help="The customer's current risk tier: set by credit reviews, or by a credit "
        "manager's override while it lasts.",
    )
    credit_controller_id = fields.Many2one(
        "res.users",
        tracking=True,
        domain=lambda self: [("group_ids", "in", self.env.ref("credit_management.group_credit_user").id)],
        groups="base.group_user",
        help="The person in the credit team who follows this customer: calls, reviews, "
        "follow-up activities and notes from sales go to them.",
    )
    credit_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_credit_currency_id",
        help="The current company's currency, in which exposure is expressed.",
    )
    credit_exposure = fields.Monetary(
        string="Exposure",
        compute="_compute_credit_exposure",
        search="_search_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
        help="What this customer owes the company now or is committed to: open receivables, "
        "confirmed orders not invoiced yet and draft invoices (see Credit settings), "
        "in the company's currency.",
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
    )
    credit_exposure_orders = fields.Monetary(
        string="Uninvoiced Orders",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
    )
    credit_exposure_drafts = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_credit_exposure",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
    )
    credit_available = fields.Monetary(
        string="Available Credit",
        compute="_compute_credit_exposure",
        search="_search_credit_available",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups="base.group_user",
        help="Credit limit minus exposure. Negative when the customer is over its limit; "
        "zero when no limit is set.",
    )

    @api.depends_context("company")
    def _compute_credit_currency_id(self):
        self.credit_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_credit_exposure(self):
        company = self.env.company
        exposure = self._credit_exposure_by_partner(company)
        limits = self._credit_limits(company)
        for partner in self:
            commercial_id = partner.commercial_partner_id.id
            amounts = exposure.get(commercial_id, {})
            total = amounts.get("total", 0.0)
            limit = limits.get(commercial_id, 0.0)
            partner.credit_exposure = total
            partner.credit_exposure_receivable = amounts.get("receivable", 0.0)
            partner.credit_exposure_orders = amounts.get("orders", 0.0)
            partner.credit_exposure_drafts = amounts.get("drafts", 0.0)
            partner.credit_available = limit - total if limit else 0.0

    def _credit_limits(self, company):
        """Return {commercial partner id: credit limit} for ``company`` (0 = no limit)."""
        commercial = self.commercial_partner_id.with_company(company).sudo()
        return {partner.id: partner.credit_limit for partner in commercial}

    # ------------------------------------------------------------------ exposure
    @api.model
    def _credit_company_family(self, company):
        """The ids of ``company``, its parent and sibling branches: one accounting entity."""
        return self.env["res.company"].sudo().search([("id", "child_of", company.root_id.id)]).ids

    @api.model
    def _credit_currency_factors(self, company, alias):
        """SQL ``(VALUES ...) AS alias(currency_id, factor)``: multiply an amount in
        ``currency_id`` by ``factor`` to get it in ``company``'s currency at today's rate."""
        currencies = self.env["res.currency"].sudo().with_context(active_test=False).search([])
        rates = currencies._get_rates(company, fields.Date.context_today(self))
        company_rate = rates.get(company.currency_id.id) or 1.0
        rows = [SQL("(%s, %s::numeric)", cid, company_rate / (rate or 1.0)) for cid, rate in rates.items()]
        return SQL("(VALUES %s) AS %s(currency_id, factor)", SQL(", ").join(rows), SQL.identifier(alias))

    @api.model
    def _credit_uninvoiced_orders_sql(self, company, company_ids, where):
        """SQL selecting ``(order_id, partner_id, amount)``: what each confirmed order of
        ``company_ids`` matching the SQL condition ``where`` (on ``so`` and its invoicing
        partner ``p``) still adds to its commercial partner's exposure, in ``company``'s
        currency at today's rate: its total minus what is already invoiced from it (down
        payments and their later deduction included, credit notes subtracted), so that
        nothing invoiced is counted twice."""
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
            factors=self._credit_currency_factors(company, "fx"),
            invoiced_states=invoiced_states, company_ids=company_ids, where=where,
        )

    @api.model
    def _credit_exposure_sql(self, company, commercial_partner_ids=None, exclude_order_ids=None):
        """SQL selecting ``(partner_id, receivable, orders, drafts, total)``: one row per
        commercial partner with a non-zero component, amounts in ``company``'s currency.

        Components switched off in ``company``'s settings count as zero; confirmed orders
        of ``exclude_order_ids`` are left out (to check one of them against the rest).
        Rights are not applied on purpose: a salesperson who sees only their own orders
        must still get the customer's true exposure; the rows are amounts, never the
        documents.
        """
        for model, fnames in (
            ("account.move.line", ["account_id", "amount_residual", "company_id", "parent_state",
                                   "partner_id", "reconciled", "price_total", "move_id"]),
            ("account.move", ["state", "move_type", "commercial_partner_id", "amount_total_signed",
                              "company_id"]),
            ("account.account", ["account_type"]),
            ("sale.order", ["state", "company_id", "partner_invoice_id", "amount_total", "currency_id"]),
            ("sale.order.line", ["order_id", "invoice_lines"]),
            ("res.partner", ["commercial_partner_id"]),
        ):
            self.env[model].flush_model(fnames)
        company_ids = self._credit_company_family(company)
        partner_filter = SQL()
        if commercial_partner_ids is not None:
            partner_filter = SQL("AND p.commercial_partner_id = ANY(%s)", list(commercial_partner_ids))
        parts = []
        if company.credit_exposure_receivables:
            parts.append(SQL(
                """
                SELECT p.commercial_partner_id AS partner_id, SUM(aml.amount_residual) AS receivable,
                       0 AS orders, 0 AS drafts
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.parent_state = 'posted'
                   AND acc.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.company_id = ANY(%(company_ids)s)
                   %(partner_filter)s
              GROUP BY p.commercial_partner_id
                """,
                company_ids=company_ids, partner_filter=partner_filter,
            ))
        if company.credit_exposure_orders:
            where = SQL("TRUE %s", partner_filter)
            if exclude_order_ids:
                where = SQL("%s AND so.id <> ALL(%s)", where, list(exclude_order_ids))
            parts.append(SQL(
                "SELECT partner_id, 0, SUM(amount), 0 FROM (%s) AS uninvoiced GROUP BY partner_id",
                self._credit_uninvoiced_orders_sql(company, company_ids, where),
            ))
        if company.credit_exposure_draft_invoices:
            parts.append(SQL(
                """
                SELECT p.commercial_partner_id, 0, 0, SUM(am.amount_total_signed)
                  FROM account_move am
                  JOIN res_partner p ON p.id = am.commercial_partner_id
                 WHERE am.state = 'draft'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.company_id = ANY(%(company_ids)s)
                   %(partner_filter)s
              GROUP BY p.commercial_partner_id
                """,
                company_ids=company_ids, partner_filter=partner_filter,
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

    @api.model
    def _credit_exposure_by_partner(self, company, partners=None, exclude_order_ids=None):
        """Return ``{commercial partner id: {'receivable', 'orders', 'drafts', 'total'}}``
        for ``partners`` (default: ``self``), amounts in ``company``'s currency, leaving
        out the confirmed orders of ``exclude_order_ids``.

        A fixed number of queries whatever the number of partners or documents.
        """
        partners = self if partners is None else partners
        commercial_ids = partners.commercial_partner_id.ids
        if not commercial_ids:
            return {}
        currency = company.currency_id
        rows = self.env.execute_query(self._credit_exposure_sql(company, commercial_ids, exclude_order_ids))
        return {
            partner_id: {
                "receivable": currency.round(receivable or 0.0),
                "orders": currency.round(orders or 0.0),
                "drafts": currency.round(drafts or 0.0),
                "total": currency.round(total or 0.0),
            }
            for partner_id, receivable, orders, drafts, total in rows
        }

    # ------------------------------------------------------------------ search / sort
    def _credit_exposure_join(self, alias, query):
        """Join the exposure rows to ``query`` on ``alias``'s commercial partner and
        return the SQL of the exposure total and of the credit available."""
        company = self.env.company
        exposure_alias = query.make_alias(alias, "credit_exposure")
        query.add_join(
            "LEFT JOIN", exposure_alias, SQL("(%s)", self._credit_exposure_sql(company)),
            SQL("%s = %s", SQL.identifier(exposure_alias, "partner_id"),
                SQL.identifier(alias, "commercial_partner_id")),
        )
        total = SQL("COALESCE(%s, 0)", SQL.identifier(exposure_alias, "total"))
        commercial_alias = query.make_alias(alias, "credit_commercial")
        query.add_join(
            "JOIN", commercial_alias, SQL.identifier("res_partner"),
            SQL("%s = %s", SQL.identifier(commercial_alias, "id"),
                SQL.identifier(alias, "commercial_partner_id")),
        )
        limit = SQL("COALESCE(%s, 0)", self.sudo().with_company(company)._field_to_sql(
            commercial_alias, "credit_limit", query))
        available = SQL("CASE WHEN %(limit)s = 0 THEN 0 ELSE %(limit)s - %(total)s END",
                        limit=limit, total=total)
        return total, available

    def _field_to_sql(self, alias, field_expr, query=None):
        if field_expr in ("credit_exposure", "credit_available") and query is not None:
            self._check_field_access(self._fields[field_expr], "read")
            total, available = self._credit_exposure_join(alias, query)
            return total if field_expr == "credit_exposure" else available
        return super()._field_to_sql(alias, field_expr, query)

    def _credit_search_amount(self, field_expr, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            return NotImplemented
        query = self.with_context(active_test=False)._search([], bypass_access=True)
        expression = self._field_to_sql(query.table, field_expr, query)
        sql_operator = SQL(operator if operator != "!=" else "<>")
        query.add_where(SQL("%s %s %s", expression, sql_operator, value or 0.0))
        return [("id", "in", query)]

    def _search_credit_exposure(self, operator, value):
        return self._credit_search_amount("credit_exposure", operator, value)

    def _search_credit_available(self, operator, value):
        return self._credit_search_amount("credit_available", operator, value)
