"""Benchmark a sweep from the command line: R runs x N residents through a Hydra launcher.

One fresh `gridgov -m` process per repeat, timed whole (Hydra start-up, the launcher's
workers and their imports, every run, summary.parquet):

    gridgov -m seed=range(1,R+1) population.residents=N days=D scenario=S \
        hydra.launcher.n_jobs=J output.progress=never hydra.sweep.dir=<tmp> [overrides]

Usage (from the project root):

    .venv/bin/python benchmarks/bench_sweep.py                    # 8 x 100,000 x 120 days, 2 jobs
    .venv/bin/python benchmarks/bench_sweep.py --launcher ray     # through a local Ray runtime
    .venv/bin/python benchmarks/bench_sweep.py --runs 16 --residents 50000 --json /tmp/sweep.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from bench_run import GRIDGOV, machine

LAUNCHERS = ("local", "ray", "submitit_local")


def one_sweep(args: argparse.Namespace, extra: list[str]) -> dict[str, Any]:
    """Run one sweep process; its wall time and what its jobs said about themselves."""
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-sweep-") as tmp:
        cmd = [
            str(GRIDGOV),
            "-m",
            f"seed=range(1,{args.runs + 1})",
            f"population.residents={args.residents}",
            f"days={args.days}",
            f"scenario={args.scenario}",
            "output.progress=never",
            f"hydra.sweep.dir={tmp}",
            f"hydra/launcher={args.launcher}",
            *extra,
        ]
        if args.launcher == "local":
            cmd.append(f"hydra.launcher.n_jobs={args.jobs}")
        elif args.launcher == "ray":
            cmd.append(f"+hydra.launcher.ray.init.num_cpus={args.jobs}")
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if res.returncode != 0:
            sys.exit(f"sweep failed ({res.returncode}):\n{res.stderr[-4000:]}")
        summary = pd.read_parquet(Path(tmp) / "summary.parquet")
        done = summary[summary["status"] == "done"]
        if len(done) != args.runs:
            sys.exit(f"{len(done)} of {args.runs} jobs finished:\n{res.stderr[-4000:]}")
        return {
            "wall_s": wall,
            "model_s_sum": float(done["wall_seconds"].sum()),
            "infections_mean": float(done["cum_infections"].mean()),
            "code_version": str(done["code_version"].iloc[0]),
        }


def main() -> None:
    """Parse the options, run the sweeps, print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=8, help="runs in the sweep (seeds 1..R)")
    p.add_argument("--residents", type=int, default=100_000)
    p.add_argument("--days", type=int, default=120)
    p.add_argument("--scenario", default="huaian_2020")
    p.add_argument("--jobs", type=int, default=2, help="workers (cores) the launcher uses")
    p.add_argument("--launcher", choices=LAUNCHERS, default="local")
    p.add_argument("--repeat", type=int, default=3, help="sweep processes")
    p.add_argument("--json", help="also write the machine and samples as JSON here")
    args, extra = p.parse_known_args()
    extra = [e for e in extra if e != "--"]
    info = machine()
    for key, value in info.items():
        print(f"{key:>10}: {value}")
    samples = [one_sweep(args, extra) for _ in range(args.repeat)]
    walls = [s["wall_s"] for s in samples]
    print(
        f"\n{args.runs} runs x {args.residents:,} residents x {args.days} days of "
        f"{args.scenario}, launcher {args.launcher}, {args.jobs} workers, code "
        f"{samples[0]['code_version']}"
    )
    print("| repeats | median wall s | min wall s | max wall s | model s (runs) | infections |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(samples)} | {statistics.median(walls):.2f} | {min(walls):.2f} | "
        f"{max(walls):.2f} | {statistics.median(s['model_s_sum'] for s in samples):.2f} | "
        f"{samples[0]['infections_mean']:.1f} |"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": info, "args": vars(args), "samples": samples}, indent=2)
        )


if __name__ == "__main__":
    main()
