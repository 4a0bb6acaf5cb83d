"""Pure tests import the addons' pure packages by their own names — ``credit_core`` of
``credit_management``, ``generator_core`` of ``credit_management_demo`` — without importing
the addons (whose ``__init__`` imports Odoo)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for addon in ("credit_management", "credit_management_demo"):
    if str(REPO / addon) not in sys.path:
        sys.path.insert(0, str(REPO / addon))
