"""Benchmark whole `gridgov` runs from the command line: wall time and peak RSS.

Each run is a fresh process of the `gridgov` console script (imports included), as a
user would start it:

    gridgov population.residents=N days=D output.progress=never hydra.run.dir=<tmp> ...

Usage (from the project root):

    .venv/bin/python benchmarks/bench_run.py
    .venv/bin/python benchmarks/bench_run.py --sizes 928700 --scenario no_intervention
    .venv/bin/python benchmarks/bench_run.py --json /tmp/bench.json -- seed=2

Hydra overrides after ``--`` (or before the options) are passed to every run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GRIDGOV = Path(sys.executable).parent / "gridgov"
# keys the benchmark sets itself; passing them as extra overrides would be ambiguous
RESERVED = ("population.residents", "days", "output.progress", "hydra.run.dir", "scenario")
PACKAGES = ("numpy", "pandas", "scipy", "mesa", "hydra-core", "pyarrow")


@dataclass
class Sample:
    """One process: wall seconds, peak RSS and what the run said about itself."""

    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_mib: float
    model_wall_s: float
    cum_infections: int
    code_version: str


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """The machine and software the numbers come from."""
    fields: dict[str, str] = {}
    for line in _read("/proc/cpuinfo").splitlines():
        if not line.strip():
            break  # the first processor is enough
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    cpu = fields.get("model name", "unknown")
    if "cpu family" in fields:
        cpu += f" (family {fields['cpu family']}, model {fields.get('model', '?')}"
        cpu += f", {float(fields.get('cpu MHz', 'nan')):.0f} MHz)"
    mem_kib = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
            break
    os_name = platform.platform()
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            os_name = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.release()})"
            break
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "memory_gib": round(mem_kib / 2**20, 1),
        "os": os_name,
        "python": platform.python_version(),
        "packages": versions,
    }


def run_once(size: int, days: int, scenario: str, overrides: list[str]) -> Sample:
    """Run `gridgov` once as a child process and measure it.

    Raises:
        SystemExit: If the child exits non-zero or writes no summary.
    """
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-") as tmp:
        run_dir = Path(tmp) / "run"
        cmd = [
            str(GRIDGOV),
            f"population.residents={size}",
            f"days={days}",
            f"scenario={scenario}",
            "output.progress=never",
            f"hydra.run.dir={run_dir}",
            *overrides,
        ]
        out_path = Path(tmp) / "output.log"
        with out_path.open("wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # reaped by wait4; tell Popen so
        if code != 0:
            tail = "\n".join(out_path.read_text(errors="replace").splitlines()[-30:])
            raise SystemExit(f"FAILED (exit status {code}): {' '.join(cmd)}\n{tail}")
        summary_path = run_dir / "summary.json"
        if not summary_path.is_file():
            raise SystemExit(f"FAILED: no {summary_path} after: {' '.join(cmd)}")
        summary = json.loads(summary_path.read_text())
    return Sample(
        wall_s=wall,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        peak_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
        model_wall_s=float(summary["wall_seconds"]),
        cum_infections=int(summary["cum_infections"]),
        code_version=str(summary.get("code_version", "unknown")),
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(
        description="Time whole `gridgov` processes (wall seconds, peak RSS).",
        epilog="Hydra overrides go after `--`, e.g. `... --repeat 5 -- seed=2`.",
    )
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[100_000, 928_700], help="residents per run"
    )
    p.add_argument("--days", type=int, default=120, help="days simulated (default 120)")
    p.add_argument("--repeat", type=int, default=3, help="processes per size (default 3)")
    p.add_argument("--scenario", default="huaian_2020", help="scenario (default huaian_2020)")
    p.add_argument("--json", type=Path, metavar="PATH", help="write the results here as JSON")
    p.add_argument("overrides", nargs="*", help="extra Hydra overrides for every run")
    args = p.parse_args(argv)
    if args.repeat < 1 or args.days < 1 or min(args.sizes) < 1:
        p.error("--repeat, --days and --sizes must be positive")
    for o in args.overrides:
        key = o.lstrip("+~").split("=", 1)[0]
        if key in RESERVED:
            p.error(f"{key} is set by the benchmark; use its own option instead of {o!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and optionally write JSON."""
    args = parse_args(argv)
    if not GRIDGOV.is_file():
        raise SystemExit(f"no gridgov console script at {GRIDGOV}: run `make setup` first")
    info = machine()
    pk = info["packages"]
    print(f"CPU:    {info['cpu']}")
    print(f"Cores:  {info['cores']} ({info['cores_usable']} usable)")
    print(f"Memory: {info['memory_gib']} GiB")
    print(f"OS:     {info['os']}")
    print(f"Python: {info['python']}  numpy {pk['numpy']}  pandas {pk['pandas']}  ", end="")
    print(f"mesa {pk['mesa']}  hydra-core {pk['hydra-core']}")
    extra = " ".join(args.overrides)
    print(f"Scenario: {args.scenario}  repeat: {args.repeat}  overrides: {extra or '(none)'}")
    print()

    results = []
    header = (
        f"{'residents':>10} {'days':>5} {'median s':>9} {'min s':>7} {'peak RSS MiB':>13} "
        f"{'model s':>8} {'infections':>11}"
    )
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        samples = [
            run_once(size, args.days, args.scenario, args.overrides) for _ in range(args.repeat)
        ]
        walls = [s.wall_s for s in samples]
        row = {
            "residents": size,
            "days": args.days,
            "scenario": args.scenario,
            "median_wall_s": statistics.median(walls),
            "min_wall_s": min(walls),
            "peak_rss_mib": max(s.peak_rss_mib for s in samples),
            "median_model_wall_s": statistics.median(s.model_wall_s for s in samples),
            "cum_infections": samples[0].cum_infections,
            "code_versions": sorted({s.code_version for s in samples}),
            "samples": [asdict(s) for s in samples],
        }
        results.append(row)
        print(
            f"{size:>10} {args.days:>5} {row['median_wall_s']:>9.2f} {row['min_wall_s']:>7.2f} "
            f"{row['peak_rss_mib']:>13.0f} {row['median_model_wall_s']:>8.2f} "
            f"{row['cum_infections']:>11}",
            flush=True,
        )
    versions = sorted({v for r in results for v in r["code_versions"]})
    print()
    print(f"code version (summary.json): {', '.join(versions)}")
    if len(versions) > 1:
        print("WARNING: the code changed during the benchmark; the rows are not comparable")
    print("median s / min s: wall seconds of the whole process (imports included);")
    print("peak RSS: largest ru_maxrss of the process over the repeats;")
    print("model s: median wall_seconds from the run's summary.json (model build + run).")

    if args.json is not None:
        doc = {
            "machine": info,
            "command": " ".join(
                [
                    str(GRIDGOV),
                    f"population.residents=N days={args.days} scenario={args.scenario}",
                    "output.progress=never hydra.run.dir=<tempdir>",
                    *args.overrides,
                ]
            ),
            "scenario": args.scenario,
            "repeat": args.repeat,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "results": results,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
