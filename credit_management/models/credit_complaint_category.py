from odoo import fields, models


class CreditComplaintCategory(models.Model):
    """What a customer complains about: pricing, delivery, quality, invoicing..."""

    _name = "credit.complaint.category"
    _description = "Complaint Category"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    deadline_days = fields.Integer(
        string="Answer Within (Days)",
        default=7,
        help="Days the owner has to handle a new complaint of this category: its deadline is "
        "proposed this many days after it was raised.",
    )
    description = fields.Text(translate=True, help="What belongs to this category.")
    complaint_count = fields.Integer(compute="_compute_complaint_count", string="Complaints")

    _name_unique = models.Constraint("UNIQUE (name)", "A complaint category with this name already exists.")
    _deadline_days_positive = models.Constraint(
        "CHECK (deadline_days >= 0)", "The days to answer a complaint cannot be negative."
    )

    def _compute_complaint_count(self):
        counts = dict(self.env["credit.complaint"]._read_group(
            [("category_id", "in", self.ids)], ["category_id"], ["__count"]))
        for category in self:
            category.complaint_count = counts.get(category, 0)
