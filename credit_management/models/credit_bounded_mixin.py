from odoo import api, models
from odoo.exceptions import ValidationError

from ..credit_core.bounds import out_of_bounds


def check_bounds(records, vals, bounds):
    """Refuse ``vals`` for ``records`` (or a new record of their model) when they give a
    field of ``bounds`` (field name -> :class:`~credit_core.bounds.Bounds`) a value outside
    its range: a ValidationError names the field, the record and the accepted range.
    Checked before the values are converted, which NaN or infinity would break."""
    wrong = out_of_bounds(vals, bounds)
    if not wrong:
        return
    env = records.env
    fname = wrong[0]
    allowed = bounds[fname]
    record = ", ".join(records.mapped("display_name")) or vals.get(records._rec_name) or \
        env._("new %(model)s", model=records._description)
    raise ValidationError(env._(
        "%(field)s of %(record)s must be a number between %(low)s and %(high)s, not %(value)s.",
        field=records._fields[fname].get_description(env)["string"], record=record,
        low=f"{allowed.low:,.0f}", high=f"{allowed.high:,.0f}", value=vals[fname]))


class CreditBoundedMixin(models.AbstractModel):
    """Amounts and days kept within sensible ranges (``_credit_bounds``: field name ->
    Bounds) on create and write, before Odoo converts them."""

    _name = "credit.bounded.mixin"
    _description = "Credit Amounts and Days Within Bounds"

    _credit_bounds = {}

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_bounds(self.browse(), vals, self._credit_bounds)
        return super().create(vals_list)

    def write(self, vals):
        check_bounds(self, vals, self._credit_bounds)
        return super().write(vals)
