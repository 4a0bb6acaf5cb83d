import json
import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, split_every

from ..credit_core import credit_info as rules

_logger = logging.getLogger(__name__)

CREDIT_MANAGER = "credit_management.group_credit_manager"
# The longest one lookup may take, retries and their delays included (seconds): a try
# that could end later is not started.
CALL_BUDGET_SECONDS = 60.0
# Customers looked up per requests.Session and per committed step of the daily job
# (system parameter credit_management.credit_info_batch_size).
REFRESH_BATCH_SIZE = 50
# After this many customers in a row for whom the provider did not answer (time-outs,
# server errors, no connection), the daily job leaves it alone until its next run.
UNAVAILABLE_STREAK = 3
# The part of an answer kept on a report, and quoted in an error message (characters).
RAW_ANSWER_LIMIT = 20000
ERROR_EXCERPT_LIMIT = 200

LOOKUP_SELECTION = [
    ("vat", "VAT Number"),
    ("company_registry", "Company Registration Number"),
    ("vat_or_registry", "VAT Number, else Registration Number"),
]


class CreditInfoError(Exception):
    """A lookup that failed. ``message`` tells a user why, naming the provider and the
    HTTP status, without secrets; ``status`` is the HTTP status (0 when no answer came);
    ``unavailable`` says the provider did not answer (time-out, server error, no
    connection); ``raw`` is the answer's body made safe to keep; ``attempts`` the tries
    made."""

    def __init__(self, message, status=0, unavailable=False, raw="", attempts=1):
        super().__init__(message)
        self.message = message
        self.status = status
        self.unavailable = unavailable
        self.raw = raw
        self.attempts = attempts


class CreditInfoAnswer:
    """A provider's decoded JSON ``data``, its ``raw`` body made safe to keep, its HTTP
    ``status`` and the ``attempts`` it took."""

    def __init__(self, data, raw, status, attempts):
        self.data = data
        self.raw = raw
        self.status = status
        self.attempts = attempts


