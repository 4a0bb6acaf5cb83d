from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # Exposure: which amounts count towards what a customer owes the company.
    credit_exposure_receivables = fields.Boolean(
        string="Count Open Receivables",
        default=True,
        help="Posted receivables not yet paid, net of open credit notes and unallocated payments.",
    )
    credit_exposure_orders = fields.Boolean(
        string="Count Uninvoiced Orders",
        default=True,
        help="Confirmed sales orders, for the part not yet invoiced.",
    )
    credit_exposure_draft_invoices = fields.Boolean(
        string="Count Draft Invoices",
        default=True,
        help="Customer invoices and credit notes still in draft.",
    )

    # Shared notes: how long a sales opportunity note waits for the credit team.
    credit_opportunity_note_days = fields.Integer(
        string="Opportunity Notes Stay Open (Days)",
        default=90,
        help="A customer with an opportunity note from sales, not yet acknowledged by the credit "
        "team and written within this many days, shows as a sales opportunity for a limit review.",
    )

    _credit_opportunity_note_days_positive = models.Constraint(
        "CHECK (credit_opportunity_note_days > 0)",
        "Opportunity notes must stay open at least one day.",
    )
