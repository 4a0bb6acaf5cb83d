from . import models
from . import report
from . import wizards

from odoo.tools import SQL


def _credit_post_init(env):
    """Orders confirmed before the addon was installed count as checked at their total:
    only what they grow by later goes through the credit rules."""
    env.cr.execute(SQL("UPDATE sale_order SET credit_checked_amount = amount_total WHERE state = 'sale'"))