class CreditInfoClient:
    """Calls one provider for a batch of lookups over one ``requests.Session``: the
    connection is kept alive and the login token obtained once. Every message and answer
    it gives back has the provider's secrets (API key, password, token) removed."""

    def __init__(self, provider):
        self.provider = provider
        self.env = provider.env
        self.name = provider.name
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.token = None
        self.secrets = [secret for secret in (provider.api_key, provider.auth_password) if secret]
        self.policy = rules.RetryPolicy(
            attempts=provider.attempts, timeout=provider.timeout, budget=CALL_BUDGET_SECONDS)
        self.unavailable_streak = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.session.close()

    # ------------------------------------------------------------------ results
    def safe(self, text, limit=RAW_ANSWER_LIMIT):
        """``text`` with the secrets removed (JSON re-encoded with secret keys blanked)."""
        return rules.redacted_text(text or "", self.secrets, limit)

    def note(self, error=None):
        """Count the providers' failures to answer in a row (``error`` None: a success)."""
        self.unavailable_streak = self.unavailable_streak + 1 if error and error.unavailable else 0

    # ------------------------------------------------------------------ calls
    def lookup(self, identifier, identifier_type, country):
        """The provider's answer about the company with ``identifier`` (a number of
        ``identifier_type``, ``vat`` or ``company_registry``) in ``country``: a
        :class:`CreditInfoAnswer`, or raise :class:`CreditInfoError`."""
        path = rules.lookup_path(self.provider.lookup_path, identifier, identifier_type, country)
        url = self.provider._credit_url(path)
        had_token = bool(self.token)
        response, attempts = self._send("GET", url, headers=self._auth_headers())
        if response.status_code == 401 and self.provider.auth_type == "bearer" and had_token:
            # The token of an earlier lookup expired: log in again, once.
            self.token = None
            response, more = self._send("GET", url, headers=self._auth_headers())
            attempts += more
        return self._decoded(response, attempts, identifier)

    def _auth_headers(self):
        provider = self.provider
        if provider.auth_type == "api_key":
            return {provider.api_key_header: provider.api_key or ""}
        if provider.auth_type == "bearer":
            if not self.token:
                self.token = self._login()
                self.secrets.append(self.token)
            return {"Authorization": f"Bearer {self.token}"}
        return {}

    def _login(self):
        """A token from the provider's login endpoint."""
        _ = self.env._
        provider = self.provider
        response, attempts = self._send("POST", provider._credit_url(provider.token_url), json={
            "username": provider.auth_username or "", "password": provider.auth_password or "",
        })
        if response.status_code in (401, 403):
            raise CreditInfoError(_(
                "%(provider)s refused the login (HTTP %(status)s): check the user name and password of the provider.",
                provider=self.name, status=response.status_code), response.status_code, attempts=attempts)
        data = self._decoded(response, attempts, "").data
        try:
            token = rules.value_at(data, provider.token_path)
        except rules.AnswerError:
            token = None
        if not isinstance(token, str) or not token:
            raise CreditInfoError(_(
                "%(provider)s's login answer has no token at “%(path)s”.",
                provider=self.name, path=provider.token_path), response.status_code, attempts=attempts)
        return token

    def _send(self, method, url, **kwargs):
        """``(response, attempts)`` of the request, tried again after a time-out, a lost
        connection or a server error (5xx) along :attr:`policy`; raises
        :class:`CreditInfoError` when every try failed."""
        _ = self.env._
        start = time.monotonic()
        attempt = 1
        while True:
            try:
                response = self.session.request(method, url, timeout=self.policy.timeout, **kwargs)
            except requests.Timeout:
                failure = CreditInfoError(_(
                    "%(provider)s did not answer within %(seconds)s seconds",
                    provider=self.name, seconds=f"{self.policy.timeout:g}"), unavailable=True)
            except requests.ConnectionError:
                failure = CreditInfoError(_(
                    "%(provider)s could not be reached at %(host)s",
                    provider=self.name, host=urlsplit(url).netloc), unavailable=True)
            except requests.RequestException as error:
                raise CreditInfoError(_(
                    "%(provider)s could not be called (%(error)s): check its base URL.",
                    provider=self.name, error=type(error).__name__)) from None
            else:
                if not rules.should_retry(response.status_code):
                    return response, attempt
                failure = CreditInfoError(_(
                    "%(provider)s had a server error (HTTP %(status)s)",
                    provider=self.name, status=response.status_code),
                    response.status_code, unavailable=True, raw=self.safe(response.text))
            delay = self.policy.delay_before(attempt + 1, time.monotonic() - start)
            if delay is None:
                failure.attempts = attempt
                failure.message = _("%(error)s (%(count)s tries). Try again later.", error=failure.message,
                                    count=attempt) if attempt > 1 else _("%(error)s. Try again later.",
                                                                           error=failure.message)
                raise failure
            _logger.info("Credit provider %s (id %s): %s, try %s of %s in %s s", self.name, self.provider.id,
                         failure.message, attempt + 1, self.policy.attempts, delay)
            self.provider._credit_sleep(delay)
            attempt += 1

    def _decoded(self, response, attempts, identifier):
        """The :class:`CreditInfoAnswer` of a response that is not a server error, or
        raise :class:`CreditInfoError` for a client error (4xx) or an answer that is not
        JSON."""
        _ = self.env._
        status = response.status_code
        raw = self.safe(response.text)
        if status in (401, 403):
            raise CreditInfoError(_(
                "%(provider)s refused the credentials (HTTP %(status)s): check the provider's authentication "
                "settings.", provider=self.name, status=status), status, raw=raw, attempts=attempts)
        if status == 404:
            raise CreditInfoError(_(
                "%(provider)s does not know the company with number %(number)s (HTTP 404).",
                provider=self.name, number=identifier), status, raw=raw, attempts=attempts)
        if status >= 400:
            raise CreditInfoError(_(
                "%(provider)s refused the request (HTTP %(status)s): %(answer)s",
                provider=self.name, status=status, answer=self.safe(response.text, ERROR_EXCERPT_LIMIT)),
                status, raw=raw, attempts=attempts)
        try:
            data = json.loads(response.text)
        except ValueError:
            raise CreditInfoError(_(
                "%(provider)s answered with something other than JSON (HTTP %(status)s, %(type)s).",
                provider=self.name, status=status, type=response.headers.get("Content-Type") or _("no content type")),
                status, raw=raw, attempts=attempts) from None
        return CreditInfoAnswer(data, raw, status, attempts)


