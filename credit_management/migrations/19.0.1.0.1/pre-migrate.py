"""Remove the inherited views merged into one view per parent view.

Left in place until the end of the update, they would still be applied on top of the merged
views while those load, and one of them edits a field the merged partner form no longer has.
"""

from odoo import SUPERUSER_ID, api

MERGED_VIEWS = [
    "account_move_view_form_credit_followup",
    "account_move_view_list_credit_followup",
    "account_move_view_search_credit_followup",
    "res_config_settings_view_form_credit_followup",
    "res_config_settings_view_form_credit_risk",
    "res_partner_view_form_credit_followup",
    "res_partner_view_form_credit_hold",
    "res_partner_view_form_credit_notes",
    "res_partner_view_form_credit_risk",
    "res_partner_view_form_credit_risk_badges",
    "res_partner_view_kanban_credit_risk",
    "res_partner_view_list_credit_followup",
    "res_partner_view_list_credit_opportunity",
    "res_partner_view_list_credit_risk",
    "res_partner_view_search_credit_followup",
    "res_partner_view_search_credit_risk",
    "sale_order_view_form_credit_hold",
    "sale_order_view_form_credit_notes",
    "sale_order_view_form_credit_risk",
]


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    views = env["ir.ui.view"]
    for name in MERGED_VIEWS:
        views |= env.ref(f"credit_management.{name}", raise_if_not_found=False) or env["ir.ui.view"]
    views.unlink()
