{
    "name": "Credit Management Demo Data",
    "version": "19.0.1.0.1",
    "category": "Hidden",
    "summary": "Demo data and generated receivables for Credit Management: demos and benchmarks, "
    "never production databases",
    "author": "credit_management contributors",
    "website": "https://github.com/credit-management/credit_management",
    "license": "LGPL-3",
    "depends": ["credit_management"],
    "demo": [
        "demo/credit_users_demo.xml",
        "demo/credit_demo.xml",
        "demo/credit_info_demo.xml",
        "demo/credit_complaint_demo.xml",
        "demo/credit_risk_demo.xml",
        "demo/credit_followup_demo.xml",
    ],
    "application": False,
    "installable": True,
}
