"""Pure tests import the addon's ``credit_core`` package by its own name, without
importing the addon (whose ``__init__`` imports Odoo)."""

import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "credit_management"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))
