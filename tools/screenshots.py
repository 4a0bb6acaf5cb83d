#!/usr/bin/env python3
"""Screenshots of the Credit app's main screens, taken from a running demo server.

Start the demo (``./bin/serve``), then, in another terminal::

    python3 tools/screenshots.py                       # http://localhost:8069, database credit_demo
    python3 tools/screenshots.py --url http://localhost:8079 --database my_demo --only quotation

It logs in as the demo users (sam, a salesperson; carla, a credit controller; admin, a
credit manager) in headless Chromium at 1440x900 and writes one image per screen into
``credit_management/static/description/screenshots/`` (README.md and the Apps page show
them). Needs Python's ``playwright`` package (``pip install playwright``) and a Chromium
of the operating system (``apt-get install chromium``); no browser is downloaded.

Taking the confirm dialog clicks Confirm on the held quotation: the demo database logs
that attempt, as it would for a salesperson.
"""

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "credit_management" / "static" / "description" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}
PASSWORDS = {"sam": "sam", "carla": "carla", "admin": "admin"}


class Session:
    """One demo user logged in, in its own browser context."""

    def __init__(self, browser, url, database, login):
        self.url = url.rstrip("/")
        self.context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="en-US")
        self.page = self.context.new_page()
        self.page.set_default_timeout(30000)
        self.page.goto(f"{self.url}/web/login?db={database}")
        self.page.fill("input[name=login]", login)
        self.page.fill("input[name=password]", PASSWORDS[login])
        self.page.click("button[type=submit]")
        self.page.wait_for_selector(".o_web_client", timeout=60000)
        self.settle()

    def rpc(self, model, method, *args, **kwargs):
        """Call ``model.method`` as the logged-in user (to find the demo records to show)."""
        response = self.context.request.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                "model": model, "method": method, "args": list(args), "kwargs": kwargs}}),
            headers={"Content-Type": "application/json"})
        answer = response.json()
        if "error" in answer:
            raise RuntimeError(f"{model}.{method}: {answer['error']['data']['message']}")
        return answer["result"]

    def first_id(self, model, domain, order="id"):
        ids = self.rpc(model, "search", domain, limit=1, order=order)
        if not ids:
            raise RuntimeError(f"The demo database has no {model} matching {domain}: is it the Credit demo?")
        return ids[0]

    def open(self, path):
        """Open ``path`` of the web client (``/odoo/...``) and wait until it is drawn."""
        self.page.goto(f"{self.url}{path}")
        self.page.wait_for_selector(".o_action_manager .o_view_controller, .o_action_manager .o_action")
        self.settle()

    def click(self, selector):
        self.page.locator(selector).first.click()
        self.settle()

    def scroll_to(self, selector):
        """Scroll the view so that ``selector`` is at its top (e.g. a form's notebook)."""
        self.page.locator(selector).first.evaluate("element => element.scrollIntoView({block: 'start'})")
        self.settle(300)

    def settle(self, extra_ms=700):
        """Wait for Odoo's pending requests (its loading indicator) and for the screen to paint."""
        page = self.page
        for _ in range(60):
            page.wait_for_timeout(250)
            busy = page.locator(".o_loading_indicator, .o_blockUI, .o-main-components-container .o_loading")
            if not busy.count():
                break
        page.wait_for_timeout(extra_ms)
        if page.locator(".o_error_dialog").count():
            raise RuntimeError(f"An error dialog is shown on {page.url}")

    def close(self):
        self.context.close()


def save(page, name, out_dir):
    """Write the page as an optimised PNG (a palette of 256 colours: crisp text, ~60 KB)."""
    _write_image(page.screenshot(type="png"), name, out_dir)


