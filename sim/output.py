"""The run directory: resolved inputs, timeseries, events and a summary written last."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

FORMAT_VERSION = 2  # 2: events gained `source`, timeseries `rt`, summary the epidemic measures
FILES = (
    "config.yaml",
    "scenario.yaml",
    "metrics.json",
    "timeseries.parquet",
    "events.parquet",
    "summary.json",
)


def code_version() -> str:
    """The package version, with the git commit when run from a checkout."""
    try:
        version = metadata.version("gridgov")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    root = Path(__file__).resolve().parent.parent
    git = shutil.which("git")
    if git and (root / ".git").exists():
        res = subprocess.run(
            [git, "-C", str(root), "describe", "--always", "--dirty", "--abbrev=10"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if res.returncode == 0 and res.stdout.strip():
            version = f"{version}+g{res.stdout.strip()}"
    return version


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_run(
    out_dir: Path,
    config: dict[str, Any],
    scenario: dict[str, Any],
    timeseries: pd.DataFrame,
    events: pd.DataFrame,
    summary: dict[str, Any],
    metrics: dict[str, Any],
) -> None:
    """Write a run directory; ``summary.json`` goes last, atomically.

    A directory without ``summary.json`` is an unfinished run. Any summary left by an
    earlier run in the same directory is removed first, so a failure midway never
    leaves a stale summary beside new files.

    Args:
        out_dir: The run directory (created if missing).
        config: The resolved configuration as plain data.
        scenario: The resolved scenario as plain data.
        timeseries: One row per day.
        events: One row per event.
        summary: Outcome figures and run metadata.
        metrics: Name, unit, label and description of every column and summary field
            (``metrics.json``).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").unlink(missing_ok=True)
    for name, data in (("config.yaml", config), ("scenario.yaml", scenario)):
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        _atomic_write_bytes(out_dir / name, text.encode())
    text = json.dumps(metrics, indent=1, ensure_ascii=False)
    _atomic_write_bytes(out_dir / "metrics.json", (text + "\n").encode())
    for name, frame in (("timeseries.parquet", timeseries), ("events.parquet", events)):
        tmp = out_dir / (name + ".tmp")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, out_dir / name)
    text = json.dumps({"format_version": FORMAT_VERSION, **summary}, indent=2, sort_keys=False)
    _atomic_write_bytes(out_dir / "summary.json", (text + "\n").encode())
