"""The demo users get their notifications in Odoo's inbox.

A demo database has no outgoing mail server: notifications sent by email to the demo users
(release requests, decisions, complaints, notes) ended as "Email Failure". Demo records are
not updated by an update of the addon, so the databases made before get the setting here.
"""

from odoo import SUPERUSER_ID, api

DEMO_USERS = ("credit_management_demo.user_sam_seller", "credit_management_demo.user_carla_credit")


def migrate(cr, version):
    """Switch sam, carla and the administrator to inbox notifications, on databases with the
    demo's users (the demo data loaded)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    users = env["res.users"]
    for xmlid in DEMO_USERS:
        users |= env.ref(xmlid, raise_if_not_found=False) or env["res.users"]
    if users:
        (users | env.ref("base.user_admin")).write({"notification_type": "inbox"})
