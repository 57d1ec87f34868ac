"""Command line: ``gridgov [overrides]`` runs, ``-m`` sweeps, ``compare``/``report``/... read."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import Config
from sim.errors import ConfigError

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")
EXIT_BAD_INPUT = 2

log = logging.getLogger("sim")
ConfigStore.instance().store(name="config_schema", node=Config)
RUN_NAME_MAX = 100  # characters of a run folder's name


def run_name(scenario: str, knobs: Any) -> str:
    """A run folder's readable name: the scenario and the knobs set on the command line.

    ``run_name("huaian_2020", {"facility_capacity": 500})`` is
    ``huaian_2020_facility_capacity=500``; a scenario given as a file is named by its
    stem; characters a folder name should not hold become ``-``.
    """
    items = OmegaConf.to_container(knobs) if isinstance(knobs, DictConfig) else knobs
    pairs = sorted(items.items()) if isinstance(items, dict) else []
    name = Path(str(scenario)).stem if str(scenario).endswith((".yaml", ".yml")) else scenario
    text = str(name) + "".join(f"_{k}={v}" for k, v in pairs)
    return re.sub(r"[^\w.=+,-]", "-", text)[:RUN_NAME_MAX]


OmegaConf.register_new_resolver("run_name", run_name, replace=True)


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
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        from sim.sweeps.sweep import run_job

        run_job(lambda: to_config(dcfg), out_dir, Path(hc.sweep.dir), list(hc.overrides.task))
        return
    try:
        from sim.runner import run, wanted

        cfg = to_config(dcfg)
        run(cfg, out_dir, overrides=list(hc.overrides.task))
    except ConfigError as exc:
        log.error("bad input: %s", exc)
        _remove_if_empty(out_dir)
        sys.exit(EXIT_BAD_INPUT)
    log.info("run directory: %s", out_dir)
    if wanted(cfg.output.report):
        from analysis.report import write_report

        log.info("report: %s", write_report(out_dir))


GROUPS = ("experiment", "sweep")  # config groups that are not keys of Config
# gridgov COMMAND ...: commands other than a run or sweep, each a module with main(argv)
COMMANDS = {
    "calibrate": "sim.sweeps.fitting",
    "compare": "analysis.compare",
    "export": "analysis.export",
    "report": "analysis.report",
    "sensitivity": "analysis.sensitivity",
}


def check_override_keys(args: Sequence[str]) -> None:
    """Reject a misspelt config key on the command line with the valid keys beside it.

    Only plain ``key=value`` overrides are checked (``+key``, ``~key`` and ``hydra.*``
    are Hydra's own business); Hydra would reject them too, but without the list.

    Raises:
        ConfigError: naming the key, the valid keys at that level and a close match.
    """
    import dataclasses
    import difflib
    import typing

    for arg in args:
        if arg.startswith(("-", "+", "~")) or "=" not in arg:
            continue
        key = arg.split("=", 1)[0]
        if key.startswith("hydra.") or key == "hydra" or "/" in key:
            continue
        node: Any = Config
        parts = key.split(".")
        for depth, part in enumerate(parts):
            if not dataclasses.is_dataclass(node):
                break  # below a dict or list field: free-form
            hints = typing.get_type_hints(node)
            if depth == 0 and part in GROUPS:
                break
            if part not in hints:
                where = ".".join(parts[:depth]) or "the top level"
                valid = sorted(hints) + (list(GROUPS) if depth == 0 else [])
                close = difflib.get_close_matches(part, valid, n=1)
                hint = f" (did you mean {'.'.join([*parts[:depth], close[0]])!r}?)" if close else ""
                raise ConfigError(
                    f"{key} is not a config key{hint}; valid keys at {where}: {sorted(set(valid))}"
                )
            node = hints[part]


def main() -> None:
    """Entry point of the ``gridgov`` console script."""
    if len(sys.argv) > 1 and sys.argv[1] in COMMANDS:
        import importlib

        module = importlib.import_module(COMMANDS[sys.argv[1]])
        sys.exit(module.main(sys.argv[2:]))
    try:
        check_override_keys(sys.argv[1:])
    except ConfigError as exc:
        logging.basicConfig(format="%(levelname)s: %(message)s")
        log.error("bad input: %s", exc)
        sys.exit(EXIT_BAD_INPUT)
    _main()


if __name__ == "__main__":
    main()
