import io
import itertools
import logging
import re
import uuid
from urllib.parse import urlsplit

import lxml.html

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

# The credit documents (statements, reminder letters) carry their letterhead in their body
# (template ``credit_management.credit_document_layout``): they need no separate header or
# footer, which the wkhtmltopdf Debian ships (unpatched Qt) cannot draw anyway.
CREDIT_DOCUMENTS = frozenset({
    "credit_management.report_credit_statement",
    "credit_management.report_credit_followup_letter",
})
# Page margins (mm) of the credit documents: no room kept for a separate header or footer.
CREDIT_DOCUMENT_MARGINS = {"data-report-margin-top": 12, "data-report-margin-bottom": 12}
# Records per PDF engine call of a batch: the engine holds the whole document in memory
# (about 6 MB a page); a larger batch is rendered in calls of this size.
CREDIT_BATCH_RECORDS = 100


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    # ------------------------------------------------------------------ credit documents
    def _credit_is_document(self):
        """Whether this report is one of the credit documents (letterhead in the body)."""
        return len(self) == 1 and self.report_name in CREDIT_DOCUMENTS

    def _prepare_html(self, html, report_model=False):
        """For the credit documents: the stylesheets are written into the HTML given to the
        PDF engine instead of being linked, so that their styles never depend on the engine
        reaching the web server (``report.url`` / ``web.base.url``: a letter made at install,
        by a scheduled job or behind a proxy looks like one printed from the browser); no
        separate header and footer (the letterhead is in the body) and page margins to
        match."""
        prepared = super()._prepare_html(html, report_model=report_model)
        if not prepared or not self._credit_is_document():
            return prepared
        bodies, res_ids, _header, _footer, paperformat_args = prepared
        stylesheets = {}
        bodies = [self._credit_inline_stylesheets(body, stylesheets) for body in bodies]
        return bodies, res_ids, "", "", {**CREDIT_DOCUMENT_MARGINS, **paperformat_args}

    def _credit_inline_stylesheets(self, document, cache):
        """``document`` (an HTML page) with each asset stylesheet it links replaced by the
        stylesheet itself. ``cache``: ``{url: css}`` shared by the pages of one rendering."""
        root = lxml.html.document_fromstring(document)
        for link in root.xpath("//link[@rel='stylesheet'][@href]"):
            url = link.get("href")
            if url not in cache:
                cache[url] = self._credit_asset_stylesheet(url)
            if cache[url] is None:
                continue
            style = lxml.html.Element("style", type="text/css")
            style.text = cache[url]
            link.addprevious(style)
            link.getparent().remove(link)
        return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")

    def _credit_asset_stylesheet(self, url):
        """The CSS of the asset bundle served at ``url`` (``/web/assets/<version>/<name>.css``),
        generated if no one asked for it yet (as the web server does), or None for any other
        address."""
        path = urlsplit(url).path
        if not path.startswith("/web/assets/"):
            return None
        try:
            bundle_name, rtl, asset_type, autoprefix = self.env["ir.asset"]._parse_bundle_name(
                path.rsplit("/", 1)[1], False)
        except ValueError:
            return None
        if asset_type != "css":
            return None
        bundle = self.env["ir.qweb"]._get_asset_bundle(
            bundle_name, css=True, js=False, rtl=rtl, autoprefix=autoprefix)
        if not bundle.stylesheets:
            return None
        return "\n".join(attachment.raw.decode() for attachment in bundle.css())

    # ------------------------------------------------------------------ batch rendering
    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Credit documents of several records (printing the statements of customers chosen
        in a list, a follow-up run's letters): rendered by :meth:`_credit_render_pdf_batch`.
        Odoo's own way gives the engine one page per record in one call, which the
        wkhtmltopdf Debian ships refuses."""
        report = self._get_report(report_ref)
        if not report._credit_is_document() or not res_ids or len(res_ids) < 2 or len(set(res_ids)) != len(res_ids):
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        documents = self._credit_render_pdf_batch(report_ref, res_ids)
        return {res_id: {"stream": io.BytesIO(documents[res_id]), "attachment": None} for res_id in res_ids}

    @api.model
    def _credit_render_pdf_batch(self, report_ref, res_ids):
        """``{res id: PDF content (bytes)}`` of the PDF report ``report_ref`` for each of
        ``res_ids``, made with ONE call of the PDF engine: the records are rendered as one
        document, each starting on a new page after a separator page, and the PDF is split
        at the separator pages (found by their text), which are dropped. Each record's PDF
        has the same pages and text as its own rendering (``_render_qweb_pdf`` of that
        record alone). A PDF is rendered even in tests (where Odoo's own rendering gives
        HTML). Reports whose records do not each render as one article, or that need the
        engine's separate header and footer (page numbers, letterheads repeated on every
        page), are rendered one record at a time. Batches larger than
        ``CREDIT_BATCH_RECORDS`` take one call per that many records."""
        res_ids = list(dict.fromkeys(res_ids))
        if not res_ids:
            return {}
        if len(res_ids) > CREDIT_BATCH_RECORDS:
            documents = {}
            for start in range(0, len(res_ids), CREDIT_BATCH_RECORDS):
                documents.update(self._credit_render_pdf_batch(report_ref, res_ids[start:start + CREDIT_BATCH_RECORDS]))
            return documents
        report = self._get_report(report_ref)
        if report.report_type != "qweb-pdf":
            raise UserError(self.env._("The report %(report)s does not make PDFs.", report=report.name))
        if self.get_wkhtmltopdf_state() == "install":
            raise UserError(self.env._("Unable to find Wkhtmltopdf on this system. The PDF can not be created."))
        renderer = self.with_context(webp_as_jpg=True, debug=False)
        html = renderer._render_qweb_html(report_ref, res_ids, data={"report_type": "pdf", "debug": False})[0]
        bodies, html_ids, header, footer, paperformat_args = report.with_context(debug=False)._prepare_html(
            html, report_model=report.model)
        if len(res_ids) == 1 or html_ids != res_ids or self._credit_has_margin_content(header, footer):
            return self._credit_render_pdf_each(report_ref, res_ids)
        # Records whose pages differ in their frame (a right-to-left language, another
        # stylesheet) are rendered in a call of their own.
        frames = {}
        for res_id, body in zip(res_ids, bodies, strict=True):
            page = lxml.html.document_fromstring(body)
            frame = (lxml.html.tostring(page.find("head")), tuple(page.find("body").items()))
            frames.setdefault(frame, []).append((res_id, page))
        documents = {}
        for members in frames.values():
            documents.update(renderer._credit_render_together(report, members, paperformat_args))
        return {res_id: documents[res_id] for res_id in res_ids}

    @api.model
    def _credit_render_together(self, report, members, paperformat_args):
        """``{res id: PDF content}`` of ``members`` (``(res id, page)``: the pages made by
        ``_prepare_html``, parsed, with the same frame), with one engine call."""
        res_ids = [res_id for res_id, _page in members]
        token = f"credit-document-separator-{uuid.uuid4().hex}"
        pdf = self._run_wkhtmltopdf(
            [self._credit_join_pages([page for _res_id, page in members], token)],
            report_ref=report.id,
            landscape=self.env.context.get("landscape"),
            specific_paperformat_args=paperformat_args,
            set_viewport_size=self.env.context.get("set_viewport_size"),
        )
        documents = self._credit_split_pdf(pdf, token, len(res_ids))
        if documents is None:
            _logger.warning("The PDFs of %s could not be split per record: rendered one by one.", report.report_name)
            return self._credit_render_pdf_each(report.id, res_ids)
        return dict(zip(res_ids, documents, strict=True))

    @api.model
    def _credit_render_pdf_each(self, report_ref, res_ids):
        """``{res id: PDF content}`` of ``report_ref``, one engine call per record."""
        renderer = self.with_context(force_report_rendering=True)
        return {res_id: renderer._render_qweb_pdf(report_ref, [res_id])[0] for res_id in res_ids}

    @api.model
    def _credit_has_margin_content(self, *pages):
        """Whether one of ``pages`` (the header and footer pages of ``_prepare_html``) has
        something to draw in the page margins."""
        for page in pages:
            if not page:
                continue
            root = lxml.html.document_fromstring(page)
            if any(len(node) for node in root.xpath(
                    "//*[@id='minimal_layout_report_headers' or @id='minimal_layout_report_footers']")):
                return True
        return False

    @api.model
    def _credit_join_pages(self, pages, token):
        """One HTML page (text) with the content of each of ``pages`` (parsed HTML pages
        made by ``_prepare_html``, with the same frame; the first one is changed), in order,
        each after a page of its own that holds only ``token``."""
        joined = pages[0]
        body = joined.find("body")
        for page in pages[1:]:
            separator = lxml.html.Element("div", style=(
                "page-break-before: always; page-break-after: always; "
                "font: 10px 'DejaVu Sans', sans-serif; color: #000;"))
            separator.text = token
            body.append(separator)
            body.extend(list(page.find("body")))
        return lxml.html.tostring(joined, encoding="unicode", doctype="<!DOCTYPE html>")

    @api.model
    def _credit_split_pdf(self, pdf, token, count):
        """The ``count`` documents of ``pdf`` (bytes), cut at the pages holding ``token`` (which
        are left out), as a list of PDF contents; None when the separators are not found as
        expected."""
        reader = PdfFileReader(io.BytesIO(pdf))
        pages = list(reader.pages)
        separators = [index for index, page in enumerate(pages) if self._credit_is_separator(page, token)]
        bounds = [-1, *separators, len(pages)]
        if len(separators) != count - 1 or any(end - start < 2 for start, end in itertools.pairwise(bounds)):
            return None
        documents = []
        for start, end in itertools.pairwise(bounds):
            writer = PdfFileWriter()
            for page in pages[start + 1:end]:
                writer.add_page(page)
            stream = io.BytesIO()
            writer.write(stream)
            documents.append(stream.getvalue())
        return documents

    @api.model
    def _credit_is_separator(self, page, token):
        """Whether ``page`` is a separator page: it says ``token``. Only pages with little
        content are read (text extraction is the slow part)."""
        contents = page.get_contents()
        if contents is None or len(contents.get_data()) > 8192:
            return False
        return token in re.sub(r"\s+", "", page.extract_text())
