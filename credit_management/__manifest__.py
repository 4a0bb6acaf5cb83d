{
    "name": "Credit Management",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "summary": "Customer-focused credit control: risk tiers, credit holds, "
    "segmented follow-ups, complaints and notes shared by sales and credit",
    "author": "credit_management contributors",
    "website": "https://github.com/credit-management/credit_management",
    "license": "LGPL-3",
    "depends": ["sale_management", "account"],
    "external_dependencies": {"python": ["requests", "python-stdnum"]},
    "data": [
        "security/credit_management_security.xml",
        "security/ir.model.access.csv",
        "security/ir_rules.xml",
        "views/res_config_settings_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "report/credit_ageing_report_views.xml",
        "views/credit_menus.xml",
    ],
    "demo": [
        "demo/credit_demo.xml",
    ],
    "application": True,
    "installable": True,
}
