"""Writes of the tagging app, one module per concern."""
