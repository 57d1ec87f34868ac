"""Sensitivity analysis (Morris screening, Sobol indices) of named parameters, run as a sweep."""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import math
import re
import shlex
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis.command import EXIT_BAD_INPUT
from analysis.load import NotARunError, load_summaries

log = logging.getLogger(__name__)

METHODS = ("morris", "sobol")
NUM_LEVELS = 4  # Morris grid levels per parameter: steps of 2/3 of the range
GROUP = "sample"  # the Hydra config group holding one option per sample
SWEEP_OPTION = "samples"  # configs/sweep/<this>.yaml in the design directory (sweep=samples)
SAMPLES = "samples.csv"
PROBLEM = "problem.json"
RUNS = "runs"
INDICES = {
    "morris": ("mu", "mu_star", "sigma", "mu_star_conf"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass
class Problem:
    """The parameters studied: Hydra config keys and the bounds each is drawn between.

    Attributes:
        params: Config key (``disease.r0``, ``staff.grid_worker_hours``,
            ``knobs.facility_capacity``) to its (low, high) bounds, in the key's own unit.
        integers: Keys whose values must be whole numbers (rounded after sampling);
            their bounds must be whole numbers too.
    """

    params: dict[str, tuple[float, float]]
    integers: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.params = {str(k): (float(v[0]), float(v[1])) for k, v in dict(self.params).items()}
        self.integers = {str(k) for k in self.integers}
        if len(self.params) < 2:
            raise ValueError(
                f"a sensitivity problem needs at least 2 parameters, got {list(self.params)}"
            )
        for key, (low, high) in self.params.items():
            if not _KEY.fullmatch(key):
                raise ValueError(f"{key!r} is not a config key (e.g. disease.r0)")
            if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
                raise ValueError(f"{key}: bounds must be finite with low < high, got {low}, {high}")
            if key.split(".")[0] == "hydra":
                raise ValueError(f"{key}: hydra.* keys are not model parameters")
        for key in self.params:
            for other in self.params:
                if other.startswith(key + "."):
                    raise ValueError(f"{key} and {other}: one parameter inside another")
        unknown = sorted(self.integers - set(self.params))
        if unknown:
            raise ValueError(f"integers {unknown} are not parameters; parameters: {self.names}")
        for key in sorted(self.integers):
            low, high = self.params[key]
            if not (low.is_integer() and high.is_integer()):
                raise ValueError(
                    f"{key}: an integer parameter needs whole-number bounds, got {low}, {high}"
                )

    @property
    def names(self) -> list[str]:
        """The parameter keys, in the order of the columns of the samples."""
        return list(self.params)

    def salib(self) -> dict[str, Any]:
        """The problem as SALib's dictionary (``num_vars``, ``names``, ``bounds``)."""
        return {
            "num_vars": len(self.params),
            "names": self.names,
            "bounds": [list(b) for b in self.params.values()],
        }

    def to_dict(self) -> dict[str, Any]:
        """The problem as plain data (as written to ``problem.json``)."""
        return {
            "params": {k: list(v) for k, v in self.params.items()},
            "integers": sorted(self.integers),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        """The problem from ``to_dict``'s data."""
        params = {k: (float(v[0]), float(v[1])) for k, v in data["params"].items()}
        return cls(params=params, integers=set(data.get("integers", [])))


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {list(METHODS)}")


def runs_needed(problem: Problem, method: str, n: int) -> int:
    """Samples (= model runs per seed) of a design.

    Args:
        problem: The parameters.
        method: ``morris`` (n trajectories of k + 1 points) or ``sobol`` (n base
            samples, first and total order: n (k + 2) points).
        n: Trajectories (Morris) or base samples (Sobol).

    Returns:
        The number of samples.
    """
    _check_method(method)
    k = len(problem.params)
    return n * (k + 1) if method == "morris" else n * (k + 2)


def sample(problem: Problem, method: str, n: int, seed: int = 0) -> pd.DataFrame:
    """Draw the design of a Morris screening or a Sobol analysis with SALib.

    Morris: ``n`` trajectories on a grid of 4 levels (``n (k + 1)`` samples for k
    parameters). Sobol: Saltelli's scheme for first and total order indices from ``n``
    base samples (``n (k + 2)`` samples; ``n`` a power of 2). Integer parameters are
    rounded to whole numbers.

    Args:
        problem: The parameters.
        method: ``morris`` or ``sobol``.
        n: Trajectories (Morris) or base samples (Sobol), at least 2.
        seed: Seed of the design.

    Returns:
        One row per sample (index 0, 1, ...), one column per parameter key.

    Raises:
        ValueError: An unknown method or n below 2.
    """
    _check_method(method)
    if int(n) != n or n < 2:
        raise ValueError(f"n must be a whole number of at least 2, got {n}")
    if method == "morris":
        from SALib.sample import morris

        _warn_off_grid(problem)
        x = morris.sample(problem.salib(), int(n), num_levels=NUM_LEVELS, seed=seed)
    else:
        from SALib.sample import sobol

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = sobol.sample(problem.salib(), int(n), calc_second_order=False, seed=seed)
        for w in caught:
            log.warning("SALib: %s", w.message)
    frame = pd.DataFrame(x, columns=problem.names)
    for key in problem.integers:
        frame[key] = np.rint(frame[key]).astype("int64")
    frame.index.name = "sample"
    return frame


def _warn_off_grid(problem: Problem) -> None:
    """Warn of integer parameters whose Morris levels are not whole numbers."""
    for key in sorted(problem.integers):
        low, high = problem.params[key]
        if (high - low) % (NUM_LEVELS - 1):
            log.warning(
                "%s: the Morris levels of [%g, %g] are not whole numbers: rounded, the step "
                "differs from the nominal 2/3 of the range (use a range divisible by %d)",
                key,
                low,
                high,
                NUM_LEVELS - 1,
            )


def option_name(index: int, count: int) -> str:
    """The config group option of sample ``index`` of ``count``: zero-padded (``007``).

    Every name starts with a 0 and has at least two digits, so Hydra reads it as a
    string: a plain ``7`` would be an integer, which Hydra refuses as a group option.
    """
    return f"{index:0{len(str(count - 1)) + 1}d}"


def nested(row: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys as nested mappings (``{"disease.r0": 2}`` -> ``{"disease": {"r0": 2}}``)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def sweep_command(out_dir: str | Path, overrides: Sequence[str] = ()) -> str:
    """The command that runs every sample of a design written by ``write_samples``.

    Args:
        out_dir: The design directory.
        overrides: Other overrides for every run (``population.residents=20000``).

    Returns:
        ``gridgov -m hydra.searchpath=[file://OUT/configs] sweep=samples ...``.
    """
    configs = (Path(out_dir).resolve() / "configs").as_posix()
    parts = ["gridgov", "-m", f"hydra.searchpath=[file://{configs}]", f"sweep={SWEEP_OPTION}"]
    return " ".join(shlex.quote(p) for p in [*parts, *overrides])


def write_samples(
    problem: Problem,
    method: str,
    n: int,
    out_dir: str | Path,
    seed: int = 0,
    overrides: Sequence[str] = (),
) -> Path:
    """Write a design as a Hydra config group a gridgov sweep runs one option of per job.

    Writes into ``out_dir``:

    - ``samples.csv``: the samples (column ``sample``, then one per parameter);
    - ``problem.json``: parameters, integers, method, n, seed, samples, overrides;
    - ``configs/sample/<i>.yaml``: one option per sample, named ``option_name(i)``
      (``000``, ``001``, ...), ``# @package _global_`` then the values as nested YAML;
    - ``configs/sweep/samples.yaml``: the sweep over every option
      (``+sample=000,001,...``) into ``out_dir/runs``.

    and logs the command to run (``sweep_command``). Re-writing the same design is
    allowed; a directory holding another design is refused.

    Args:
        problem: The parameters.
        method: ``morris`` or ``sobol``.
        n: Trajectories (Morris) or base samples (Sobol).
        out_dir: The design directory (created).
        seed: Seed of the design.
        overrides: Overrides for every run, stored and put in the logged command.

    Returns:
        ``out_dir``, absolute.

    Raises:
        ValueError: As ``sample``, or ``out_dir`` holds another design.
    """
    out = Path(out_dir).resolve()
    frame = sample(problem, method, n, seed)
    count = len(frame)
    meta = _design_meta(problem, method, n, seed, count, overrides)
    _refuse_another_design(out, meta)
    group = out / "configs" / GROUP
    group.mkdir(parents=True, exist_ok=True)
    for stale in group.glob("*.yaml"):
        stale.unlink()
    frame.to_csv(out / SAMPLES)
    (out / PROBLEM).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    names = [option_name(i, count) for i in range(count)]
    _write_options(group, problem, frame, names)
    _write_sweep(out, method, names)
    log.info(
        "%s design: %d samples of %s in %s; run them with:\n  %s",
        method,
        count,
        ", ".join(problem.names),
        out,
        sweep_command(out, overrides),
    )
    return out


def _design_meta(
    problem: Problem, method: str, n: int, seed: int, count: int, overrides: Sequence[str]
) -> dict[str, Any]:
    """What ``problem.json`` holds: the problem, method, n, seed, samples and overrides."""
    meta = {
        **problem.to_dict(),
        "method": method,
        "n": int(n),
        "seed": int(seed),
        "samples": count,
        "overrides": list(overrides),
    }
    if method == "morris":
        meta["num_levels"] = NUM_LEVELS
    return meta


def _refuse_another_design(out: Path, meta: Mapping[str, Any]) -> None:
    """Refuse a directory whose ``problem.json`` holds another design (overrides aside).

    Raises:
        ValueError: ``out`` holds another design.
    """
    if (out / PROBLEM).is_file():
        old = json.loads((out / PROBLEM).read_text(encoding="utf-8"))
        old.pop("overrides", None)
        if old != {k: v for k, v in meta.items() if k != "overrides"}:
            raise ValueError(f"{out} holds another design ({PROBLEM}); choose another directory")


def _write_options(
    group: Path, problem: Problem, frame: pd.DataFrame, names: Sequence[str]
) -> None:
    """One ``<name>.yaml`` per sample in the config group: its values as nested YAML."""
    for name, row in zip(names, frame.to_dict("records"), strict=True):
        values = {str(k): int(v) if k in problem.integers else float(v) for k, v in row.items()}
        body = yaml.safe_dump(nested(values), sort_keys=False, default_flow_style=False)
        (group / f"{name}.yaml").write_text("# @package _global_\n" + body, encoding="utf-8")


def _write_sweep(out: Path, method: str, names: Sequence[str]) -> None:
    """``configs/sweep/samples.yaml``: the sweep over every option into ``out/runs``."""
    sweep = {
        "hydra": {
            "sweep": {"dir": (out / RUNS).as_posix()},
            "sweeper": {"params": {f"+{GROUP}": ",".join(names)}},
        }
    }
    (out / "configs" / "sweep").mkdir(exist_ok=True)
    (out / "configs" / "sweep" / f"{SWEEP_OPTION}.yaml").write_text(
        f"# @package _global_\n# {method} design of {len(names)} samples from {PROBLEM}\n"
        + yaml.safe_dump(sweep, sort_keys=False, width=1 << 30),
        encoding="utf-8",
    )


def read_design(sample_dir: str | Path) -> tuple[Problem, dict[str, Any], pd.DataFrame]:
    """A design written by ``write_samples``: the problem, ``problem.json`` and the samples.

    Raises:
        ValueError: The directory holds no design.
    """
    folder = Path(sample_dir)
    if not (folder / PROBLEM).is_file() or not (folder / SAMPLES).is_file():
        raise ValueError(f"{folder} holds no design ({PROBLEM} and {SAMPLES}): see write_samples")
    meta = json.loads((folder / PROBLEM).read_text(encoding="utf-8"))
    problem = Problem.from_dict(meta)
    frame = pd.read_csv(folder / SAMPLES, index_col="sample")
    return problem, meta, frame[problem.names]


def indices(
    problem: Problem,
    method: str,
    samples: pd.DataFrame,
    results: pd.DataFrame | np.ndarray,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris or Sobol indices of model outputs evaluated at a design's samples.

    Morris: ``mu`` and ``mu_star`` (mean and mean absolute elementary effect) and
    ``sigma`` (their standard deviation: interactions and non-linearity), in units of
    the output per full range of the parameter (an effect of ``f = 10 x`` over
    ``x`` in [0, 1] is 10), and ``mu_star_conf`` (half-width of its bootstrap 95%
    interval). Sobol: first-order ``S1`` and total ``ST`` shares of the output's
    variance and the half-widths of their 95% intervals.

    Args:
        problem: The parameters.
        method: ``morris`` or ``sobol``, as the samples were drawn.
        samples: The design, row i = sample i (as from ``sample``).
        results: One column per output (or a 1-D array, output ``y``), row i = sample i.
        seed: Seed of the bootstrap.

    Returns:
        One row per output and parameter: ``output``, ``param``, then the indices.

    Raises:
        ValueError: Rows that do not match the design, or missing values.
    """
    _check_method(method)
    if isinstance(results, pd.DataFrame):
        outputs = {str(c): results[c].to_numpy(dtype=float) for c in results.columns}
    else:
        arr = np.asarray(results, dtype=float)
        outputs = {"y": arr} if arr.ndim == 1 else {f"y{i}": arr[:, i] for i in range(arr.shape[1])}
    x = samples[problem.names].to_numpy(dtype=float)
    k = len(problem.names)
    step = k + 1 if method == "morris" else k + 2
    if len(x) == 0 or len(x) % step:
        raise ValueError(f"{len(x)} samples is not a {method} design of {k} parameters")
    rows = []
    for name, y in outputs.items():
        if y.shape != (len(x),):
            raise ValueError(f"{name}: {y.size} values for {len(x)} samples")
        if not np.isfinite(y).all():
            raise ValueError(
                f"{name}: missing or infinite values at samples {_where(~np.isfinite(y))}"
            )
        if np.ptp(y) == 0:
            log.warning("%s does not vary across the samples: its indices are 0 or NaN", name)
        result = _salib_indices(problem, method, x, y, seed)
        for i, param in enumerate(problem.names):
            rows.append(
                {"output": name, "param": param}
                | {ix: float(result[ix][i]) for ix in INDICES[method]}
            )
    return pd.DataFrame(rows, columns=["output", "param", *INDICES[method]])


def _where(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def _salib_indices(
    problem: Problem, method: str, x: np.ndarray, y: np.ndarray, seed: int
) -> Mapping[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 of a constant output
        if method == "morris":
            from SALib.analyze import morris

            return morris.analyze(problem.salib(), x, y, num_levels=NUM_LEVELS, seed=seed)
        from SALib.analyze import sobol

        return sobol.analyze(problem.salib(), y, calc_second_order=False, seed=seed)


def outcomes(
    sweep_dirs: str | Path | Sequence[str | Path], sample_dir: str | Path, outputs: Sequence[str]
) -> pd.DataFrame:
    """The outputs of a design's runs, one row per sample.

    Runs of the same sample with several seeds (``seed=1,2,3`` in the sweep, or one
    sweep directory per seed) are averaged; the runs must differ in nothing else.

    Args:
        sweep_dirs: The sweep directory (``summary.parquet`` with ``override.sample``),
            or several.
        sample_dir: The design directory (``write_samples``).
        outputs: Summary fields (``cum_infections``, ``firms_failed``).

    Returns:
        One row per sample (index ``sample``), one column per output (the mean over
        its runs), and ``runs`` (the runs per sample).

    Raises:
        ValueError: No ``override.sample`` column, an unknown or non-numeric output,
            runs differing in more than sample and seed, or samples whose runs are
            missing, failed or unfinished (the analysis needs all).
        NotARunError: A sweep directory that holds no finished run.
    """
    dirs = [sweep_dirs] if isinstance(sweep_dirs, str | Path) else list(sweep_dirs)
    _, meta, samples = read_design(sample_dir)
    count = len(samples)
    outputs = list(outputs)
    if not outputs:
        raise ValueError("no output given")
    frame = load_summaries(dirs)
    col = f"override.{GROUP}"
    where = ", ".join(str(d) for d in dirs)
    if col not in frame.columns:
        raise ValueError(f"{where}: no {col} column: not a sweep over a design's samples")
    for out in outputs:
        if out not in frame.columns:
            numeric = [str(c) for c in frame.select_dtypes("number").columns]
            close = difflib.get_close_matches(out, numeric, n=5, cutoff=0.5)
            raise ValueError(f"{out} is not a summary field (numeric fields like it: {close})")
        if not pd.api.types.is_numeric_dtype(frame[out]):
            raise ValueError(f"{out} is not numeric")
    others = [c for c in frame.columns if c.startswith("override.") and c != col]
    others = [c for c in [*others, "scenario"] if c in frame.columns and c != "override.seed"]
    varied = [c for c in others if frame[c].astype(str).nunique() > 1]
    if varied:
        raise ValueError(
            f"{where}: the runs differ in {varied} as well as the sample: analyse one setting "
            "at a time (only seeds are averaged)"
        )
    index = pd.to_numeric(frame[col], errors="coerce")
    bad = frame.loc[index.isna() | (index < 0) | (index >= count), col]
    if len(bad):
        raise ValueError(f"sample(s) {sorted(set(bad))} are not of this design of {count} samples")
    frame = frame.assign(sample=index.astype(int))
    if "seed" in frame.columns and frame.duplicated(["sample", "seed"]).any():
        raise ValueError(f"{where}: a sample run twice with the same seed (a sweep given twice?)")
    failed = set().union(*(_failed_samples(Path(d), col, count) for d in dirs))
    runs = frame.groupby("sample").size().reindex(range(count), fill_value=0)
    incomplete = sorted(set(runs[runs < runs.max()].index) | failed)
    if incomplete:
        raise ValueError(
            f"{len(incomplete)} of {count} samples missing, failed or unfinished in {where} "
            f"(a {meta['method']} analysis needs all): {_span(incomplete)}; re-run the sweep "
            "command to resume it"
        )
    if runs.max() > 1:
        log.info("%d runs (seeds) per sample: outputs averaged per sample", runs.max())
    table = frame.groupby("sample")[outputs].mean().reindex(range(count))
    table["runs"] = runs
    return table


def _failed_samples(sweep_dir: Path, col: str, count: int) -> set[int]:
    """Samples with a failed job in a sweep's ``summary.parquet``."""
    path = sweep_dir / "summary.parquet"
    if not path.is_file():
        return set()
    frame = pd.read_parquet(path)
    if col not in frame.columns or "status" not in frame.columns:
        return set()
    failed = pd.to_numeric(frame.loc[frame["status"] != "done", col], errors="coerce").dropna()
    return {int(i) for i in failed if 0 <= i < count}


def _span(values: Sequence[int], most: int = 20) -> str:
    shown = ", ".join(str(v) for v in values[:most])
    return shown + (f", ... ({len(values)} in all)" if len(values) > most else "")


def analyze(
    sweep_dir: str | Path | Sequence[str | Path],
    sample_dir: str | Path,
    outputs: Sequence[str],
    seed: int = 0,
) -> pd.DataFrame:
    """Morris or Sobol indices (per the design) of a sweep's outputs.

    Args:
        sweep_dir: The sweep directory (``summary.parquet``), e.g. ``sample_dir/runs``,
            or several (one per seed): a sample's runs are averaged (``outcomes``).
        sample_dir: The design directory written by ``write_samples``.
        outputs: Summary fields (``cum_infections``, ``household_days_without_necessities``).
        seed: Seed of the bootstrap of the confidence intervals.

    Returns:
        One row per output and parameter: ``output``, ``param`` and the indices
        (Morris: ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``; Sobol: ``S1``,
        ``S1_conf``, ``ST``, ``ST_conf``), as ``indices``.

    Raises:
        ValueError: As ``outcomes``.
        NotARunError: A sweep directory that holds no finished run.
    """
    problem, meta, samples = read_design(sample_dir)
    table = outcomes(sweep_dir, sample_dir, outputs)
    return indices(problem, meta["method"], samples, table[list(outputs)], seed=seed)


def format_indices(table: pd.DataFrame, fmt: str = "text") -> str:
    """The indices as text, a markdown table or CSV.

    Args:
        table: ``analyze``'s frame.
        fmt: ``text``, ``markdown`` or ``csv``.

    Returns:
        The table, ending with a newline.
    """
    if fmt == "csv":
        return str(table.to_csv(index=False))
    cells = table.copy()
    for col in cells.columns[2:]:
        cells[col] = [f"{v:.4g}" for v in cells[col]]
    if fmt == "markdown":
        head = "| " + " | ".join(cells.columns) + " |"
        rule = "|" + "|".join("---" if i < 2 else "---:" for i in range(cells.shape[1])) + "|"
        body = ["| " + " | ".join(str(v) for v in row) + " |" for row in cells.to_numpy()]
        return "\n".join([head, rule, *body]) + "\n"
    return str(cells.to_string(index=False)) + "\n"


def _bounds(text: str) -> tuple[str, tuple[float, float]]:
    key, sep, span = text.partition("=")
    low, sep2, high = span.partition(":")
    try:
        if not (sep and sep2):
            raise ValueError
        return key, (float(low), float(high))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected KEY=LOW:HIGH") from None


def main(argv: Sequence[str] | None = None) -> int:
    """``gridgov sensitivity sample|analyze ...``: write a design, or analyse its sweep.

    Returns:
        The exit code: 0, or 2 on bad input (message on stderr).
    """
    parser = argparse.ArgumentParser(
        prog="gridgov sensitivity",
        description="Morris screening or Sobol indices of named parameters, run as a sweep.",
        epilog="sample: overrides for every run go after --, e.g. -- population.residents=20000",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="write a design and log the sweep command that runs it")
    s.add_argument("out_dir", help="the design directory")
    s.add_argument(
        "--param",
        action="append",
        type=_bounds,
        required=True,
        metavar="KEY=LOW:HIGH",
        help="a parameter and its bounds (repeat), e.g. disease.r0=1.8:2.6",
    )
    s.add_argument("--integer", action="append", default=[], metavar="KEY", help="whole numbers")
    s.add_argument("--method", choices=METHODS, default="morris")
    s.add_argument("-n", type=int, default=10, help="trajectories (morris) or base samples")
    s.add_argument("--seed", type=int, default=0, help="seed of the design")
    a = sub.add_parser("analyze", help="indices of a sweep over a design's samples")
    a.add_argument("sample_dir", help="the design directory")
    a.add_argument(
        "--sweep",
        action="append",
        help="a sweep directory (repeat for one per seed; default: SAMPLE_DIR/runs)",
    )
    a.add_argument("--outputs", required=True, help="comma-separated summary fields")
    a.add_argument("--format", choices=("text", "markdown", "csv"), default="text")
    argv = list(sys.argv[1:] if argv is None else argv)
    overrides = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.INFO)
    try:
        if args.command == "sample":
            problem = Problem(params=dict(args.param), integers=set(args.integer))
            write_samples(problem, args.method, args.n, args.out_dir, args.seed, overrides)
            return 0
        outputs = [o.strip() for o in args.outputs.split(",") if o.strip()]
        sweep = args.sweep or [str(Path(args.sample_dir) / RUNS)]
        table = analyze(sweep, args.sample_dir, outputs)
    except (NotARunError, ValueError) as exc:
        log.error("bad input: %s", exc)
        return EXIT_BAD_INPUT
    sys.stdout.write(format_indices(table, args.format))
    return 0
