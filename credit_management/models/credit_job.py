from psycopg2 import errors as pg_errors

from odoo import api, models


class CreditJob(models.AbstractModel):
    """The credit batch jobs run by several cron workers side by side.

    Odoo runs one scheduled action on one cron worker at a time (it locks the job's row), so
    that a single job never uses more than one worker. The credit jobs that have many
    customers to do — the risk review, the execution of follow-up lines — share their work
    instead: each batch is taken by locking the rows that mark the work to do (the customers
    due for review, the follow-up lines not done) with ``FOR NO KEY UPDATE SKIP LOCKED``,
    done, and committed with the rows that say it is done. A worker never takes rows another
    one holds, and rows done by one are no longer to do for the others: any number of
    workers, on any number of Odoo servers sharing the database, can run the same job and
    each customer is done once.

    The scheduled actions of this model (*Credit: parallel worker*; duplicate it to use
    more cron workers) help the jobs under way: woken when a job has more than one batch to
    do (:meth:`_credit_trigger_workers`), each reviews the customers still due and executes
    the follow-up lines still waiting, then stops.
    """

    _name = "credit.job"
    _description = "Credit Jobs Shared by Cron Workers"

    @api.model
    def _credit_claim(self, query, shared=True):
        """The ids of the rows that ``query`` (an ``odoo.tools.SQL`` selecting ids with
        ``FOR NO KEY UPDATE SKIP LOCKED``) locked for this transaction: rows other
        transactions hold are skipped, the others stay locked until this transaction ends.

        A row changed by a transaction committed after this one began (another worker did
        it meanwhile) cannot be locked in Odoo's isolation level: with ``shared`` (a batch
        job that commits its steps) None is returned and the caller starts a new transaction
        and claims again; otherwise the error is raised, as for any concurrent update (Odoo
        retries the request)."""
        if not shared:
            return [row[0] for row in self.env.execute_query(query)]
        self.env.flush_query(query)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                return [row[0] for row in self.env.cr.fetchall()]
        except pg_errors.SerializationFailure:
            return None

    @api.model
    def _credit_trigger_workers(self):
        """Wake the parallel workers (the active scheduled actions of this model, but the
        one running now) to share the work of a job under way."""
        current = self.env.context.get("cron_id")
        for cron in self.env["ir.cron"].sudo().search([("model_id.model", "=", self._name)]):
            if cron.id != current:
                cron._trigger()

    @api.model
    def _cron_work(self):
        """Parallel worker: review the customers still due for review (every company) and
        execute the follow-up lines still waiting in the runs being executed, batch by
        batch, each committed, alongside the jobs and the other workers."""
        if not self.env["res.partner"].sudo()._credit_review_due_companies():
            return
        self.env["credit.followup.run"].sudo()._credit_execute_running()
