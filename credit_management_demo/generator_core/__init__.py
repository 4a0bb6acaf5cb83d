"""Realistic customers and their receivables history, as plain Python.

Nothing here imports Odoo: the ``credit.data.generator`` model turns these customers into
accounting data, and ``tests/`` at the repository root tests them with pytest, importing
this package by its own name (``generator_core``).
"""
