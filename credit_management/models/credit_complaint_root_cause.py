from odoo import fields, models

ORDER_TO_CASH_STEPS = [
    ("order_entry", "Order Entry"),
    ("pricing", "Pricing"),
    ("delivery", "Warehouse & Delivery"),
    ("product", "Product Quality"),
    ("invoicing", "Invoicing"),
    ("credit", "Credit & Collection"),
    ("customer", "Customer Side"),
    ("other", "Other"),
]


class CreditComplaintRootCause(models.Model):
    """Why a complaint happened, classified so that the order-to-cash flaws behind
    complaints can be counted and fixed (a Pareto of causes)."""

    _name = "credit.complaint.root.cause"
    _description = "Complaint Root Cause"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    step = fields.Selection(
        ORDER_TO_CASH_STEPS,
        string="Order-to-Cash Step",
        required=True,
        default="other",
        help="The step of the order-to-cash process where this cause originates: where the fix belongs.",
    )
    description = fields.Text(translate=True, help="How to recognise this cause.")

    _name_unique = models.Constraint("UNIQUE (name)", "A root cause with this name already exists.")
