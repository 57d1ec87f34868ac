"""The Hydra callback of a sweep: a progress bar as it runs, its summary and failures at the end."""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger("sim.sweeps.sweep")

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
POLL_SECONDS = 0.5


def count_jobs(config: DictConfig) -> int | None:
    """How many jobs Hydra's basic sweeper will launch (None for other sweepers).

    The sweep's parameters are the sweeper's ``params`` (from an experiment or sweep
    file) followed by the command line's overrides, expanded as Hydra expands them.
    """
    target = str(OmegaConf.select(config, "hydra.sweeper._target_", default=""))
    if not target.endswith("BasicSweeper"):
        return None
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    params = OmegaConf.select(config, "hydra.sweeper.params", default=None) or {}
    args = [f"{k}={v}" for k, v in params.items()]
    args += [str(o) for o in config.hydra.overrides.task]
    overrides = OverridesParser.create().parse_overrides(args)
    batches = BasicSweeper.split_arguments(overrides, None)
    return len(batches[0]) if batches else 0


class SweepCallback(Callback):
    """The bookkeeping of one sweep in the launching process (progress bar, final summary).

    Jobs record themselves (``sim.sweeps.sweep.run_job``); this callback clears the previous
    pass's progress marks when the sweep starts, shows jobs done of the total with an
    ETA while it runs, rebuilds ``summary.parquet`` from every job directory at the end
    and exits non-zero if any job failed.
    """

    def __init__(self) -> None:
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    def __getstate__(self) -> dict[str, Any]:
        return {}  # jobs receive a copy of the callbacks: the bar stays in this process

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Clear the previous pass's marks and start the progress bar."""
        from sim.runner import wanted
        from sim.sweeps.sweep import PROGRESS, SUMMARY

        sweep_dir = Path(config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(sweep_dir / PROGRESS, ignore_errors=True)
        for tmp in sweep_dir.glob(f"{SUMMARY}.*.tmp"):  # left by a sweep killed mid-write
            tmp.unlink()
        self._t0 = time.perf_counter()
        total = count_jobs(config)
        log.info("sweep of %s jobs into %s", total if total is not None else "?", sweep_dir)
        if wanted(str(OmegaConf.select(config, "output.progress", default="auto"))):
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._show, args=(sweep_dir, total, self._stop), daemon=True
            )
            self._thread.start()

    @staticmethod
    def _show(sweep_dir: Path, total: int | None, stop: threading.Event) -> None:
        from tqdm import tqdm

        from sim.sweeps.sweep import jobs_finished

        with tqdm(total=total, desc="sweep", unit="job", file=sys.stderr) as bar:
            while True:
                done = jobs_finished(sweep_dir)
                if done > bar.n:
                    bar.update(done - bar.n)
                if stop.wait(POLL_SECONDS):
                    bar.update(jobs_finished(sweep_dir) - bar.n)
                    return

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Stop the bar, rebuild ``summary.parquet``, report failures (non-zero exit)."""
        from sim.sweeps.sweep import SUMMARY, rebuild_summary

        if self._stop is not None and self._thread is not None:
            self._stop.set()
            self._thread.join()
        sweep_dir = Path(config.hydra.sweep.dir)
        frame = rebuild_summary(sweep_dir)
        failed = frame[frame["status"] == "failed"]
        log.info(
            "sweep finished in %.1f s: %d jobs done, %d failed; one row per job in %s",
            time.perf_counter() - self._t0,
            int((frame["status"] == "done").sum()),
            len(failed),
            sweep_dir / SUMMARY,
        )
        if len(failed):
            for job, kind, error in zip(
                failed["job"], failed["error_type"], failed["error"], strict=True
            ):
                log.error("job %s failed: %s: %s", job, kind, error)
            log.error("%d job(s) failed (see error.json in their directories)", len(failed))
            bad_input = bool((failed["error_type"] == "ConfigError").all())
            sys.exit(EXIT_BAD_INPUT if bad_input else EXIT_FAILED)
