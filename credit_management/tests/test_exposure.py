from odoo import fields
from odoo.tests import tagged

from .common import CreditCommon
from .test_ageing_report import AgeingReportTests
from .test_install import InstallTests
from .test_performance import PerformanceTests
from .test_receivables import ReceivablesTests
from .test_translations import TranslationTests


# The tests of TestCreditBasics (below), on the CreditCommon setup.
class ExposureTests:
    """A customer's exposure: open receivables + uninvoiced confirmed orders + draft
    invoices, in the document company's currency, counted once, whoever looks."""

    def _exposure(self, partner=None, company=None):
        partner = (partner or self.customer).with_company(company or self.company)
        partner.invalidate_recordset()
        return partner.credit_exposure

    def test_open_receivables_net_of_payments_and_credit_notes(self):
        invoice = self._invoice(self.customer, 1000)
        self.assertEqual(self._exposure(), 1000)
        self._pay(invoice, 400)
        self.assertEqual(self._exposure(), 600)
        # An open credit note is netted: the customer owes less.
        self._invoice(self.customer, 100, move_type="out_refund")
        self.assertEqual(self._exposure(), 500)
        breakdown = self.customer.with_company(self.company)
        self.assertEqual(breakdown.credit_exposure_receivable, 500)
        self.assertEqual(breakdown.credit_exposure_orders, 0)

    def test_confirmed_order_counts_until_invoiced_and_never_twice(self):
        self._order(self.customer, 300, confirm=False)
        self.assertEqual(self._exposure(), 0, "A quotation is not a commitment yet.")
        order = self._order(self.customer, 500)
        self.assertEqual(self._exposure(), 500)
        invoice = order._create_invoices()
        self.assertEqual(self._exposure(), 500, "Draft invoice from the order replaces the order amount.")
        self.assertEqual(self.customer.credit_exposure_drafts, 500)
        self.assertEqual(self.customer.credit_exposure_orders, 0)
        invoice.action_post()
        self.assertEqual(self._exposure(), 500)
        self.assertEqual(self.customer.credit_exposure_receivable, 500)
        self._pay(invoice)
        self.assertEqual(self._exposure(), 0)

    def test_down_payment_is_not_counted_twice(self):
        order = self._order(self.customer, 1000)
        down_payment = self._create_down_payment_invoice(order, "percentage", 30)
        self.assertEqual(self._exposure(), 1000, "Draft down payment: 300 draft + 700 still to invoice")
        down_payment.action_post()
        self.assertEqual(self._exposure(), 1000, "Posted down payment: 300 receivable + 700 to invoice")
        self._pay(down_payment)
        self.assertEqual(self._exposure(), 700, "The customer paid 300 of the 1000 committed")
        final = self._create_final_invoice(order)
        self.assertEqual(final.amount_total, 700)
        self.assertEqual(self._exposure(), 700)
        final.action_post()
        self.assertEqual(self._exposure(), 700)
        self.assertEqual(self.customer.credit_exposure_orders, 0)

    def test_components_follow_the_settings(self):
        self._invoice(self.customer, 1000)
        self._order(self.customer, 500)
        self._invoice(self.customer, 200, post=False)
        self.assertEqual(self._exposure(), 1700)
        self.company.credit_exposure_draft_invoices = False
        self.assertEqual(self._exposure(), 1500)
        self.company.credit_exposure_orders = False
        self.assertEqual(self._exposure(), 1000)
        self.company.credit_exposure_receivables = False
        self.assertEqual(self._exposure(), 0)

    def test_contacts_share_the_commercial_partner_exposure(self):
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer.id})
        self._invoice(contact, 250)
        self._order(self.customer, 100)
        self.assertEqual(self._exposure(self.customer), 350)
        self.assertEqual(self._exposure(contact), 350)

    def test_exposure_is_per_company(self):
        other = self.other_company
        self.env.user.company_ids |= other
        self._invoice(self.customer, 1000)
        self.env["account.move"].with_company(other).create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "invoice_date": fields.Date.today(),
            "invoice_line_ids": [fields.Command.create({"name": "x", "price_unit": 70, "tax_ids": []})],
        }).action_post()
        self.assertEqual(self._exposure(company=self.company), 1000)
        self.assertEqual(self._exposure(company=other), 70)

    def test_foreign_currency_order_is_converted_at_today_rate(self):
        currency = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": currency.id})
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "pricelist_id": pricelist.id,
            "order_line": [fields.Command.create({
                "product_id": self.product.id, "price_unit": 600, "tax_ids": [],
            })],
        })
        order.action_confirm()
        self.assertEqual(order.currency_id, currency)
        self.assertEqual(self._exposure(), 300, "600 EUR at 2 EUR per unit of company currency")

    def test_salesperson_sees_orders_of_colleagues_in_exposure(self):
        self._order(self.customer, 400, salesperson=self.salesman_2)
        self._invoice(self.customer, 100)
        customer = self.customer.with_user(self.salesman)
        self.assertFalse(
            self.env["sale.order"].with_user(self.salesman).search([("partner_id", "=", self.customer.id)]),
            "The salesperson cannot see the colleague's order...",
        )
        self.assertEqual(customer.credit_exposure, 500, "...but the exposure counts it.")

    def test_available_credit_search_and_sort(self):
        big = self.env["res.partner"].create({"name": "Big Spender", "is_company": True})
        small = self.env["res.partner"].create({"name": "Small Buyer", "is_company": True})
        big.with_company(self.company).credit_limit = 1000
        small.with_company(self.company).credit_limit = 1000
        self._invoice(big, 1500)
        self._invoice(small, 200)
        big.invalidate_recordset()
        self.assertEqual(big.credit_available, -500)
        self.assertEqual(small.credit_available, 800)
        self.assertEqual(self.customer.credit_available, 0, "No limit set: nothing to show as available")

        Partner = self.env["res.partner"]
        over = Partner.search([("credit_available", "<", 0)])
        self.assertIn(big, over)
        self.assertNotIn(small, over)
        self.assertEqual(Partner.search([("credit_exposure", ">=", 200), ("id", "in", (big | small).ids)]),
                         big | small)
        ranked = Partner.search([("id", "in", (big | small | self.customer).ids)], order="credit_exposure desc")
        self.assertEqual(ranked.ids, [big.id, small.id, self.customer.id])
        ranked = Partner.search([("id", "in", (big | small).ids)], order="credit_available")
        self.assertEqual(ranked.ids, [big.id, small.id])

    def test_query_count_does_not_grow_with_partners_or_documents(self):
        partners = self.env["res.partner"].create([
            {"name": f"Customer {i}", "is_company": True} for i in range(12)
        ])
        self._invoice(partners[0], 100)
        for partner in partners[1:6]:
            for amount in (100, 10, 10, 10):
                self._invoice(partner, amount)
        self.assertQueryCountStable(lambda records: records.mapped("credit_exposure"), partners[:1], partners)

    def test_quotation_shows_the_customer_standing_to_its_salesperson(self):
        self.customer.with_company(self.company).credit_limit = 2000
        self._invoice(self.customer, 500)
        self._order(self.customer, 300, salesperson=self.salesman_2)
        quotation = self._order(self.customer, 400, confirm=False)
        quotation = quotation.with_user(self.salesman)
        self.assertEqual(quotation.credit_partner_limit, 2000)
        self.assertEqual(quotation.credit_partner_exposure, 800, "The quotation itself is not exposure yet")
        self.assertEqual(quotation.credit_partner_available, 1200)
        quotation.sudo().action_confirm()
        quotation.invalidate_recordset()
        self.assertEqual(quotation.credit_partner_exposure, 1200)
        self.assertEqual(quotation.credit_partner_available, 800)


@tagged("post_install", "-at_install")
class TestCreditBasics(
    ExposureTests, AgeingReportTests, InstallTests, ReceivablesTests, PerformanceTests, TranslationTests,
    CreditCommon,
):
    """The addon installed for the people it is for, a customer's exposure, the
    receivables ageing and the receivables every rule reads, on one setup (one chart of
    accounts and a second company): the tests are in the classes above, one file per
    capability."""

    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company(name="Other Co")["company"]
        cls._setup_receivables()
        cls._setup_performance()
