import json
import logging
import re
from collections import Counter, defaultdict
from contextlib import closing, contextmanager, nullcontext
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL

from ..generator_core.generator import DEFAULT_COUNTRIES, PAYMENT_TERMS, GeneratorConfig, generate_customers

_logger = logging.getLogger(__name__)

PRODUCT_CODE = "CREDIT-GEN-SERVICE"
CITIES = {
    "US": ("Springfield", "Riverside", "Fairview", "Madison", "Georgetown"),
    "CA": ("Toronto", "Ottawa", "Calgary", "Halifax"),
    "GB": ("Leeds", "Bristol", "York", "Norwich"),
    "DE": ("Hamburg", "Leipzig", "Bremen", "Freiburg"),
    "FR": ("Lyon", "Nantes", "Lille", "Rennes"),
    "BE": ("Namur", "Ghent", "Liège", "Leuven"),
    "NL": ("Utrecht", "Leiden", "Delft", "Haarlem"),
    "ES": ("Valencia", "Sevilla", "Bilbao", "Zaragoza"),
}
CREDIT_REASONS = ("Price correction", "Returned goods", "Damaged delivery", "Invoicing error", "Goodwill discount")
# The documents cloned from the templates, and how each is numbered.
KINDS = ("invoice", "refund", "payment")
# The tables the generator inserts into in bulk.
GENERATED_TABLES = ("account_full_reconcile", "account_payment", "account_move", "account_move_line",
                    "account_partial_reconcile", "account_move__account_payment")
# From this many customers, indexes and foreign keys are built once at the end (bulk mode).
BULK_CUSTOMERS = 1000
# The system parameter that allows bulk mode: set by ``tools/generate_data.py --create`` in
# the database it has just created, to that database's name.
GENERATED_DATABASE_PARAM = "credit_management_demo.generated_database"


def _array_literal(values, sql_type):
    """``values`` as the text of a PostgreSQL array of ``sql_type``: one parameter that the
    server reads at once, where a Python list would become an ``ARRAY[...]`` expression with
    one sub-expression per value, far slower to parse."""
    if sql_type == "varchar":
        body = ",".join(
            "NULL" if value is None else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for value in values)
    elif sql_type == "bool":
        body = ",".join("NULL" if value is None else "t" if value else "f" for value in values)
    else:  # integers and dates: str() writes them as PostgreSQL reads them
        body = ",".join(map(str, values)).replace("None", "NULL")
    return "{" + body + "}"


