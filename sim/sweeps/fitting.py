"""``gridgov calibrate``: fit named parameters to an observed daily series, trials run as sweeps."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import fcntl
import hashlib
import logging
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import pandas as pd
import yaml

from analysis import fit
from analysis.sensitivity import nested
from sim.errors import ConfigError

if TYPE_CHECKING:
    import optuna

    from sim.config import Config

log = logging.getLogger(__name__)

LAUNCHERS = ("local", "ray", "ray_cluster", "slurm", "submitit_local")
GROUP = "trial"  # the Hydra config group of a calibration's trials (one option per trial)
INSTALL_GROUP = "calibrated"  # configs/calibrated/<name>.yaml: gridgov +calibrated=<name>
SPEC = "spec.yaml"
STUDY = "study.db"
OBSERVED = "observed.csv"  # the observed series, copied into the calibration directory
TRIALS = "trials.parquet"
BEST = "best.yaml"
FIT_PLOT = "fit.png"
REPORT = "report.md"
RUNS = "runs"
SCORES = "scores.yaml"  # per batch directory: each trial's log-likelihoods, runs or error
LAUNCH_LOG = "launch.log"  # per batch directory: the output of the sweep's command
LOCK = ".lock"
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
DEFAULTS: dict[str, Any] = {
    "seeds": 3,
    "trials": 40,
    "batch": 8,
    "likelihood": "negbin",
    "dispersion": fit.DEFAULT_DISPERSION,
    "launcher": "local",
    "sampler_seed": 0,
    "overrides": [],
}
SPEC_FIELDS = (
    "name",
    "observed",
    "params",
    "seeds",
    "trials",
    "batch",
    "likelihood",
    "dispersion",
    "launcher",
    "out",
    "overrides",
    "sampler_seed",
)
INFO_FIELDS = ("observed_sha256", "metrics", "period")  # written into spec.yaml, not input
# what makes a study: a calibration directory refuses a spec that differs in these
IDENTITY = ("name", "params", "seeds", "likelihood", "dispersion", "overrides", "sampler_seed")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
FLAGS = ("log", "int")
RESERVED = {
    "seed": "the seeds are set by --seeds",
    "days": "days sets the period of the runs; it is not a parameter",
    "scenario": "scenario is not numeric; choose it with an override (-- scenario=NAME)",
}


class CalibrationError(RuntimeError):
    """A calibration that could not go on (failed runs, a stopped sweep); re-run to resume."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


# ---- parameters and spec -------------------------------------------------------------


@dataclass
class Param:
    """One fitted parameter: a config key or scenario knob and its search bounds.

    Attributes:
        key: A config key (``disease.r0``) or a knob (``knobs.NAME``).
        low: Lower bound, in the key's unit.
        high: Upper bound (> low), in the key's unit.
        log: Search on a log scale (bounds > 0).
        integer: Whole numbers only (bounds whole).
    """

    key: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def __post_init__(self) -> None:
        where = f"parameter {self.key}"
        if not isinstance(self.key, str) or not _KEY.fullmatch(self.key):
            raise ConfigError(
                f"{where!s}: {self.key!r} is not a config key (e.g. disease.r0 or knobs.NAME)"
            )
        if self.key.split(".")[0] == "hydra":
            raise ConfigError(f"{where}: hydra.* keys are not model parameters")
        if self.key in RESERVED:
            raise ConfigError(f"{where}: {RESERVED[self.key]}")
        if self.key == "knobs":
            raise ConfigError(f"{where}: name the knob, as knobs.NAME")
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{where}: {name} bound must be a number, got {value!r}")
        self.low, self.high = float(self.low), float(self.high)
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ConfigError(f"{where}: bounds must be finite, got {self.low:g}:{self.high:g}")
        if not self.low < self.high:
            raise ConfigError(
                f"{where}: bounds must be LOW:HIGH with low < high, got {self.low:g}:{self.high:g}"
            )
        if self.log and self.low <= 0:
            raise ConfigError(f"{where}: a log-scale parameter needs low > 0, got {self.low:g}")
        if self.integer and not (self.low.is_integer() and self.high.is_integer()):
            raise ConfigError(
                f"{where}: an integer parameter needs whole-number bounds, got "
                f"{self.low:g}:{self.high:g}"
            )

    @classmethod
    def parse(cls, text: str) -> Param:
        """A parameter from ``KEY=LOW:HIGH[:log][:int]`` (``disease.r0=1.5:3.5``).

        Raises:
            ConfigError: Naming the parameter: bad syntax, bounds or flags.
        """
        key, sep, span = str(text).partition("=")
        key = key.strip()
        form = "KEY=LOW:HIGH[:log][:int]"
        if not sep or not key:
            raise ConfigError(f"--param {text!r}: expected {form}, e.g. disease.r0=1.5:3.5")
        parts = span.split(":")
        if len(parts) < 2:
            raise ConfigError(f"--param {text}: expected {form}, e.g. {key}=1.5:3.5")
        bounds = []
        for part, name in zip(parts[:2], ("low", "high"), strict=True):
            try:
                bounds.append(float(part))
            except ValueError:
                raise ConfigError(
                    f"--param {text}: {name} bound {part!r} is not a number ({form})"
                ) from None
        flags = [p.strip() for p in parts[2:]]
        unknown = [f for f in flags if f not in FLAGS]
        if unknown or len(set(flags)) < len(flags):
            raise ConfigError(
                f"--param {text}: unknown or repeated flag(s) {unknown or flags}; allowed: "
                f"{list(FLAGS)} ({form})"
            )
        return cls(key, bounds[0], bounds[1], log="log" in flags, integer="int" in flags)

    @classmethod
    def from_spec(cls, key: str, value: Any) -> Param:
        """A parameter from a spec file: ``LOW:HIGH[:log][:int]`` or ``{low, high, log, int}``.

        Raises:
            ConfigError: Naming the parameter.
        """
        if isinstance(value, str):
            return cls.parse(f"{key}={value}")
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"params.{key}: expected LOW:HIGH[:log][:int] or a mapping with low, high "
                f"(and log, int), got {value!r}"
            )
        extra = sorted(set(value) - {"low", "high", "log", "int"})
        missing = sorted({"low", "high"} - set(value))
        if extra or missing:
            raise ConfigError(
                f"params.{key}: fields {extra or missing} {'unknown' if extra else 'missing'}; "
                "allowed: low, high, log, int"
            )
        flags = {f: value.get(f, False) for f in FLAGS}
        for name, flag in flags.items():
            if not isinstance(flag, bool):
                raise ConfigError(f"params.{key}.{name} must be true or false, got {flag!r}")
        return cls(key, value["low"], value["high"], log=flags["log"], integer=flags["int"])

    @property
    def knob(self) -> str | None:
        """The knob's name if this is a scenario knob (``knobs.NAME``), else None."""
        return self.key.split(".", 1)[1] if self.key.startswith("knobs.") else None

    def override(self, value: float) -> str:
        """The command-line override setting this parameter (``+knobs.NAME=`` for a knob)."""
        prefix = "+" if self.knob is not None else ""
        return f"{prefix}{self.key}={self.cast(value)!r}"

    def cast(self, value: float) -> int | float:
        """The value as the run receives it: a Python int or float."""
        return int(np.rint(value)) if self.integer else float(value)

    def distribution(self) -> Any:
        """The parameter's Optuna distribution."""
        from optuna.distributions import FloatDistribution, IntDistribution

        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return FloatDistribution(self.low, self.high, log=self.log)

    def to_spec(self) -> dict[str, Any]:
        """The parameter as spec-file data (``{low, high, log, int}``)."""
        lo: int | float = int(self.low) if self.integer else self.low
        hi: int | float = int(self.high) if self.integer else self.high
        return {"low": lo, "high": hi, "log": self.log, "int": self.integer}


