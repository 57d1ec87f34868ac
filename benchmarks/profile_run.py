"""Where the time and memory of one gridgov run go: imports, phases, the daily loop.

Subcommands (nothing in sim/ is changed: ``phases`` times the sim functions by
wrapping them at run time, in its own process only):

    # whole gridgov processes split into start-up, imports, Hydra, model and exit
    .venv/bin/python benchmarks/profile_run.py process

    # import cost of each main dependency, each in a fresh interpreter
    .venv/bin/python benchmarks/profile_run.py imports

    # phases of sim.run(sim.compose([...]), out_dir), RSS at each boundary,
    # and cProfile's top functions by cumulative time of one more run
    .venv/bin/python benchmarks/profile_run.py phases --cprofile /tmp/run.pstats

    # py-spy raw profiles of gridgov (py-spy record --format raw) by phase
    .venv/bin/python benchmarks/profile_run.py pyspy /tmp/profile.txt

``phases`` runs in one process: the imports are paid once, before the first repeat.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

IMPORT_SETS = {
    "(interpreter only)": "pass",
    "numpy": "import numpy",
    "omegaconf": "import omegaconf",
    "hydra": "import hydra",
    "pandas": "import pandas",
    "pyarrow.parquet": "import pyarrow.parquet",
    "scipy.optimize": "import scipy.optimize",
    "networkx": "import networkx",
    "mesa": "import mesa",
    "sim.cli (what gridgov imports first)": "import sim.cli",
    "sim.runner (imported by the run)": "import sim.runner",
    "sim.cli + sim.runner (a whole run's imports)": "import sim.cli, sim.runner",
}
STEP_METHODS = (
    "apply_policies",
    "plan_staff",
    "move",
    "resupply",
    "import_infections",
    "transmit",
    "progress_disease",
    "detect",
    "trace_and_quarantine",
    "isolate",
    "run_economy",
    "record",
)
MIB = 1024 * 1024


def rss_mib() -> tuple[float, float]:
    """(current RSS, peak RSS so far) of this process in MiB, from /proc/self/status."""
    cur = peak = float("nan")
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            cur = int(line.split()[1]) / 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return cur, peak


# ------------------------------------------------------------------- imports
def cmd_imports(args: argparse.Namespace) -> None:
    """Time each import set in fresh interpreters (median of ``repeat``)."""
    print(f"{'import':<46} {'median s':>9} {'min s':>7} {'peak RSS MiB':>13}")
    for label, code in IMPORT_SETS.items():
        walls, rss = [], []
        for _ in range(args.repeat):
            # ru_maxrss of RUSAGE_CHILDREN is the max over all children so far, so
            # measure each child through a fresh helper process
            out = subprocess.run(
                [sys.executable, "-c", _CHILD_PROBE, code],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            walls.append(float(out[0]))
            rss.append(float(out[1]))
        print(f"{label:<46} {statistics.median(walls):>9.3f} {min(walls):>7.3f} {max(rss):>13.0f}")


_CHILD_PROBE = """
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-c", sys.argv[1]])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t0
if os.waitstatus_to_exitcode(status) != 0:
    sys.exit("import failed: " + sys.argv[1])
print(wall, usage.ru_maxrss / 1024)
"""


# ------------------------------------------------------------------- process
_PROCESS_CHILD = """
import json, sys, time
t_enter = time.time()
sys.argv = ["gridgov", *sys.argv[1:]]
import sim.cli
t_cli = time.time()
import sim.runner
t_runner = time.time()
try:
    sim.cli.main()
finally:
    t_main = time.time()
    sys.stderr.write("\\nSTAMPS " + json.dumps([t_enter, t_cli, t_runner, t_main]) + "\\n")
