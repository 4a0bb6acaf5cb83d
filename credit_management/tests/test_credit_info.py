import importlib.util
import json
import logging
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import BlockedRequest, _super_send
from odoo.tools import format_date

API_KEY = "key-7f3a9c2e51"
PASSWORD = "pa55-word-b81d"
TOKEN = "tok-e4c1d7a2f0"
SECRETS = (API_KEY, PASSWORD, TOKEN)
PROVIDER_LOGGER = "odoo.addons.credit_management.models.credit_info_provider"


class _ListHandler(logging.Handler):
    def __init__(self, messages):
        super().__init__(logging.DEBUG)
        self.messages = messages

    def emit(self, record):
        self.messages.append(f"{record.levelname} {record.getMessage()}")


class FakeProviderHandler(BaseHTTPRequestHandler):
    """Answers each request with the next answer scripted for its path on the server
    (the last one repeats): ``(status, body, delay seconds)``, the body JSON-encoded
    unless it is text; records each request."""

    def _answer(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        server.calls.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
        script = server.routes.get(self.path) or [(404, {"error": "unknown company"}, 0)]
        status, payload, delay = script.pop(0) if len(script) > 1 else script[0]
        if callable(payload):
            payload = payload(self.headers, body)
        if isinstance(payload, str):
            data, content_type = payload.encode(), "text/html"
        else:
            data, content_type = json.dumps(payload).encode(), "application/json"
        time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting: nothing more to say to it
            self.close_connection = True

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


class FakeProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeProviderHandler)
        self.routes, self.calls = {}, []

    def handle_error(self, request, client_address):
        pass  # a client that gave up waiting is no error of the test


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class CreditInfoTests:
    """Credit reports come from a provider over HTTP: a real server on 127.0.0.1 plays
    the provider. A good answer gives the customer's rating (the score's external factor
    at the next review) and recommended limit; time-outs and server errors are retried,
    then a failed report says why and nothing else changes; no secret is ever shown."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FakeProviderServer()
        thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        thread.start()
        cls.addClassCleanup(thread.join, 5)
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.base_url = f"http://127.0.0.1:{cls.server.server_address[1]}"

    def _bureau(self):
        """Set up the provider played by the local server (with an API key), a Belgian
        customer with a VAT number, and record the pauses between tries instead of
        waiting them out."""
        self.server.routes, self.server.calls = {}, []
        self.sleeps, self.logged = [], []
        stack = ExitStack()
        self.addCleanup(stack.close)
        stack.enter_context(patch.object(type(self.env["credit.info.provider"]), "_credit_sleep", autospec=True,
                                         side_effect=lambda _provider, seconds: self.sleeps.append(seconds)))
        # The test framework stretches time-outs under 10 s to 10 s: call the local server as is.
        stack.enter_context(patch.object(type(self), "_request_handler", classmethod(_local_only)))
        self.provider = self.env["credit.info.provider"].with_user(self.manager).create({
            "name": "Test Bureau", "base_url": self.base_url, "lookup_path": "/companies/{country}/{identifier}",
            "auth_type": "api_key", "api_key_header": "X-API-Key", "api_key": API_KEY, "timeout": 1.0,
            "rating_path": "report.rating", "rating_scale": "letters", "rating_letters": "A = 10\nB = 30\nC = 60",
            "limit_path": "report.limit.amount", "currency_path": "report.limit.currency",
        })
        self.belgian = self._customer("Brussels Buyer", country_id=self.env.ref("base.be").id, vat="BE0477472701")

    # ------------------------------------------------------------------ helpers
    def _route(self, path, *answers):
        """Script the answers of ``path``: ``(status, body)`` or ``(status, body, delay)``."""
        self.server.routes[path] = [answer if len(answer) == 3 else (*answer, 0) for answer in answers]

    @staticmethod
    def _good(rating="B", limit=25000, currency="EUR"):
        return 200, {"company": "Brussels Buyer", "report": {"rating": rating, "limit": {"amount": limit,
                                                                                        "currency": currency}}}

    @contextmanager
    def _logs(self):
        """Keep what the provider logs (in ``self.logged``) out of the server log: failures
        are warnings there, expected here."""
        logger = logging.getLogger(PROVIDER_LOGGER)
        handler = _ListHandler(self.logged)
        propagate, level = logger.propagate, logger.level
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.INFO)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.propagate, logger.level = propagate, level

    def _fetch(self, partner=None, user=None):
        with self._logs():
            return (partner or self.belgian).with_user(user or self.controller).action_credit_fetch_report()

    def _last_report(self, partner=None):
        return self.env["credit.info.report"].sudo().search(
            [("partner_id", "=", (partner or self.belgian).id)], limit=1)

    def _state(self, partner):
        """What a failed fetch must leave as it was."""
        partner = partner.sudo().with_company(self.company)
        partner.invalidate_recordset()
        return (partner.credit_external_rating, partner.credit_external_rating_date, partner.credit_limit,
                partner.credit_risk_score, partner.credit_risk_tier_id, len(partner.credit_review_ids),
                partner.credit_info_recommended_limit, partner.vat)

    # ------------------------------------------------------------------ a good answer
    def test_a_good_answer_gives_the_rating_and_limit_and_the_next_review_scores_it(self):
        self._bureau()
        self._route("/companies/be/BE0477472701", self._good())
        result = self._fetch()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("Brussels Buyer: rating 30.0 / 100 from Test Bureau.", result["params"]["message"])
        report = self._last_report()
        self.assertRecordValues(report, [{
            "state": "done", "rating": 30.0, "rating_value": "B", "recommended_limit": 25000.0, "origin": "manual",
            "provider_name": "Test Bureau", "identifier": "BE0477472701", "identifier_type": "vat",
            "http_status": 200, "attempts": 1, "user_id": self.controller.id, "company_id": self.company.id,
        }])
        self.assertEqual(report.currency_id.name, "EUR")
        self.assertEqual(report.display_name, f"Test Bureau, {format_date(self.env, fields.Date.today())}")
        [call] = self.server.calls
        self.assertEqual(call["headers"]["X-API-Key"], API_KEY)
        partner = self.belgian.with_user(self.controller)
        self.assertEqual(partner.credit_external_rating, 30.0)
        self.assertEqual(partner.credit_external_rating_date, fields.Date.context_today(partner))
        self.assertEqual(partner.credit_info_report_id, report)
        self.assertEqual(partner.credit_info_recommended_limit, 25000.0)
        self.assertEqual(partner.credit_info_report_count, 1)

        [review] = self.belgian._credit_review("cron", self.company)
        self.assertEqual(self._factors(review)["external"]["value"], 30.0, "the next review scores the rating")

        self._route("/companies/be/BE0477472701", self._good(rating="C"))
        self._fetch()
        self.assertEqual(partner.credit_external_rating, 60.0, "the latest report's rating")
        [review] = self.belgian._credit_review("cron", self.company)
        self.assertEqual(self._factors(review)["external"]["value"], 60.0)

    def test_a_score_scale_and_a_lookup_by_registration_number(self):
        self._bureau()
        self.provider.write({"rating_scale": "score", "rating_path": "score", "limit_path": False,
                             "lookup_by": "vat_or_registry", "auth_type": "none",
                             "lookup_path": "/search?{identifier_type}={identifier}"})
        us = self._customer("Austin Buyer", country_id=self.env.ref("base.us").id, company_registry="91-1144442")
        self.assertEqual(us.credit_identifier_state, "unchecked", "accepted as typed")
        self._route("/search?company_registry=91-1144442", (200, {"score": 85}))
        self._fetch(us)
        self.assertRecordValues(self._last_report(us), [{"state": "done", "rating": 15.0, "recommended_limit": 0.0}])
        self.assertNotIn("X-API-Key", self.server.calls[0]["headers"])

    # ------------------------------------------------------------------ failures
    def test_a_slow_answer_past_the_timeout_is_tried_again_then_fails(self):
        self._bureau()
        self.provider.attempts = 2
        self._route("/companies/be/BE0477472701", (*self._good(), 2.5))
        before = self._state(self.belgian)
        started = time.monotonic()
        result = self._fetch()
        self.assertLess(time.monotonic() - started, 4, "two tries of one second, not two answers of 2.5")
        self.assertEqual(result["params"]["type"], "danger")
        report = self._last_report()
        self.assertRecordValues(report, [{"state": "failed", "attempts": 2, "http_status": 0}])
        self.assertEqual(report.error, "Test Bureau did not answer within 1 seconds (2 tries). Try again later.")
        self.assertEqual(result["params"]["message"], report.error)
        self.assertEqual(self.sleeps, [1.0], "one pause before the second try")
        self.assertEqual(self._state(self.belgian), before)

    def test_a_server_error_then_an_answer_is_retried(self):
        self._bureau()
        self._route("/companies/be/BE0477472701", (500, {"error": "busy"}), self._good())
        self._fetch()
        self.assertRecordValues(self._last_report(), [{"state": "done", "rating": 30.0, "attempts": 2}])
        self.assertEqual(len(self.server.calls), 2)
        self.assertEqual(self.sleeps, [1.0])

    def test_server_errors_forever_fail_the_report_and_change_nothing_else(self):
        self._bureau()
        self._route("/companies/be/BE0477472701", self._good(rating="A", limit=9000))
        self._fetch()
        before = self._state(self.belgian)
        self.assertEqual(before[0], 10.0)
        self._route("/companies/be/BE0477472701", (503, "<html>Service Unavailable</html>"))
        reports = self.env["credit.info.report"].sudo().search_count([])
        result = self._fetch()
        failed = self._last_report()
        self.assertRecordValues(failed, [{"state": "failed", "http_status": 503, "attempts": 3}])
        self.assertEqual(failed.error, "Test Bureau had a server error (HTTP 503) (3 tries). Try again later.")
        self.assertEqual(result["params"]["type"], "danger")
        self.assertEqual(self.sleeps, [1.0, 2.0], "growing pauses")
        self.assertIn(f"WARNING Credit report of partner {self.belgian.id} from provider Test Bureau (id "
                      f"{self.provider.id}) failed: {failed.error}", self.logged)
        self.assertEqual(self.env["credit.info.report"].sudo().search_count([]), reports + 1, "one report more")
        self.assertEqual(self._state(self.belgian), before, "the rating, its date and the limit stay as they were")

    def test_refused_credentials_say_so_without_retrying(self):
        self._bureau()
        self._route("/companies/be/BE0477472701", (401, {"error": "invalid API key"}))
        result = self._fetch()
        report = self._last_report()
        self.assertRecordValues(report, [{"state": "failed", "http_status": 401, "attempts": 1}])
        self.assertEqual(report.error, "Test Bureau refused the credentials (HTTP 401): check the provider's "
                                       "authentication settings.")
        self.assertEqual(result["params"]["message"], report.error)
        self.assertFalse(self.sleeps)

    def test_an_unknown_company_and_other_client_errors_name_the_status(self):
        self._bureau()
        self._route("/companies/be/BE0477472701", (404, {"error": "not found"}))
        self._fetch()
        self.assertEqual(self._last_report().error,
                         "Test Bureau does not know the company with number BE0477472701 (HTTP 404).")
        self._route("/companies/be/BE0477472701", (422, {"error": "country not covered"}))
        self._fetch()
        self.assertIn("Test Bureau refused the request (HTTP 422):", self._last_report().error)
        self.assertIn("country not covered", self._last_report().error)

    def test_garbage_answers_fail_with_a_clear_message(self):
        self._bureau()
        self._route("/companies/be/BE0477472701", (200, "<html><body>Maintenance {not json</body></html>"))
        self._fetch()
        report = self._last_report()
        self.assertEqual(report.error, "Test Bureau answered with something other than JSON (HTTP 200, text/html).")
        self.assertEqual(report.http_status, 200)
        for answer, error in (
            ({"report": {}}, "Test Bureau's answer has nothing at “report.rating”."),
            ({"report": {"rating": "Z"}}, "Test Bureau's answer has the rating “Z” at “report.rating”, which is not in "
                                          "its letter scale."),
            ({"report": {"rating": "A", "limit": {"amount": "lots", "currency": "EUR"}}},
             "Test Bureau's answer has “lots” at “report.limit.amount”, not a number."),
            ({"report": {"rating": "A", "limit": {"amount": 5, "currency": "XQZ"}}},
             "Test Bureau's answer gives the limit in “XQZ”, a currency Odoo does not know."),
        ):
            with self.subTest(error=error):
                self._route("/companies/be/BE0477472701", (200, answer))
                self._fetch()
                self.assertRecordValues(self._last_report(), [{"state": "failed", "error": error}])
        self.assertFalse(self.belgian.credit_external_rating_date, "no rating from a failed report")

    def test_no_secret_ever_shows_in_logs_messages_or_answers(self):
        self._bureau()
        self.provider.write({"auth_type": "bearer", "auth_username": "odoo", "auth_password": PASSWORD,
                             "token_url": "/auth/token", "token_path": "access_token"})
        self._route("/auth/token", (200, {"access_token": TOKEN, "token_type": "bearer"}))

        def echo(headers, _body):  # a provider that echoes what it was sent
            return {"report": {"rating": "A"}, "debug": {"authorization": headers["Authorization"],
                                                         "note": f"served for {headers['Authorization']}"}}
        self._route("/companies/be/BE0477472701", (200, echo))
        other = self._customer("Antwerp Buyer", country_id=self.env.ref("base.be").id, vat="BE0403019261")
        self._route("/companies/be/BE0403019261", (403, f"<p>Token {TOKEN} refused for password {PASSWORD}</p>"))
        with self.assertLogs("odoo.addons.credit_management", "DEBUG") as ours, \
                self.assertLogs("urllib3", "DEBUG") as http_logs:
            result = (self.belgian | other).with_user(self.controller).action_credit_fetch_report()
        login = self.server.calls[0]
        self.assertEqual(json.loads(login["body"]), {"username": "odoo", "password": PASSWORD})
        self.assertEqual(self.server.calls[1]["headers"]["Authorization"], f"Bearer {TOKEN}")
        self.assertEqual(len(self.server.calls), 3, "one login for the batch: one session")
        reports = self.env["credit.info.report"].sudo().search([("partner_id", "in", (self.belgian | other).ids)])
        self.assertEqual(sorted(reports.mapped("state")), ["done", "failed"])
        self.assertIn("***", "".join(reports.mapped("raw_answer")))
        shown = "\n".join(filter(None, [
            *ours.output, *http_logs.output, json.dumps(result), *reports.mapped("error"),
            *reports.mapped("raw_answer"), *reports.mapped("rating_value")]))
        for secret in SECRETS:
            self.assertNotIn(secret, shown)

    def test_an_unreachable_provider_fails_the_report(self):
        self._bureau()
        self.provider.base_url = "http://127.0.0.1:9"
        self.provider.attempts = 1
        self._fetch()
        self.assertEqual(self._last_report().error,
                         "Test Bureau could not be reached at 127.0.0.1:9. Try again later.")

    # ------------------------------------------------------------------ who may do what
    def test_who_fetches_sees_and_enters_reports(self):
        self._bureau()
        with self.assertRaises(AccessError):
            self._fetch(user=self.salesman)
        self._route("/companies/be/BE0477472701", self._good())
        self._fetch()
        report = self._last_report().with_user(self.controller)
        self.assertEqual(report.rating, 30.0)
        with self.assertRaises(AccessError):
            report.read(["raw_answer"])  # managers only
        with self.assertRaises(AccessError):
            self.env["credit.info.provider"].with_user(self.controller).search([])
        with self.assertRaises(AccessError):
            report.unlink()
        self.assertIn("Brussels Buyer", report.with_user(self.manager).raw_answer)

        with self.assertRaises(AccessError, msg="one source: the reports"):
            self.belgian.with_user(self.manager).write({"credit_external_rating": 80.0})
        entry = self.env["credit.info.report"].with_user(self.manager).create({
            "partner_id": self.belgian.id, "rating": 80.0, "rating_value": "Paper report from the bank"})
        self.assertEqual(self.belgian.credit_external_rating, 80.0, "a report entered by hand is the latest")
        entry.unlink()
        self.assertEqual(self.belgian.credit_external_rating, 30.0, "back to the latest one left")

    def test_a_customer_without_the_number_the_provider_needs(self):
        self._bureau()
        self.customer.country_id = self.env.ref("base.be")
        with self.assertRaises(UserError) as refused:
            self._fetch(self.customer)
        self.assertEqual(str(refused.exception),
                         "Acme Customer has no valid VAT number: Test Bureau looks companies up by it.")
        self._route("/companies/be/BE0477472701", self._good())
        with self._logs():
            result = self.env.ref("credit_management.action_server_credit_fetch_report").with_user(
                self.controller).with_context(active_model="res.partner",
                                              active_ids=(self.belgian | self.customer).ids).run()
        self.assertEqual(result["params"]["message"], "Brussels Buyer: rating 30.0 / 100 from Test Bureau. The next "
                         "risk review uses it. Recommended limit: 25,000.00\xa0€. Skipped, without the number the "
                         "provider needs: Acme Customer.")
        self.assertEqual(self._last_report().state, "done")
        self.provider.active = False
        with self.assertRaises(UserError) as refused:
            self._fetch()
        self.assertIn("No credit information provider is set up", str(refused.exception))

    def test_a_report_in_another_company_leaves_this_companys_rating(self):
        self._bureau()
        self.env["credit.info.report"].sudo().create({
            "partner_id": self.belgian.id, "company_id": self.company_b.id, "rating": 90.0})
        self.assertEqual(self.belgian.with_company(self.company_b).credit_external_rating, 90.0)
        self.assertFalse(self.belgian.with_company(self.company).credit_external_rating_date)

    def test_ratings_typed_before_credit_reports_become_reports_entered_by_hand(self):
        """The update to the version with credit reports (its migration) keeps the ratings
        typed on customers before, as reports: their only source from then on."""
        path = Path(__file__).resolve().parents[1] / "migrations" / "19.0.1.0.3" / "post-migrate.py"
        spec = importlib.util.spec_from_file_location("credit_management_migration_19_0_1_0_3", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        typed = self._customer("Typed Before")
        rated_on = fields.Date.today() - timedelta(days=20)
        typed.sudo().with_company(self.company).write(
            {"credit_external_rating": 55.0, "credit_external_rating_date": rated_on})
        self.env.flush_all()
        migration.migrate(self.env.cr, "19.0.1.0.2")
        self.env.invalidate_all()
        [report] = self.env["credit.info.report"].sudo().search([("partner_id", "=", typed.id)])
        self.assertRecordValues(report, [{"state": "done", "origin": "entry", "rating": 55.0,
                                          "company_id": self.company.id, "provider_name": False}])
        self.assertEqual(report.date.date(), rated_on)
        self.assertEqual((typed.credit_external_rating, typed.credit_external_rating_date), (55.0, rated_on))
        migration.migrate(self.env.cr, "19.0.1.0.2")
        self.assertEqual(self.env["credit.info.report"].sudo().search_count([("partner_id", "=", typed.id)]), 1,
                         "run twice, nothing twice")

    def test_provider_settings_are_checked(self):
        self._bureau()
        for values in (
            {"lookup_path": "/companies/{vat}"},
            {"lookup_path": "/companies"},
            {"base_url": "ftp://example.com"},
            {"rating_path": "report..rating"},
            {"rating_letters": "A = 10\nB = 300"},
            {"timeout": 0},
            {"auth_type": "bearer", "auth_password": False},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.provider.write(values)

    # ------------------------------------------------------------------ daily job
    def test_the_daily_job_refreshes_old_reports_in_committed_batches_and_goes_on_after_a_failure(self):
        self._bureau()
        be = self.env.ref("base.be").id
        due = [self._customer(f"Due {index}", country_id=be, vat=vat)
               for index, vat in enumerate(("BE0403019261", "BE0477472701", "BE0202239951"))]
        fresh = self._customer("Fresh", country_id=be, vat="BE0417497106")
        other_tier = self._customer("Other Tier", country_id=be, vat="BE0403170701")
        for partner in (*due, fresh):
            partner.sudo().with_company(self.company).credit_risk_tier_id = self.tier_high
        other_tier.sudo().with_company(self.company).credit_risk_tier_id = self.tier_low
        self.env["credit.info.report"].sudo().create([
            {"partner_id": due[0].id, "provider_id": self.provider.id, "rating": 10.0,
             "date": fields.Datetime.now() - timedelta(days=40)},
            {"partner_id": fresh.id, "provider_id": self.provider.id, "rating": 10.0,
             "date": fields.Datetime.now() - timedelta(days=5)},
        ])
        self.provider.write({"refresh_days": 30, "refresh_tier_ids": [self.tier_high.id]})
        self.env["ir.config_parameter"].sudo().set_param("credit_management.credit_info_batch_size", 2)
        self._route("/companies/be/BE0403019261", self._good(rating="C"))
        self._route("/companies/be/BE0477472701", (404, {"error": "unknown"}))
        self._route("/companies/be/BE0202239951", self._good(rating="A"))

        calls = self._run_job(time_left=[0.0])
        self.assertEqual(calls, [(2, 1)], "time is up after the first batch of two")
        self.assertEqual(self._run_job(), [(1, 0)], "the next run goes on with the customer left")
        self.assertEqual(self._run_job(), [], "all tried today: nothing due until tomorrow")
        reports = self.env["credit.info.report"].sudo().search([("origin", "=", "cron")])
        self.assertEqual(sorted(reports.mapped("partner_id.name")), ["Due 0", "Due 1", "Due 2"])
        self.assertEqual(reports.filtered(lambda r: r.state == "failed").partner_id, due[1])
        self.assertEqual(due[0].credit_external_rating, 60.0, "its 40-day-old report refreshed, after the new ones")
        self.assertEqual(due[2].credit_external_rating, 10.0, "the batch went on after Due 1 failed")
        self.assertFalse(fresh.sudo().credit_info_report_ids.filtered(lambda r: r.origin == "cron"))
        self.assertFalse(other_tier.sudo().credit_info_report_ids)

    def test_the_daily_job_leaves_a_provider_that_does_not_answer_until_the_next_run(self):
        self._bureau()
        be = self.env.ref("base.be").id
        customers = [self._customer(f"Waiting {index}", country_id=be, vat=vat) for index, vat in enumerate(
            ("BE0403019261", "BE0477472701", "BE0202239951", "BE0417497106"))]
        for partner in customers:
            partner.sudo().with_company(self.company).credit_risk_tier_id = self.tier_high
        self.provider.write({"refresh_days": 30, "refresh_tier_ids": [self.tier_high.id], "attempts": 1})
        for partner in customers:
            self._route(f"/companies/be/{partner.vat}", (500, {"error": "down"}))
        self.assertEqual(self._run_job(), [(3, 0)])
        self.assertIn(f"WARNING Credit provider Test Bureau (id {self.provider.id}) did not answer for 3 customers "
                      "in a row: left alone until the next run.", self.logged)
        self.assertEqual(self.env["credit.info.report"].sudo().search_count([("state", "=", "failed")]), 3)
        self.assertFalse(customers[3].sudo().credit_info_report_ids, "still due at the next run")

    def _run_job(self, time_left=None):
        """Run the daily job with the cron's progress recorded: ``time_left`` gives the
        seconds left after each commit (default: plenty)."""
        calls, time_left = [], list(time_left or [])

        def commit_progress(_cron, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return time_left.pop(0) if time_left else 60.0

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", autospec=True,
                          side_effect=commit_progress), self._logs():
            self.env["credit.info.provider"]._cron_refresh_reports()
        return calls


def _local_only(cls, session, request, **kwargs):
    """Send requests to this machine as they are (time-outs included), block the others."""
    if urlsplit(request.url).hostname != "127.0.0.1":
        raise BlockedRequest(f"External requests verboten (was {request.method} {request.url})")
    return _super_send(session, request, **kwargs)