class CreditDataGenerator(models.AbstractModel):
    """Loads realistic customers and two years of receivables (see ``generator_core.generator``)
    as real Odoo accounting data: posted invoices, credit notes and customer payments,
    reconciled as Odoo reconciles them, for demos and benchmarks.

    Partners are created with one ORM ``create`` per batch. The accounting rows are cloned
    in SQL, in bulk, from template documents that the ORM creates, posts and reconciles in a
    savepoint that is rolled back: every column comes from the template except those that
    differ from one document to another (ids, names and numbers, partner, fiscal position,
    dates, amounts, residuals, reconciliation, payment states), which are substituted.
    Everything is in the company's currency: multi-currency documents are not generated.
    """

    _name = "credit.data.generator"
    _description = "Credit Data Generator"

    # ------------------------------------------------------------------ entry points
    @api.model
    def _generate(self, customers=50, seed=42, company=None, today=None, salesperson_ids=None, batch_size=400,
                  bulk=None):
        """Create ``customers`` customers of ``company`` (default: the current company) and
        their posted invoices, credit notes and payments up to ``today`` (default: today),
        generated from ``seed``; customers are assigned in turn to ``salesperson_ids``;
        ``batch_size`` customers are loaded at a time.

        In ``bulk`` mode (default: from 1,000 customers on), the foreign keys and the
        non-unique indexes of the accounting tables are dropped while loading and re-created
        at the end, as ``pg_restore`` does: PostgreSQL then checks and indexes all rows at
        once instead of one by one, which would take most of the time. This locks those
        tables until the transaction ends, so it is refused (see
        :meth:`_check_generator_bulk_allowed`) unless the database was created for
        generated data. Without bulk mode, rows are inserted in bulk statements and the
        schema is left alone.

        Returns a dict of counts (``customers``, ``invoices``, ``credit_notes``,
        ``payments``, ``moves``, ``move_lines``, ``partials``, ``full_reconciles``, and
        ``profiles``: customers per payment behaviour) and ``partner_profiles``
        (``{partner id: payment behaviour}``).
        """
        company = company or self.env.company
        today = fields.Date.to_date(today) if today else fields.Date.context_today(self)
        if customers < 1:
            raise UserError(_("Generate at least one customer, not %(count)s.", count=customers))
        bulk = customers >= BULK_CUSTOMERS if bulk is None else bulk
        if bulk:
            self._check_generator_bulk_allowed()
        setup = self._prepare_generator_setup(company, today, salesperson_ids or [])
        config = setup["config"]

        # Pass 1: count the documents of each day, so that names follow dates.
        day_counts = {kind: Counter() for kind in KINDS}
        for customer in generate_customers(seed, customers, today, config):
            for invoice in customer.invoices:
                day_counts["invoice"][invoice.date] += 1
                if invoice.credit_note:
                    day_counts["refund"][invoice.credit_note.date] += 1
                for payment in invoice.payments:
                    day_counts["payment"][payment.date] += 1
        setup["templates"] = self._prepare_generator_templates(setup, today - timedelta(days=config.history_days))
        setup["numbering"] = self._prepare_generator_numbering(setup, day_counts)

        # Pass 2: the same customers again, loaded batch by batch.
        result = dict.fromkeys(("customers", "invoices", "credit_notes", "payments", "moves", "move_lines",
                                "partials", "full_reconciles"), 0)
        result["profiles"] = Counter()
        result["partner_profiles"] = {}
        setup["bulk"] = bulk
        with self._generator_bulk_mode(setup) if setup["bulk"] else nullcontext():
            batch = []
            for customer in generate_customers(seed, customers, today, config):
                batch.append(customer)
                if len(batch) >= batch_size:
                    self._load_generated_batch(setup, batch, result)
                    batch = []
            if batch:
                self._load_generated_batch(setup, batch, result)

        for table in ("res_partner", *GENERATED_TABLES):
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        self.env.invalidate_all()
        result["profiles"] = dict(result["profiles"])
        return result

    @api.model
    def _generate_demo(self):
        """What the demo data loads: 50 customers (seed 42) of the main company up to
        today, shared among the salespeople, and a few open quotations and confirmed orders
        not yet invoiced. Returns the counts of :meth:`_generate`."""
        company = self.env.ref("base.main_company", raise_if_not_found=False) or self.env.company
        root = self.env.ref("base.user_root")
        salespeople = self.env.ref("sales_team.group_sale_salesman").all_user_ids.filtered(
            lambda user: user.active and not user.share and user != root and company in user.company_ids,
        ).sorted("id")
        result = self._generate(
            customers=50, seed=42, company=company, today=fields.Date.context_today(self),
            salesperson_ids=salespeople.ids)
        self._generate_demo_orders(company, result["partner_profiles"])
        return result

    @api.model
    def _generate_demo_orders(self, company, partner_profiles):
        """Open quotations for some generated customers (slow payers among them) and
        confirmed orders not invoiced yet for some prompt payers, through the ORM."""
        product = self._prepare_generator_product(company)
        by_profile = defaultdict(list)
        for partner_id, profile in sorted(partner_profiles.items()):
            by_profile[profile].append(partner_id)
        quotations = (by_profile["struggling"][:2] + by_profile["habitual"][:2]
                      + by_profile["prompt"][:1] + by_profile["forgetful"][:1] + by_profile["new"][:1])
        confirmed = by_profile["prompt"][1:4] + by_profile["forgetful"][1:2]
        Order = self.env["sale.order"].with_company(company).with_context(tracking_disable=True)
        partners = self.env["res.partner"].browse(quotations + confirmed)
        orders = Order.create([{
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": partner.user_id.id or self.env.uid,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4 + 6 * (index % 5),
                                           "price_unit": product.list_price})],
        } for index, partner in enumerate(partners)])
        orders.filtered(lambda order: order.partner_id.id in confirmed).action_confirm()
        return orders

    @api.model
    def _generate_demo_credit_standing(self):
        """After the demo customers are reviewed: give them the demo credit controller and
        the default credit limit of their tier (logged in their limit history), then let
        the salespeople confirm the quotations of the slow payers, as they would, so that
        the demo shows orders held for credit and one release request waiting."""
        company = self.env.ref("base.main_company", raise_if_not_found=False) or self.env.company
        customers = self.env["res.partner"].with_company(company).search([
            ("credit_last_review_date", "!=", False), ("is_company", "=", True)])
        controller = self.env.ref("credit_management_demo.user_carla_credit", raise_if_not_found=False)
        if controller:
            customers.filtered(lambda partner: not partner.credit_controller_id).credit_controller_id = controller
        for tier, partners in customers.grouped("credit_risk_tier_id").items():
            if tier.default_credit_limit:
                partners.with_context(credit_limit_reason=self.env._(
                    "Default credit limit of the %(tier)s tier.", tier=tier.name,
                )).credit_limit = tier.default_credit_limit
        quotations = self.env["sale.order"].with_company(company).search([
            ("company_id", "=", company.id), ("state", "in", ("draft", "sent")),
            ("partner_id.credit_payment_behaviour", "in", ("struggling", "habitual")),
        ], order="id")
        held = self.env["sale.order"]
        for order in quotations:
            order.with_user(order.user_id or self.env.user).with_company(company).action_confirm()
            if order.credit_check_state == "hold":
                held |= order
        for order in held[:1]:
            order.with_user(order.user_id or self.env.user).with_company(company).with_context(
                credit_request_note=self.env._(
                    "They have ordered from us for years and promised to settle the overdue invoices "
                    "this month. Could we ship this one?"),
            ).action_request_credit_release()
            # Named like the other demo records, so that uninstalling removes it before its
            # requester, the demo salesperson.
            self.env["ir.model.data"].create({
                "module": "credit_management_demo", "name": "demo_credit_release_request", "noupdate": True,
                "model": "credit.release.request", "res_id": order.sudo().credit_release_request_ids[:1].id,
            })
        return held

    @api.model
    def _demo_settle_notifications(self, run_id=None):
        """The demo has no outgoing mail server. Its users read their notifications in
        Odoo's inbox: move there the ones Odoo's own demo data sent them by email before
        they were switched to the inbox (which would show as "Email Failure"). And the
        follow-up run ``run_id`` executed two weeks ago belongs to the demo's history: computed,
        executed and its emails to customers delivered on its date by its controller. New emails still
        need a mail server (see the README)."""
        odoo_demo_user = self.env.ref("base.user_demo", raise_if_not_found=False)
        if odoo_demo_user:
            odoo_demo_user.notification_type = "inbox"
        users = self.env["res.users"].search([("share", "=", False), ("notification_type", "=", "inbox")])
        self.env["mail.notification"].sudo().search([
            ("res_partner_id", "in", users.partner_id.ids), ("notification_type", "=", "email"),
        ]).write({"notification_type": "inbox", "notification_status": "sent", "failure_type": False,
                  "failure_reason": False, "mail_mail_id": False})
        if run_id:
            run = self.env["credit.followup.run"].browse(run_id)
            # Computed and executed by its controller on its date, its emails sent then.
            moment = fields.Datetime.to_datetime(run.date).replace(hour=9)
            run.write({"compute_date": moment, "executed_date": moment, "execute_user_id": run.user_id.id})
            run.line_ids.filtered("date_done").date_done = run.date
            messages = run.line_ids.message_id
            messages.write({"date": moment})
            notifications = self.env["mail.notification"].sudo().search([
                ("mail_message_id", "in", messages.ids), ("notification_type", "=", "email")])
            notifications.mail_mail_id.write({"state": "sent", "failure_type": False, "failure_reason": False})
            notifications.write({"notification_status": "sent", "failure_type": False, "failure_reason": False})
        return True

    # ------------------------------------------------------------------ generated databases
    @api.model
    def _mark_generated_database(self):
        """Mark this database as created for generated data, which allows bulk mode. Only
        ``tools/generate_data.py --create`` calls it, on the database it has just created."""
        self.env["ir.config_parameter"].sudo().set_param(GENERATED_DATABASE_PARAM, self.env.cr.dbname)

    @api.model
    def _check_generator_bulk_allowed(self):
        """Raise unless this database is marked as created for generated data (under its
        own name, so that a copy restored under another name is not): bulk mode alters the
        accounting tables' schema, which no other database should undergo."""
        marked = self.env["ir.config_parameter"].sudo().get_param(GENERATED_DATABASE_PARAM)
        if marked != self.env.cr.dbname:
            raise UserError(_(
                "Bulk loading drops and rebuilds the indexes and foreign keys of the accounting tables, "
                "so it only runs on a database created for generated data (system parameter %(param)s), "
                "and %(database)s is not one: create one with "
                "'python3 tools/generate_data.py --create -d NEW_DATABASE --scale benchmark', "
                "or load row by row here with --no-bulk.",
                param=GENERATED_DATABASE_PARAM, database=self.env.cr.dbname))

    # ------------------------------------------------------------------ setup
    @api.model
    def _prepare_generator_setup(self, company, today, salesperson_ids):
        """What every batch needs: journals, payment terms, product, countries, people."""
        journal_domain = self.env["account.journal"]._check_company_domain(company)
        sale_journal = self.env["account.journal"].search([*journal_domain, ("type", "=", "sale")], limit=1)
        bank_journal = self.env["account.journal"].search([*journal_domain, ("type", "=", "bank")], limit=1)
        if not company.chart_template or not sale_journal or not bank_journal:
            raise UserError(_(
                "The company %(company)s has no chart of accounts (or no sales or bank journal): "
                "set up its accounting before generating data.", company=company.display_name))
        home = company.country_id.code
        countries = dict(DEFAULT_COUNTRIES)
        if home:
            countries = {code: share * 0.3 for code, share in countries.items() if code != home}
            countries[home] = 0.7
        country_ids = {country.code: country.id for country in self.env["res.country"].search(
            [("code", "in", list(countries))])}
        countries = {code: share for code, share in countries.items() if code in country_ids}
        config = GeneratorConfig(countries=countries)
        return {
            "company": company,
            "today": today,
            "config": config,
            "sale_journal": sale_journal,
            "bank_journal": bank_journal,
            "terms": self._prepare_generator_payment_terms(company),
            "product": self._prepare_generator_product(company),
            "country_ids": country_ids,
            "salesperson_ids": list(salesperson_ids),
        }

    @api.model
    def _prepare_generator_payment_terms(self, company):
        """``{days: payment term}`` for each term the generator uses: an existing term of a
        single line due that many days after the invoice date, or a new one."""
        Term = self.env["account.payment.term"]
        terms = {}
        candidates = Term.search([*Term._check_company_domain(company), ("early_discount", "=", False)], order="id")
        for term in candidates:
            line = term.line_ids
            if (len(line) == 1 and line.value == "percent" and line.value_amount == 100
                    and line.delay_type == "days_after" and line.nb_days in PAYMENT_TERMS):
                terms.setdefault(line.nb_days, term)
        for days in PAYMENT_TERMS:
            if days not in terms:
                terms[days] = Term.create({
                    "name": _("Immediate Payment") if not days else _("%(days)s Days", days=days),
                    "line_ids": [Command.create({"value": "percent", "value_amount": 100.0,
                                                 "delay_type": "days_after", "nb_days": days})],
                })
        return terms

    @api.model
    def _prepare_generator_product(self, company):
        """The service the generated invoices and orders sell, without taxes."""
        Product = self.env["product.product"].with_company(company)
        product = Product.search([("default_code", "=", PRODUCT_CODE)], limit=1)
        if not product:
            product = Product.create({
                "name": _("Professional Services"),
                "default_code": PRODUCT_CODE,
                "type": "service",
                "list_price": 150.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            })
        return product

    # ------------------------------------------------------------------ templates
    @api.model
    def _prepare_generator_templates(self, setup, day):
        """The rows of one invoice, its credit note and two payments made by the ORM on
        ``day``, read back and rolled back: ``{template name: row dict}``, and under
        ``states`` the payment states Odoo gives a paid invoice, a credit note, a payment of
        an invoice still partly open and one of a paid invoice."""
        company = setup["company"]
        Move = self.env["account.move"].with_company(company).with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
        with closing(self.env.cr.savepoint()):  # closing() rolls the templates back
            partner = self.env["res.partner"].create({"name": "Generator Template", "is_company": True})
            invoice = Move.create({
                "move_type": "out_invoice",
                "journal_id": setup["sale_journal"].id,
                "partner_id": partner.id,
                "invoice_date": day,
                "date": day,
                "invoice_payment_term_id": setup["terms"][30].id,
                "invoice_line_ids": [Command.create({
                    "product_id": setup["product"].id, "quantity": 1, "price_unit": 100.0,
                    "tax_ids": [Command.clear()]})],
            })
            invoice.action_post()
            reversal = self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids, tracking_disable=True,
            ).create({"reason": "TEMPLATE", "date": day, "journal_id": invoice.journal_id.id})
            refund = Move.browse(reversal.refund_moves()["res_id"])
            refund.invoice_line_ids.price_unit = 40.0
            refund.action_post()
            (invoice + refund).line_ids.filtered(lambda line: line.display_type == "payment_term").reconcile()
            first = self._register_template_payment(invoice, setup["bank_journal"], day, 30.0)
            states = {"payment_open": first.state}
            second = self._register_template_payment(invoice, setup["bank_journal"], day, 30.0)
            states["payment_done"] = second.state
            states["invoice_paid"] = invoice.payment_state
            states["refund_done"] = refund.payment_state
            if not invoice.currency_id.is_zero(invoice.amount_residual) or invoice.amount_tax:
                raise UserError(_("The generator's template invoice did not behave as expected (taxes or "
                                  "an unpaid amount on %(invoice)s).", invoice=invoice.display_name))
            self.env.flush_all()

            def row(table, record_id):
                return self.env.execute_query_dict(SQL(
                    "SELECT * FROM %s WHERE id = %s", SQL.identifier(table), record_id))[0]

            def line(move, display_type):
                return row("account_move_line", move.line_ids.filtered(
                    lambda aml: aml.display_type == display_type)[:1].id)

            liquidity, counterpart, _other = second._seek_for_lines()
            templates = {
                "invoice": row("account_move", invoice.id),
                "invoice_product_line": line(invoice, "product"),
                "invoice_term_line": line(invoice, "payment_term"),
                "refund": row("account_move", refund.id),
                "refund_product_line": line(refund, "product"),
                "refund_term_line": line(refund, "payment_term"),
                "payment": row("account_payment", second.id),
                "payment_move": row("account_move", second.move_id.id),
                "payment_liquidity_line": row("account_move_line", liquidity.id),
                "payment_counterpart_line": row("account_move_line", counterpart.id),
                "partial": row("account_partial_reconcile", counterpart.matched_debit_ids.id),
                "full_reconcile": row("account_full_reconcile", invoice.line_ids.full_reconcile_id.id),
                "states": states,
            }
        self.env.invalidate_all()
        # Posting raised the template partner's rank after commit: it no longer exists.
        for key, ranks in self.env.cr.postcommit.data.items():
            if key.startswith("account.res.partner.increase_rank."):
                ranks.pop(partner.id, None)
        return templates

    @api.model
    def _register_template_payment(self, invoice, journal, day, amount):
        """A payment of ``amount`` on ``invoice`` registered with Odoo's payment wizard."""
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids, tracking_disable=True,
        ).create({"payment_date": day, "journal_id": journal.id, "amount": amount})
        return wizard._create_payments()

    # ------------------------------------------------------------------ numbering
    @api.model
    def _prepare_generator_numbering(self, setup, day_counts):
        """``{kind: {date: (format, values, prefix, first number)}}``: how Odoo names the
        documents of each kind and day (``day_counts``: ``{kind: {date: count}}``), numbers
        following dates, after those already in the database."""
        numbering = {}
        for kind in KINDS:
            months = defaultdict(list)
            for day in sorted(day_counts[kind]):
                months[day.year, day.month].append(day)
            formats = {}
            for days in months.values():
                # A numbering period is a run of days: when a month starts and ends in the
                # same one, so do the days between.
                first, last = self._generated_sequence_format(setup, kind, days[0]), \
                    self._generated_sequence_format(setup, kind, days[-1])
                for day in days:
                    formats[day] = first if first[0] == last[0] else self._generated_sequence_format(setup, kind, day)
            next_numbers = {}
            numbering[kind] = {}
            for day in sorted(formats):
                key, format_string, values, last = formats[day]
                number = next_numbers.setdefault(key, last + 1)
                numbering[kind][day] = (format_string, values, self._sequence_prefix(key), number)
                next_numbers[key] = number + day_counts[kind][day]
        return numbering

    @api.model
    def _generated_sequence_format(self, setup, kind, day):
        """``(key, format, values, last number)`` of the sequence a document of ``kind``
        dated ``day`` takes its name from, as Odoo's ``sequence.mixin`` sees it; the key
        (the name with number 0) identifies the sequence, as in Odoo's sequence cache."""
        journal = setup["bank_journal"] if kind == "payment" else setup["sale_journal"]
        move_type = {"invoice": "out_invoice", "refund": "out_refund", "payment": "entry"}[kind]
        record = self.env["account.move"].with_company(setup["company"]).with_context(
            is_payment=kind == "payment").new({"journal_id": journal.id, "date": day, "move_type": move_type})
        format_string, values = record._get_next_sequence_format()
        last = values.pop("seq")
        return format_string.format(**values, seq=0), format_string, values, last

    @api.model
    def _sequence_prefix(self, name):
        """The ``sequence_prefix`` Odoo stores for a move named ``name``."""
        match = re.match(self.env["account.move"]._sequence_fixed_regex, name)
        return name[:match.start("seq")]

    # ------------------------------------------------------------------ loading
    @api.model
    def _load_generated_batch(self, setup, batch, result):
        """Create the partners of ``batch`` (generated customers), then insert their
        documents in bulk; add the counts to ``result``."""
        company = setup["company"]
        salespeople = setup["salesperson_ids"]
        partners = self.env["res.partner"].with_company(company).with_context(
            tracking_disable=True, mail_create_nolog=True).create([
                self._prepare_generated_partner_values(setup, customer, salespeople) for customer in batch])
        self.env.flush_all()
        for partner, customer in zip(partners, batch, strict=True):
            result["partner_profiles"][partner.id] = customer.profile
            result["profiles"][customer.profile] += 1
        documents = self._prepare_generated_documents(setup, batch, partners)
        self._insert_generated_documents(setup, documents)
        self.env.invalidate_all()
        result["customers"] += len(batch)
        for key in ("invoices", "credit_notes", "payments", "moves", "move_lines", "partials", "full_reconciles"):
            result[key] += documents["counts"][key]
        _logger.info("Generated %s customers, %s invoices, %s payments so far",
                     result["customers"], result["invoices"], result["payments"])

    @api.model
    def _prepare_generated_partner_values(self, setup, customer, salespeople):
        """The ``res.partner`` values of a generated customer."""
        cities = CITIES.get(customer.country_code, ())
        return {
            "name": customer.name,
            "is_company": True,
            "customer_rank": 1,
            "ref": customer.ref,
            "email": customer.email,
            "country_id": setup["country_ids"].get(customer.country_code),
            "city": cities[customer.index % len(cities)] if cities else False,
            "user_id": salespeople[customer.index % len(salespeople)] if salespeople else False,
            "property_payment_term_id": setup["terms"][customer.payment_term_days].id,
        }

    @api.model
    def _allocate_ids(self, setup, table, count):
        """``count`` new ids from ``table``'s id sequence."""
        if not count:
            return []
        if setup["bulk"]:
            # The table is locked (bulk mode): nobody else takes ids, reserve a range at once.
            [(last,)] = self.env.execute_query(SQL(
                "SELECT setval(pg_get_serial_sequence(%(table)s, 'id'), "
                "nextval(pg_get_serial_sequence(%(table)s, 'id')) + %(count)s - 1)", table=table, count=count))
            return list(range(last - count + 1, last + 1))
        rows = self.env.execute_query(SQL(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", table, count))
        return [row[0] for row in rows]

    @api.model
    def _prepare_generated_documents(self, setup, batch, partners):
        """The rows to insert for ``batch`` (generated customers) and ``partners`` (theirs):
        ``{"docs": {part: {input: values}}, "counts": {...}}``, one list entry per row.
        Amounts are in cents here; :meth:`_insert_generated_documents` converts them."""
        numbering = setup["numbering"]
        templates = setup["templates"]
        states = templates["states"]
        terms = setup["terms"]
        default_user = templates["invoice"]["invoice_user_id"]
        template_memo = templates["payment"]["memo"] or ""
        template_label = templates["payment_liquidity_line"]["name"] or ""
        # documents already named per kind and day, over all batches
        counters = setup.setdefault("named", {kind: Counter() for kind in KINDS})
        fiscal = self._generated_fiscal_positions(setup, partners)

        invoices = []  # (customer, partner values, invoice, residual)
        for customer, partner in zip(batch, partners, strict=True):
            fiscal_position_id, income_account_id, receivable_account_id = fiscal[partner.id]
            partner_values = {
                "partner_id": partner.id, "partner_name": partner.name, "fiscal_position_id": fiscal_position_id,
                "user_id": partner.user_id.id or default_user, "term_id": terms[customer.payment_term_days].id,
                "income_account_id": income_account_id, "receivable_account_id": receivable_account_id,
            }
            invoices.extend((customer, partner_values, invoice, invoice.residual) for invoice in customer.invoices)
        n_refunds = sum(1 for _c, _p, invoice, _r in invoices if invoice.credit_note)
        n_payments = sum(len(invoice.payments) for _c, _p, invoice, _r in invoices)
        n_full = sum(1 for _c, _p, _i, residual in invoices if not residual)
        n_moves = len(invoices) + n_refunds + n_payments
        move_ids = iter(self._allocate_ids(setup, "account_move", n_moves))
        line_ids = iter(self._allocate_ids(setup, "account_move_line", 2 * n_moves))
        payment_ids = iter(self._allocate_ids(setup, "account_payment", n_payments))
        partial_ids = iter(self._allocate_ids(setup, "account_partial_reconcile", n_refunds + n_payments))
        full_ids = iter(self._allocate_ids(setup, "account_full_reconcile", n_full))

        def name_of(kind, day):
            format_string, values, prefix, first = numbering[kind][day]
            number = first + counters[kind][day]
            counters[kind][day] += 1
            return format_string.format(**values, seq=number), prefix, number

        rows = defaultdict(list)  # {part: [{input: value}]}, the same inputs in each row of a part

        def add(part, **values):
            rows[part].append(values)

        for customer, partner, invoice, residual in invoices:
            partner_id = partner["partner_id"]
            moved = {key: partner[key] for key in ("partner_id", "partner_name", "fiscal_position_id")}
            move_id = next(move_ids)
            name, prefix, number = name_of("invoice", invoice.date)
            full_id = None if residual else next(full_ids)
            partials = [next(partial_ids) for _i in range(bool(invoice.credit_note) + len(invoice.payments))]
            # Odoo's matching number: the full reconciliation, else the group's first partial.
            matching = str(full_id) if full_id else (f"P{partials[0]}" if partials else None)
            partials = iter(partials)
            term_line_id = next(line_ids)
            events = [payment.date for payment in invoice.payments]
            if invoice.credit_note:
                events.append(invoice.credit_note.date)
            last_change = max(events, default=invoice.date)
            state = "partial" if residual and events else "not_paid" if residual else (
                states["invoice_paid"] if invoice.payments else "reversed")
            add("invoice", id=move_id, name=name, prefix=prefix, number=number, date=invoice.date,
                due=invoice.due_date, amount=invoice.amount, residual=residual, state=state,
                term_id=partner["term_id"], user_id=partner["user_id"], last_change=last_change,
                touched=bool(events), **moved)
            add("invoice_product_line", id=next(line_ids), move_id=move_id, move_name=name, date=invoice.date,
                amount=invoice.amount, partner_id=partner_id, account_id=partner["income_account_id"])
            add("invoice_term_line", id=term_line_id, move_id=move_id, move_name=name, date=invoice.date,
                due=invoice.due_date, amount=invoice.amount, residual=residual, partner_id=partner_id,
                full_id=full_id, matching=matching, account_id=partner["receivable_account_id"])
            if full_id:
                add("full_reconcile", id=full_id, date=last_change)

            if credit := invoice.credit_note:
                refund_id = next(move_ids)
                refund_name, refund_prefix, refund_number = name_of("refund", credit.date)
                refund_term_id = next(line_ids)
                reason = CREDIT_REASONS[(customer.index + number) % len(CREDIT_REASONS)]
                ref = f"Reversal of: {name}, {reason}"
                add("refund", id=refund_id, name=refund_name, prefix=refund_prefix, number=refund_number,
                    date=credit.date, amount=credit.amount, invoice_id=move_id, ref=ref,
                    state=states["refund_done"], user_id=partner["user_id"], **moved)
                add("refund_product_line", id=next(line_ids), move_id=refund_id, move_name=refund_name,
                    date=credit.date, amount=credit.amount, partner_id=partner_id, ref=ref,
                    account_id=partner["income_account_id"])
                add("refund_term_line", id=refund_term_id, move_id=refund_id, move_name=refund_name,
                    date=credit.date, amount=credit.amount, partner_id=partner_id, ref=ref, full_id=full_id,
                    matching=matching, account_id=partner["receivable_account_id"])
                add("partial", id=next(partials), debit_id=term_line_id, credit_id=refund_term_id,
                    date=max(invoice.date, credit.date), amount=credit.amount, full_id=full_id)

            label = template_label.replace(template_memo, name) if template_memo else template_label
            payment_state = states["payment_open"] if residual else states["payment_done"]
            for payment in invoice.payments:
                pay_move_id, pay_id = next(move_ids), next(payment_ids)
                pay_name, pay_prefix, pay_number = name_of("payment", payment.date)
                counterpart_id = next(line_ids)
                add("payment", id=pay_id, name=pay_name, memo=name, date=payment.date, amount=payment.amount,
                    partner_id=partner_id, move_id=pay_move_id, invoice_id=move_id, state=payment_state)
                add("payment_move", id=pay_move_id, name=pay_name, prefix=pay_prefix, number=pay_number,
                    date=payment.date, amount=payment.amount, payment_id=pay_id, memo=name, **moved)
                add("payment_liquidity_line", id=next(line_ids), move_id=pay_move_id, move_name=pay_name,
                    date=payment.date, amount=payment.amount, partner_id=partner_id, payment_id=pay_id,
                    memo=name, label=label)
                add("payment_counterpart_line", id=counterpart_id, move_id=pay_move_id, move_name=pay_name,
                    date=payment.date, amount=payment.amount, partner_id=partner_id, payment_id=pay_id,
                    memo=name, label=label, full_id=full_id, matching=matching)
                add("partial", id=next(partials), debit_id=term_line_id, credit_id=counterpart_id,
                    date=max(invoice.date, payment.date), amount=payment.amount, full_id=full_id)

        docs = {part: {column: [row[column] for row in part_rows] for column in part_rows[0]}
                for part, part_rows in rows.items()}
        counts = {
            "invoices": len(invoices), "credit_notes": n_refunds, "payments": n_payments,
            "moves": n_moves, "move_lines": 2 * n_moves, "partials": n_refunds + n_payments,
            "full_reconciles": n_full,
        }
        return {"docs": docs, "counts": counts}

    @api.model
    def _generated_fiscal_positions(self, setup, partners):
        """``{partner id: (fiscal position id, income account id, receivable account id)}``:
        the fiscal position Odoo gives each partner's invoices and the accounts it maps the
        templates' accounts to. Generated partners differ only by country: one lookup each."""
        templates = setup["templates"]
        income = self.env["account.account"].browse(templates["invoice_product_line"]["account_id"])
        receivable = self.env["account.account"].browse(templates["invoice_term_line"]["account_id"])
        FiscalPosition = self.env["account.fiscal.position"].with_company(setup["company"])
        by_country = setup.setdefault("fiscal_positions", {})
        result = {}
        for partner in partners:
            key = partner.country_id.id
            if key not in by_country:
                position = FiscalPosition._get_fiscal_position(partner)
                by_country[key] = (position.id or None, position.map_account(income).id,
                                   position.map_account(receivable).id)
            result[partner.id] = by_country[key]
        return result

    # ------------------------------------------------------------------ SQL
    @contextmanager
    def _generator_bulk_mode(self, setup):
        """Drop the foreign keys and indexes of the generated tables that the loaded rows
        would fill, and re-create them on leaving, so that PostgreSQL checks and indexes the
        rows in one pass. Unique indexes stay; so do keys and partial indexes on columns the
        rows leave empty, which cost nothing per row. DDL is transactional: if the load
        fails, the rollback restores them."""
        filled = defaultdict(set)  # {table: columns the generated rows set}
        for table, template, expressions in self._generated_column_map().values():
            row = setup["templates"][template]
            filled[table] |= {column for column, value in row.items() if value is not None} | set(expressions)
        filled["account_move__account_payment"] = {"invoice_id", "payment_id"}
        keys = [(table, name, definition, comment) for table, name, definition, comment, columns in
                self.env.execute_query(SQL(
                    """
                    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid),
                           obj_description(c.oid, 'pg_constraint'),
                           ARRAY(SELECT attname FROM pg_attribute
                                  WHERE attrelid = c.conrelid AND attnum = ANY(c.conkey))
                      FROM pg_constraint c
                     WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
                  ORDER BY 1, 2
                    """, list(GENERATED_TABLES)))
                if filled[table] & set(columns)]
        indexes = [(name, definition, comment) for table, name, definition, comment, partial, columns in
                   self.env.execute_query(SQL(
                       """
                       SELECT i.indrelid::regclass::text, index.relname, pg_get_indexdef(i.indexrelid),
                              obj_description(i.indexrelid, 'pg_class'), i.indpred IS NOT NULL,
                              CASE WHEN i.indexprs IS NULL THEN ARRAY(
                                  SELECT attname FROM pg_attribute
                                   WHERE attrelid = i.indrelid AND attnum = ANY(i.indkey)) END
                         FROM pg_index i
                         JOIN pg_class index ON index.oid = i.indexrelid
                        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
                     ORDER BY 2
                       """, list(GENERATED_TABLES)))
                   if not (partial and columns is not None and not filled[table] & set(columns))]
        for table, name, _definition, _comment in keys:
            self.env.cr.execute(SQL("ALTER TABLE %s DROP CONSTRAINT %s", SQL.identifier(table), SQL.identifier(name)))
        for name, _definition, _comment in indexes:
            self.env.cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
        yield
        _logger.info("Indexing the loaded rows and checking their foreign keys")
        self.env.cr.execute(SQL("SET LOCAL maintenance_work_mem = '256MB'"))
        # The definitions come from PostgreSQL's catalog, as pg_dump writes them; Odoo
        # keeps the definition of its own indexes in their comment.
        for name, definition, comment in indexes:
            self.env.cr.execute(SQL(definition))
            if comment:
                self.env.cr.execute(SQL("COMMENT ON INDEX %s IS %s", SQL.identifier(name), comment))
        for table, name, definition, comment in keys:
            self.env.cr.execute(SQL("ALTER TABLE %s ADD CONSTRAINT %s %s",
                                    SQL.identifier(table), SQL.identifier(name), SQL(definition)))
            if comment:
                self.env.cr.execute(SQL("COMMENT ON CONSTRAINT %s ON %s IS %s",
                                        SQL.identifier(name), SQL.identifier(table), comment))

    @api.model
    def _generated_column_map(self):
        """``{part: (table, template, {column: SQL expression over the inputs v.*})}``: which
        columns of each cloned row differ from the template, and what they become."""

        def v(name):
            return SQL.identifier("v", name)

        def money(name, sign=1):
            return SQL("ROUND(%s * %s::numeric / 100, 2)", sign, v(name))

        def stamp(name):
            return SQL("%s + TIME '08:00'", v(name))

        null, zero, true = SQL("NULL"), SQL("0"), SQL("TRUE")
        created = {"create_date": stamp("date"), "write_date": stamp("date")}
        partner = {"partner_id": v("partner_id"), "commercial_partner_id": v("partner_id"),
                   "invoice_partner_display_name": v("partner_name"), "fiscal_position_id": v("fiscal_position_id")}
        numbered = {"id": v("id"), "name": v("name"), "sequence_prefix": v("prefix"),
                    "sequence_number": v("number"), "inalterable_hash": null, "secure_sequence_number": null,
                    "access_token": null, **partner, **created}
        line = {"id": v("id"), "move_id": v("move_id"), "partner_id": v("partner_id"),
                "move_name": v("move_name"), "date": v("date"), **created}
        accounted = {"account_id": v("account_id")}
        debit = {"debit": money("amount"), "credit": zero, "balance": money("amount"),
                 "amount_currency": money("amount")}
        credit = {"debit": zero, "credit": money("amount"), "balance": money("amount", -1),
                  "amount_currency": money("amount", -1)}
        priced = {"price_unit": money("amount"), "price_subtotal": money("amount"),
                  "price_total": money("amount")}
        settled = {"amount_residual": zero, "amount_residual_currency": zero, "reconciled": true,
                   "full_reconcile_id": v("full_id"), "matching_number": v("matching")}
        return {
            "full_reconcile": ("account_full_reconcile", "full_reconcile", {"id": v("id"), **created}),
            "payment": ("account_payment", "payment", {
                "id": v("id"), "move_id": null, "partner_id": v("partner_id"), "name": v("name"),
                "state": v("state"), "memo": v("memo"), "date": v("date"), "amount": money("amount"),
                "amount_company_currency_signed": money("amount"), **created}),
            "invoice": ("account_move", "invoice", {
                **numbered, "partner_shipping_id": v("partner_id"), "payment_reference": v("name"),
                "invoice_payment_term_id": v("term_id"), "invoice_user_id": v("user_id"),
                "date": v("date"), "invoice_date": v("date"), "invoice_date_due": v("due"),
                "amount_untaxed": money("amount"), "amount_total": money("amount"),
                "amount_untaxed_signed": money("amount"), "amount_untaxed_in_currency_signed": money("amount"),
                "amount_total_signed": money("amount"), "amount_total_in_currency_signed": money("amount"),
                "amount_residual": money("residual"), "amount_residual_signed": money("residual"),
                "payment_state": v("state"), "write_date": stamp("last_change"),
                # Odoo flags an invoice written to after posting (reversed, paid).
                "is_manually_modified": v("touched")}),
            "refund": ("account_move", "refund", {
                **numbered, "partner_shipping_id": v("partner_id"), "reversed_entry_id": v("invoice_id"),
                "ref": v("ref"), "invoice_user_id": v("user_id"),
                "date": v("date"), "invoice_date": v("date"), "invoice_date_due": v("date"),
                "amount_untaxed": money("amount"), "amount_total": money("amount"),
                "amount_untaxed_signed": money("amount", -1),
                "amount_untaxed_in_currency_signed": money("amount", -1),
                "amount_total_signed": money("amount", -1), "amount_total_in_currency_signed": money("amount", -1),
                "amount_residual": zero, "amount_residual_signed": zero, "payment_state": v("state")}),
            "payment_move": ("account_move", "payment_move", {
                **numbered, "origin_payment_id": v("payment_id"), "ref": v("memo"), "date": v("date"),
                "invoice_date_due": v("date"), "amount_total": money("amount"),
                "amount_total_signed": money("amount"), "amount_total_in_currency_signed": money("amount")}),
            "invoice_product_line": ("account_move_line", "invoice_product_line", {
                **line, **accounted, **credit, **priced, "invoice_date": v("date")}),
            "invoice_term_line": ("account_move_line", "invoice_term_line", {
                **line, **accounted, **debit, "invoice_date": v("date"), "date_maturity": v("due"),
                "name": v("move_name"),
                "amount_residual": money("residual"), "amount_residual_currency": money("residual"),
                "reconciled": SQL("%s = 0", v("residual")), "full_reconcile_id": v("full_id"),
                "matching_number": v("matching")}),
            "refund_product_line": ("account_move_line", "refund_product_line", {
                **line, **accounted, **debit, **priced, "invoice_date": v("date"), "ref": v("ref")}),
            "refund_term_line": ("account_move_line", "refund_term_line", {
                **line, **accounted, **credit, **settled, "invoice_date": v("date"), "date_maturity": v("date"),
                "ref": v("ref")}),
            "payment_liquidity_line": ("account_move_line", "payment_liquidity_line", {
                **line, **debit, "payment_id": v("payment_id"), "ref": v("memo"), "name": v("label"),
                "date_maturity": v("date"), "amount_residual": money("amount"),
                "amount_residual_currency": money("amount"), "price_subtotal": money("amount"),
                "price_total": money("amount")}),
            "payment_counterpart_line": ("account_move_line", "payment_counterpart_line", {
                **line, **credit, **settled, "payment_id": v("payment_id"), "ref": v("memo"),
                "name": v("label"), "date_maturity": v("date"), "price_subtotal": money("amount", -1),
                "price_total": money("amount", -1)}),
            "partial": ("account_partial_reconcile", "partial", {
                "id": v("id"), "debit_move_id": v("debit_id"), "credit_move_id": v("credit_id"),
                "full_reconcile_id": v("full_id"), "max_date": v("date"), "amount": money("amount"),
                "debit_amount_currency": money("amount"), "credit_amount_currency": money("amount"),
                **created}),
        }

    # The SQL type of each input of the column map.
    _generated_input_types = {
        "id": "int4", "move_id": "int4", "partner_id": "int4", "number": "int4", "term_id": "int4",
        "user_id": "int4", "invoice_id": "int4", "payment_id": "int4", "debit_id": "int4",
        "credit_id": "int4", "full_id": "int4", "fiscal_position_id": "int4", "account_id": "int4",
        "amount": "int8", "residual": "int8",
        "name": "varchar", "prefix": "varchar", "partner_name": "varchar", "ref": "varchar",
        "memo": "varchar", "state": "varchar", "matching": "varchar", "label": "varchar",
        "move_name": "varchar", "date": "date", "due": "date", "last_change": "date", "touched": "bool",
    }

    @api.model
    def _insert_generated_documents(self, setup, documents):
        """Insert the rows of ``documents`` (see :meth:`_prepare_generated_documents`), one
        statement per kind of row, in an order that satisfies the foreign keys."""
        docs = documents["docs"]
        column_map = self._generated_column_map()
        for part in ("full_reconcile", "payment", "invoice", "refund", "payment_move", "invoice_product_line",
                     "invoice_term_line", "refund_product_line", "refund_term_line", "payment_liquidity_line",
                     "payment_counterpart_line", "partial"):
            if not docs.get(part):
                continue
            table, template, expressions = column_map[part]
            self._insert_clones(setup, table, setup["templates"][template], docs[part], expressions)
        if docs.get("payment"):
            payments = docs["payment"]
            self.env.cr.execute(SQL(
                """
                INSERT INTO account_move__account_payment (invoice_id, payment_id)
                SELECT invoice_id, payment_id FROM unnest(%s::int4[], %s::int4[]) AS v(invoice_id, payment_id)
                """, _array_literal(payments["invoice_id"], "int4"), _array_literal(payments["id"], "int4")))
            # account_move.origin_payment_id and account_payment.move_id point at each other.
            self.env.cr.execute(SQL(
                """
                UPDATE account_payment p
                   SET move_id = v.move_id
                  FROM unnest(%s::int4[], %s::int4[]) AS v(id, move_id)
                 WHERE p.id = v.id
                """, _array_literal(payments["id"], "int4"), _array_literal(payments["move_id"], "int4")))

    @api.model
    def _insert_clones(self, setup, table, template, inputs, expressions):
        """``INSERT INTO table ... SELECT ... FROM unnest(inputs)``: one row per input
        entry, each column set from ``expressions`` or else copied from ``template``."""
        types = setup.setdefault("column_types", {})
        if table not in types:
            types[table] = dict(self.env.execute_query(SQL(
                """
                SELECT column_name, udt_name FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = %s
                """, table)))
        columns = types[table]
        used = [name for name in inputs if name in self._generated_input_types]
        values = []
        for column, udt in columns.items():
            if column in expressions:
                values.append(expressions[column])
            else:
                value = template[column]
                if udt == "jsonb" and value is not None:
                    value = json.dumps(value)
                values.append(SQL("%s::%s", value, SQL.identifier(udt)))
        self.env.cr.execute(SQL(
            "INSERT INTO %(table)s (%(columns)s) SELECT %(values)s FROM unnest(%(arrays)s) AS v(%(names)s)",
            table=SQL.identifier(table),
            columns=SQL(", ").join(SQL.identifier(column) for column in columns),
            values=SQL(", ").join(values),
            arrays=SQL(", ").join(
                SQL("%s::%s[]", _array_literal(inputs[name], self._generated_input_types[name]),
                    SQL.identifier(self._generated_input_types[name]))
                for name in used),
            names=SQL(", ").join(SQL.identifier(name) for name in used),
        ))
