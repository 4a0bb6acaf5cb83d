from ast import literal_eval

from lxml import etree


# The tests of TestCreditRisk (in test_risk_review.py), on the CreditRiskCommon setup.
class CreditScreensTests:
    """The credit team's customer screens: Credit > Customers lists the customers by
    default (under that name) and opens each on its Credit tab, for every member of the
    credit team."""

    def _action(self, xmlid):
        return self.env["ir.actions.act_window"].with_user(self.controller)._for_xml_id(xmlid)

    def _arch(self, view_id, view_type):
        views = self.env["res.partner"].with_user(self.controller).get_views([(view_id, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_customers_are_filtered_as_customers_by_default(self):
        action = self._action("credit_management.action_credit_customers")
        context = literal_eval(action["context"])
        defaults = [key.removeprefix("search_default_") for key in context if key.startswith("search_default_")]
        self.assertEqual(defaults, ["credit_customers"])
        search = self._arch(action["search_view_id"][0], "search")
        [default] = search.xpath("//filter[@name='credit_customers']")
        self.assertEqual(default.get("string"), "Customers")
        self.assertEqual(literal_eval(default.get("domain")), [("customer_rank", ">", 0)])
        self.assertEqual(search.xpath("//filter[@name='customer']")[0].get("invisible"), "1",
                         "Accounting's Customer Invoices filter is not offered here")
        Partner = self.env["res.partner"].with_user(self.controller)
        listed = Partner.search(literal_eval(action["domain"]) + literal_eval(default.get("domain")))
        self.assertIn(self.customer, listed)

    def test_the_credit_app_opens_customers_on_their_credit_tab(self):
        for xmlid in ("credit_management.action_credit_customers", "credit_management.action_credit_limit_candidates"):
            action = self._action(xmlid)
            [form_view] = [view_id for view_id, view_type in action["views"] if view_type == "form"]
            form = self._arch(form_view, "form")
            self.assertEqual(form.xpath("//page[@autofocus]/@name"), ["credit"], xmlid)
        contacts_form = self._arch(False, "form")
        self.assertFalse(contacts_form.xpath("//page[@name='credit'][@autofocus]"), "Contacts keep their first tab")

    def test_tier_and_segment_buttons_open_the_credit_customer_screens(self):
        action = self.tier_low.with_user(self.manager).action_view_partners()
        self.assertIn(self.customer, self.env["res.partner"].search(action["domain"]))
        form_views = [view_id for view_id, view_type in action["views"] if view_type == "form"]
        self.assertEqual(form_views, [self.env.ref("credit_management.res_partner_view_form_credit_app").id])
