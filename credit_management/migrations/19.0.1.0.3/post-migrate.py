"""External risk ratings typed on customers before credit reports existed become credit
reports entered by hand, one per company: the latest report is the rating's only source
from this version on, and nothing typed before is lost."""

from datetime import datetime, time

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Create a ``done`` report, entered by hand on the rating's date, for each customer
    and company whose external rating has a date."""
    if not version:
        return
    cr.execute(
        """
        SELECT p.id, rating_date.key::int, COALESCE((p.credit_external_rating ->> rating_date.key)::float, 0),
               rating_date.value #>> '{}'
          FROM res_partner p
    CROSS JOIN LATERAL jsonb_each(p.credit_external_rating_date) rating_date
          JOIN res_company c ON c.id = rating_date.key::int
         WHERE jsonb_typeof(p.credit_external_rating_date) = 'object'
           AND jsonb_typeof(rating_date.value) = 'string'
           AND NOT EXISTS (SELECT 1 FROM credit_info_report r
                            WHERE r.partner_id = p.id AND r.company_id = c.id)
        """
    )
    rows = cr.fetchall()
    if not rows:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["credit.info.report"].create([{
        "partner_id": partner_id,
        "company_id": company_id,
        "rating": min(max(rating, 0.0), 100.0),
        "date": datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(), time(12)),
        "origin": "entry",
        "user_id": False,
        "rating_value": env._("Typed on the customer before credit reports"),
    } for partner_id, company_id, rating, day in rows])
