from dateutil.relativedelta import relativedelta

from odoo import fields

from .common import CreditCommon


class ComplaintCommon(CreditCommon):
    """Credit tests about complaints and shared notes: categories, root causes, an overdue
    invoice maker, a complaint maker and a second company with its own chart of accounts.
    The customer's credit controller is the test controller."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.credit_controller_id = cls.controller
        cls.category_quality = cls.env.ref("credit_management.complaint_category_quality")
        cls.category_pricing = cls.env.ref("credit_management.complaint_category_pricing")
        cls.cause_defect = cls.env.ref("credit_management.complaint_root_cause_defect")
        cls.cause_price = cls.env.ref("credit_management.complaint_root_cause_price")
        cls.today = fields.Date.today()
        cls.other_company = cls.setup_other_company(name="Other Co")["company"]

    @classmethod
    def _overdue_invoice(cls, amount, days_overdue=45, partner=None):
        """A posted invoice of ``amount`` due ``days_overdue`` days ago, sold by the salesman."""
        date = cls.today - relativedelta(days=days_overdue + 30)
        invoice = cls._invoice(partner or cls.customer, amount, date=date, due_days=30)
        invoice.invoice_user_id = cls.salesman
        return invoice

    def _complaint(self, user=None, category=None, mail=False, **vals):
        """A complaint raised by ``user`` (default: the credit controller), with chatter
        tracking and notifications when ``mail``."""
        Complaint = self.env["credit.complaint"].with_user(user or self.controller)
        if mail:
            Complaint = self._with_mail(Complaint)
        return Complaint.create({"category_id": (category or self.category_quality).id, **vals})

    def _with_mail(self, records):
        """``records`` in an environment where chatter tracking and notifications happen
        (the test bases switch them off)."""
        return records.with_context(
            tracking_disable=False, mail_notrack=False, mail_create_nolog=False, mail_create_nosubscribe=False)

    def _end_transaction(self, records):
        """Run what happens when the transaction ends: tracking messages are posted then."""
        records.env.flush_all()
        self.cr.precommit.run()

    def _resolve(self, complaint, user=None):
        """Close ``complaint`` as resolved with a root cause and a resolution."""
        complaint = complaint.with_user(user or self.controller)
        complaint.write({"root_cause_id": self.cause_defect.id, "resolution": "Replaced the goods."})
        complaint.action_resolve()