"""


def cmd_process(args: argparse.Namespace) -> None:
    """Split whole `gridgov` processes into start, imports, Hydra, sim.run and exit.

    The child is `gridgov`'s own ``main()`` with its imports done first (timed),
    then the run. ``wall_seconds`` of summary.json covers sim.run up to the summary
    (model build, the days, the output frames); the rest of ``main()`` is Hydra
    (it composes the config twice), logging, the summary and writing the run directory.
    """
    parts: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="gridgov-proc-") as tmp:
            run_dir = Path(tmp) / "run"
            cmd = [
                sys.executable,
                "-c",
                _PROCESS_CHILD,
                f"population.residents={args.residents}",
                f"days={args.days}",
                f"scenario={args.scenario}",
                "output.progress=never",
                f"hydra.run.dir={run_dir}",
                *args.overrides,
            ]
            t0 = time.time()
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            t_end = time.time()
            if proc.returncode != 0:
                raise SystemExit(f"FAILED (exit status {proc.returncode}):\n{proc.stderr[-3000:]}")
            stamps = next(x for x in proc.stderr.splitlines() if x.startswith("STAMPS "))
            t_enter, t_cli, t_runner, t_main = json.loads(stamps.split(" ", 1)[1])
            run_s = float(json.loads((run_dir / "summary.json").read_text())["wall_seconds"])
        parts["interpreter start-up"].append(t_enter - t0)
        parts["import sim.cli (hydra, omegaconf)"].append(t_cli - t_enter)
        parts["import sim.runner (mesa, pandas, scipy, ...)"].append(t_runner - t_cli)
        parts["rest of main(): Hydra, logging, writing outputs"].append(t_main - t_runner - run_s)
        parts["model build + daily loop (wall_seconds)"].append(run_s)
        parts["interpreter exit (finalisation)"].append(t_end - t_main)
        parts["whole process"].append(t_end - t0)
    total = statistics.median(parts["whole process"])
    print(f"{args.residents} residents, {args.days} days, {args.scenario}, {args.repeat} processes")
    print(f"{'part':<46} {'median s':>9} {'min s':>7} {'share':>7}")
    for name, vals in parts.items():
        med = statistics.median(vals)
        print(f"{name:<46} {med:>9.3f} {min(vals):>7.3f} {100 * med / total:>6.1f}%")


# --------------------------------------------------------------------- py-spy
# a sample goes to the first phase (in this order) with a frame on its stack
PYSPY_PHASES = (
    ("population synthesis", "synthesise (sim/world/population.py"),
    ("calibration", "calibrate (sim/epidemic/calibration.py"),
    ("daily loop", "DistrictModel.run (sim/model.py"),
    ("writing outputs", "write_run (sim/output.py"),
    ("summary (incl. git describe)", "summarise (sim/runner.py"),
    ("timeseries/events frames", ".frame (sim/recorder.py"),
    ("model set-up (other)", "DistrictModel.__init__ (sim/model.py"),
    ("imports", "_find_and_load ("),
    ("Hydra start-up and config (other Python)", "("),
)


def cmd_pyspy(args: argparse.Namespace) -> None:
    """Summarise py-spy ``--format raw`` files: samples by phase, top functions."""
    phase: dict[str, int] = defaultdict(int)
    cum: dict[str, int] = defaultdict(int)
    total = 0
    for path in args.raw:
        for line in Path(path).read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            n = int(count)
            total += n
            name = next((k for k, key in PYSPY_PHASES if key in stack), None)
            phase[name or "no Python frame (interpreter start/exit)"] += n
            funcs = {f.rsplit(":", 1)[0] + ")" if ":" in f else f for f in stack.split(";")}
            for f in funcs:
                cum[f] += n
    print(f"{total} samples from {len(args.raw)} file(s)")
    for name, n in sorted(phase.items(), key=lambda kv: -kv[1]):
        print(f"{100 * n / total:6.1f}%  {name}")
    print()
    print(f"top {args.top} functions by samples on the stack:")
    for f, n in sorted(cum.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{100 * n / total:6.1f}%  {f}")


# -------------------------------------------------------------------- phases
class Timer:
    """Accumulated wall seconds and RSS after each named phase (one run at a time)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.rss_after: dict[str, tuple[float, float]] = {}

    def wrap(self, name: str, fn: Callable[..., Any], rss: bool = False) -> Callable[..., Any]:
        """``fn`` timed under ``name``; with ``rss`` the RSS is noted after each call."""

        @functools.wraps(fn)
        def timed(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.seconds[name] += time.perf_counter() - t0
                self.calls[name] += 1
                if rss:
                    self.rss_after[name] = rss_mib()

        return timed


def instrument(timer: Timer) -> None:
    """Wrap the sim functions of each phase (module attributes, this process only)."""
    import sim.epidemic.epidemic
    import sim.model
    import sim.recorder
    import sim.runner

    ep = sim.epidemic.epidemic
    sim.model.synthesise = timer.wrap("population synthesis", sim.model.synthesise, rss=True)
    ep.calibrate = timer.wrap("calibration", ep.calibrate, rss=True)
    ep.CovidHistory = timer.wrap("natural history set-up", ep.CovidHistory, rss=True)
    sim.model.DistrictModel.__init__ = timer.wrap(
        "model set-up (total)", sim.model.DistrictModel.__init__, rss=True
    )
    sim.model.DistrictModel.run = timer.wrap(
        "daily loop (total)", sim.model.DistrictModel.run, rss=True
    )
    for m in STEP_METHODS:
        setattr(
            sim.model.DistrictModel, m, timer.wrap(f"  {m}", getattr(sim.model.DistrictModel, m))
        )
    sim.recorder.Recorder.frame = timer.wrap("timeseries frame", sim.recorder.Recorder.frame)
    sim.recorder.EventLog.frame = timer.wrap("events frame", sim.recorder.EventLog.frame, rss=True)
    sim.runner.summarise = timer.wrap("summary (incl. git describe)", sim.runner.summarise)
    sim.runner.write_run = timer.wrap("writing outputs", sim.runner.write_run, rss=True)
    sim.runner.load_scenario = timer.wrap("scenario", sim.runner.load_scenario)


def model_arrays_mib(model: Any) -> dict[str, float]:
    """MiB held in numpy arrays by the population, epidemic state and contact layers."""
    import numpy as np

    def total(obj: Any) -> float:
        items = vars(obj).values() if hasattr(obj, "__dict__") else []
        return sum(v.nbytes for v in items if isinstance(v, np.ndarray)) / MIB

    layers = model.epidemic.layers
    return {
        "population": total(model.pop),
        "epidemic state": total(model.epi),
        "contact layers": sum(total(g) for g in layers),
        "natural history": total(model.epidemic.history),
        "event log": sum(a.nbytes for lst in vars(model.events).values() for a in lst) / MIB,
    }


def cmd_phases(args: argparse.Namespace) -> None:
    """Time the phases of ``repeat`` in-process runs and print a table."""
    rss0 = rss_mib()
    t0 = time.perf_counter()
    import sim
    import sim.cli

    t_cli = time.perf_counter() - t0
    rss_cli = rss_mib()
    t0 = time.perf_counter()
    import sim.runner

    t_runner = time.perf_counter() - t0
    rss_runner = rss_mib()
    overrides = [
        f"population.residents={args.residents}",
        f"days={args.days}",
        f"scenario={args.scenario}",
        "output.progress=never",
        *args.overrides,
    ]
    print(f"sim.run(sim.compose({overrides}), <tempdir>) x {args.repeat}")
    print(f"import sim.cli    {t_cli:6.3f} s   RSS {rss0[0]:.0f} -> {rss_cli[0]:.0f} MiB")
    print(f"import sim.runner {t_runner:6.3f} s   RSS -> {rss_runner[0]:.0f} MiB")

    timer = Timer()
    instrument(timer)
    runs: list[tuple[dict[str, float], dict[str, int], dict[str, tuple[float, float]]]] = []
    totals, composes = [], []
    for _ in range(args.repeat):
        timer.seconds.clear()
        timer.calls.clear()
        t0 = time.perf_counter()
        cfg = sim.compose(overrides)
        composes.append(time.perf_counter() - t0)
        with tempfile.TemporaryDirectory(prefix="gridgov-prof-") as tmp:
            t0 = time.perf_counter()
            sim.run(cfg, Path(tmp) / "run")
            totals.append(time.perf_counter() - t0)
        runs.append((dict(timer.seconds), dict(timer.calls), dict(timer.rss_after)))

    total = statistics.median(totals)
    print(f"compose config    {statistics.median(composes):6.3f} s (median)")
    print(f"sim.run total     {total:6.3f} s (median of {len(totals)})")
    print()
    print(f"{'phase':<32} {'median s':>9} {'share':>7} {'calls':>6} {'RSS after MiB':>14}")
    first_seconds, first_calls, first_rss = runs[0]
    for name in first_seconds:
        med = statistics.median(r[0].get(name, 0.0) for r in runs)
        rss = first_rss.get(name)
        rss_s = f"{rss[0]:.0f} (peak {rss[1]:.0f})" if rss else ""
        print(
            f"{name:<32} {med:>9.3f} {100 * med / total:>6.1f}% {first_calls[name]:>6} {rss_s:>14}"
        )
    print("RSS after: of the first run; later runs reuse freed memory")
    print(f"peak RSS of this process after {args.repeat} runs: {rss_mib()[1]:.0f} MiB")

    # one more run, not timed: the arrays it holds, and cProfile if asked
    cfg = sim.compose(overrides)
    prof = cProfile.Profile() if args.cprofile else None
    with tempfile.TemporaryDirectory(prefix="gridgov-prof-") as tmp:
        if prof is not None:
            prof.enable()
        res = sim.run(cfg, Path(tmp) / "run")
        if prof is not None:
            prof.disable()
    print()
    print("numpy arrays held by the model after the run (MiB):")
    for k, v in model_arrays_mib(res.model).items():
        print(f"  {k:<18} {v:8.1f}")

    if args.cprofile and prof is not None:
        prof.dump_stats(str(args.cprofile))
        buf = io.StringIO()
        stats = pstats.Stats(str(args.cprofile), stream=buf)
        stats.strip_dirs().sort_stats("cumulative").print_stats(args.top)
        print()
        print(f"cProfile of one more run (top {args.top} by cumulative time), {args.cprofile}:")
        print(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pi = sub.add_parser("imports", help="import cost of the main dependencies")
    pi.add_argument("--repeat", type=int, default=7)
    pc = sub.add_parser("process", help="whole gridgov processes split into parts")
    pc.add_argument("--residents", type=int, default=928_700)
    pc.add_argument("--days", type=int, default=120)
    pc.add_argument("--scenario", default="no_intervention")
    pc.add_argument("--repeat", type=int, default=5)
    pc.add_argument("overrides", nargs="*", help="extra Hydra overrides")
    py = sub.add_parser("pyspy", help="summarise py-spy raw profiles of gridgov")
    py.add_argument("raw", nargs="+", type=Path, help="py-spy record --format raw output")
    py.add_argument("--top", type=int, default=30)
    pp = sub.add_parser("phases", help="phases of one in-process run")
    pp.add_argument("--residents", type=int, default=928_700)
    pp.add_argument("--days", type=int, default=120)
    pp.add_argument("--scenario", default="no_intervention")
    pp.add_argument("--repeat", type=int, default=3)
    pp.add_argument("--cprofile", type=Path, metavar="PATH", help="also cProfile one more run")
    pp.add_argument("--top", type=int, default=30, help="cProfile rows to print")
    pp.add_argument("overrides", nargs="*", help="extra Hydra overrides")
    args = p.parse_args(argv)
    {
        "imports": cmd_imports,
        "process": cmd_process,
        "phases": cmd_phases,
        "pyspy": cmd_pyspy,
    }[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
