"""Shared test helpers: compose configs exactly as the command line does, on small worlds."""

from __future__ import annotations

import sim
from sim.config import Config

SMALL = ["population.residents=3000", "output.progress=never"]


def small_config(*overrides: str) -> Config:
    """A composed config for a small world (3,000 residents unless overridden)."""
    return sim.compose([*SMALL, *overrides])
