import textwrap
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html_escape

from ..credit_core.complaints import note_team, notifies_by_default

NOTE_TYPES = [
    ("info", "Information"),
    ("opportunity", "Opportunity"),
    ("risk", "Risk Alert"),
    ("arrangement", "Payment Arrangement"),
]
TEAMS = [("sales", "Sales"), ("credit", "Credit")]
# Set by the note itself, never by its author: the team from the author's groups, who was
# told, and the credit team's acknowledgement (only action_acknowledge stamps it).
STAMP_FIELDS = frozenset({"team", "notified_user_id", "acknowledged_by_id", "acknowledged_date"})


class CreditSharedNote(models.Model):
    """What a salesperson or a credit controller knows about a customer and wants the
    other team to know: shown on the customer and on its orders, pinned first then newest."""

    _name = "credit.shared.note"
    _description = "Shared Customer Note"
    _order = "pinned desc, create_date desc, id desc"
    _rec_name = "body"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade", check_company=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
        help="The customer the note is about (the company, not one of its contacts).",
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Order", index="btree_not_null", ondelete="set null", check_company=True,
        help="The order the note was written on.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company,
    )
    body = fields.Text(string="Note", required=True)
    note_type = fields.Selection(NOTE_TYPES, string="Type", required=True, default="info")
    author_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="restrict",
        default=lambda self: self.env.user,
    )
    team = fields.Selection(
        TEAMS, required=True, compute="_compute_team", store=True, precompute=True,
        help="The author's team when the note was written: credit for the credit team's members, "
        "sales for everyone else.",
    )
    pinned = fields.Boolean(help="Pinned notes stay at the top of the list.")
    notify_other_team = fields.Boolean(
        string="Notify",
        compute="_compute_notify_other_team", store=True, readonly=False, precompute=True,
        help="Tell the other team when the note is saved: a note from sales goes to the "
        "customer's credit controller, a note from credit to the salesperson.",
    )
    notified_user_id = fields.Many2one("res.users", string="Notified", readonly=True)
    acknowledged_by_id = fields.Many2one("res.users", readonly=True)
    acknowledged_date = fields.Datetime(string="Acknowledged On", readonly=True)
    can_edit = fields.Boolean(compute="_compute_can_edit")

    @api.depends("author_id")
    def _compute_team(self):
        for note in self:
            author = note.author_id
            note.team = note_team(bool(author) and author._has_group("credit_management.group_credit_user"))

    @api.depends("note_type")
    def _compute_notify_other_team(self):
        for note in self:
            note.notify_other_team = notifies_by_default(note.note_type)

    @api.depends("author_id")
    @api.depends_context("uid")
    def _compute_can_edit(self):
        is_manager = self.env.user.has_group("credit_management.group_credit_manager")
        for note in self:
            note.can_edit = is_manager or note.author_id == self.env.user

    @api.depends("body")
    def _compute_display_name(self):
        for note in self:
            note.display_name = textwrap.shorten(note.body or "", width=60, placeholder="...")

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self.env.su:
                vals["author_id"] = self.env.uid
                for fname in STAMP_FIELDS & vals.keys():
                    del vals[fname]
            order = self.env["sale.order"].browse(vals.get("sale_order_id"))
            partner = self.env["res.partner"].browse(vals.get("partner_id")) or order.partner_id
            if partner:
                vals["partner_id"] = partner.commercial_partner_id.id
            if order and not vals.get("company_id"):
                vals["company_id"] = order.company_id.id
        notes = super().create(vals_list)
        notes.filtered("notify_other_team")._notify_other_team()
        return notes

    def write(self, vals):
        frozen = {"author_id", "partner_id", "sale_order_id", "company_id", *STAMP_FIELDS}
        if not self.env.su and frozen & set(vals):
            raise AccessError(self.env._(
                "A shared note keeps its author, customer, order and company; write a new note instead."))
        return super().write(vals)

    # ------------------------------------------------------------------ notification
    def _other_team_recipient(self):
        """The user of the other team to tell about this note: the customer's credit
        controller for a sales note, the salesperson (of the order, else of the customer)
        for a credit note. Empty when there is nobody, or it is the author."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        if self.team == "sales":
            user = partner.with_company(self.company_id or self.env.company).credit_controller_id
        else:
            user = self.sale_order_id.sudo().user_id or partner.user_id
        if not user or user == self.author_id or user.share or not user.active:
            return self.env["res.users"]
        return user

    def _notify_other_team(self):
        """Notify each note's other team in their inbox (or by email, as they prefer), with a
        link to the order or the customer; the note remembers who was told."""
        type_labels = dict(self._fields["note_type"]._description_selection(self.env))
        for note in self:
            recipient = note._other_team_recipient()
            if not recipient:
                continue
            document = note.sale_order_id or note.partner_id
            subject = self.env._(
                "%(type)s about %(customer)s", type=type_labels[note.note_type], customer=note.partner_id.name)
            body = Markup("<p>%s</p><p>%s</p>") % (
                self.env._("%(author)s wrote a note for you:", author=note.author_id.name),
                Markup("<br/>").join(html_escape(line) for line in note.body.splitlines()),
            )
            # sudo: the author tells a colleague about a record both may read; no right is
            # needed on the order or the customer beyond reading it.
            document.sudo().message_notify(
                partner_ids=recipient.partner_id.ids,
                author_id=note.author_id.partner_id.id,
                subject=subject,
                body=body,
                email_layout_xmlid="mail.mail_notification_light",
            )
            note.sudo().notified_user_id = recipient

    # ------------------------------------------------------------------ acknowledgement
    @api.model
    def _open_opportunity_domain(self, company=None):
        """Opportunity notes written by sales in the last days set on ``company`` (default:
        the current one) that nobody in the credit team has acknowledged yet."""
        company = company or self.env.company
        since = fields.Datetime.now() - timedelta(days=company.credit_opportunity_note_days)
        return [
            ("note_type", "=", "opportunity"),
            ("team", "=", "sales"),
            ("acknowledged_date", "=", False),
            ("create_date", ">=", since),
        ]

    def action_acknowledge(self):
        """The credit team has taken the notes into account (e.g. reviewed the limit)."""
        if not self.env.user.has_group("credit_management.group_credit_user"):
            raise AccessError(self.env._("Only the credit team acknowledges notes from sales."))
        self.check_access("read")
        # sudo: acknowledging is not editing someone else's note, only stamping it.
        self.filtered(lambda n: not n.acknowledged_date).sudo().write({
            "acknowledged_by_id": self.env.uid,
            "acknowledged_date": fields.Datetime.now(),
        })
        return True

    # ------------------------------------------------------------------ dialogs from documents
    @api.model
    def _credit_dialog(self, title, context, note=None):
        """The action opening a note in a dialog: ``note``, or a new one with the defaults
        of ``context``. Notes are their own records: adding one from a customer or an
        order needs the right to write notes, not to edit the customer or the order."""
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": self._name,
            "res_id": note.id if note else False,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_credit_edit(self):
        """Open this note in a dialog (read-only for those who may not edit it)."""
        self.ensure_one()
        return self._credit_dialog(self.env._("Shared Note"), {}, self)
