"""The demo's credit bureau (``tools/fake_credit_provider.py``) gives each company the same
report every time, answers over HTTP with the demo provider's key, and refuses others."""

import json
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import fake_credit_provider as fake


def test_the_same_company_gets_the_same_report():
    first = fake.report_for("be", "BE0477472701", "EUR")
    assert first["report"] == fake.report_for("BE", "be0477472701", "EUR")["report"]
    assert first["report"]["grade"] in "ABCDE"
    low, high = fake.SCORES[first["report"]["grade"]]
    assert low <= first["report"]["score"] <= high
    assert first["report"]["recommended_limit"]["currency"] == "EUR"


def test_grades_spread_over_companies():
    grades = Counter(fake.report_for("us", f"12-{n:07d}", "USD")["report"]["grade"] for n in range(2000))
    assert set(grades) == set("ABCDE")
    assert grades["A"] > grades["E"]


@pytest.fixture
def bureau():
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.Handler)
    server.options = SimpleNamespace(api_key="demo-api-key", login=None, currency="USD", slow=0.0, errors=1)
    server.tokens, server.lookups = set(), Counter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _get(url, key="demo-api-key"):
    request = urllib.request.Request(url, headers={"X-API-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_lookups_over_http(bureau):
    url = f"{bureau}/v1/companies/be/BE0477472701"
    assert _get(url, key="wrong")[0] == 401
    assert _get(url)[0] == 503, "--errors 1: the first lookup of a company fails"
    assert _get(url) == (200, fake.report_for("be", "BE0477472701", "USD"))
    assert _get(f"{bureau}/v1/companies/be/BE0477472000")[0] in (503, 404)
    assert _get(f"{bureau}/v1/companies/be/BE0477472000")[0] == 404