class CreditInfoProvider(models.Model):
    """A credit-information provider (a credit bureau) called over HTTP: where it is,
    how to log in, how to find a company and where its answer keeps the rating, the
    recommended limit and its currency; which customers the daily job keeps up to date."""

    _name = "credit.info.provider"
    _description = "Credit Information Provider"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10, help="Fetch Credit Report asks the first provider of the company.")
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to use this provider in every company.")
    base_url = fields.Char(
        string="Base URL", required=True, help="The provider's address, e.g. https://api.example.com/v2.")
    lookup_path = fields.Char(
        required=True,
        default="/companies/{country}/{identifier}",
        help="Where a company is looked up, after the base URL: {identifier} is the customer's number, "
        "{identifier_type} says which (vat or company_registry), {country} the country code (e.g. be).",
    )
    lookup_by = fields.Selection(
        LOOKUP_SELECTION, string="Look Up By", required=True, default="vat",
        help="Which number of the customer identifies it at the provider.")
    # ------------------------------------------------------------------ authentication
    auth_type = fields.Selection(
        [("none", "None"), ("api_key", "API Key in a Header"), ("bearer", "Bearer Token from a Login")],
        string="Authentication", required=True, default="none")
    api_key_header = fields.Char(string="API Key Header", default="X-API-Key")
    api_key = fields.Char(string="API Key", copy=False, groups=CREDIT_MANAGER)
    token_url = fields.Char(
        string="Login Endpoint", default="/auth/token",
        help="Where a token is obtained (after the base URL, or a full URL): the user name and "
        "password are posted as JSON ({\"username\": ..., \"password\": ...}).")
    auth_username = fields.Char(string="User Name", copy=False, groups=CREDIT_MANAGER)
    auth_password = fields.Char(string="Password", copy=False, groups=CREDIT_MANAGER)
    token_path = fields.Char(
        string="Token in the Answer", default="access_token", help="Where the login answer keeps the token.")
    # ------------------------------------------------------------------ calls
    timeout = fields.Float(
        string="Timeout (Seconds)", default=10.0, help="How long to wait for each answer.")
    attempts = fields.Integer(
        string="Tries", default=3,
        help="Time-outs and server errors (HTTP 5xx) are tried again after 1, 2, 4... seconds, up to this many "
        "tries in all, never beyond a minute per customer.")
    worst_case_seconds = fields.Float(
        string="Longest Lookup (Seconds)", compute="_compute_worst_case_seconds",
        help="The longest a customer's lookup can take when the provider does not answer.")
    # ------------------------------------------------------------------ answer
    rating_path = fields.Char(
        string="Rating in the Answer", required=True, default="rating",
        help="Where the answer keeps the rating: keys separated by dots, list positions in brackets, "
        "e.g. report.rating or data.scores[0].value.")
    rating_scale = fields.Selection(
        [
            (rules.SCALE_RISK, "0-100, 100 is the riskiest"),
            (rules.SCALE_SCORE, "0-100, 100 is the safest"),
            (rules.SCALE_LETTERS, "Letters"),
        ],
        required=True, default=rules.SCALE_RISK,
        help="How to read the rating; it is stored as a risk from 0 (safest) to 100 (riskiest), as the score.")
    rating_letters = fields.Text(
        string="Letter Scale",
        default="A = 10\nB = 30\nC = 50\nD = 75\nE = 95",
        help="One letter a line with the risk (0-100) it means, e.g. A = 10.")
    limit_path = fields.Char(
        string="Recommended Limit in the Answer", default="recommended_limit",
        help="Where the answer keeps the recommended credit limit; leave empty when it has none.")
    currency_path = fields.Char(
        string="Currency in the Answer", default="currency",
        help="Where the answer keeps the currency code of the recommended limit (e.g. EUR); "
        "without one, the provider's currency below.")
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id,
        help="The currency of the recommended limit when the answer does not say.")
    # ------------------------------------------------------------------ daily refresh
    refresh_days = fields.Integer(
        string="Refresh After (Days)", default=30,
        help="The daily job fetches a new report of the customers of the tiers below whose last report from "
        "this provider is older than this. 0: no automatic refresh.")
    refresh_tier_ids = fields.Many2many(
        "credit.risk.tier", string="Refresh Customers of Tiers",
        help="The risk tiers whose customers the daily job keeps up to date.")
    report_ids = fields.One2many("credit.info.report", "provider_id")
    report_count = fields.Integer(compute="_compute_report_count")

    @api.depends("attempts", "timeout")
    def _compute_worst_case_seconds(self):
        for provider in self:
            policy = rules.RetryPolicy(
                attempts=provider.attempts, timeout=provider.timeout, budget=CALL_BUDGET_SECONDS)
            provider.worst_case_seconds = min(
                rules.worst_case_seconds(policy.attempts, policy.timeout, policy.delays),
                max(CALL_BUDGET_SECONDS, policy.timeout))

    def _compute_report_count(self):
        counts = dict(self.env["credit.info.report"]._read_group(
            [("provider_id", "in", self.ids)], ["provider_id"], ["__count"]))
        for provider in self:
            provider.report_count = counts.get(provider, 0)

    # ------------------------------------------------------------------ checks
    @api.constrains("base_url", "token_url", "auth_type")
    def _check_credit_urls(self):
        for provider in self:
            urls = [("base_url", provider.base_url)]
            if provider.auth_type == "bearer" and (provider.token_url or "").startswith(("http:", "https:")):
                urls.append(("token_url", provider.token_url))
            for fname, url in urls:
                parts = urlsplit((url or "").strip())
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    raise ValidationError(self.env._(
                        "%(field)s of %(provider)s must be a web address starting with https:// (or http://), "
                        "not “%(url)s”.", field=self._fields[fname].get_description(self.env)["string"],
                        provider=provider.name, url=url))

    @api.constrains("lookup_path")
    def _check_credit_lookup_path(self):
        for provider in self:
            try:
                names = rules.template_placeholders(provider.lookup_path)
            except ValueError:
                names = None
            unknown = sorted((names or set()) - rules.LOOKUP_PLACEHOLDERS)
            if names is None or unknown or "identifier" not in names:
                raise ValidationError(self.env._(
                    "The lookup path of %(provider)s must contain {identifier} and may contain {identifier_type} "
                    "and {country}, nothing else in braces: “%(path)s”.",
                    provider=provider.name, path=provider.lookup_path))

    @api.constrains("rating_path", "limit_path", "currency_path", "token_path", "auth_type")
    def _check_credit_answer_paths(self):
        for provider in self:
            paths = ["rating_path", "limit_path", "currency_path"]
            if provider.auth_type == "bearer":
                paths.append("token_path")
            for fname in paths:
                path = provider[fname]
                if not path and fname in ("limit_path", "currency_path"):
                    continue
                try:
                    rules.parse_path(path)
                except ValueError:
                    raise ValidationError(self.env._(
                        "%(field)s of %(provider)s is not a path in an answer: “%(path)s”. Write keys separated "
                        "by dots and list positions in brackets, e.g. report.rating or data.scores[0].value.",
                        field=self._fields[fname].get_description(self.env)["string"],
                        provider=provider.name, path=path or "")) from None

    @api.constrains("rating_scale", "rating_letters")
    def _check_credit_rating_letters(self):
        for provider in self.filtered(lambda p: p.rating_scale == rules.SCALE_LETTERS):
            try:
                letters = rules.parse_letter_scale(provider.rating_letters)
            except ValueError as error:
                line_number, line = error.args
                raise ValidationError(self.env._(
                    "Line %(number)s of the letter scale of %(provider)s is not “letter = risk” with a risk from 0 "
                    "to 100 given once per letter: “%(line)s”.",
                    number=line_number, provider=provider.name, line=line)) from None
            if not letters:
                raise ValidationError(self.env._(
                    "Give the letter scale of %(provider)s: one letter a line with the risk (0-100) it means, "
                    "e.g. A = 10.", provider=provider.name))

    @api.constrains("timeout", "attempts", "refresh_days")
    def _check_credit_numbers(self):
        for provider in self:
            if not 1 <= provider.timeout <= 120:
                raise ValidationError(self.env._(
                    "The timeout of %(provider)s must be between 1 and 120 seconds, not %(value)s.",
                    provider=provider.name, value=provider.timeout))
            if not 1 <= provider.attempts <= 6:
                raise ValidationError(self.env._(
                    "%(provider)s may be tried 1 to 6 times per customer, not %(value)s.",
                    provider=provider.name, value=provider.attempts))
            if not 0 <= provider.refresh_days <= 3650:
                raise ValidationError(self.env._(
                    "Reports of %(provider)s are refreshed after 0 (never) to 3,650 days, not %(value)s.",
                    provider=provider.name, value=provider.refresh_days))

    @api.constrains("auth_type", "api_key", "api_key_header", "auth_username", "auth_password")
    def _check_credit_credentials(self):
        for provider in self.sudo():
            if provider.auth_type == "api_key" and not (provider.api_key and (provider.api_key_header or "").strip()):
                raise ValidationError(self.env._(
                    "%(provider)s authenticates with an API key: give the header's name and the key.",
                    provider=provider.name))
            if provider.auth_type == "bearer" and not (provider.auth_username and provider.auth_password):
                raise ValidationError(self.env._(
                    "%(provider)s authenticates with a login: give the user name and the password.",
                    provider=provider.name))

    # ------------------------------------------------------------------ calling
    def _credit_url(self, path):
        """The address of ``path`` at this provider: after the base URL, unless it is a
        full address."""
        self.ensure_one()
        path = (path or "").strip()
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url.strip().rstrip('/')}/{path.lstrip('/')}"

    def _credit_sleep(self, seconds):
        """Wait ``seconds`` before trying again."""
        time.sleep(seconds)

    def _credit_read_answer(self, data):
        """``{'rating', 'rating_value', 'recommended_limit', 'currency_id'}`` from the
        decoded answer ``data`` along the provider's mapping, or raise
        :class:`CreditInfoError` naming what is missing or wrong."""
        self.ensure_one()
        _ = self.env._
        path = self.rating_path
        try:
            value = rules.value_at(data, path)
            letters = rules.parse_letter_scale(self.rating_letters) if self.rating_scale == rules.SCALE_LETTERS else {}
            rating = rules.rating_as_risk(value, self.rating_scale, letters, path)
            limit = currency = None
            if self.limit_path:
                path = self.limit_path
                try:
                    limit = rules.amount_or_none(rules.value_at(data, path), path)
                except rules.AnswerError as error:
                    if error.code != "missing":
                        raise
            if self.currency_path and limit is not None:
                path = self.currency_path
                try:
                    currency = rules.value_at(data, path)
                except rules.AnswerError:
                    currency = None
        except rules.AnswerError as error:
            raise CreditInfoError(self._credit_answer_error_text(error, path)) from None
        currency_record = self.currency_id or self.env.company.currency_id
        if currency is not None:
            currency_record = self.env["res.currency"].with_context(active_test=False).search(
                [("name", "=", str(currency).strip().upper())], limit=1)
            if not currency_record:
                raise CreditInfoError(_(
                    "%(provider)s's answer gives the limit in “%(currency)s”, a currency Odoo does not know.",
                    provider=self.name, currency=str(currency)[:20]))
        return {
            "rating": rating,
            "rating_value": str(value)[:50],
            "recommended_limit": limit or 0.0,
            "currency_id": currency_record.id,
        }

    def _credit_answer_error_text(self, error, path):
        """What is wrong with the answer, in words (``error``: an ``AnswerError``)."""
        _ = self.env._
        value = str(error.value)[:50]
        if error.code == "not_a_number":
            return _("%(provider)s's answer has “%(value)s” at “%(path)s”, not a number.",
                     provider=self.name, value=value, path=path)
        if error.code == "out_of_range":
            return _("%(provider)s's answer has %(value)s at “%(path)s”, out of range (0-100 for a rating, "
                     "0 or more for a limit).", provider=self.name, value=value, path=path)
        if error.code == "unknown_letter":
            return _("%(provider)s's answer has the rating “%(value)s” at “%(path)s”, which is not in its letter "
                     "scale.", provider=self.name, value=value, path=path)
        return _("%(provider)s's answer has nothing at “%(path)s”.", provider=self.name, path=path)

    def _credit_fetch(self, partners, company, origin, stop_when_unavailable=False):
        """Look up the commercial partners of ``partners`` at this provider for
        ``company`` over one session and write one report each (``done`` or ``failed``,
        a failure changes nothing else); returns the reports. With
        ``stop_when_unavailable``, stop after :data:`UNAVAILABLE_STREAK` customers in a
        row the provider did not answer for (the others get no report).

        No access check: callers check the user's rights. Every call is made before
        anything is written, so that a crash half-way leaves nothing half-written."""
        self.ensure_one()
        provider = self.sudo()
        values = []
        with CreditInfoClient(provider) as client:
            for partner in partners.commercial_partner_id.sudo():
                values.append(provider._credit_lookup_values(client, partner, company, origin))
                if stop_when_unavailable and client.unavailable_streak >= UNAVAILABLE_STREAK:
                    _logger.warning(
                        "Credit provider %s (id %s) did not answer for %s customers in a row: left alone until the "
                        "next run.", provider.name, provider.id, UNAVAILABLE_STREAK)
                    break
        return self.env["credit.info.report"].sudo().create(values)

    def _credit_lookup_values(self, client, partner, company, origin):
        """The values of the report of looking ``partner`` up with ``client``."""
        _ = self.env._
        identifier, identifier_type = partner._credit_lookup_identifier(self.lookup_by)
        values = {
            "partner_id": partner.id,
            "provider_id": self.id,
            "provider_name": self.name,
            "company_id": company.id,
            "origin": origin,
            "identifier": identifier or False,
            "identifier_type": identifier_type or False,
            "user_id": self.env.uid,
            "date": fields.Datetime.now(),
        }
        try:
            if not identifier:
                raise CreditInfoError(partner._credit_missing_identifier_text(self))
            answer = client.lookup(identifier, identifier_type, (partner.country_id.code or "").lower())
            reading = self._credit_read_answer(answer.data)
        except CreditInfoError as error:
            client.note(error)
            message = client.safe(error.message)
            _logger.warning("Credit report of partner %s from provider %s (id %s) failed: %s",
                            partner.id, self.name, self.id, message)
            return {**values, "state": "failed", "error": message, "http_status": error.status,
                    "attempts": error.attempts, "raw_answer": error.raw or False}
        except Exception as error:  # a batch goes on after one customer's failure
            client.note()
            message = _("%(provider)s: unexpected error while reading the answer (%(error)s).",
                        provider=self.name, error=client.safe(f"{type(error).__name__}: {error}", ERROR_EXCERPT_LIMIT))
            _logger.error("Credit report of partner %s from provider %s (id %s) failed: %s",
                          partner.id, self.name, self.id, message)
            return {**values, "state": "failed", "error": message, "attempts": 1}
        client.note()
        _logger.info("Credit report of partner %s from provider %s (id %s): rating %s", partner.id, self.name,
                     self.id, reading["rating"])
        return {**values, **reading, "state": "done", "http_status": answer.status, "attempts": answer.attempts,
                "raw_answer": answer.raw}

    # ------------------------------------------------------------------ which provider
    @api.model
    def _credit_provider_for(self, company):
        """The provider Fetch Credit Report asks in ``company``: its first active one."""
        return self.sudo().search([("company_id", "in", [False, company.id])], limit=1)

    # ------------------------------------------------------------------ daily job
    def _credit_due_partner_ids(self, company, now=None):
        """The ids of the customers of ``company`` this provider refreshes now, oldest
        report first: customers of its refresh tiers with the number it looks up (not
        invalid), whose last report from it is older than its refresh days and who were
        not tried today (a failure is tried again the next day). One query."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        Partner = self.env["res.partner"].sudo().with_company(company)
        self.env["res.partner"].flush_model(
            ["active", "commercial_partner_id", "vat", "company_registry", "credit_identifier_state"])
        self.env["credit.info.report"].flush_model(["partner_id", "provider_id", "company_id", "state", "date"])
        has_vat = SQL("COALESCE(p.vat, '') NOT IN ('', '/')")
        has_registry = SQL("COALESCE(p.company_registry, '') != ''")
        identifier = {
            "vat": has_vat,
            "company_registry": has_registry,
            "vat_or_registry": SQL("(%s OR %s)", has_vat, has_registry),
        }[self.lookup_by]
        rows = self.env.execute_query(SQL(
            """
            SELECT p.id
              FROM res_partner p
         LEFT JOIN LATERAL (
                    SELECT MAX(r.date) FILTER (WHERE r.state = 'done') AS last_done, MAX(r.date) AS last_try
                      FROM credit_info_report r
                     WHERE r.partner_id = p.id AND r.provider_id = %(provider)s AND r.company_id = %(company)s
                   ) report ON TRUE
             WHERE p.active
               AND p.id = p.commercial_partner_id
               AND %(tier)s = ANY(%(tiers)s)
               AND %(identifier)s
               AND COALESCE(p.credit_identifier_state, '') != 'invalid'
               AND (report.last_done IS NULL OR report.last_done < %(fresh_since)s)
               AND (report.last_try IS NULL OR report.last_try < %(tried_since)s)
          ORDER BY report.last_done NULLS FIRST, p.id
            """,
            provider=self.id, company=company.id,
            tier=Partner._field_to_sql("p", "credit_risk_tier_id"), tiers=self.refresh_tier_ids.ids,
            identifier=identifier,
            fresh_since=now - timedelta(days=self.refresh_days),
            tried_since=datetime.combine(now.date(), datetime.min.time()),
        ))
        return [row[0] for row in rows]

    def _credit_refresh(self, company, batch_size=REFRESH_BATCH_SIZE, commit=False):
        """Fetch new reports of the customers of ``company`` due for this provider,
        ``batch_size`` at a time over one session each. With ``commit`` (the daily job),
        progress is committed after each batch: after a crash or a time-out the next run
        goes on with those still due. Returns False when the job's time is up, True
        otherwise (also when the provider stopped answering: it is left alone until the
        next run)."""
        self.ensure_one()
        due = self._credit_due_partner_ids(company)
        done = 0
        for ids in split_every(batch_size, due):
            partners = self.env["res.partner"].browse(ids)
            reports = self._credit_fetch(partners, company, "cron", stop_when_unavailable=True)
            done += len(reports)
            stopped = len(reports) < len(ids)
            if commit:
                remaining = 0 if stopped else len(due) - done
                if not self.env["ir.cron"]._commit_progress(len(reports), remaining=remaining):
                    return False
                self.env.invalidate_all()
            if stopped:
                break
        return True

    @api.model
    def _cron_refresh_reports(self):
        """Daily job: for each active provider with a refresh period and tiers, fetch new
        reports of the customers whose last one is too old, company by company, in
        committed batches."""
        batch_size = int(self.env["ir.config_parameter"].sudo().get_param(
            "credit_management.credit_info_batch_size", REFRESH_BATCH_SIZE)) or REFRESH_BATCH_SIZE
        providers = self.sudo().search([("refresh_days", ">", 0), ("refresh_tier_ids", "!=", False)])
        root_companies = self.env["res.company"].sudo().search([("parent_id", "=", False)])
        for provider in providers:
            for company in provider.company_id or root_companies:
                if not provider._credit_refresh(company, batch_size=batch_size, commit=True):
                    return

    # ------------------------------------------------------------------ actions
    def action_view_reports(self):
        """The reports of this provider."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_management.action_credit_info_report")
        action["domain"] = [("provider_id", "=", self.id)]
        return action
