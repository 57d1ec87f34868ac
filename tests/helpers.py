"""Shared test helpers: compose configs exactly as the command line does, on small worlds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import sim
from sim.config import Config

SMALL = ["population.residents=3000", "output.progress=never"]


def small_config(*overrides: str) -> Config:
    """A composed config for a small world (3,000 residents unless overridden)."""
    return sim.compose([*SMALL, *overrides])


def scenario_file(tmp_path: Path, policies: Any = (), name: str = "s", **top: Any) -> Path:
    """Write a temporary scenario and return its path.

    Without ``base`` it is ``policies`` over huaian_2020's period; with ``base=...`` (and
    ``drop=[...]``) it derives from that scenario and appends ``policies``.
    """
    raw: dict[str, Any] = {"name": name, "description": "test", **top}
    if "base" not in top:
        raw = {"start_date": "2020-01-20", "end_date": "2020-05-18", **raw}
    if policies or "base" not in top:
        raw["policies"] = list(policies)
    if not raw.get("drop", True):
        del raw["drop"]
    f = tmp_path / f"{name}.yaml"
    f.write_text(yaml.safe_dump(raw))
    return f