def _whole(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def parse_seeds(value: Any) -> list[int]:
    """Seeds from a count ``S`` (seeds 1..S), ``"1,5,9"`` or a list.

    Raises:
        ConfigError: Not positive whole numbers, or a seed given twice.
    """
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
        try:
            parsed: list[Any] = [int(v) for v in items]
        except ValueError:
            raise ConfigError(
                f"seeds must be a count S (seeds 1..S) or a list like 1,5,9, got {value!r}"
            ) from None
        value = parsed[0] if len(parsed) == 1 and "," not in value else parsed
    if isinstance(value, int | float) and not isinstance(value, bool):
        return list(range(1, _whole("seeds", value, 1) + 1))
    if not isinstance(value, list) or not value:
        raise ConfigError(f"seeds must be a count S or a non-empty list, got {value!r}")
    seeds = [_whole("seeds", v, 0) for v in value]
    if len(set(seeds)) < len(seeds):
        raise ConfigError(f"seeds {seeds}: a seed is given twice")
    return seeds


@dataclass
class Spec:
    """What a calibration fits, to what, and how it searches and runs.

    Attributes:
        name: The calibration's name (``configs/calibrated/<name>.yaml``).
        observed: The observed series (CSV: ``date`` and metric columns).
        params: The fitted parameters.
        seeds: The seeds every trial runs (common random numbers).
        trials: Trials in all (the command runs those missing).
        batch: Trials asked of Optuna and launched together as one sweep.
        likelihood: ``negbin`` or ``poisson``.
        dispersion: Negative binomial dispersion k (no unit).
        launcher: Hydra launcher of the sweeps (``hydra/launcher=...``).
        out: The calibration directory.
        overrides: Overrides of every run (``scenario=...``, ``population.residents=...``).
        sampler_seed: Seed of the TPE sampler.
    """

    name: str
    observed: Path
    params: list[Param]
    out: Path
    seeds: list[int] = field(default_factory=lambda: [1, 2, 3])
    trials: int = DEFAULTS["trials"]
    batch: int = DEFAULTS["batch"]
    likelihood: str = DEFAULTS["likelihood"]
    dispersion: float = DEFAULTS["dispersion"]
    launcher: str = DEFAULTS["launcher"]
    overrides: list[str] = field(default_factory=list)
    sampler_seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ConfigError(
                f"name {self.name!r}: a letter then letters, digits, _ or - (it names the "
                "config file configs/calibrated/<name>.yaml)"
            )
        if not self.params:
            raise ConfigError("no parameter to fit: give --param KEY=LOW:HIGH (repeat)")
        keys = [p.key for p in self.params]
        for key in keys:
            if keys.count(key) > 1:
                raise ConfigError(f"parameter {key} is given twice")
            for other in keys:
                if other.startswith(key + "."):
                    raise ConfigError(f"parameters {key} and {other}: one inside the other")
        self.trials = _whole("trials", self.trials, 1)
        self.batch = _whole("batch", self.batch, 1)
        self.sampler_seed = _whole("sampler_seed", self.sampler_seed, 0)
        if self.likelihood not in fit.LIKELIHOODS:
            raise ConfigError(
                f"likelihood {self.likelihood!r} is unknown; allowed: {list(fit.LIKELIHOODS)}"
            )
        d = self.dispersion
        if (
            isinstance(d, bool)
            or not isinstance(d, int | float)
            or not (math.isfinite(d) and d > 0)
        ):
            raise ConfigError(f"dispersion must be a positive number (k), got {d!r}")
        self.dispersion = float(d)
        if self.launcher not in LAUNCHERS:
            raise ConfigError(f"launcher {self.launcher!r} is unknown; allowed: {list(LAUNCHERS)}")
        if not isinstance(self.overrides, list) or not all(
            isinstance(o, str) for o in self.overrides
        ):
            raise ConfigError(f"overrides must be a list of KEY=VALUE, got {self.overrides!r}")

    def identity(self) -> dict[str, Any]:
        """The fields that make the study: a calibration directory refuses others."""
        data = self.to_dict()
        return {k: data[k] for k in IDENTITY}

    def to_dict(self) -> dict[str, Any]:
        """The spec as spec-file data (paths as given)."""
        return {
            "name": self.name,
            "observed": str(self.observed),
            "params": {p.key: p.to_spec() for p in self.params},
            "seeds": list(self.seeds),
            "trials": self.trials,
            "batch": self.batch,
            "likelihood": self.likelihood,
            "dispersion": self.dispersion,
            "launcher": self.launcher,
            "out": str(self.out),
            "overrides": list(self.overrides),
            "sampler_seed": self.sampler_seed,
        }


def _params_from_spec(value: Any) -> list[Param]:
    if isinstance(value, Mapping):
        return [Param.from_spec(str(k), v) for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [Param.parse(v) for v in value]
    raise ConfigError(
        "params must map each key to LOW:HIGH[:log][:int] or {low, high, log, int}, or list "
        f"KEY=LOW:HIGH strings, got {value!r}"
    )


def read_spec_file(path: str | Path) -> dict[str, Any]:
    """A spec file's fields, paths resolved against the file's folder.

    Raises:
        ConfigError: No file, not a YAML mapping, or an unknown field (the valid ones listed).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"spec file {path}: no such file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"spec file {path}: not valid YAML ({_one_line(exc)})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"spec file {path}: expected a mapping of fields {list(SPEC_FIELDS)}")
    unknown = sorted(set(data) - set(SPEC_FIELDS) - set(INFO_FIELDS))
    if unknown:
        raise ConfigError(
            f"spec file {path}: unknown field(s) {unknown}; valid: {list(SPEC_FIELDS)}"
        )
    for name in ("observed", "out"):
        if name in data and data[name] is not None:
            data[name] = str((path.parent / str(data[name])).resolve())
    return {k: v for k, v in data.items() if k in SPEC_FIELDS}


def build_spec(fields: Mapping[str, Any]) -> Spec:
    """A spec from fields (a spec file's, the command line's over them) and the defaults.

    Raises:
        ConfigError: A missing or bad field, named.
    """
    data = {**DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
    for required in ("name", "observed", "params"):
        if not data.get(required):
            flag = "--param" if required == "params" else f"--{required}"
            raise ConfigError(f"{required} is required ({flag}, or in the --spec file)")
    name = data["name"]
    out = Path(data.get("out") or Path("calibrations") / str(name))
    return Spec(
        name=name,
        observed=Path(str(data["observed"])),
        params=_params_from_spec(data["params"]),
        out=out,
        seeds=parse_seeds(data["seeds"]),
        trials=data["trials"],
        batch=data["batch"],
        likelihood=data["likelihood"],
        dispersion=data["dispersion"],
        launcher=data["launcher"],
        overrides=list(data["overrides"])
        if isinstance(data["overrides"], list)
        else data["overrides"],
        sampler_seed=data["sampler_seed"],
    )


# ---- checks against the model --------------------------------------------------------


@dataclass
class Setup:
    """A spec checked against the model: the metrics runs record, their period, the data.

    Attributes:
        metrics: The timeseries metrics of a run of this configuration.
        start: First day of the runs.
        end: Last day of the runs.
        observed: The observed series (``analysis.fit.read_observed``).
    """

    metrics: list[str]
    start: dt.date
    end: dt.date
    observed: pd.DataFrame


def _override_key(item: str) -> str:
    return item.split("=", 1)[0].lstrip("+~")


def check_overrides(spec: Spec) -> None:
    """Refuse overrides the calibration sets itself, sweeps, and fitted keys set twice.

    Raises:
        ConfigError: Naming the override and what to do instead.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    fitted = {p.key for p in spec.params}
    for item in spec.overrides:
        if item.startswith("-"):
            raise ConfigError(f"override {item!r}: options go before --, overrides after it")
        key = _override_key(item)
        owned = {
            "seed": "the seeds are set by --seeds",
            "hydra.sweep.dir": "the runs go into the calibration directory (--out)",
            "hydra/launcher": "choose the launcher with --launcher",
            "hydra.searchpath": "the calibration sets hydra.searchpath itself",
            "experiment": "an experiment is a sweep of its own: give its overrides instead",
            "sweep": "a sweep cannot be calibrated: give single values",
            GROUP: f"the config group {GROUP!r} holds the calibration's trials",
        }
        if key in owned:
            raise ConfigError(f"override {item!r}: {owned[key]}")
        if key in fitted:
            raise ConfigError(f"override {item!r}: {key} is a fitted parameter (--param)")
        try:
            parsed = OverridesParser.create().parse_overrides([item])
        except HydraException as exc:
            raise ConfigError(f"override {item!r}: {_one_line(exc)}") from None
        if parsed and parsed[0].is_sweep_override():
            raise ConfigError(f"override {item!r}: one value per override (no sweeps)")


def _compose(overrides: Sequence[str]) -> Config:
    """Compose as the command line does; composition errors as ``ConfigError``."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.cli import check_override_keys, compose_config

    check_override_keys(list(overrides))
    try:
        return compose_config(list(overrides))
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(_one_line(exc)) from None


def _value_at(cfg: Config, key: str) -> Any:
    """The value of a dotted key in a configuration.

    Raises:
        ConfigError: Not a key: the valid keys at the level where it fails, the closest first.
    """
    import difflib

    node: Any = dataclasses.asdict(cfg)
    parts = key.split(".")
    for depth, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            where = ".".join(parts[:depth]) or "the top level"
            valid = sorted(node) if isinstance(node, dict) else []
            close = difflib.get_close_matches(part, valid, n=1)
            hint = f" (did you mean {'.'.join([*parts[:depth], close[0]])!r}?)" if close else ""
            raise ConfigError(f"{key} is not a config key{hint}; valid keys at {where}: {valid}")
        node = node[part]
    return node


def _check_numeric(param: Param, value: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            f"{param.key} is not numeric ({what} holds {type(value).__name__} {value!r}): only "
            "numbers can be fitted"
        )
    if isinstance(value, int) and not param.integer:
        raise ConfigError(
            f"{param.key} holds whole numbers ({what} {value!r}): fit it as "
            f"{param.key}={param.low:g}:{param.high:g}:int"
        )


def check_spec(spec: Spec) -> Setup:
    """Check a spec against the model before anything is written.

    Composes the configuration with the overrides, checks each parameter is a numeric
    config key or a numeric knob of the scenario, validates the configuration with
    every parameter at its low and at its high bound, runs one day to learn the
    metrics a run records, and reads the observed series against them and the runs'
    period.

    Returns:
        The metrics, the period and the observed series.

    Raises:
        ConfigError: Bad input, naming the key or the file.
        analysis.fit.ObservedDataError: Bad observed data, naming the file.
    """
    from sim.cli import check_override_keys
    from sim.config import validate
    from sim.runner import run
    from sim.scenario import load_scenario

    check_overrides(spec)
    base = _compose(spec.overrides)
    scenario = load_scenario(base.scenario, dict(base.knobs), base.days)
    for p in spec.params:
        if p.knob is None:
            check_override_keys([p.override(p.low)])
            _check_numeric(p, _value_at(base, p.key), "the config")
            continue
        if p.knob not in scenario.knobs:
            raise ConfigError(
                f"{p.key} is not a knob of scenario {scenario.name!r}; valid knobs: "
                f"{sorted(scenario.knobs)}"
            )
        _check_numeric(p, scenario.knobs[p.knob], f"scenario {scenario.name!r}")
    for bound in ("low", "high"):
        values = [p.override(getattr(p, bound)) for p in spec.params]
        try:
            cfg = _compose([*spec.overrides, *values])
            validate(cfg)
            load_scenario(cfg.scenario, dict(cfg.knobs), cfg.days)
        except ConfigError as exc:
            raise ConfigError(f"with the parameters at their {bound} bounds: {exc}") from None
    mid = [p.override(_midpoint(p)) for p in spec.params]
    cfg = _compose([*spec.overrides, *mid])
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)  # the one-day probe's run log
    try:
        probe = run(dataclasses.replace(cfg, days=1), None, progress=False)
    finally:
        logging.disable(previous)
    metrics = [str(c) for c in probe.timeseries.columns if c not in ("day", "date")]
    start = scenario.start_date
    end = start + dt.timedelta(days=cfg.days - 1)
    observed = fit.read_observed(spec.observed, metrics, start, end)
    return Setup(metrics=metrics, start=start, end=end, observed=observed)


def _midpoint(p: Param) -> float:
    mid = math.sqrt(p.low * p.high) if p.log else (p.low + p.high) / 2
    return float(round(mid)) if p.integer else mid


# ---- the calibration directory -------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def check_directory(spec: Spec) -> None:
    """Refuse a calibration directory that holds another calibration or other files.

    Raises:
        ConfigError: Naming the directory and the fields that differ.
    """
    out = spec.out
    if not out.exists():
        return
    if not out.is_dir():
        raise ConfigError(f"--out {out} is a file, not a directory")
    spec_path = out / SPEC
    if not spec_path.is_file():
        if any(out.iterdir()):
            raise ConfigError(
                f"--out {out} is not empty and holds no calibration ({SPEC}); choose another"
            )
        return
    old = yaml.safe_load(spec_path.read_text(encoding="utf-8")) or {}
    new = spec.identity()
    differ = [k for k in IDENTITY if old.get(k) != new[k]]
    sha = old.get("observed_sha256")
    if sha is not None and sha != _sha256(spec.observed):
        differ.append("observed data")
    if differ:
        raise ConfigError(
            f"{out} holds another calibration ({SPEC} differs in {differ}); choose another "
            "--out or --name, or remove the directory"
        )


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    with open(out / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CalibrationError(f"another calibration is running in {out}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def option_name(number: int) -> str:
    """The config group option of trial ``number`` (``t0007``: text to Hydra)."""
    return f"t{number:04d}"


def config_file(values: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """A Hydra config file setting ``values`` (dotted keys) globally.

    ``# @package _global_`` is the first line (or the file would be nested under its
    group); knobs come out as ``knobs: {NAME: value}``.
    """
    head = ["# @package _global_", *(f"# {c}" for c in comments)]
    body = yaml.safe_dump(nested(values), sort_keys=False, default_flow_style=False)
    return "\n".join(head) + "\n" + body


def _quoted(value: str) -> str:
    """A Hydra override value in single quotes (paths with spaces or commas)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Calibration:
    """One calibration directory: its study, its batches of runs and its outputs.

    The search is Optuna's (a seeded TPE sampler, asked and told from this process,
    the study kept in SQLite in the directory). Each batch of trials is one Hydra
    multirun of the ``gridgov`` command through the chosen launcher: the trials are
    options of a config group ``trial`` (``configs/trial/tNNNN.yaml``: ``# @package
    _global_`` and the values as nested YAML) and the sweep is ``gridgov -m
    hydra.searchpath=[file://DIR/configs] +trial=t0000,t0001,... seed=1,2,3`` into
    ``DIR/runs/batch_NNN``, so a run of a calibration is the same code path, and gives
    the same bytes, as the same run started by hand. The runs are read back and scored
    (``analysis.fit.score``) and the log-likelihoods told to Optuna.

    Resume: trials told to Optuna are not run again; trials asked and not told (the
    command was stopped) are launched again with the same parameters into the same
    sweep directory, where the sweep's skip-if-finished logic reuses the runs that had
    finished; then new trials are asked up to the requested total.

    Args:
        spec: The checked spec.
        setup: What ``check_spec`` learnt of the model and the observed data.
    """

    def __init__(self, spec: Spec, setup: Setup) -> None:
        self.spec = spec
        self.setup = setup
        self.out = spec.out.resolve()
        self.params = {p.key: p for p in spec.params}
        self.distributions = {p.key: p.distribution() for p in spec.params}

    # -- files
    def _write_spec(self) -> None:
        data = self.spec.to_dict()
        data["observed"] = OBSERVED
        data["out"] = "."
        data["observed_sha256"] = _sha256(self.out / OBSERVED)
        data["metrics"] = list(self.setup.observed.columns)
        data["period"] = [self.setup.start.isoformat(), self.setup.end.isoformat()]
        head = (
            f"# gridgov calibrate {self.spec.name}: what is fitted, to what, and how.\n"
            f"# Resume or extend: gridgov calibrate --spec {self.out / SPEC} [--trials N]\n"
        )
        _atomic_text(self.out / SPEC, head + yaml.safe_dump(data, sort_keys=False))

    def prepare(self) -> None:
        """Create the directory, copy the observed data in and write ``spec.yaml``."""
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / RUNS).mkdir(exist_ok=True)
        (self.out / "configs" / GROUP).mkdir(parents=True, exist_ok=True)
        copy = self.out / OBSERVED
        if not copy.is_file():
            shutil.copyfile(self.spec.observed, copy)
        self._write_spec()

    # -- the study
    def study(self) -> optuna.Study:
        """The calibration's Optuna study (created, or loaded to resume)."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        return optuna.create_study(
            study_name=self.spec.name,
            storage=f"sqlite:///{self.out / STUDY}",
            direction="maximize",
            load_if_exists=True,
        )

    def sampler(self, trials_before: int) -> optuna.samplers.BaseSampler:
        """The TPE sampler of the batch after ``trials_before`` trials.

        Seeded from (sampler seed, trials before), so that a calibration stopped and
        resumed asks the same trials as one run straight through.
        """
        import optuna

        seed = int(
            np.random.SeedSequence([self.spec.sampler_seed, trials_before]).generate_state(1)[0]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(seed=seed, multivariate=True)

    def run(self) -> float:
        """Run the missing trials: those launched and not scored first, then new batches.

        Each batch of ``spec.batch`` trials is asked of a TPE sampler seeded for that
        batch (independent draws from the same history), launched as one sweep, scored
        and told; ``trials.parquet`` is rewritten after each batch.

        Returns:
            This command's wall time (s).

        Raises:
            CalibrationError: A batch whose runs failed or did not finish.
        """
        import optuna

        t0 = time.perf_counter()
        study = self.study()
        try:
            pending: dict[int, list[optuna.trial.FrozenTrial]] = {}
            for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
                pending.setdefault(int(t.user_attrs.get("batch", -1)), []).append(t)
            for batch, trials in sorted(pending.items()):
                log.info(
                    "resuming batch %d: trials %s were launched and not scored",
                    batch,
                    [t.number for t in trials],
                )
                self._run_batch(study, batch, [(t.number, t.params) for t in trials])
            done = len(study.trials)
            if done >= self.spec.trials:
                log.info("%d trials already (%d requested): nothing to run", done, self.spec.trials)
            while (done := len(study.trials)) < self.spec.trials:
                size = min(self.spec.batch, self.spec.trials - done)
                study.sampler = self.sampler(done)
                batch = self._next_batch(study)
                asked = []
                for _ in range(size):
                    trial = study.ask(self.distributions)
                    trial.set_user_attr("batch", batch)
                    asked.append((trial.number, dict(trial.params)))
                self._run_batch(study, batch, asked)
        finally:
            wall = time.perf_counter() - t0
            total = float(study.user_attrs.get("wall_seconds", 0.0)) + wall
            study.set_user_attr("wall_seconds", total)
            self.write_trials(study)
        return wall

    @staticmethod
    def _next_batch(study: optuna.Study) -> int:
        batches = [int(t.user_attrs.get("batch", -1)) for t in study.get_trials(deepcopy=False)]
        return max(batches, default=-1) + 1

    # -- one batch
    def batch_dir(self, batch: int) -> Path:
        """The sweep directory of a batch."""
        return self.out / RUNS / f"batch_{batch:03d}"

    def command(self, batch: int, options: Sequence[str]) -> list[str]:
        """The sweep that runs a batch: every trial's option with every seed."""
        configs = (self.out / "configs").as_posix()
        return [
            sys.executable,
            "-m",
            "sim",
            "-m",
            f"hydra.searchpath=[{_quoted('file://' + configs)}]",
            f"hydra/launcher={self.spec.launcher}",
            f"hydra.sweep.dir={_quoted(self.batch_dir(batch).as_posix())}",
            f"+{GROUP}={','.join(options)}",
            f"seed={','.join(str(s) for s in self.spec.seeds)}",
            *self.spec.overrides,
        ]

    def _run_batch(
        self, study: optuna.Study, batch: int, trials: Sequence[tuple[int, Mapping[str, Any]]]
    ) -> None:
        """Run one batch of trials: launch its sweep, score the runs and tell Optuna.

        Args:
            study: The calibration's study (told each scored trial).
            batch: Batch number (its sweep is ``batch_dir(batch)``).
            trials: Number and parameter values of each trial of the batch.

        Raises:
            CalibrationError: Runs of the batch did not finish, or every trial failed.
        """
        sweep, cmd = self._prepare_batch(batch, trials)
        t0 = time.perf_counter()
        code = self._launch(sweep, cmd)
        scores, unfinished = self._score_batch(sweep, [n for n, _ in trials])
        self._save_scores(sweep, scores)
        self._tell(study, scores)
        self.write_trials(study)
        elapsed = time.perf_counter() - t0
        if unfinished:
            raise CalibrationError(
                f"batch {batch}: the sweep exited with code {code} and trials "
                f"{_numbers(unfinished)} have runs that did not finish (see {sweep / LAUNCH_LOG}); "
                "re-run the same command to resume"
            )
        failed = self._check_failed(batch, sweep, scores)
        self._log_batch_done(study, batch, elapsed, scores, failed)

    def _prepare_batch(
        self, batch: int, trials: Sequence[tuple[int, Mapping[str, Any]]]
    ) -> tuple[Path, list[str]]:
        """Write each trial's option file and the batch's sweep directory; log the launch.

        Args:
            batch: Batch number.
            trials: Number and parameter values of each trial of the batch.

        Returns:
            (the batch's sweep directory, the command that runs its sweep).
        """
        group = self.out / "configs" / GROUP
        options = []
        for number, params in trials:
            values = {k: self.params[k].cast(v) for k, v in params.items()}
            name = option_name(number)
            options.append(name)
            text = config_file(values, [f"trial {number} of calibration {self.spec.name}"])
            _atomic_text(group / f"{name}.yaml", text)
        sweep = self.batch_dir(batch)
        sweep.mkdir(parents=True, exist_ok=True)
        cmd = self.command(batch, options)
        runs = len(options) * len(self.spec.seeds)
        numbers = [n for n, _ in trials]
        log.info(
            "batch %d: trials %s x %d seeds = %d runs through hydra/launcher=%s into %s",
            batch,
            _numbers(numbers),
            len(self.spec.seeds),
            runs,
            self.spec.launcher,
            sweep,
        )
        return sweep, cmd

    @staticmethod
    def _launch(sweep: Path, cmd: Sequence[str]) -> int:
        """Run a batch's sweep command, its output appended to the batch's launch log.

        Args:
            sweep: The batch's sweep directory.
            cmd: The sweep's command.

        Returns:
            The command's exit code.
        """
        with open(sweep / LAUNCH_LOG, "ab") as handle:
            handle.write(f"$ {shlex.join(cmd)}\n".encode())
            handle.flush()
            code = subprocess.run(
                cmd, stdout=handle, stderr=subprocess.STDOUT, check=False
            ).returncode
        return code

    def _score_batch(
        self, sweep: Path, numbers: Sequence[int]
    ) -> tuple[dict[int, dict[str, Any]], list[int]]:
        """Score the batch's trials from the jobs of its sweep.

        Args:
            sweep: The batch's sweep directory.
            numbers: The batch's trial numbers.

        Returns:
            (each finished trial's result (``_score``), by trial number; the trials
            with runs that did not finish).
        """
        jobs = self._jobs(sweep)
        scores: dict[int, dict[str, Any]] = {}
        unfinished = []
        for number in numbers:
            result = self._score(sweep, jobs, option_name(number))
            if result is None:
                unfinished.append(number)
            else:
                scores[number] = result
        return scores, unfinished

    @staticmethod
    def _tell(study: optuna.Study, scores: Mapping[int, Mapping[str, Any]]) -> None:
        """Tell Optuna each scored trial: its log-likelihood if complete, else failed.

        Args:
            study: The calibration's study.
            scores: Each finished trial's result (``_score``), by trial number.
        """
        import optuna

        for number, result in scores.items():
            if result["state"] == "COMPLETE":
                study.tell(number, float(result["loglik"]))
            else:
                study.tell(number, state=optuna.trial.TrialState.FAIL)

    @staticmethod
    def _check_failed(
        batch: int, sweep: Path, scores: Mapping[int, Mapping[str, Any]]
    ) -> list[int]:
        """Log each failed trial of a batch; stop the calibration if all of them failed.

        Args:
            batch: Batch number.
            sweep: The batch's sweep directory.
            scores: Each finished trial's result (``_score``), by trial number.

        Returns:
            The failed trials' numbers.

        Raises:
            CalibrationError: Every trial of the batch failed (exit code: bad input if
                every failure was a configuration error).
        """
        failed = [n for n, r in scores.items() if r["state"] == "FAIL"]
        for number in failed:
            log.warning("trial %d failed: %s", number, scores[number]["error"])
        if failed and len(failed) == len(scores):
            bad_input = all(scores[n]["bad_input"] for n in failed)
            raise CalibrationError(
                f"every trial of batch {batch} failed, e.g. trial {failed[0]}: "
                f"{scores[failed[0]]['error']} (see {sweep})",
                EXIT_BAD_INPUT if bad_input else EXIT_FAILED,
            )
        return failed

    @staticmethod
    def _log_batch_done(
        study: optuna.Study,
        batch: int,
        elapsed: float,
        scores: Mapping[int, Mapping[str, Any]],
        failed: Sequence[int],
    ) -> None:
        """Log a finished batch: its wall time, trials complete and the best trial so far.

        Args:
            study: The calibration's study.
            batch: Batch number.
            elapsed: Wall time of the batch's launch and scoring (s).
            scores: Each finished trial's result (``_score``), by trial number.
            failed: The failed trials' numbers.
        """
        best = _best(study)
        where = (
            f"trial {best.number}, log-likelihood {best.value:.2f} ("
            + ", ".join(f"{k}={v:.4g}" for k, v in best.params.items())
            + ")"
            if best is not None
            else "none yet"
        )
        log.info(
            "batch %d done in %.1f s: %d of %d trials complete; best so far: %s",
            batch,
            elapsed,
            len(scores) - len(failed),
            len(scores),
            where,
        )

    @staticmethod
    def _jobs(sweep: Path) -> pd.DataFrame:
        path = sweep / "summary.parquet"
        if not path.is_file():
            return pd.DataFrame(columns=["job", "status", "override.trial", "override.seed"])
        return pd.read_parquet(path)

    def _score(self, sweep: Path, jobs: pd.DataFrame, option: str) -> dict[str, Any] | None:
        """A trial's result from its sweep's jobs; None if a run has not finished.

        A trial is complete when the runs of all its seeds finished (its log-likelihood
        from ``analysis.fit.score``), failed when one of them failed.
        """
        col = f"override.{GROUP}"
        if col not in jobs.columns or "override.seed" not in jobs.columns:
            return None
        mine = jobs[jobs[col].astype(str) == option]
        runs: list[str] = []
        for seed in self.spec.seeds:
            row = mine[mine["override.seed"].astype(str) == str(seed)]
            if row.empty:
                return None
            job = row.iloc[-1]
            run_dir = (sweep / str(job["job"])).relative_to(self.out).as_posix()
            if job["status"] != "done":
                error = job.get("error")
                return {
                    "state": "FAIL",
                    "error": f"seed {seed} ({run_dir}): {job.get('error_type')}: {error}",
                    "bad_input": job.get("error_type") == "ConfigError",
                    "runs": [],
                }
            runs.append(run_dir)
        frames = [
            fit.read_timeseries(self.out / r, list(self.setup.observed.columns)) for r in runs
        ]
        per_metric = fit.score(
            self.setup.observed, frames, self.spec.likelihood, self.spec.dispersion
        )
        return {
            "state": "COMPLETE",
            "loglik": float(sum(per_metric.values())),
            "loglik_by_metric": per_metric,
            "runs": runs,
        }

    @staticmethod
    def _save_scores(sweep: Path, scores: Mapping[int, Mapping[str, Any]]) -> None:
        path = sweep / SCORES
        old = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
        merged = {**(old or {}), **{int(k): dict(v) for k, v in scores.items()}}
        _atomic_text(path, yaml.safe_dump(merged, sort_keys=True))

    # -- outputs
    def trials_frame(self, study: optuna.Study) -> pd.DataFrame:
        """One row per trial: number, state, batch, parameters, log-likelihoods, runs."""
        scores: dict[int, Mapping[str, Any]] = {}
        for path in sorted((self.out / RUNS).glob(f"batch_*/{SCORES}")):
            scores.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        metrics = list(self.setup.observed.columns)
        rows = []
        for t in study.get_trials(deepcopy=False):
            s = scores.get(t.number, {})
            by_metric = s.get("loglik_by_metric", {})
            done = t.state.name == "COMPLETE"
            row: dict[str, Any] = {
                "number": t.number,
                "state": t.state.name,
                "batch": int(t.user_attrs.get("batch", -1)),
                "option": option_name(t.number),
            }
            for p in self.spec.params:
                value = t.params.get(p.key)
                row[p.key] = None if value is None else p.cast(value)
            row["loglik"] = float(t.value) if done and t.value is not None else math.nan
            for m in metrics:
                row[f"loglik.{m}"] = float(by_metric[m]) if done and m in by_metric else math.nan
            row["runs"] = [str(r) for r in s.get("runs", [])] if done else []
            row["error"] = s.get("error") if t.state.name == "FAIL" else None
            row["datetime_start"] = t.datetime_start
            row["datetime_complete"] = t.datetime_complete
            rows.append(row)
        return pd.DataFrame(rows)

    def write_trials(self, study: optuna.Study) -> pd.DataFrame:
        """Write ``trials.parquet`` and return its frame."""
        frame = self.trials_frame(study)
        tmp = self.out / f"{TRIALS}.{os.getpid()}.tmp"
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, self.out / TRIALS)
        return frame

    def finish(self, wall: float, install_dir: Path | None) -> str:
        """Write ``best.yaml`` (and install it), ``fit.png`` and ``report.md``.

        Args:
            wall: This command's wall time (s).
            install_dir: Where to install ``best.yaml`` as ``<name>.yaml`` (None: not).

        Returns:
            The report (Markdown).

        Raises:
            CalibrationError: No complete trial.
        """
        study = self.study()
        frame = self.write_trials(study)
        done = frame[frame["state"] == "COMPLETE"]
        if done.empty:
            raise CalibrationError(f"no trial of {self.out} is complete: nothing to report")
        keys = [p.key for p in self.spec.params]
        bounds = {p.key: (p.low, p.high) for p in self.spec.params}
        intervals = fit.profile_intervals(frame, keys, bounds)
        best = done.iloc[int(np.argmax(done["loglik"].to_numpy(dtype=float)))]
        within = int(intervals["trials_within"].iloc[0])
        if within < 3:
            log.warning(
                "only %d trial(s) within 1.92 of the best log-likelihood: the intervals are "
                "too narrow; run more trials (--trials) or narrow the bounds",
                within,
            )
        values = {p.key: p.cast(best[p.key]) for p in self.spec.params}
        model = [o for o in self.spec.overrides if not _override_key(o).startswith("hydra")]
        use = " ".join(["gridgov", f"+{INSTALL_GROUP}={self.spec.name}", *model])
        comments = [
            f"gridgov calibrate {self.spec.name}: the best of {len(frame)} trials (trial "
            f"{int(best['number'])}, log-likelihood {best['loglik']:.2f}), {self.out}",
            f"observed: {', '.join(self.setup.observed.columns)}, "
            f"{self.setup.observed.index[0].date()} to {self.setup.observed.index[-1].date()}",
            f"fitted with the overrides: {' '.join(self.spec.overrides) or '(none)'}",
            f"use: {use}",
            "approx. 95% intervals: "
            + "; ".join(f"{r.param} {r.low:.4g}-{r.high:.4g}" for r in intervals.itertuples()),
        ]
        text = config_file(values, comments)
        _atomic_text(self.out / BEST, text)
        if install_dir is not None:
            install_dir.mkdir(parents=True, exist_ok=True)
            target = install_dir / f"{self.spec.name}.yaml"
            _atomic_text(target, text)
            log.info("installed %s: run it with %s", target, use)
        runs = [
            fit.read_timeseries(self.out / r, list(self.setup.observed.columns))
            for r in best["runs"]
        ]
        from analysis.load import load_metrics
        from analysis.plots import save

        catalog = load_metrics([self.out / r for r in best["runs"]][:1], "timeseries")
        title = (
            f"Calibration {self.spec.name}: best trial {int(best['number'])} "
            f"({', '.join(f'{k} = {v:.4g}' for k, v in values.items())})"
        )
        save(fit.fit_figure(self.setup.observed, runs, title, catalog=catalog), self.out / FIT_PLOT)
        counts = {str(k): int(v) for k, v in frame["state"].value_counts().items()}
        counts["runs"] = int(sum(len(r) for r in frame["runs"]))
        by_metric = {c: float(best[c]) for c in frame.columns if c.startswith("loglik.")}
        spec_data = self.spec.to_dict()
        spec_data["observed"] = str(self.spec.observed)
        spec_data["metrics"] = list(self.setup.observed.columns)
        report = fit.report_markdown(
            self.spec.name,
            spec_data,
            intervals,
            {"number": int(best["number"]), "loglik": float(best["loglik"]), **by_metric},
            counts,
            {"this": wall, "total": float(study.user_attrs.get("wall_seconds", wall))},
        )
        _atomic_text(self.out / REPORT, report)
        return report


