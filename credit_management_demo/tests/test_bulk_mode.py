from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.credit_management_demo.models.credit_data_generator import BULK_CUSTOMERS, GENERATED_DATABASE_PARAM


@tagged("post_install", "-at_install")
class TestGeneratorBulkModeGuard(TransactionCase):
    """Bulk mode drops indexes and foreign keys of accounting tables: it runs only on a
    database that the data generator's command line created and marked, and refuses before
    touching anything elsewhere."""

    def _schema(self):
        return self.env.execute_query(SQL(
            """
            SELECT conname FROM pg_constraint WHERE conrelid = 'account_move_line'::regclass
             UNION ALL
            SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'account_move_line'::regclass
             ORDER BY 1
            """))

    def test_bulk_mode_is_refused_on_a_database_not_marked_as_generated(self):
        before = self._schema()
        with self.assertRaisesRegex(UserError, f"{GENERATED_DATABASE_PARAM}.*--create.*--no-bulk"):
            self.env["credit.data.generator"]._generate(customers=2, bulk=True)
        self.assertEqual(self._schema(), before)

    def test_the_benchmark_scale_is_refused_on_a_database_not_marked_as_generated(self):
        with self.assertRaisesRegex(UserError, GENERATED_DATABASE_PARAM):
            self.env["credit.data.generator"]._generate(customers=BULK_CUSTOMERS)

    def test_a_mark_naming_another_database_does_not_allow_bulk_mode(self):
        # a copy of a generated database restored under another name
        self.env["ir.config_parameter"].set_param(GENERATED_DATABASE_PARAM, f"{self.env.cr.dbname}_original")
        with self.assertRaisesRegex(UserError, "tools/generate_data.py --create"):
            self.env["credit.data.generator"]._generate(customers=2, bulk=True)

    def test_the_mark_allows_bulk_mode(self):
        Generator = self.env["credit.data.generator"]
        Generator._mark_generated_database()
        self.assertEqual(self.env["ir.config_parameter"].get_param(GENERATED_DATABASE_PARAM), self.env.cr.dbname)
        Generator._check_generator_bulk_allowed()
