"""Make a customer's risk state per company (company-dependent jsonb columns).

Before, each of these columns held one value for every company; it becomes that value in
every company, so that nothing a company relies on (a hold, a tier, a next review date)
changes by the update. Each company's later reviews and decisions then set its own.
"""

from odoo.tools import SQL

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
    cr.execute(SQL(
        """
        SELECT column_name, udt_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'res_partner' AND column_name IN %s
        """, COLUMNS))
    for column, udt in cr.fetchall():
        if udt == "jsonb":
            continue
        old = f"{column}_before_per_company"
        cr.execute(SQL("ALTER TABLE res_partner RENAME COLUMN %s TO %s", SQL.identifier(column), SQL.identifier(old)))
        cr.execute(SQL("ALTER TABLE res_partner ADD COLUMN %s jsonb", SQL.identifier(column)))
        value = SQL("p.%s", SQL.identifier(old))
        if udt in AS_TEXT:
            value = SQL("to_char(%s, %s)", value, AS_TEXT[udt])
        cr.execute(SQL(
            """
            UPDATE res_partner p
               SET %(column)s = (SELECT jsonb_object_agg(c.id::text, to_jsonb(%(value)s)) FROM res_company c)
             WHERE p.%(old)s IS NOT NULL
            """, column=SQL.identifier(column), value=value, old=SQL.identifier(old)))
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(old)))