def _best(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    import optuna

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return max(done, key=lambda t: float(t.value or -math.inf)) if done else None


def _numbers(numbers: Sequence[int]) -> str:
    numbers = sorted(numbers)
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


# ---- command line --------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one ``bad input`` line (``ConfigError``)."""

    def error(self, message: str) -> NoReturn:
        """Raise the error instead of printing the usage and exiting."""
        raise ConfigError(f"{message} (see gridgov calibrate --help)")


def _parser() -> _Parser:
    p = _Parser(
        prog="gridgov calibrate",
        description=(
            "Fit named parameters to an observed daily series: Optuna (TPE) trials, each run "
            "with the same seeds, batches launched as Hydra sweeps."
        ),
        epilog=(
            "Overrides for every run go after --, e.g. -- scenario=huaian_2020 "
            "population.residents=100000. Re-running the same command resumes."
        ),
    )
    p.add_argument("--spec", help="a YAML file with the fields below (flags override it)")
    p.add_argument("--name", help="the calibration's name (configs/calibrated/NAME.yaml)")
    p.add_argument("--observed", help="CSV: a date column and metric columns (new_confirmed...)")
    p.add_argument(
        "--param",
        action="append",
        metavar="KEY=LOW:HIGH[:log][:int]",
        help="a fitted parameter (repeat): a config key or knobs.NAME",
    )
    p.add_argument("--seeds", help="seeds of every trial: a count S (1..S) or a list 1,5,9")
    p.add_argument("--trials", type=int, help=f"trials in all (default {DEFAULTS['trials']})")
    p.add_argument(
        "--batch", type=int, help=f"trials launched together (default {DEFAULTS['batch']})"
    )
    p.add_argument("--likelihood", choices=fit.LIKELIHOODS, help="default negbin")
    p.add_argument(
        "--dispersion",
        type=float,
        help=f"negative binomial k (default {fit.DEFAULT_DISPERSION:g}, an assumption)",
    )
    p.add_argument("--launcher", choices=LAUNCHERS, help="Hydra launcher (default local)")
    p.add_argument("--out", help="the calibration directory (default calibrations/NAME)")
    p.add_argument("--sampler-seed", type=int, dest="sampler_seed", help="TPE seed (default 0)")
    p.add_argument(
        "--no-install",
        action="store_true",
        help="do not install best.yaml as configs/calibrated/NAME.yaml",
    )
    return p


def spec_from_args(argv: Sequence[str]) -> tuple[Spec, bool]:
    """The spec of a command line (a ``--spec`` file's fields under the flags).

    Returns:
        The spec, and whether to install the best parameters.

    Raises:
        ConfigError: Bad input, named.
    """
    argv = list(argv)
    overrides = argv[argv.index("--") + 1 :] if "--" in argv else None
    args = _parser().parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    fields: dict[str, Any] = read_spec_file(args.spec) if args.spec else {}
    given = {
        "name": args.name,
        "observed": args.observed,
        "params": args.param,
        "seeds": args.seeds,
        "trials": args.trials,
        "batch": args.batch,
        "likelihood": args.likelihood,
        "dispersion": args.dispersion,
        "launcher": args.launcher,
        "out": args.out,
        "sampler_seed": args.sampler_seed,
        "overrides": overrides or None,
    }
    fields.update({k: v for k, v in given.items() if v is not None})
    return build_spec(fields), not args.no_install


def install_dir() -> Path:
    """``configs/calibrated``: where ``gridgov +calibrated=NAME`` finds ``NAME.yaml``."""
    from sim.cli import CONFIG_DIR

    return Path(CONFIG_DIR) / INSTALL_GROUP


def calibrate(spec: Spec, install: bool = True) -> str:
    """Check a spec, run (or resume) its calibration and write its outputs.

    Args:
        spec: What to fit and how.
        install: Also install the best parameters as ``configs/calibrated/<name>.yaml``.

    Returns:
        The report (Markdown).

    Raises:
        ConfigError: Bad input (nothing written).
        analysis.fit.ObservedDataError: Bad observed data (nothing written).
        CalibrationError: A batch's runs failed or did not finish (re-run to resume).
    """
    setup = check_spec(spec)
    check_directory(spec)
    cal = Calibration(spec, setup)
    cal.out.mkdir(parents=True, exist_ok=True)
    with _locked(cal.out):
        cal.prepare()
        wall = cal.run()
        return cal.finish(wall, install_dir() if install else None)


def main(argv: Sequence[str] | None = None) -> int:
    """``gridgov calibrate ...``: fit parameters to observed data; the report on stdout.

    Returns:
        The exit code: 0; 2 on bad input (one message, nothing written); 1 if runs
        failed or did not finish; 130 if interrupted (re-run to resume).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(format="%(levelname)s: %(message)s")
    for name in (__name__, "analysis.fit"):
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        spec, install = spec_from_args(argv)
        report = calibrate(spec, install)
    except (ConfigError, fit.ObservedDataError) as exc:
        log.error("bad input: %s", _one_line(exc))
        return EXIT_BAD_INPUT
    except CalibrationError as exc:
        log.error("%s", exc)
        return exc.exit_code
    except KeyboardInterrupt:
        log.error("interrupted: re-run the same command to resume")
        return EXIT_INTERRUPTED
    sys.stdout.write(report)
    return 0
