#!/usr/bin/env python3
"""A tiny credit-information provider for the demo: deterministic credit reports over HTTP.

    python3 tools/fake_credit_provider.py [--port 8097] [--api-key KEY | --no-auth | --login USER:PASSWORD]
                                          [--currency USD] [--slow SECONDS] [--errors N]

``GET /v1/companies/{country}/{identifier}`` answers, for any company number::

    {"company": {"identifier": "BE0477472701", "country": "be"},
     "report": {"grade": "B", "score": 72, "date": "2026-03-02",
                "recommended_limit": {"amount": 25000, "currency": "USD"}}}

The same number always gets the same grade (A safest .. E riskiest) and limit; numbers
ending in ``000`` are unknown (HTTP 404). By default requests need the header
``X-API-Key: demo-api-key`` (the demo provider's key; HTTP 401 otherwise); ``--login
USER:PASSWORD`` asks for a bearer token from ``POST /auth/token`` instead (JSON
``{"username", "password"}``, answer ``{"access_token"}``). ``--slow`` delays every answer
and ``--errors N`` answers HTTP 503 to the first N lookups of each company, to see
time-outs and retries at work. Stop it with Ctrl+C.
"""

import argparse
import hashlib
import json
import secrets
import sys
import time
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

GRADES = (("A", 30, 50000), ("B", 30, 25000), ("C", 20, 10000), ("D", 12, 3000), ("E", 8, 0))
SCORES = {"A": (85, 100), "B": (65, 84), "C": (45, 64), "D": (25, 44), "E": (0, 24)}


def _grade(bucket):
    """``(grade, base limit)`` of a bucket from 0 to 99, by the grades' shares."""
    threshold = 0
    for grade, share, limit in GRADES:
        threshold += share
        if bucket < threshold:
            return grade, limit
    return GRADES[-1][0], GRADES[-1][2]


def report_for(country, identifier, currency):
    """The deterministic report of company ``identifier`` of ``country``."""
    digest = int(hashlib.sha256(f"{country.lower()}/{identifier.upper()}".encode()).hexdigest(), 16)
    grade, limit = _grade(digest % 100)
    low, high = SCORES[grade]
    score = low + (digest // 100) % (high - low + 1)
    amount = round(limit * (0.5 + (digest // 10**6) % 100 / 100) / 1000) * 1000
    return {
        "company": {"identifier": identifier, "country": country},
        "report": {"grade": grade, "score": score, "date": date.today().isoformat(),
                   "recommended_limit": {"amount": amount, "currency": currency}},
    }


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeCreditBureau/1.0"

    def _send(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        options = self.server.options
        length = int(self.headers.get("Content-Length") or 0)
        if urlsplit(self.path).path != "/auth/token" or not options.login:
            return self._send(404, {"error": "no such endpoint"})
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self._send(400, {"error": "JSON expected"})
        if f"{body.get('username')}:{body.get('password')}" != options.login:
            return self._send(401, {"error": "wrong user name or password"})
        token = secrets.token_urlsafe(24)
        self.server.tokens.add(token)
        return self._send(200, {"access_token": token, "token_type": "bearer", "expires_in": 3600})

    def do_GET(self):
        options = self.server.options
        parts = [unquote(part) for part in urlsplit(self.path).path.strip("/").split("/")]
        if len(parts) != 4 or parts[:2] != ["v1", "companies"]:
            return self._send(404, {"error": "no such endpoint"})
        if options.login:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Bearer ") or header[7:] not in self.server.tokens:
                return self._send(401, {"error": "missing or expired token"})
        elif options.api_key and self.headers.get("X-API-Key") != options.api_key:
            return self._send(401, {"error": "missing or wrong API key"})
        country, identifier = parts[2], parts[3]
        time.sleep(options.slow)
        self.server.lookups[identifier] += 1
        if self.server.lookups[identifier] <= options.errors:
            return self._send(503, {"error": "busy, try again"})
        if identifier.endswith("000"):
            return self._send(404, {"error": "unknown company"})
        return self._send(200, report_for(country, identifier, options.currency))

    def log_message(self, message_format, *args):
        sys.stderr.write(f"{self.address_string()} {message_format % args}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--host", default="127.0.0.1")
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument("--api-key", default="demo-api-key", help="the X-API-Key requests need (default: %(default)s)")
    auth.add_argument("--no-auth", action="store_true", help="answer without any authentication")
    auth.add_argument("--login", help="USER:PASSWORD of the token endpoint (bearer authentication)")
    parser.add_argument("--currency", default="USD", help="currency of the recommended limits (default: %(default)s)")
    parser.add_argument("--slow", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument("--errors", type=int, default=0, help="answer HTTP 503 to the first N lookups of each company")
    options = parser.parse_args(argv)
    if options.no_auth:
        options.api_key = None
    server = ThreadingHTTPServer((options.host, options.port), Handler)
    server.options, server.tokens, server.lookups = options, set(), Counter()
    sys.stderr.write(f"Fake credit bureau on http://{options.host}:{options.port} "
                     f"({'bearer login' if options.login else 'API key' if options.api_key else 'no auth'})\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
