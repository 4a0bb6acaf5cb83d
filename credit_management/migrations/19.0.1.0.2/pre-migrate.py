"""Make a customer's risk state per company (company-dependent jsonb columns).

Before, each of these columns held one value for every company; it becomes that value in
every company, so that nothing a company relies on (a hold, a tier, a next review date)
changes by the update. Each company's later reviews and decisions then set its own.
"""

from odoo.tools import SQL, sql

COLUMNS = (
    "credit_risk_score", "credit_score_tier_id", "credit_risk_tier_id", "credit_payment_behaviour",
    "credit_last_review_date", "credit_next_review_date", "credit_tier_override_id", "credit_override_reason",
    "credit_override_until", "credit_external_rating", "credit_external_rating_date", "credit_segment_id",
    "credit_segment_fixed", "credit_manual_hold", "credit_hold_reason", "credit_hold_forced",
    "credit_hold_user_id", "credit_hold_date", "credit_controller_id",
)
# Dates are kept in the jsonb as Odoo writes them: their text, to the second.
AS_TEXT = {"date": "YYYY-MM-DD", "timestamp": "YYYY-MM-DD HH24:MI:SS"}


def migrate(cr, version):
    """Move each column aside (Odoo's schema helpers), create the company-dependent jsonb
    column in its place and give it the old value in every company. The moved-aside
    columns stay, as Odoo leaves the columns of the fields it no longer has."""
    columns = sql.table_columns(cr, "res_partner")
    for column in COLUMNS:
        udt = columns.get(column, {}).get("udt_name")
        if udt is None or udt == "jsonb":
            continue
        old = f"{column}_before_per_company"
        sql.rename_column(cr, "res_partner", column, old)
        sql.create_column(cr, "res_partner", column, "jsonb")
        value = SQL("p.%s", SQL.identifier(old))
        if udt in AS_TEXT:
            value = SQL("to_char(%s, %s)", value, AS_TEXT[udt])
        cr.execute(SQL(
            """
            UPDATE res_partner p
               SET %(column)s = (SELECT jsonb_object_agg(c.id::text, to_jsonb(%(value)s)) FROM res_company c)
             WHERE p.%(old)s IS NOT NULL
            """, column=SQL.identifier(column), value=value, old=SQL.identifier(old)))
