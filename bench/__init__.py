"""Benchmarks: ``make bench`` (``python -m bench``) runs every ``bench/bench_*.py`` module.

Each module exposes ``run(quick: bool) -> None`` that prints a table comparing Tagline with a
simple baseline measured in the same run. ``python -m bench NAME`` runs one module;
``--quick`` shrinks sizes for a smoke run."""
