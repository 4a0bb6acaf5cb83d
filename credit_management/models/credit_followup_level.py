import logging

from odoo import api, fields, models

from ..credit_core.bounds import FOLLOWUP_DELAY_DAYS
from .res_partner import CHANNEL_SELECTION

_logger = logging.getLogger(__name__)


class CreditFollowupLevel(models.Model):
    """A step of a segment's follow-up: from how many days after the due date (negative:
    before it), through which channel, with which words, and whether it puts the customer
    on hold."""

    _name = "credit.followup.level"
    _inherit = ["credit.bounded.mixin"]
    _description = "Follow-up Level"
    _order = "segment_id, delay_days, sequence, id"
    _credit_bounds = {"delay_days": FOLLOWUP_DELAY_DAYS}

    segment_id = fields.Many2one("credit.segment", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="segment_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days After Due Date", required=True, aggregator=None,
        help="The level is due this many days after the invoice's due date; negative: before it "
        "(a courtesy reminder).",
    )
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="email")
    use_partner_channel = fields.Boolean(
        string="Use the Customer's Preferred Channel",
        help="Write, call or text as the customer prefers (its preferred channel) instead of "
        "this level's channel.",
    )
    mail_template_id = fields.Many2one(
        "mail.template", string="Message", domain=[("model", "=", "credit.followup.line")],
        help="The text of emails and letters: it lists the invoices concerned and the total.",
    )
    note = fields.Text(
        string="Call Script",
        translate=True,
        help="What the credit controller says on the phone, or the text of an SMS.",
    )
    hold_partner = fields.Boolean(
        string="Put on Credit Hold",
        help="Executing this level puts the customer on credit hold: its next orders need credit approval.",
    )
    auto_execute = fields.Boolean(
        string="Automatic",
        help="Executed by the daily follow-up job without review. Other levels wait for a credit "
        "controller to run and execute a follow-up.",
    )
    color = fields.Integer(compute="_compute_color")

    _delay_unique = models.Constraint(
        "UNIQUE (segment_id, delay_days)",
        "Two levels of a segment cannot have the same delay: levels are ordered by their delay.",
    )

    @api.depends("delay_days", "hold_partner")
    def _compute_color(self):
        for level in self:
            level.color = 1 if level.hold_partner else (4 if level.delay_days < 0 else 3)

    @api.depends("segment_id.name")
    @api.depends_context("credit_level_short")
    def _compute_display_name(self):
        # Lists that show the segment in a column of its own ask for the level's name alone.
        short = self.env.context.get("credit_level_short")
        for level in self:
            level.display_name = f"{level.segment_id.name} / {level.name}" if level.segment_id and not short \
                else level.name

    def _credit_out_of_bounds(self):
        """The levels of ``self`` whose delay is out of :data:`FOLLOWUP_DELAY_DAYS` (saved
        before the bounds existed), each reported in the log: follow-up runs leave them
        out rather than fail for every customer."""
        wrong = self.filtered(lambda level: level.delay_days not in FOLLOWUP_DELAY_DAYS)
        for level in wrong:
            _logger.warning(
                "Follow-up level %s (id %s) is left out of follow-ups: its delay of %s days is outside %s..%s.",
                level.display_name, level.id, level.delay_days, FOLLOWUP_DELAY_DAYS.low, FOLLOWUP_DELAY_DAYS.high)
        return wrong

    def _credit_channel_for(self, partner):
        """The channel of this level for ``partner``."""
        self.ensure_one()
        if self.use_partner_channel and partner.sudo().credit_preferred_channel:
            return partner.sudo().credit_preferred_channel
        return self.channel
