"""gridgov's simulation engine: the district model, its configuration and runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config import Config
    from sim.model import DistrictModel
    from sim.runner import RunResult, run

__all__ = ["Config", "DistrictModel", "RunResult", "compose", "run"]


def compose(overrides: Sequence[str] = ()) -> Config:
    """Compose a configuration as the command line does, e.g. ``compose(["seed=2"])``."""
    from sim.cli import compose_config

    return compose_config(overrides)


def __getattr__(name: str) -> Any:
    if name == "DistrictModel":
        from sim.model import DistrictModel

        return DistrictModel
    if name in ("run", "RunResult"):
        import sim.runner as r

        return getattr(r, name)
    if name == "Config":
        from sim.config import Config

        return Config
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
