"""Benchmark scenarios: one module each, see ``tools/benchmark.py``."""