def _write_image(raw, name, out_dir):
    from PIL import Image

    image = Image.open(io.BytesIO(raw)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path = out_dir / f"{name}.png"
    small.save(path, optimize=True)
    print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {path.stat().st_size // 1024} KB",
          flush=True)


def save_pdf_page(session, attachment_id, name, out_dir):
    """Write the first page of the PDF attachment ``attachment_id`` (a letter) as an image,
    at screen resolution (``pdftoppm`` of poppler-utils)."""
    if not shutil.which("pdftoppm"):
        print(f"{name}: skipped (pdftoppm not found: apt-get install poppler-utils)", flush=True)
        return
    response = session.context.request.get(f"{session.url}/web/content/{attachment_id}")
    if not response.ok or not response.body().startswith(b"%PDF"):
        raise RuntimeError(f"The attachment {attachment_id} is not a PDF one can read ({response.status}).")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "letter.pdf"
        pdf.write_bytes(response.body())
        subprocess.run(["pdftoppm", "-png", "-r", "96", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(Path(folder) / "page")], check=True)
        _write_image((Path(folder) / "page.png").read_bytes(), name, out_dir)


# ---------------------------------------------------------------- the screens
def shots_salesperson(session, out):
    """sam: a held quotation, its Credit tab, and what Confirm tells him."""
    order = session.first_id("sale.order", [("credit_check_state", "=", "hold"), ("user_id.login", "=", "sam")])
    session.open(f"/odoo/sales/{order}")
    session.click(".o_notebook a.nav-link[name='credit']")
    yield "quotation_credit_tab"
    session.click(".o_form_statusbar button[name='action_confirm']")
    session.page.wait_for_selector(".modal-dialog")
    session.settle()
    yield "quotation_confirm_dialog"


def shots_manager(session, out):
    """admin: the pending release request, segments, tiers, ageing, settings."""
    request = session.first_id("credit.release.request", [("state", "=", "pending")])
    session.open(f"/odoo/action-credit_management.action_credit_release_request/{request}")
    yield "release_request"
    segment = session.first_id("credit.segment", [("followup_level_ids", "!=", False)], order="sequence, id")
    session.open(f"/odoo/action-credit_management.action_credit_segment/{segment}")
    yield "segment"
    session.open("/odoo/action-credit_management.action_credit_risk_tier")
    yield "risk_tiers"
    session.open("/odoo/action-credit_management.action_credit_ageing_report?view_type=pivot")
    if not session.page.locator(".o_pivot").count():
        session.click(".o_switch_view.o_pivot")
    yield "ageing_pivot"
    session.open("/odoo/action-credit_management.action_credit_config_settings")
    yield "settings"


def shots_controller(session, out):
    """carla: customers, a customer's Credit tab, a follow-up run done with the email and
    the letter it sent, a complaint and the disputed invoice."""
    session.open("/odoo/action-credit_management.action_credit_customers")
    yield "credit_customers"
    customer = session.first_id("res.partner", [
        ("is_company", "=", True), ("credit_exposure", ">", 0), ("credit_payment_behaviour", "=", "struggling")],
        order="credit_risk_score desc, id")
    session.open(f"/odoo/action-credit_management.action_credit_customers/{customer}")
    session.click(".o_notebook a.nav-link[name='credit']")
    session.scroll_to(".o_notebook")
    yield "customer_credit_tab"
    run = session.first_id("credit.followup.run", [("state", "=", "done")], order="date desc, id desc")
    session.open(f"/odoo/action-credit_management.action_credit_followup_run/{run}")
    yield "followup_run_done"
    session.click("button[name='action_view_emails']:visible")
    session.click(".o_list_renderer .o_data_row td.o_data_cell")
    yield "followup_email"
    letter = session.rpc("credit.followup.line", "search_read", [
        ("run_id", "=", run), ("channel", "=", "letter"), ("attachment_id", "!=", False)],
        ["attachment_id"], limit=1, order="amount_net desc, id")
    if letter:
        yield "followup_letter", lambda name: save_pdf_page(session, letter[0]["attachment_id"][0], name, out)
    complaint = session.first_id("credit.complaint", [("move_id", "!=", False)], order="id")
    session.open(f"/odoo/action-credit_management.action_credit_complaint/{complaint}")
    yield "complaint"
    invoice = session.first_id("account.move", [("credit_disputed", "=", True), ("move_type", "=", "out_invoice")])
    session.open(f"/odoo/customer-invoices/{invoice}")
    yield "disputed_invoice"


SCENES = (("sam", shots_salesperson), ("admin", shots_manager), ("carla", shots_controller))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8069", help="the demo server (default: %(default)s)")
    parser.add_argument("--database", default="credit_demo", help="its database (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="where to write the images")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="take only the screens whose name contains one of these words")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Chromium not found: install the operating system's package (apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("The Python package 'playwright' is missing: pip install playwright "
                 "(it drives the Chromium installed on this machine; no browser download is needed).")
    args.out.mkdir(parents=True, exist_ok=True)
    taken = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--disable-gpu"])
        try:
            for login, scene in SCENES:
                session = None
                try:
                    session = Session(browser, args.url, args.database, login)
                    for shot in scene(session, args.out):
                        # a screen's name, or its name and how to save it when it is not the page
                        name, saver = shot if isinstance(shot, tuple) else (shot, None)
                        if args.only and not any(word in name for word in args.only):
                            continue
                        if saver:
                            saver(name)
                        else:
                            save(session.page, name, args.out)
                        taken += 1
                finally:
                    if session:
                        session.close()
        finally:
            browser.close()
    print(f"{taken} screenshot(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
