from odoo import fields
from odoo.fields import Command

from .common import CreditCommon


class FollowupCommon(CreditCommon):
    """Two segments of our own (the shipped ones archived): *Early* for risky customers,
    with a reminder three days before the due date, a firm email, a call and a letter
    that puts the customer on hold; *Standard* for everyone else, one friendly email a
    week after the due date. Quiet days and minimum amount are off unless a test sets them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["credit.segment"].sudo().search([]).action_archive()
        cls.company.sudo().write({
            "credit_followup_quiet_days": 0, "credit_followup_min_amount": 0.0,
            "credit_followup_background_lines": 100,
        })
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        template = cls.env.ref("credit_management.mail_template_followup_friendly")
        letter = cls.env.ref("credit_management.mail_template_followup_final")
        cls.seg_early = cls.env["credit.segment"].sudo().create({
            "name": "Early", "sequence": 1, "company_id": cls.company.id,
            "partner_domain": "[('credit_preferred_channel', '=', 'phone')]",
            "followup_level_ids": [
                Command.create({"name": "Before due", "delay_days": -3, "channel": "email",
                                "mail_template_id": template.id, "auto_execute": True}),
                Command.create({"name": "Firm", "delay_days": 7, "channel": "email", "use_partner_channel": True,
                                "mail_template_id": template.id}),
                Command.create({"name": "Call", "delay_days": 15, "channel": "phone",
                                "note": "Ask for a payment date."}),
                Command.create({"name": "Hold letter", "delay_days": 30, "channel": "letter",
                                "mail_template_id": letter.id, "hold_partner": True}),
            ],
        })
        cls.seg_standard = cls.env["credit.segment"].sudo().create({
            "name": "Standard", "sequence": 50, "company_id": cls.company.id, "partner_domain": "[]",
            "followup_level_ids": [
                Command.create({"name": "Friendly", "delay_days": 7, "channel": "email",
                                "mail_template_id": template.id, "auto_execute": True}),
            ],
        })
        cls.seg_early = cls.seg_early.sudo(False)
        cls.seg_standard = cls.seg_standard.sudo(False)
        cls.lvl_before, cls.lvl_firm, cls.lvl_call, cls.lvl_letter = cls.seg_early.followup_level_ids.sorted(
            "delay_days")
        cls.lvl_friendly = cls.seg_standard.followup_level_ids
        cls.customer.sudo().write({"email": "acme@example.com", "credit_segment_id": cls.seg_early.id,
                            "credit_segment_fixed": True})
        cls.customer_b = cls.env["res.partner"].sudo().create({
            "name": "Bolt Traders", "is_company": True, "customer_rank": 1, "email": "bolt@example.com",
            "credit_segment_id": cls.seg_standard.id, "credit_segment_fixed": True,
        }).sudo(False)

    @classmethod
    def _overdue(cls, partner, amount, days_past_due):
        """A posted invoice of ``amount`` due ``days_past_due`` days before today (negative: after)."""
        return cls._invoice(partner, amount, date=fields.Date.subtract(cls.today, days=days_past_due + 30))

    def _run(self, date=None, segments=None, user=None, compute=True):
        run = self.env["credit.followup.run"].with_user(user or self.controller).create({
            "date": date or self.today,
            "company_id": self.company.id,
            "segment_ids": [Command.set((segments or (self.seg_early | self.seg_standard)).ids)],
        })
        if compute:
            run.action_compute()
        return run

    def _line(self, run, partner=None):
        return run.line_ids.filtered(lambda line: line.partner_id == (partner or self.customer))

    def _mails(self, partner=None):
        messages = self.env["mail.message"].search([
            ("model", "=", "res.partner"), ("res_id", "=", (partner or self.customer).id),
            ("message_type", "=", "comment"), ("subtype_id", "=", self.env.ref("mail.mt_comment").id),
        ])
        return self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])
