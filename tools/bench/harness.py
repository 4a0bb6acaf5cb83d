"""How a scenario is measured in an Odoo environment: repetitions in savepoints that are
rolled back, the SQL queries of this thread counted and grouped, the Python heap's peak,
and ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest statements.

Imported once Odoo is importable (see ``tools/benchmark.py``).
"""

import contextlib
import threading
import time
import tracemalloc
from dataclasses import dataclass, field

from bench.stats import QueryLog, statement_shape

EXPLAINABLE = ("SELECT", "WITH", "UPDATE", "INSERT", "DELETE")


class Probe:
    """Counts the SQL queries this thread runs while active (every cursor), and records
    them in ``log`` (a :class:`~bench.stats.QueryLog`) when given."""

    def __init__(self, log=None):
        self.log = log
        self.queries = 0
        self._previous = ()

    def _hook(self, cr, query, params, start, delay):
        self.queries += 1
        if self.log is not None:
            self.log.add(query if isinstance(query, str) else str(query), params, delay * 1000)

    def __enter__(self):
        thread = threading.current_thread()
        self._previous = getattr(thread, "query_hooks", ())
        thread.query_hooks = (*self._previous, self._hook)
        return self

    def __exit__(self, *exc):
        threading.current_thread().query_hooks = self._previous


class Stopwatch:
    """Milliseconds and queries of a block, summed over its uses (a part of a call)."""

    def __init__(self):
        self.ms = 0.0
        self.queries = 0

    @contextlib.contextmanager
    def __call__(self, env):
        with Probe() as probe:
            started = time.perf_counter()
            try:
                yield
                env.flush_all()
            finally:
                self.ms += (time.perf_counter() - started) * 1000
                self.queries += probe.queries


@dataclass
class Sample:
    """One timed repetition: its milliseconds, queries and what the action returned."""

    ms: float
    queries: int
    result: object = None
    after: object = None


@dataclass
class Measure:
    """The timed runs of ``action`` in ``env`` (with its ``prepare``), the heap's peak of
    the warm-up run and the statements of the last run."""

    env: object
    action: object
    prepare: object = None
    samples: list = field(default_factory=list)
    peak_bytes: int | None = None
    log: QueryLog = field(default_factory=QueryLog)

    @property
    def times_ms(self):
        return [sample.ms for sample in self.samples]

    @property
    def queries(self):
        return [sample.queries for sample in self.samples]


def repeat(env, action, *, times, prepare=None, after=None, memory=True):
    """Run ``action()`` ``times`` times after one warm-up run, each run in a savepoint
    rolled back after it, with the ORM cache emptied before (as a new request has it).

    ``prepare()`` runs in the savepoint before the clock starts, ``after()`` once it has
    stopped (what it returns is kept with the run, e.g. to check the outcome). The warm-up run is not
    timed; with ``memory`` it measures the Python heap's peak (``tracemalloc``, which
    slows the run it watches). The last run records its SQL statements in the log.
    Pending writes are flushed inside the timed part."""
    measure = Measure(env, action, prepare)
    for index in range(times + 1):
        warm_up = index == 0
        savepoint = env.cr.savepoint()
        try:
            if prepare:
                prepare()
            env.flush_all()
            env.invalidate_all()
            if warm_up and memory:
                tracemalloc.start()
            with Probe(measure.log if index == times else None) as probe:
                started = time.perf_counter()
                result = action()
                env.flush_all()
                ms = (time.perf_counter() - started) * 1000
            if warm_up and memory:
                measure.peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            if not warm_up:
                measure.samples.append(Sample(ms, probe.queries, result, after() if after else None))
        finally:
            if tracemalloc.is_tracing():
                tracemalloc.stop()
            savepoint.close(rollback=True)
            env.invalidate_all()
    return measure


@contextlib.contextmanager
def commits_kept_in_transaction(env):
    """Let a batch job "commit" without committing: each commit flushes (and runs the
    pre-commit hooks) instead, so that the whole job stays in the savepoint that the
    repetition rolls back and every repetition starts from the same data."""
    cr = env.cr
    cr.commit = cr.flush
    try:
        yield
    finally:
        del cr.commit


class Explainer:
    """While active, ``EXPLAIN (ANALYZE, BUFFERS)`` the statements of ``statements`` (see
    :class:`~bench.stats.QueryLog`) right after one of their runs at least half as slow as
    their slowest, once each: in the transaction and the data they ran in, through a second
    cursor of the same connection (the results of the first stay untouched) and in a
    savepoint rolled back at once (writes are explained too, and undone)."""

    def __init__(self, statements):
        self.targets = {statement.shape: statement for statement in statements}
        self.plans = {}  # shape: (statement, SQL, plan)

    def _hook(self, cr, query, params, start, delay):
        if len(self.plans) == len(self.targets) or not isinstance(query, str):
            return
        shape = statement_shape(query)
        statement = self.targets.get(shape)
        if statement is None or shape in self.plans or delay * 1000 < statement.max_ms / 2:
            return
        if not shape.upper().startswith(EXPLAINABLE):
            return
        with cr._cnx.cursor() as raw:
            raw.execute("SAVEPOINT benchmark_explain")
            try:
                raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
                plan = "\n".join(row[0] for row in raw.fetchall())
            except Exception as error:  # a plan that cannot be had is reported, not fatal
                plan = f"(EXPLAIN failed: {str(error).strip()})"
            finally:
                raw.execute("ROLLBACK TO SAVEPOINT benchmark_explain")
                raw.execute("RELEASE SAVEPOINT benchmark_explain")
            self.plans[shape] = (statement, raw.mogrify(query, params).decode(), plan)

    def __enter__(self):
        thread = threading.current_thread()
        self._previous = getattr(thread, "query_hooks", ())
        thread.query_hooks = (*self._previous, self._hook)
        return self

    def __exit__(self, *exc):
        threading.current_thread().query_hooks = self._previous


def explain(env, action, statements, *, prepare=None):
    """``[(statement, SQL, plan)]`` of ``statements``, slowest first: one more run of
    ``action`` (untimed, rolled back) during which :class:`Explainer` explains them."""
    if not statements:
        return []
    savepoint = env.cr.savepoint()
    try:
        if prepare:
            prepare()
        env.flush_all()
        env.invalidate_all()
        with Explainer(statements) as explainer:
            action()
            env.flush_all()
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    return sorted(explainer.plans.values(), key=lambda plan: plan[0].max_ms, reverse=True)
