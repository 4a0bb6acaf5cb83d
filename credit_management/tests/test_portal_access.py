from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(CreditCommon, HttpCase):
    """A portal user reads its own invoice, order, partner and company over JSON-RPC, as
    the portal's pages and any script can: nothing the credit team knows about it shows,
    not even the names of the fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="credit_portal", name="Paula Portal", groups="base.group_portal",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )
        cls.portal_partner = cls.portal_user.partner_id
        tier = cls.env["credit.risk.tier"].search([], limit=1)
        segment = cls.env["credit.segment"].sudo().create({
            "name": "Portal Test Segment", "company_id": cls.company.id, "partner_domain": "[]",
            "followup_level_ids": [Command.create({"name": "Firm reminder", "delay_days": 7, "channel": "email"})],
        })
        cls.portal_partner.sudo().write({
            "is_company": True, "customer_rank": 1, "credit_risk_tier_id": tier.id, "credit_risk_score": 80.0,
            "credit_segment_id": segment.id, "credit_segment_fixed": True, "credit_manual_hold": True,
            "credit_hold_reason": "Internal: slow payer",
        })
        cls.invoice = cls._invoice(cls.portal_partner, 500.0)
        cls.invoice.sudo().write({
            "credit_followup_level_id": segment.followup_level_ids.id,
            "credit_followup_date": cls.invoice.invoice_date,
            "credit_promise_date": cls.invoice.invoice_date_due,
        })
        cls.order = cls._order(cls.portal_partner, 300.0, confirm=False)
        cls.order.message_subscribe(cls.portal_partner.ids)

    def _rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": list(args), "kwargs": kwargs,
        })

    def _read_what_the_portal_may(self, model, record_id, names):
        """The values of ``names`` on the record, read over JSON-RPC in as few calls as
        possible: a call that Odoo refuses because of one of its own fields (activities,
        attachments... that the portal may not read) is split in two until only the
        refused fields are left out."""
        try:
            return self._rpc(model, "read", [record_id], names)[0]
        except JsonRpcException:
            if len(names) == 1:
                return {}
            middle = len(names) // 2
            return {**self._read_what_the_portal_may(model, record_id, names[:middle]),
                    **self._read_what_the_portal_may(model, record_id, names[middle:])}

    def _our_fields(self, model):
        """The fields this addon adds to ``model``."""
        return {
            name for name, field in self.env[model]._fields.items()
            if "credit_management" in field._modules
        }

    def test_portal_user_reads_no_credit_field_of_its_invoice_order_partner_or_company(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        records = {
            "account.move": self.invoice,
            "sale.order": self.order,
            "res.partner": self.portal_partner,
            "res.company": self.company,
        }
        for model, record in records.items():
            with self.subTest(model=model):
                ours = self._our_fields(model)
                self.assertTrue(ours, f"the addon extends {model}")
                listed = self._rpc(model, "fields_get", attributes=["type", "relation"])
                self.assertFalse(ours & listed.keys(), f"{model} lists credit fields to the portal")
                # Every field listed but links to models the portal may not read at all, which
                # Odoo refuses, and one of Odoo's own that JSON cannot carry (frozendict keys).
                readable = [
                    name for name, description in listed.items()
                    if (model, name) != ("account.move", "needed_terms")
                    and (not description.get("relation")
                         or self.env[description["relation"]].with_user(self.portal_user).has_access("read"))
                ]
                values = self._read_what_the_portal_may(model, record.id, readable)
                self.assertEqual(values["id"], record.id, "the portal user reads its own record")
                self.assertFalse(ours & values.keys())
                with self.assertRaises(JsonRpcException, msg=f"{model}: asking for them by name is refused"):
                    self._rpc(model, "read", [record.id], sorted(ours))
                for name in sorted(ours):
                    with self.assertRaises(AccessError, msg=f"{model}.{name} is readable by the portal"):
                        record.with_user(self.portal_user).read([name])
