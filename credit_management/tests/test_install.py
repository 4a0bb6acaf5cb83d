# The tests of TestCreditBasics (in test_exposure.py), on the CreditCommon setup.
class InstallTests:
    """The addon's groups and its Credit app are there for the people they are for."""

    def _visible_menus(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {menu["xmlid"] for menu in menus.values() if isinstance(menu, dict) and menu.get("xmlid")}

    def test_manager_implies_controller_and_admin_is_manager(self):
        manager_group = self.env.ref("credit_management.group_credit_manager")
        controller_group = self.env.ref("credit_management.group_credit_user")
        self.assertIn(controller_group, manager_group.all_implied_ids)
        self.assertTrue(self.manager.has_group("credit_management.group_credit_user"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("credit_management.group_credit_manager"))
        self.assertFalse(self.salesman.has_group("credit_management.group_credit_user"))
        self.assertEqual(manager_group.privilege_id, controller_group.privilege_id)
        self.assertEqual(manager_group.privilege_id.name, "Credit Management")

    def test_credit_app_is_shown_to_credit_staff_only(self):
        controller_menus = self._visible_menus(self.controller)
        self.assertIn("credit_management.menu_credit_root", controller_menus)
        self.assertIn("credit_management.menu_credit_customers", controller_menus)
        self.assertNotIn("credit_management.menu_credit_configuration", controller_menus)

        self.assertNotIn("credit_management.menu_credit_root", self._visible_menus(self.salesman))

        manager_menus = self._visible_menus(self.manager)
        self.assertIn("credit_management.menu_credit_configuration", manager_menus)
        self.assertIn("credit_management.menu_credit_risk_tier", manager_menus)
        self.assertNotIn("credit_management.menu_credit_settings", manager_menus, "Settings are for administrators")

        admin_menus = self._visible_menus(self.env.ref("base.user_admin"))
        self.assertIn("credit_management.menu_credit_settings", admin_menus)

    def test_every_credit_menu_opens_an_action_that_loads(self):
        admin = self.env.ref("base.user_admin")
        root = self.env.ref("credit_management.menu_credit_root")
        menus = self.env["ir.ui.menu"].with_user(admin).search([("id", "child_of", root.id)])
        leaves = menus.filtered("action")
        self.assertTrue(leaves)
        for menu in leaves:
            action = menu.action.sudo()
            if action._name != "ir.actions.act_window":
                continue
            model = self.env[action.res_model].with_user(admin)
            model.check_access("read")
            for view_mode in action.view_mode.split(","):
                model.get_view(view_type=view_mode.strip())

    def test_controller_reads_credit_customers_and_orders(self):
        order = self._order(self.customer, 100)
        customers = self.env["res.partner"].with_user(self.controller).search([("id", "=", self.customer.id)])
        self.assertEqual(customers.credit_exposure, 100)
        self.assertEqual(order.with_user(self.controller).amount_total, 100)

    def test_settings_expose_the_exposure_components(self):
        settings = self.env["res.config.settings"].create({"credit_exposure_orders": False})
        settings.execute()
        self.assertFalse(self.env.company.credit_exposure_orders)
