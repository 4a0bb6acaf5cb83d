from odoo import models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _credit_render_pdf_batch(self, report_ref, res_ids):
        """``{res id: the PDF of report_ref for that record (bytes)}`` for each of
        ``res_ids``, one engine call per record. Where Odoo renders HTML instead of PDF
        (tests), each value is that HTML. Raises like :meth:`_render_qweb_pdf` when a
        document cannot be rendered."""
        return {res_id: self._render_qweb_pdf(report_ref, [res_id])[0] for res_id in res_ids}
