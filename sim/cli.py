"""Command line: ``gridgov [overrides]`` runs one simulation, ``gridgov -m`` sweeps (Hydra)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import Config
from sim.errors import ConfigError

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")
EXIT_BAD_INPUT = 2

log = logging.getLogger("sim")
ConfigStore.instance().store(name="config_schema", node=Config)


def to_config(dcfg: DictConfig) -> Config:
    """Turn a composed Hydra config into the typed ``Config`` (all values present).

    Raises:
        ConfigError: If a value is missing or has the wrong type.
    """
    try:
        obj = OmegaConf.to_object(dcfg)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None) or "config"
        raise ConfigError(f"{key}: {exc.msg if hasattr(exc, 'msg') else exc}") from exc
    if not isinstance(obj, Config):
        raise ConfigError("the composed configuration is not a gridgov Config")
    return obj


def compose_config(overrides: Sequence[str] = ()) -> Config:
    """Compose the configuration exactly as the command line does (for tests and notebooks).

    Args:
        overrides: Hydra overrides, e.g. ``["population.residents=5000", "seed=3"]``.

    Returns:
        The typed configuration.
    """
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=CONFIG_DIR, version_base="1.3"):
        dcfg = compose(config_name="config", overrides=list(overrides))
    return to_config(dcfg)


def _remove_if_empty(path: Path) -> None:
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def _main(dcfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        from sim.runner import run

        cfg = to_config(dcfg)
        run(cfg, out_dir)
    except ConfigError as exc:
        log.error("bad input: %s", exc)
        _remove_if_empty(out_dir)
        sys.exit(EXIT_BAD_INPUT)
    log.info("run directory: %s", out_dir)


def main() -> None:
    """Entry point of the ``gridgov`` console script."""
    _main()


if __name__ == "__main__":
    main()
