import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import SQL

from ..models import credit_followup_run

WORKERS = 2
CUSTOMERS = 24
BATCH = 3
TIMEOUT = 60  # seconds: a worker waiting longer for the other one fails the test


@tagged("post_install", "-at_install")
class TestCreditJobWorkers(BaseCase):
    """Two cron workers run the same credit job at the same moment, each in its own
    transaction on its own database connection (``registry.cursor()``, committed data, not
    the test transaction): each takes batches the other does not hold, both do some of the
    work, and every customer is done exactly once. Each worker's first batch waits until the
    other one holds a batch too, so that they really overlap. The data is committed, then
    removed after each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.company_id = env.ref("base.main_company").id
            self.last_run_id = env["credit.followup.run"].search([], order="id desc", limit=1).id or 0
            self.partner_ids = env["res.partner"].create([
                {"name": f"Worker Test Customer {index:02}", "is_company": True, "customer_rank": 1}
                for index in range(CUSTOMERS)
            ]).ids
        self.addCleanup(self._remove_data)
        self.batches = {}  # worker (thread name): [ids of each batch it did]
        self.woken = []
        self.barrier = threading.Barrier(WORKERS, timeout=TIMEOUT)

    def _remove_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            runs = env["credit.followup.run"].search([("id", ">", self.last_run_id), ("automatic", "=", True)])
            (runs | env["credit.followup.line"].search([("partner_id", "in", self.partner_ids)]).run_id).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _in_workers(self, *jobs):
        """Run each of ``jobs`` (a function of an environment) in a thread of its own, at
        the same time, each with its own cursor, committed when the job returns."""

        def work(job):
            with self.registry.cursor() as cr:
                job(self._env(cr))

        # The test runner holds the registries' lock while tests run: let the workers
        # reach the registry, as Odoo's own test mode does.
        with patch.object(Registry, "_lock", DummyRLock()), ThreadPoolExecutor(max_workers=len(jobs)) as executor:
            for future in [executor.submit(work, job) for job in jobs]:
                future.result(timeout=2 * TIMEOUT)

    def _recorded(self, method):
        """``method`` (a function of records) recording the ids of each batch it is given
        per worker; the first batch of each worker waits for the other worker's."""

        def batch(records, *args, **kwargs):
            if set(records.ids) & set(self._tracked_ids(records)):
                worker = threading.current_thread().name
                first = worker not in self.batches
                self.batches.setdefault(worker, []).append(records.ids)
                if first:
                    self.barrier.wait()
            return method(records, *args, **kwargs)

        return batch

    def _tracked_ids(self, records):
        return self.line_ids if records._name == "credit.followup.line" else self.partner_ids

    def _assert_shared(self, ids):
        self.assertEqual(len(self.batches), WORKERS, "both workers did batches")
        done = [record_id for batches in self.batches.values() for batch in batches for record_id in batch]
        self.assertCountEqual(done, ids, "each one is in exactly one batch of one worker")

    # ------------------------------------------------------------------ the review job
    def test_the_review_job_and_a_worker_review_each_customer_once(self):
        Partner = self.registry["res.partner"]

        def review_customers(partners, company):
            # Our customers (without invoices) are the ones the job reviews; the database's
            # own are left alone.
            return SQL("p.id = ANY(%s)", self.partner_ids if company.id == self.company_id else [])

        with patch.object(Partner, "_credit_review_customers_sql", review_customers), \
                patch.object(Partner, "_credit_review_batch_size", lambda partners: BATCH), \
                patch.object(Partner, "_credit_review", self._recorded(Partner._credit_review)), \
                patch.object(self.registry["credit.job"], "_credit_trigger_workers",
                             lambda job: self.woken.append(job.env.context.get("cron_id"))):
            self._in_workers(
                lambda env: env["res.partner"]._cron_review_due_partners(),  # the daily job
                lambda env: env["credit.job"]._cron_work(),  # a parallel worker
            )
        self.assertTrue(self.woken, "the daily job wakes the workers when more than one batch is due")
        self._assert_shared(self.partner_ids)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            reviews = env["credit.risk.review"].search([("partner_id", "in", self.partner_ids)])
            self.assertEqual(Counter(reviews.partner_id.ids), Counter(dict.fromkeys(self.partner_ids, 1)),
                             "every customer reviewed exactly once")
            self.assertEqual(set(reviews.mapped("trigger")), {"cron"})
            today = fields.Date.context_today(env["res.partner"])
            partners = env["res.partner"].browse(self.partner_ids).with_company(self.company_id)
            self.assertTrue(all(date > today for date in partners.mapped("credit_next_review_date")),
                            "no longer due")

    # ------------------------------------------------------------------ automatic follow-ups
    def test_the_automatic_followups_and_a_worker_remind_each_customer_once(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            today = fields.Date.context_today(env["credit.followup.run"])
            if env["credit.followup.run"].search_count([
                    ("automatic", "=", True), ("company_id", "=", self.company_id), ("date", "=", today)]):
                self.skipTest("This database already has today's automatic follow-up run.")
            level = env.ref("credit_management.credit_followup_level_high_risk_call")
        Run = self.registry["credit.followup.run"]
        Line = self.registry["credit.followup.line"]
        original_run = Run._credit_automatic_run
        computed = threading.Event()
        self.line_ids = []

        def line_values(run):
            # What Compute proposes (tested apart): a call for each of our customers.
            if run.company_id.id != self.company_id:
                return [], {}
            return [{"run_id": run.id, "partner_id": partner_id, "level_id": level.id, "channel": "phone",
                     "amount_due": 100.0} for partner_id in self.partner_ids], {}

        def automatic_run(runs, company):
            run = original_run(runs, company)
            if company.id == self.company_id:
                self.line_ids.extend(run.line_ids.ids)
                computed.set()  # committed: the worker woken now finds the run executing
            return run

        def worker(env):
            # Woken by the job once its run is computed.
            self.assertTrue(computed.wait(TIMEOUT))
            env["credit.job"]._cron_work()

        with patch.object(Run, "_credit_prepare_line_values", line_values), \
                patch.object(Run, "_credit_automatic_run", automatic_run), \
                patch.object(self.registry["res.partner"], "_credit_review_customers_sql",
                             lambda *args: SQL("FALSE")), \
                patch.object(Line, "_credit_execute", self._recorded(Line._credit_execute)), \
                patch.object(credit_followup_run, "EXECUTE_BATCH_SIZE", BATCH), \
                patch.object(self.registry["credit.job"], "_credit_trigger_workers",
                             lambda job: self.woken.append(job.env.context.get("cron_id"))):
            self._in_workers(
                lambda env: env["credit.followup.run"]._cron_followup_automatic(),  # the daily job
                worker,  # a parallel worker
            )
        self.assertEqual(len(self.line_ids), CUSTOMERS, "the job computed today's run")
        self.assertEqual(len(self.woken), 1, "and woke the workers to share its lines")
        self._assert_shared(self.line_ids)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            runs = env["credit.followup.run"].search([
                ("automatic", "=", True), ("company_id", "=", self.company_id), ("date", "=", today)])
            self.assertEqual(len(runs), 1, "one automatic run for the day")
            self.assertEqual(runs.state, "done")
            self.assertEqual(set(runs.line_ids.mapped("state")), {"done"})
            calls = env["mail.activity"].search([("res_model", "=", "res.partner"),
                                                 ("res_id", "in", self.partner_ids)])
            self.assertEqual(Counter(calls.mapped("res_id")), Counter(dict.fromkeys(self.partner_ids, 1)),
                             "each customer gets one call planned")
