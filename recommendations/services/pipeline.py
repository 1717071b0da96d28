"""The rebuild pipeline: drain the outbox and rebuild the lists it names."""

from __future__ import annotations


def outbox_process() -> int:
    """Process pending outbox rows; returns how many lists were rebuilt."""
    raise NotImplementedError("owned by the recommendation engine issue (#5)")
