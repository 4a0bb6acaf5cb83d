"""The credit rules that need no database, as plain Python.

Nothing here imports Odoo: the models gather rows set-based, call these functions and
write the results back, and ``tests/`` at the repository root tests them with pytest.
Modules import each other relatively so that the package works both inside the addon
and as the top-level ``credit_core`` package of the pure tests.
"""
