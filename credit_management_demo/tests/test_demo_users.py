from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

DEMO_USERS = (
    "credit_management_demo.user_sam_seller",
    "credit_management_demo.user_carla_credit",
    "base.user_admin",
)


@tagged("post_install", "-at_install")
class TestDemoUsers(TransactionCase):
    """The demo has no outgoing mail server: its users are notified in Odoo's inbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The users' demo file, loaded as an install with demo data loads it.
        convert_file(cls.env, "credit_management_demo", "demo/credit_users_demo.xml", {}, mode="init", noupdate=True)

    def test_demo_users_get_notifications_in_the_odoo_inbox(self):
        for xmlid in DEMO_USERS:
            user = self.env.ref(xmlid)
            self.assertEqual(user.notification_type, "inbox", f"{user.login} is notified in Odoo")
            self.assertTrue(user.has_group("mail.group_mail_notification_type_inbox"))

    def test_notifying_a_demo_user_sends_no_email(self):
        carla = self.env.ref("credit_management_demo.user_carla_credit")
        customer = self.env["res.partner"].create({"name": "Inbox Check Customer"})
        message = customer.message_post(
            body="A release request waits for you.", partner_ids=carla.partner_id.ids,
            message_type="comment", subtype_xmlid="mail.mt_comment")
        notification = message.notification_ids.filtered(lambda n: n.res_partner_id == carla.partner_id)
        self.assertEqual(notification.notification_type, "inbox")
        self.assertFalse(self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)]),
                         "no email queued: nothing can fail for want of a mail server")

    def test_notifications_emailed_before_the_switch_to_the_inbox_move_there(self):
        carla = self.env.ref("credit_management_demo.user_carla_credit")
        customer = self.env["res.partner"].create({"name": "Emailed Before Customer"})
        carla.notification_type = "email"
        message = customer.message_post(
            body="Sent by email before the demo switched Carla to the inbox.", partner_ids=carla.partner_id.ids,
            message_type="comment", subtype_xmlid="mail.mt_comment")
        notification = message.notification_ids.filtered(lambda n: n.res_partner_id == carla.partner_id)
        notification.write({"notification_status": "exception", "failure_type": "mail_smtp"})
        carla.notification_type = "inbox"
        self.env["credit.data.generator"]._demo_settle_notifications()
        self.assertRecordValues(notification, [{
            "notification_type": "inbox", "notification_status": "sent", "failure_type": False}])
